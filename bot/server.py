"""The project's own aiohttp server: health check and the channels' webhooks."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from .settings import Settings

logger = logging.getLogger(__name__)

# Webhook bodies are small JSON updates; anything bigger is abuse.
MAX_BODY = 1024 * 1024
TELEGRAM_PATH = "/telegram/webhook"
TELEGRAM = web.AppKey("telegram", Application)
SETTINGS = web.AppKey("settings", Settings)


async def healthz(request: web.Request) -> web.Response:
    """Liveness probe for load balancers and monitors."""
    return web.json_response({"ok": True})


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check Telegram's secret header, then hand the update to the PTB application."""
    expected = request.app[SETTINGS].telegram_webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        logger.warning("telegram webhook: rejected a request with a wrong or missing secret from %s",
                       request.remote)
        return web.json_response({"ok": False, "error": "forbidden"}, status=403)
    try:
        data = json.loads(await request.read())
        if not isinstance(data, dict) or "update_id" not in data:
            raise ValueError("not an update")
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"ok": False, "error": "send a Telegram Update as JSON"}, status=400)
    app = request.app[TELEGRAM]
    await app.update_queue.put(Update.de_json(data, app.bot))
    return web.json_response({"ok": True})


def init(settings: Settings, telegram: Application | None = None) -> web.Application:
    """Build the web application; routes exist only for the channels configured."""
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app.router.add_get("/healthz", healthz)
    if telegram is not None:
        app[TELEGRAM] = telegram
        app.router.add_post(TELEGRAM_PATH, telegram_webhook)
    return app
