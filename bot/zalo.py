"""Zalo channels: the Zalo Bot Platform and the Zalo Official Account API v3.

Both take text commands (/tinh, /nguon, /them, admin commands) and send plain
text; they share the conversation core (``bot.core.Conversation``), which turns a message into replies through
the shared service. Only the transport differs:

- Bot Platform: Telegram-like methods under ``…/bot<TOKEN>/<method>`` (all POST),
  long polling (an idle poll may end in HTTP 408) or a webhook checked with the
  ``X-Bot-Api-Secret-Token`` header.
- Official Account: signed webhook events (``X-ZEvent-Signature`` =
  ``"mac=" + sha256(app_id + body + timestamp + OA secret key)``), acknowledged at
  once and answered asynchronously through ``/v3.0/oa/message/cs``; expired
  access tokens (error -216) are refreshed once through OAuth v4 and the new
  single-use refresh token is stored in the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable

import aiohttp

from . import strings as S
from .core import Conversation, Reply
from .format import split_message
from .retry import Backoff, TransientError, retrying
from .service import Service
from .settings import Settings

logger = logging.getLogger(__name__)

ZALO_LIMIT = 2000  # characters per Zalo message
POLL_PAUSE_S = (1.0, 60.0)  # first and longest pause between failed polls
POLL_STALE_S = 120.0  # no successful poll for this long (a poll lasts up to 30 s): /healthz says stuck
# Buttons under one OA message: a reply offering more (the province picker) says them in words,
# so that a phone shows a short list; a title longer than this is cut.
MAX_OA_BUTTONS = 5
MAX_OA_BUTTON_TITLE = 40


# ------------------------------------------------------------------ transport
class ZaloApiError(Exception):
    """A Zalo API call failed; the message has the method and Zalo's description."""


# What a send may still raise after its retries: callers log it with the chat and question ids.
SEND_ERRORS = (ZaloApiError, TransientError, aiohttp.ClientError, TimeoutError)


def _transient(error: BaseException) -> float | None:
    """HTTP 429/5xx, timeouts and broken connections are retried; Zalo's own error codes are final."""
    if isinstance(error, TransientError):
        return error.retry_after
    if isinstance(error, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError)):
        return 0.0
    return None


async def _json_body(resp: aiohttp.ClientResponse, what: str) -> object:
    """The response's JSON; HTTP 429 and 5xx raise ``TransientError`` (with ``Retry-After`` if given)."""
    if resp.status == 429 or resp.status >= 500:
        try:
            retry_after = float(resp.headers.get("Retry-After", 0))
        except ValueError:
            retry_after = 0.0
        raise TransientError(f"{what}: HTTP {resp.status}", retry_after)
    return await resp.json(content_type=None)


async def _logged(coro: Awaitable) -> None:
    try:
        await coro
    except Exception:
        logger.exception("zalo: failed to handle an event")


def _track(tasks: set[asyncio.Task], coro: Awaitable) -> None:
    """Run ``coro`` in the background, logging its failure, and keep it in ``tasks`` until done."""
    task = asyncio.create_task(_logged(coro))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


# ---------------------------------------------------------------- Bot Platform


