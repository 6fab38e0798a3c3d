"""A durable inbox of incoming updates: each one is answered once, even across restarts.

Platforms deliver at least once: Telegram hands out unconfirmed updates again
after a restart, Zalo retries webhooks, and a process killed mid-answer loses
what it was doing. Every update is written here when it arrives and marked
done once its replies are sent:

- an update seen before (done, or still being answered) is skipped;
- on start, updates received but never finished are replayed, so a crash
  loses nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

from knowledge.store import KnowledgeBase

logger = logging.getLogger(__name__)

SCHEMA = """
    CREATE TABLE IF NOT EXISTS inbox (
        platform TEXT NOT NULL, key TEXT NOT NULL, payload TEXT, done INTEGER NOT NULL DEFAULT 0,
        received_at TEXT, PRIMARY KEY (platform, key))
"""
KEEP_DAYS = 3  # finished updates are remembered this long (Telegram keeps updates for a day)


def _storable(key: str) -> str:
    """A key SQLite can store: a lone surrogate in a forged id is written escaped."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")[:200]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Inbox:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._replaying: set[tuple[str, str]] = set()
        with kb.transaction() as conn:
            conn.execute(SCHEMA)
            conn.execute("DELETE FROM inbox WHERE done = 1 AND received_at < ?",
                         ((_now() - timedelta(days=KEEP_DAYS)).isoformat(timespec="seconds"),))

    def receive(self, platform: str, key: str, payload: dict) -> bool:
        """Record an arriving update; False if it was seen before and must not be answered again.

        If the database stays locked past its busy timeout the update is answered
        anyway: answering twice is better than not at all.
        """
        key = _storable(key)
        try:
            with self.kb.transaction() as conn:
                new = conn.execute(
                    "INSERT OR IGNORE INTO inbox(platform, key, payload, received_at) VALUES (?, ?, ?, ?)",
                    (platform, key, json.dumps(payload), _now().isoformat(timespec="seconds")),  # ASCII: a lone surrogate stays storable
                ).rowcount == 1
        except sqlite3.OperationalError as e:
            logger.error("%s: update %s not recorded (%s); answering it without the duplicate check",
                         platform, key, e)
            return True
        if new:
            return True
        if (platform, key) in self._replaying:
            self._replaying.discard((platform, key))
            return True
        logger.info("%s: update %s was delivered again; not answering it twice", platform, key)
        return False

    def done(self, platform: str, key: str) -> None:
        key = _storable(key)
        try:
            with self.kb.transaction() as conn:
                conn.execute("UPDATE inbox SET done = 1 WHERE platform = ? AND key = ?", (platform, key))
        except sqlite3.OperationalError as e:
            logger.error("%s: update %s answered but not marked done (%s)", platform, key, e)

    def unfinished(self, platform: str) -> list[dict]:
        """Updates received but never finished (the process stopped mid-answer), oldest first.

        Call once at start, before new updates flow; ``receive`` then lets each through once more.
        """
        return [payload for _, payload in self.pending(platform)]

    def pending(self, platform: str) -> list[tuple[str, dict]]:
        """(key, update) of the updates received but never finished, oldest first (see :meth:`unfinished`)."""
        rows = self.kb.reader().execute(
            "SELECT key, payload FROM inbox WHERE platform = ? AND done = 0 ORDER BY received_at, rowid",
            (platform,)).fetchall()
        if rows:
            logger.warning("%s: answering %d update(s) left unfinished by the last run", platform, len(rows))
        self._replaying.update((platform, key) for key, _ in rows)
        return [(key, json.loads(payload)) for key, payload in rows]

    async def handle_once(self, platform: str, key: str, payload: dict,
                          handle: Callable[[], Awaitable[None]]) -> None:
        """Await ``handle()`` unless the update was seen before; mark it done after (even on failure).

        An update without a key cannot be recognised again and is always handled.
        """
        if key and not await asyncio.to_thread(self.receive, platform, key, payload):
            return
        await self.handle_received(platform, key, handle)

    async def handle_received(self, platform: str, key: str, handle: Callable[[], Awaitable[None]]) -> None:
        """Await ``handle()`` for an update already recorded with :meth:`receive`; mark it done after."""
        try:
            await handle()
        finally:
            if key:
                await asyncio.to_thread(self.done, platform, key)
