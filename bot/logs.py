"""Logging that never shows a secret: tokens and keys are masked in every line, whoever logs it.

httpx logs each request URL, and a Telegram or Zalo Bot URL carries the bot token
(``…/bot123456:AA…/getUpdates``); a traceback may quote a token too. The filter sits on the
root handlers, so it sees every record, formats it once and masks:

- every secret the settings hold (added when they are loaded);
- anything shaped like a bot token (``<digits>:<30+ characters>``), configured or not.
"""

from __future__ import annotations

import logging
import re

_TOKEN_SHAPE = re.compile(r"(?<!\d)\d{6,}:[A-Za-z0-9_-]{30,}")
MASK = "***"


class RedactingFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _TOKEN_SHAPE.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


REDACTION = RedactingFilter()


def install(secrets: list[str] | tuple[str, ...] = ()) -> None:
    """Mask ``secrets`` (empty ones are ignored) in every line the root handlers write."""
    REDACTION.secrets.update(s for s in secrets if s and len(s) >= 6)
    for handler in logging.getLogger().handlers:
        if REDACTION not in handler.filters:
            handler.addFilter(REDACTION)
