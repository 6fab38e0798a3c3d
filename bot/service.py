"""The command set every channel shares: questions, provinces, sources, feedback, admin.

Channels (Telegram, Zalo, the terminal) translate their updates into calls
here and format what comes back. Everything a user or admin does is stored in
the knowledge base's SQLite database: users and their saved province, the
question log, feedback and the admin audit log. Blocking work (embedding,
faiss, SQLite) runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from knowledge import provinces as gz
from knowledge.answering import Answer, Source, answer, more_passages
from knowledge.conversation import DEFAULT_TTL_SECONDS, Context
from knowledge.loaders import LoaderError, clean_name
from knowledge.store import IngestResult, KnowledgeBase

from .inbox import Inbox

logger = logging.getLogger(__name__)

# Answering is CPU-bound: more concurrent answers than cores only add latency.
MAX_CONCURRENT_ANSWERS = 2


_SCHEMA = """
    CREATE TABLE IF NOT EXISTS users (
        platform TEXT NOT NULL, chat_id TEXT NOT NULL, province TEXT, last_question_id INTEGER,
        updated_at TEXT, PRIMARY KEY (platform, chat_id));
    CREATE TABLE IF NOT EXISTS questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT, chat_id TEXT, user_id TEXT,
        question TEXT, answer TEXT, sources TEXT, more TEXT, abstained INTEGER,
        latency_ms REAL, created_at TEXT);
    CREATE INDEX IF NOT EXISTS questions_created ON questions(created_at);
    CREATE TABLE IF NOT EXISTS feedback (
        question_id INTEGER NOT NULL, platform TEXT, user_id TEXT NOT NULL, value INTEGER,
        created_at TEXT, PRIMARY KEY (question_id, user_id));
    CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT, user_id TEXT, action TEXT,
        detail TEXT, allowed INTEGER, created_at TEXT);
"""


class NotAdmin(Exception):
    """The user is not on the admin allow-list."""


class ReindexRunning(RuntimeError):
    """A reindex was asked for while another one runs."""


@dataclass
class Asked:
    """An answered question, with the id its buttons refer to."""

    question_id: int | None  # None if the question log could not be written (the answer is still sent)
    answer: Answer


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RateLimiter:
    """Per-user token bucket: a burst of ``burst`` questions, then one per ``interval`` seconds."""

    def __init__(self, burst: int, interval: float, clock: Callable[[], float] = time.monotonic):
        if burst < 1 or interval <= 0:
            raise ValueError(f"burst must be >= 1 and interval > 0; got burst={burst}, interval={interval}")
        self.burst, self.interval, self.clock = burst, interval, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def wait_time(self, key: str) -> float:
        """0 if the user may ask now (and a token is spent), else seconds until they may."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) / self.interval)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) * self.interval


