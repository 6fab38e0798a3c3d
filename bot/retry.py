"""Retries with exponential backoff for calls to the chat platforms' APIs.

Each channel says which failures are transient (HTTP 5xx, timeouts, refused
connections, HTTP 429 with the wait the server asks for); everything else
fails at once. Telegram's 429 is honoured by PTB's ``AIORateLimiter`` before
it reaches the loop here.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class TransientError(Exception):
    """A platform answered with an error worth retrying (HTTP 429 or 5xx).

    :param retry_after: seconds the platform asked us to wait, if it said
    """

    def __init__(self, message: str, retry_after: float = 0.0):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Backoff:
    """``attempts`` tries in all; waits ``base_s``, ``2 * base_s``, … (capped, with jitter) between them."""

    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 10.0

    def delay(self, attempt: int) -> float:
        return min(self.cap_s, self.base_s * 2**attempt) * random.uniform(0.75, 1.0)


async def retrying(call: Callable[[], Awaitable[T]], backoff: Backoff,
                   transient: Callable[[BaseException], float | None], what: str) -> T:
    """Await ``call()``, retrying transient failures.

    :param transient: for an exception, ``None`` if it is final, else the wait
        the server asked for in seconds (0 when it did not say)
    :param what: names the call in log lines
    :raises: the last exception when the attempts run out or a failure is final
    """
    for attempt in range(backoff.attempts):
        try:
            return await call()
        except Exception as e:
            asked = transient(e)
            if asked is None or attempt == backoff.attempts - 1:
                raise
            wait = max(asked, backoff.delay(attempt))
            logger.warning("%s failed (%s: %s); retry %d of %d in %.1f s",
                           what, type(e).__name__, e, attempt + 1, backoff.attempts - 1, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