def _unwrap(body: dict) -> dict:
    """Zalo may send an event bare or wrapped as ``{ok, result}``."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        return body["result"] if isinstance(body["result"], dict) else {}
    return body


class ZaloBot:
    """The Zalo Bot Platform channel: polling or webhook, plain-text replies."""

    def __init__(self, settings: Settings, service: Service, session: aiohttp.ClientSession):
        self.settings, self.service, self.session = settings, service, session
        self.core = Conversation(service, "zalo", settings.max_upload_bytes)
        self._poller: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self.last_ok = time.monotonic()  # of the last successful poll

    def _url(self, method: str) -> str:
        return f"{self.settings.zalo_bot_base_url.rstrip('/')}/bot{self.settings.zalo_bot_token}/{method}"

    async def call(self, method: str, params: dict | None = None, timeout: float | None = None,
                   retry: bool = True) -> object:
        """Call a Bot API method, retrying transient failures unless ``retry`` is False.

        :raises ZaloApiError: Zalo refused the call
        """
        params = params or {}
        backoff = self.settings.backoff if retry else Backoff(attempts=1)
        return await retrying(lambda: self._call_once(method, params, timeout or self.settings.api_timeout_s),
                              backoff, _transient, f"zalo bot {method} (chat {params.get('chat_id', '-')})")

    async def _call_once(self, method: str, params: dict, timeout: float) -> object:
        async with self.session.post(self._url(method), json=params,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            if resp.status == 408:  # an idle long poll: no updates, not an error
                return []
            body = await _json_body(resp, f"zalo bot {method}")
        if not isinstance(body, dict) or not body.get("ok", False):
            description = body.get("description") if isinstance(body, dict) else body
            raise ZaloApiError(f"zalo bot {method}: {description}")
        return body.get("result")

    async def send_text(self, chat_id: str, text: str) -> None:
        for piece in split_message(text, ZALO_LIMIT):
            await self.call("sendMessage", {"chat_id": chat_id, "text": piece})

    async def handle_event(self, event: dict) -> None:
        """One incoming event, bare or wrapped, answered once even if delivered again."""
        event = _unwrap(event)
        message = event.get("message") if isinstance(event, dict) else None
        if not isinstance(message, dict):
            return
        await self.service.inbox.handle_once("zalo", _as_id(message.get("message_id")), event,
                                             lambda: self._answer(str(event.get("event_name", "")), message))

    async def _answer(self, name: str, message: dict) -> None:
        chat_id, user_id = _field_id(message.get("chat")), _field_id(message.get("from"))
        if not chat_id:
            return
        replies = [Reply(S.TEXT_ONLY)]
        if name == "message.text.received":
            try:
                await self.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, retry=False)
            except SEND_ERRORS as e:  # only a courtesy; the answer matters
                logger.info("zalo bot: typing indicator for chat %s failed: %s", chat_id, e)
            text = message.get("text") if isinstance(message.get("text"), str) else ""
            group = isinstance(message.get("chat"), dict) and message["chat"].get("chat_type") not in (None, "PRIVATE")
            replies = await self.core.text(chat_id, user_id, text, group=group)
        elif name not in ("message.image.received", "message.sticker.received", "message.unsupported.received"):
            return
        for reply in replies:
            try:
                if reply.plain():  # a button's notice alone has nothing to say here
                    await self.send_text(chat_id, reply.plain())
            except SEND_ERRORS as e:
                logger.error("zalo bot: could not send the reply to question %s to chat %s: %s",
                             reply.question_id, chat_id, e)
                return

    async def resume(self) -> None:
        """Answer the events a previous run received but did not finish."""
        for event in await asyncio.to_thread(self.service.inbox.unfinished, "zalo"):
            self.dispatch(event)

    async def start(self, webhook_url: str = "") -> None:
        if webhook_url:
            await self.call("setWebhook", {"url": webhook_url, "secret_token": self.settings.zalo_bot_webhook_secret})
            return
        await self.call("deleteWebhook")  # polling and a webhook cannot run together
        self._poller = asyncio.create_task(self._poll())

    async def _poll(self) -> None:
        """Long-poll until stopped. Any failure (HTTP 429/5xx, a body that is not JSON, Zalo's
        refusal, a dropped connection) is logged in one line and retried with a growing pause:
        the poller never dies while the bot runs."""
        pause = POLL_PAUSE_S[0]
        while True:
            try:
                updates = await self.call("getUpdates", {"timeout": 30}, timeout=45, retry=False)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.warning("zalo bot: getUpdates failed (%s: %.200s); retrying in %.0f s",
                               type(e).__name__, e, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, POLL_PAUSE_S[1])
                continue
            pause = POLL_PAUSE_S[0]
            self.last_ok = time.monotonic()
            for event in updates if isinstance(updates, list) else [updates] if updates else []:
                if isinstance(event, dict):
                    self.dispatch(event)

    def health(self) -> dict:
        """Liveness: polling is stuck when no poll has succeeded for ``POLL_STALE_S``."""
        if self._poller is None:
            return {"mode": "webhook", "ok": True}
        age = time.monotonic() - self.last_ok
        return {"mode": "polling", "ok": not self._poller.done() and age < POLL_STALE_S,
                "last_poll_s": round(age, 1)}

    def dispatch(self, event: dict) -> None:
        """Handle an event in the background (webhooks acknowledge before answering)."""
        _track(self._tasks, self.handle_event(event))

    async def stop(self) -> None:
        if self._poller:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


# -------------------------------------------------------------- Official Account
def _as_id(value: object) -> str:
    """An id as a string: "" for anything a forged event may put there that is not one."""
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _field_id(value: object) -> str:
    """The ``id`` of a sender/follower/chat object, "" when it is missing or not an id."""
    return _as_id(value.get("id")) if isinstance(value, dict) else ""


# The fields the OA signature covers, read from the raw body before it is parsed.
_RAW_APP_ID = re.compile(rb'"app_id"\s*:\s*"?([0-9A-Za-z_-]{1,64})"?')
_RAW_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,15})"?[,}\s]')
MAX_CLOCK_SKEW_S = 120  # an event may be dated this far ahead of our clock, no more


def oa_signature(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """``mac=`` + SHA-256 hex of app_id + raw body + timestamp + OA secret key (plain SHA-256, not HMAC)."""
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret_key.encode()).hexdigest()
    return f"mac={digest}"


class ZaloOA:
    """The Zalo Official Account channel: signed events in, CS messages out."""

    TOKEN_KEY = "zalo_oa_tokens"

    def __init__(self, settings: Settings, service: Service, session: aiohttp.ClientSession):
        self.settings, self.service, self.session = settings, service, session
        self.core = Conversation(service, "zalo_oa", settings.max_upload_bytes)
        self._tasks: set[asyncio.Task] = set()
        self._refresh_lock = asyncio.Lock()

    # ------------------------------------------------------------ tokens
    def _tokens(self) -> dict:
        stored = self.service.setting(self.TOKEN_KEY)
        if stored:
            return json.loads(stored)
        return {"access_token": self.settings.zalo_oa_access_token, "refresh_token": self.settings.zalo_oa_refresh_token}

    def _store_tokens(self, tokens: dict) -> None:
        self.service.set_setting(self.TOKEN_KEY, json.dumps(tokens))

    async def _refresh(self, expired: str) -> bool:
        """Trade the stored refresh token for new tokens, once; store both durably."""
        async with self._refresh_lock:
            tokens = self._tokens()
            if tokens["access_token"] != expired:  # another send refreshed meanwhile
                return True
            url = f"{self.settings.zalo_oauth_base_url.rstrip('/')}/v4/oa/access_token"
            form = {"app_id": self.settings.zalo_oa_app_id, "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"]}
            try:
                async with self.session.post(url, data=form, headers={"secret_key": self.settings.zalo_oa_app_secret},
                                             timeout=aiohttp.ClientTimeout(total=20)) as resp:
                    body = await _json_body(resp, "zalo oauth")
            except (aiohttp.ClientError, TimeoutError, ValueError, TransientError) as e:
                logger.error("zalo oa: token refresh failed (%s); messages cannot be sent until it is fixed", e)
                return False
            if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
                logger.error("zalo oa: token refresh refused (%s); set new tokens in the settings",
                             body.get("error_description") or body.get("error") if isinstance(body, dict) else body)
                return False
            # The refresh token works once: keep the new one before anything else can fail.
            await asyncio.to_thread(self._store_tokens, {"access_token": body["access_token"],
                                                          "refresh_token": body["refresh_token"]})
            logger.info("zalo oa: access token refreshed")
            return True

    async def _send_once(self, user_id: str, message: dict) -> dict:
        url = f"{self.settings.zalo_oa_base_url.rstrip('/')}/v3.0/oa/message/cs"
        token = self._tokens()["access_token"]

        async def post() -> object:
            async with self.session.post(url, json={"recipient": {"user_id": user_id}, "message": message},
                                         headers={"access_token": token},
                                         timeout=aiohttp.ClientTimeout(total=self.settings.api_timeout_s)) as resp:
                return await _json_body(resp, "zalo oa message/cs")

        body = await retrying(post, self.settings.backoff, _transient, f"zalo oa send (user {user_id})")
        return {"token": token, **(body if isinstance(body, dict) else {"error": -1})}

    async def send(self, user_id: str, message: dict, question_id: int | None = None) -> bool:
        """Send one message; False (and an error log naming the user and question) if it failed."""
        try:
            result = await self._send_once(user_id, message)
            if result.get("error") == -216 and await self._refresh(result["token"]):
                result = await self._send_once(user_id, message)
        except SEND_ERRORS as e:
            result = {"error": type(e).__name__, "message": str(e)}
        if result.get("error") != 0:
            logger.error("zalo oa: could not send the reply to question %s to user %s: %s",
                         question_id, user_id, result.get("message") or result.get("error"))
            return False
        return True

    async def send_reply(self, user_id: str, reply: Reply) -> None:
        """A reply with its actions as ``oa.query.show`` buttons under the last piece: pressing one
        sends its typed form back as the user's message. Actions with no typed form, and more
        than Zalo's five buttons, are said in words instead."""
        buttons = [a for row in reply.actions for a in row if a.typed]
        if len(buttons) > MAX_OA_BUTTONS:
            buttons = []
        text = reply.text if buttons else reply.plain()
        if not text:
            return
        pieces = split_message(text, ZALO_LIMIT)
        for i, piece in enumerate(pieces):
            message: dict = {"text": piece}
            if buttons and i == len(pieces) - 1:
                message["attachment"] = {"type": "template", "payload": {"buttons": [
                    {"title": a.label[:MAX_OA_BUTTON_TITLE], "type": "oa.query.show", "payload": a.typed}
                    for a in buttons]}}
            if not await self.send(user_id, message, reply.question_id):
                return

    # ----------------------------------------------------------- webhook
    def verify(self, body: bytes, signature: str) -> dict | None:
        """The event if its signature and time are right, else None.

        The signature is checked over the raw bytes before the body is parsed: an unsigned
        request costs one hash, whatever it holds. The app id and timestamp it covers are read
        from the raw body (bounded patterns), then must agree with the parsed event.
        """
        app_id = _RAW_APP_ID.search(body)
        timestamp = _RAW_TIMESTAMP.search(body)
        if not app_id or not timestamp or app_id.group(1).decode() != self.settings.zalo_oa_app_id:
            return None
        expected = oa_signature(app_id.group(1).decode(), body, timestamp.group(1).decode(),
                                self.settings.zalo_oa_secret_key)
        if not hmac.compare_digest(expected.encode(), (signature or "").encode()):
            return None
        try:
            event = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(event, dict) or str(event.get("timestamp")) != timestamp.group(1).decode() \
                or str(event.get("app_id")) != app_id.group(1).decode():
            return None
        age = time.time() - int(timestamp.group(1)) / 1000
        if age > self.settings.zalo_oa_max_event_age_s or age < -MAX_CLOCK_SKEW_S:
            logger.warning("zalo oa: rejected an event dated %.0f s %s (replay or forged clock?)",
                           abs(age), "ago" if age > 0 else "ahead")
            return None
        return event

    @staticmethod
    def event_key(event: dict, body: bytes) -> str:
        """What recognises a delivery again: the message id, or a digest of the signed body
        (a ``follow`` event or a message without ``msg_id``)."""
        message = event.get("message")
        return (_as_id(message.get("msg_id")) if isinstance(message, dict) else "") \
            or "sha256:" + hashlib.sha256(body).hexdigest()

    async def accept(self, event: dict, body: bytes) -> None:
        """Store a verified event in the inbox, then answer it in the background.

        The webhook acknowledges only after this returns: Zalo does not deliver an acknowledged
        event again, so it must be on disk first (a crash then replays it on start)."""
        key = self.event_key(event, body)
        if await asyncio.to_thread(self.service.inbox.receive, "zalo_oa", key, event):
            _track(self._tasks, self.service.inbox.handle_received("zalo_oa", key, lambda: self._answer(event)))

    async def resume(self) -> None:
        """Answer the events a previous run received but did not finish."""
        for key, event in await asyncio.to_thread(self.service.inbox.pending, "zalo_oa"):
            _track(self._tasks, self.service.inbox.handle_received("zalo_oa", key,
                                                                   lambda event=event: self._answer(event)))

    async def _answer(self, event: dict) -> None:
        name = str(event.get("event_name", ""))
        user_id = _field_id(event.get("sender"))
        if name == "follow":
            user_id = _field_id(event.get("follower")) or user_id
            if user_id:
                for reply in await self.core.text(user_id, user_id, "/start"):
                    await self.send_reply(user_id, reply)
            return
        if name == "unfollow" or not user_id:
            return
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        if name == "user_send_text":
            text = message.get("text") if isinstance(message.get("text"), str) else ""
            for reply in await self.core.text(user_id, user_id, text):
                await self.send_reply(user_id, reply)
        elif name.startswith("user_send_"):
            await self.send_reply(user_id, Reply(S.TEXT_ONLY))

    async def drain(self) -> None:
        """Wait for answers in flight (used on shutdown and by tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