class ChatGate:
    """Fairness between chats: one answer at a time per chat, and a group's backlog bounded.

    A flood in one chat only queues behind itself, so other chats are never delayed by it.
    Droppable turns (group chats) are turned away when ``max_waiting`` are already queued for
    the chat, or when they waited longer than ``max_wait_s``; private questions always wait.
    A waiting turn holds no answer slot, and one flooding group holds at most
    ``max_waiting + 1`` of the platform library's update slots.
    """

    def __init__(self, max_waiting: int = 10, max_wait_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.max_waiting, self.max_wait_s, self.clock = max_waiting, max_wait_s, clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @asynccontextmanager
    async def turn(self, chat: str, droppable: bool) -> AsyncIterator[bool]:
        """``async with gate.turn(chat, droppable) as admitted``: False when turned away."""
        lock = self._locks.setdefault(chat, asyncio.Lock())
        if droppable and self._waiting.get(chat, 0) >= self.max_waiting:
            yield False
            return
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        started = self.clock()
        try:
            await lock.acquire()
        finally:
            self._waiting[chat] -= 1
        try:
            yield not (droppable and self.clock() - started > self.max_wait_s)
        finally:
            lock.release()
            if not lock.locked() and not self._waiting.get(chat):
                self._locks.pop(chat, None)
                self._waiting.pop(chat, None)


class Service:
    """Shared behaviour of all channels over one knowledge base.

    :param kb: the knowledge base (its database also stores users and logs)
    :param admins: platform -> allowed admin user ids, e.g. ``{"telegram": {123}}``
    :param answer_slots: answers computed at once; the cores are shared between them
    :param context_minutes: a chat's conversation context is forgotten after this much silence
    """

    def __init__(self, kb: KnowledgeBase, admins: dict[str, set[str]], rate_burst: int = 5,
                 rate_interval: float = 2.0, answer_slots: int = MAX_CONCURRENT_ANSWERS,
                 context_minutes: float = DEFAULT_TTL_SECONDS / 60):
        self.kb = kb
        self.admins = {platform: {str(u) for u in ids} for platform, ids in admins.items()}
        self.rate = RateLimiter(rate_burst, rate_interval)
        self.gate = ChatGate()
        self.answer_slots = answer_slots
        self._answer_slots: asyncio.Semaphore | None = None
        self._reindexing = False
        kb.embedder.limit_threads(max(1, (os.cpu_count() or 2) // answer_slots))
        with kb.transaction() as conn:
            # One statement at a time: executescript() would commit the transaction.
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(users)")}
            for column in ("context TEXT", "more_offset INTEGER"):  # databases made before these existed
                if column.split()[0] not in columns:
                    conn.execute(f"ALTER TABLE users ADD COLUMN {column}")
        self.context_ttl = context_minutes * 60
        self.inbox = Inbox(kb)

    @property
    def context_minutes(self) -> int:
        return round(self.context_ttl / 60)

    # ------------------------------------------------------------- questions
    async def ask(self, platform: str, chat_id: str, user_id: str, text: str) -> Asked:
        """Answer ``text`` for a chat (using its saved province) and log it."""
        if self._answer_slots is None:
            self._answer_slots = asyncio.Semaphore(self.answer_slots)
        text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be stored or sent
        province, context = await asyncio.to_thread(self._chat_state, platform, chat_id)
        async with self._answer_slots:
            ans = await asyncio.to_thread(answer, self.kb, text, province, context=context)
        if not any(ch.isalpha() for ch in text):  # an emoji or a stray symbol is not a question for /stats
            return Asked(None, ans)
        try:
            qid = await asyncio.to_thread(self._log_question, platform, chat_id, user_id, ans)
        except sqlite3.OperationalError as e:  # locked past the busy timeout: answer anyway
            logger.error("%s chat %s: question not logged (%s); answering without buttons", platform, chat_id, e)
            qid = None
        return Asked(qid, ans)

    def _chat(self, platform: str, chat_id: str) -> dict:
        """A chat's row: saved province, last question, "more" offset, conversation context (JSON)."""
        row = self.kb.reader().execute(
            "SELECT province, last_question_id, more_offset, context FROM users WHERE platform = ? AND chat_id = ?",
            (platform, str(chat_id))).fetchone()
        return dict(zip(("province", "last_question_id", "more_offset", "context"), row or (None,) * 4))

    def _chat_state(self, platform: str, chat_id: str) -> tuple[str | None, Context | None]:
        """A chat's saved province and its conversation context (None once expired)."""
        chat = self._chat(platform, chat_id)
        try:
            context = Context.from_dict(json.loads(chat["context"])) if chat["context"] else None
        except ValueError:
            context = None
        if context is not None and context.expired(ttl=self.context_ttl):
            context = None
        return chat["province"], context

    async def new_topic(self, platform: str, chat_id: str) -> None:
        """Forget the chat's conversation context (/moi)."""
        def clear() -> None:
            with self.kb.transaction() as conn:
                conn.execute("UPDATE users SET context = NULL WHERE platform = ? AND chat_id = ?",
                             (platform, str(chat_id)))
        await asyncio.to_thread(clear)

    def _log_question(self, platform: str, chat_id: str, user_id: str, ans: Answer) -> int:
        sources = [{"doc": s.doc, "passage_id": s.passage_id, "score": s.score} for s in ans.sources]
        with self.kb.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO questions(platform, chat_id, user_id, question, answer, sources, more, abstained,"
                " latency_ms, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (platform, str(chat_id), str(user_id), ans.question, ans.text, json.dumps(sources, ensure_ascii=False),
                 json.dumps(ans.more), int(ans.abstained), ans.latency_ms, _now()))
            qid = cur.lastrowid
            context = json.dumps(ans.context.to_dict(), ensure_ascii=False) if ans.context else None
            conn.execute(
                "INSERT INTO users(platform, chat_id, last_question_id, context, more_offset, updated_at) "
                "VALUES (?,?,?,?,0,?) "
                "ON CONFLICT(platform, chat_id) DO UPDATE SET last_question_id = excluded.last_question_id, "
                "context = excluded.context, more_offset = 0, updated_at = excluded.updated_at",
                (platform, str(chat_id), qid, context, _now()))
        return qid

    def rate_wait(self, platform: str, user_id: str) -> float:
        """Seconds this user must wait before asking again (0: go ahead)."""
        return self.rate.wait_time(f"{platform}:{user_id}")

    def _question(self, question_id: int) -> dict | None:
        row = self.kb.reader().execute(
            "SELECT id, platform, chat_id, question, answer, sources, more FROM questions WHERE id = ?",
            (question_id,)).fetchone()
        if not row:
            return None
        return {"id": row[0], "platform": row[1], "chat_id": row[2], "question": row[3], "answer": row[4],
                "sources": json.loads(row[5] or "[]"), "more": json.loads(row[6] or "[]")}

    def sources(self, question_id: int) -> list[Source]:
        """The passages an answer quoted (still present in the knowledge base)."""
        q = self._question(question_id)
        return more_passages(self.kb, [s["passage_id"] for s in q["sources"]]) if q else []

    def more(self, question_id: int, offset: int, count: int = 3) -> tuple[list[Source], int | None]:
        """Further passages for an answer, and the next offset (None when there are no more)."""
        q = self._question(question_id)
        if not q:
            return [], None
        ids = q["more"][offset : offset + count]
        nxt = offset + count if offset + count < len(q["more"]) else None
        return more_passages(self.kb, ids), nxt

    def last_question_id(self, platform: str, chat_id: str) -> int | None:
        return self._chat(platform, chat_id)["last_question_id"] or None

    def more_position(self, platform: str, chat_id: str) -> tuple[int | None, int]:
        """The chat's last question and how many of its further passages were shown."""
        chat = self._chat(platform, chat_id)
        return (chat["last_question_id"], chat["more_offset"] or 0) if chat["last_question_id"] else (None, 0)

    def set_more_offset(self, platform: str, chat_id: str, offset: int) -> None:
        with self.kb.transaction() as conn:
            conn.execute("UPDATE users SET more_offset = ? WHERE platform = ? AND chat_id = ?",
                         (offset, platform, str(chat_id)))

    def feedback(self, question_id: int, platform: str, user_id: str, value: int) -> bool:
        """Store 👍 (1) or 👎 (-1); a user's later vote replaces the earlier one."""
        if value not in (1, -1) or self._question(question_id) is None:
            return False
        with self.kb.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO feedback(question_id, platform, user_id, value, created_at) "
                         "VALUES (?,?,?,?,?)", (question_id, platform, str(user_id), value, _now()))
        return True

    # ------------------------------------------------------------- provinces
    def set_province(self, platform: str, chat_id: str, name: str) -> gz.Place | None:
        """Save a chat's province from any spelling; returns None if it is not a province."""
        found = gz.resolve(name)
        if found is None:
            return None
        with self.kb.transaction() as conn:
            conn.execute(
                "INSERT INTO users(platform, chat_id, province, updated_at) VALUES (?,?,?,?) "
                "ON CONFLICT(platform, chat_id) DO UPDATE SET province = excluded.province, "
                "updated_at = excluded.updated_at", (platform, str(chat_id), found.name, _now()))
        return found

    def document(self, doc_id: int) -> dict | None:
        return self.kb.document(doc_id)

    def document_count(self) -> int:
        return len(self.kb.documents())

    def setting(self, key: str) -> str | None:
        """A value a channel keeps in the database (Zalo OA's rotating tokens)."""
        row = self.kb.reader().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.kb.transaction() as conn:
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, value))

    def docs_page(self, page: int, per_page: int = 10) -> tuple[list[dict], int, int, int]:
        """One page of the document list: (documents, page, pages, total), page clamped and 0-based."""
        docs = self.kb.documents()
        pages = max(1, (len(docs) + per_page - 1) // per_page)
        page = max(0, min(page, pages - 1))
        return docs[page * per_page : (page + 1) * per_page], page, pages, len(docs)

    def covered_provinces(self) -> list[str]:
        return sorted({gz.describe_former(p) for d in self.kb.documents() for p in d["provinces"]})

    # ----------------------------------------------------------------- admin
    def is_admin(self, platform: str, user_id: str) -> bool:
        return str(user_id) in self.admins.get(platform, set())

    def audit(self, platform: str, user_id: str, action: str, detail: str, allowed: bool) -> None:
        with self.kb.transaction() as conn:
            conn.execute("INSERT INTO audit(platform, user_id, action, detail, allowed, created_at) "
                         "VALUES (?,?,?,?,?,?)", (platform, str(user_id), action, detail[:500], int(allowed), _now()))
        if not allowed:
            logger.warning("refused admin command %s from %s user %s", action, platform, user_id)

    def require_admin(self, platform: str, user_id: str, action: str, detail: str = "") -> None:
        """Check the allow-list on every call, and write the attempt to the audit log.

        :raises NotAdmin: the user is not an admin
        """
        allowed = self.is_admin(platform, user_id)
        self.audit(platform, user_id, action, detail, allowed)
        if not allowed:
            raise NotAdmin(f"{platform} user {user_id} is not an admin")

    def _keep_upload(self, filename: str, data: bytes) -> Path:
        """Keep the original under the data directory, under a generated name (never the user's)."""
        folder = self.kb.data_dir / "uploads"
        folder.mkdir(mode=0o700, exist_ok=True)
        suffix = Path(filename).suffix.lower()
        path = folder / f"{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return path

    async def add_document(self, platform: str, user_id: str, filename: str, data: bytes) -> IngestResult:
        """Ingest an uploaded file. :raises LoaderError: with a message for the admin."""
        await asyncio.to_thread(self.require_admin, platform, user_id, "add", filename)
        kept = await asyncio.to_thread(self._keep_upload, filename, data)
        self.audit(platform, user_id, "add-stored", f"{Path(filename).name} -> {kept.name}", True)
        try:
            result = await asyncio.to_thread(self.kb.ingest_bytes, filename, data)
        except LoaderError as e:
            self.audit(platform, user_id, "add-failed", str(e), True)
            raise
        except Exception as e:  # never a traceback for the admin: the log has it, with the file name
            logger.exception("ingesting upload %r (kept as %s) failed", filename, kept.name)
            self.audit(platform, user_id, "add-failed", f"{type(e).__name__}", True)
            raise LoaderError(f"{clean_name(Path(filename).name)}: lỗi không mong đợi khi đọc tệp "
                              f"({type(e).__name__}); quản trị viên xem chi tiết trong nhật ký") from e
        return result

    async def remove_document(self, platform: str, user_id: str, doc_id: int) -> dict | None:
        await asyncio.to_thread(self.require_admin, platform, user_id, "remove", str(doc_id))
        doc = await asyncio.to_thread(self.kb.document, doc_id)
        if doc is None:
            return None
        await asyncio.to_thread(self.kb.remove, doc_id)
        return doc

    async def reindex(self, platform: str, user_id: str, progress: Callable[[int, int, str], None] | None = None) -> int:
        """Rebuild the indexes in a worker thread; questions keep being answered from the old ones."""
        await asyncio.to_thread(self.require_admin, platform, user_id, "reindex")
        if self._reindexing:
            raise ReindexRunning("một lần lập chỉ mục khác đang chạy")
        self._reindexing = True
        try:
            return await asyncio.to_thread(self.kb.reindex, progress)
        finally:
            self._reindexing = False

    def stats(self, days: int = 7) -> dict:
        """Questions per day, abstention rate, feedback and the top unanswered questions."""
        since = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
        conn = self.kb.reader()
        per_day = conn.execute("SELECT substr(created_at, 1, 10) AS day, count(*), sum(abstained) FROM questions "
                               "WHERE created_at >= ? GROUP BY day ORDER BY day", (since,)).fetchall()
        total, abstained = conn.execute("SELECT count(*), coalesce(sum(abstained), 0) FROM questions "
                                        "WHERE created_at >= ?", (since,)).fetchone()
        up, down = conn.execute("SELECT coalesce(sum(value = 1), 0), coalesce(sum(value = -1), 0) FROM feedback "
                                "WHERE created_at >= ?", (since,)).fetchone()
        unanswered = conn.execute("SELECT lower(question), count(*) AS n FROM questions WHERE abstained = 1 "
                                  "AND created_at >= ? GROUP BY lower(question) ORDER BY n DESC LIMIT 5",
                                  (since,)).fetchall()
        return {"days": days, "per_day": [{"day": d, "questions": n, "abstained": a} for d, n, a in per_day],
                "questions": total, "abstention_rate": abstained / total if total else 0.0,
                "thumbs_up": up, "thumbs_down": down,
                "top_unanswered": [{"question": q, "count": n} for q, n in unanswered]}
