"""Dense vector search over passage ids with faiss."""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
from pathlib import Path

import faiss
import numpy as np

from .hits import Hits


class DenseIndexError(Exception):
    """The saved dense index cannot be used (corrupt, or another model or size)."""


class DenseIndex:
    """Exact inner-product search over normalised vectors, addressed by integer ids.

    An ``IndexIDMap2`` lets single documents be added or removed without a
    rebuild; at the bundled corpus's size (thousands of passages) exact search
    takes well under a millisecond, so no approximate index is needed.

    :param dim: vector size
    :param model: name of the model that made the vectors, saved with the index
    """

    def __init__(self, dim: int, model: str):
        if dim <= 0:
            raise ValueError(f"dim must be greater than 0. Currently, the dim is {dim}")
        self.dim, self.model = dim, model
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return self._index.ntotal

    def ids(self) -> set[int]:
        with self._lock:
            return set(faiss.vector_to_array(self._index.id_map).tolist())

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of size {self.dim}, got shape {vectors.shape}")
        with self._lock:
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if len(ids) == 0:
            return
        with self._lock:
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(list(ids), dtype=np.int64)))

    def search(self, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> Hits:
        """Top ``k`` ids by cosine similarity, optionally only among ``allowed`` ids."""
        if k <= 0:
            raise ValueError(f"k must be greater than 0. Currently, the k is {k}")
        with self._lock:
            if self._index.ntotal == 0 or (allowed is not None and not allowed):
                return Hits.empty()
            params = None
            if allowed is not None:
                params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64)))
            q = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
            scores, ids = self._index.search(q, min(k, self._index.ntotal), params=params)
        keep = ids[0] >= 0
        return Hits(ids[0][keep].tolist(), scores[0][keep].tolist())

    def vector(self, id_: int) -> np.ndarray | None:
        """The stored vector of ``id_``, or None when it is not in the index."""
        with self._lock:
            try:
                return self._index.reconstruct(int(id_))
            except RuntimeError:  # faiss: "key not found"
                return None

    def save(self, path: Path | str) -> None:
        """Write the index atomically: readers see the old file or the new one, never half."""
        path = Path(path)
        with self._lock:
            blob = faiss.serialize_index(self._index)
        meta = json.dumps({"model": self.model, "dim": self.dim})
        buf = io.BytesIO()
        np.savez(buf, index=blob, meta=np.array(meta))
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(buf.getvalue())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path | str, model: str, dim: int) -> "DenseIndex":
        """Load a saved index, refusing one made by another model or of another size."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                blob = data["index"]
            index = faiss.deserialize_index(blob)
        except FileNotFoundError:
            raise
        except Exception as e:
            raise DenseIndexError(f"{path}: unreadable dense index ({e}); it will be rebuilt") from e
        if meta.get("model") != model or meta.get("dim") != dim:
            raise DenseIndexError(
                f"{path}: built with {meta.get('model')!r} (dim {meta.get('dim')}), "
                f"not {model!r} (dim {dim}); it will be rebuilt"
            )
        self = cls(dim, model)
        self._index = index
        return self
