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
ZALO_BOT_PATH = "/zalo/bot/webhook"
ZALO_OA_PATH = "/zalo/oa/webhook"
TELEGRAM = web.AppKey("telegram", Application)
ZALO_BOT = web.AppKey("zalo_bot", object)
ZALO_OA = web.AppKey("zalo_oa", object)
SETTINGS = web.AppKey("settings", Settings)


def _forbidden(channel: str, request: web.Request) -> web.Response:
    logger.warning("%s webhook: rejected a request with a wrong or missing secret/signature from %s",
                   channel, request.remote)
    return web.json_response({"ok": False, "error": "forbidden"}, status=403)


def _secret_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


async def healthz(request: web.Request) -> web.Response:
    """Liveness probe for load balancers and monitors."""
    return web.json_response({"ok": True})


async def _checked_json(request: web.Request, header: str, secret: str, channel: str,
                        required: str | None = None) -> dict | web.Response:
    """The JSON object of a webhook request whose secret header matches, or the error response."""
    if not _secret_matches(request.headers.get(header, ""), secret):
        return _forbidden(channel, request)
    try:
        data = json.loads(await request.read())
        if not isinstance(data, dict) or (required and required not in data):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError):
        return web.json_response({"ok": False, "error": f"send a {channel} update as a JSON object"}, status=400)
    return data


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check Telegram's secret header, then hand the update to the PTB application."""
    data = await _checked_json(request, "X-Telegram-Bot-Api-Secret-Token",
                               request.app[SETTINGS].telegram_webhook_secret, "telegram", required="update_id")
    if isinstance(data, web.Response):
        return data
    app = request.app[TELEGRAM]
    await app.update_queue.put(Update.de_json(data, app.bot))
    return web.json_response({"ok": True})


async def zalo_bot_webhook(request: web.Request) -> web.Response:
    """Check the Zalo Bot Platform's secret header; acknowledge at once, answer in the background."""
    event = await _checked_json(request, "X-Bot-Api-Secret-Token", request.app[SETTINGS].zalo_bot_webhook_secret,
                                "zalo bot")
    if isinstance(event, web.Response):
        return event
    request.app[ZALO_BOT].dispatch(event)
    return web.json_response({"ok": True})


async def zalo_oa_webhook(request: web.Request) -> web.Response:
    """Verify the OA event's signature and age; acknowledge at once, answer in the background."""
    oa = request.app[ZALO_OA]
    event = oa.verify(await request.read(), request.headers.get("X-ZEvent-Signature", ""))
    if event is None:
        return _forbidden("zalo oa", request)
    oa.dispatch(event)
    return web.json_response({"ok": True})


def init(settings: Settings, telegram: Application | None = None, zalo_bot=None, zalo_oa=None) -> web.Application:
    """Build the web application; routes exist only for the channels configured."""
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app.router.add_get("/healthz", healthz)
    if telegram is not None:
        app[TELEGRAM] = telegram
        app.router.add_post(TELEGRAM_PATH, telegram_webhook)
    if zalo_bot is not None:
        app[ZALO_BOT] = zalo_bot
        app.router.add_post(ZALO_BOT_PATH, zalo_bot_webhook)
    if zalo_oa is not None:
        app[ZALO_OA] = zalo_oa
        app.router.add_post(ZALO_OA_PATH, zalo_oa_webhook)
    return app
