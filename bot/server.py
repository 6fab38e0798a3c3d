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


HEALTH = web.AppKey("health", object)


async def healthz(request: web.Request) -> web.Response:
    """Liveness: 200 while every channel is alive ("starting" until the model is loaded; updates
    are stored meanwhile), 503 when one is stuck (a poller that has not succeeded for minutes)."""
    report = request.app[HEALTH]() if HEALTH in request.app else {"ok": True, "state": "ready"}
    return web.json_response(report, status=200 if report["ok"] else 503)


async def _checked_json(request: web.Request, header: str, secret: str, channel: str,
                        required: str | None = None) -> dict | web.Response:
    """The JSON object of a webhook request whose secret header matches, or the error response."""
    if not _secret_matches(request.headers.get(header, ""), secret):
        return _forbidden(channel, request)
    try:
        data = json.loads(await request.read())
        if not isinstance(data, dict) or (required and required not in data):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _bad_request(channel)
    return data


def _bad_request(channel: str) -> web.Response:
    return web.json_response({"ok": False, "error": f"send a {channel} update as a JSON object"}, status=400)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53


def _valid_user(user: object) -> bool:
    return isinstance(user, dict) and _is_int(user.get("id")) and isinstance(user.get("first_name"), str) \
        and isinstance(user.get("is_bot"), bool)


def _valid_message(message: object) -> bool:
    """The fields the bot reads, with the types the Bot API guarantees (PTB accepts much else)."""
    if not isinstance(message, dict) or not _is_int(message.get("message_id")):
        return False
    date, chat = message.get("date"), message.get("chat")
    if not _is_int(date) or not 0 <= date < 2**32:
        return False
    if not isinstance(chat, dict) or not _is_int(chat.get("id")) or not isinstance(chat.get("type"), str):
        return False
    if "from" in message and not _valid_user(message["from"]):
        return False
    return all(isinstance(message.get(k), str) for k in ("text", "caption") if k in message)


_MESSAGE_FIELDS = ("message", "edited_message", "channel_post", "edited_channel_post")


def valid_telegram_update(data: dict) -> bool:
    """Whether a webhook body is an update the Bot API could have sent."""
    if not _is_int(data.get("update_id")):
        return False
    for name in _MESSAGE_FIELDS:
        if name in data and not _valid_message(data[name]):
            return False
    if "callback_query" in data:
        query = data["callback_query"]
        if not isinstance(query, dict) or not isinstance(query.get("id"), str) or not _valid_user(query.get("from")):
            return False
        if not isinstance(query.get("data", ""), str) or ("message" in query and not _valid_message(query["message"])):
            return False
    return True


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check Telegram's secret header, then hand the update to the PTB application."""
    data = await _checked_json(request, "X-Telegram-Bot-Api-Secret-Token",
                               request.app[SETTINGS].telegram_webhook_secret, "telegram", required="update_id")
    if isinstance(data, web.Response):
        return data
    app = request.app[TELEGRAM]
    if not valid_telegram_update(data):
        logger.warning("telegram webhook: dropped a body that is not a Bot API update")
        return _bad_request("telegram")
    try:
        update = Update.de_json(data, app.bot)
    except Exception as e:  # PTB raises many kinds on a malformed update; it is the sender's fault
        logger.warning("telegram webhook: dropped an update that is not a valid Update (%s: %.200s)",
                       type(e).__name__, e)
        return _bad_request("telegram")
    await app.update_queue.put(update)
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
    body = await request.read()
    event = oa.verify(body, request.headers.get("X-ZEvent-Signature", ""))
    if event is None:
        return _forbidden("zalo oa", request)
    await oa.accept(event, body)  # on disk before Zalo is told it arrived
    return web.json_response({"ok": True})


def init(settings: Settings, telegram: Application | None = None, zalo_bot=None, zalo_oa=None,
         health=None) -> web.Application:
    """Build the web application; routes exist only for the channels configured.

    :param health: returns the /healthz report, ``{"ok": bool, …}``
    """
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    if health is not None:
        app[HEALTH] = health
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
