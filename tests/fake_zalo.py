"""A local fake of the Zalo Bot Platform, the OA API v3 and OAuth v4, over real HTTP on 127.0.0.1.

It records what the bot sends, signs and posts OA events to the bot's webhook,
and can expire access tokens to exercise the refresh path.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time

import aiohttp
from aiohttp import web

from .fake_faults import Faults


class FakeZalo:
    def __init__(self, bot_token: str = "8888:zalo-bot-token", app_id: str = "4291763606161179100",
                 app_secret: str = "app-secret", oa_secret_key: str = "oa-secret-key"):
        self.bot_token, self.app_id, self.app_secret, self.oa_secret_key = bot_token, app_id, app_secret, oa_secret_key
        self.access_token, self.refresh_token = "access-1", "refresh-1"
        self.expired: set[str] = set()
        self.bot_calls: list[tuple[str, dict]] = []
        self.oa_sent: list[dict] = []  # {"user_id", "message", "access_token"}
        self.refreshes: list[dict] = []
        self._events: list[dict] = []
        self.faults = Faults()  # method names as in the URL; "oa.send" for OA messages
        self._ids = itertools.count(1)
        self._token_serial = itertools.count(2)  # "access-1"/"refresh-1" are the initial pair
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._bot_api)
        app.router.add_post("/v3.0/oa/message/cs", self._oa_send)
        app.router.add_post("/v4/oa/access_token", self._oauth)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ----------------------------------------------------------- Bot Platform
    async def _bot_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.bot_token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await request.json() if request.can_read_body else {}
        fault = await self.faults.take(method)
        if fault is not None:
            return fault
        if method == "getUpdates":
            return await self._get_updates(params)
        self.bot_calls.append((method, params))
        await self._notify()
        if method == "sendMessage":
            text = params.get("text", "")
            if not 1 <= len(text) <= 2000:
                return web.json_response({"ok": False, "error_code": 400, "description": "text must be 1-2000 chars"})
            return web.json_response({"ok": True, "result": {"message_id": f"m{next(self._ids)}", "date": int(time.time() * 1000)}})
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": "bot1", "account_name": "bot.cds", "display_name": "CĐS"}})
        if method in ("setWebhook", "deleteWebhook", "sendChatAction"):
            return web.json_response({"ok": True, "result": True})
        if method == "getWebhookInfo":
            return web.json_response({"ok": True, "result": {"url": ""}})
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _get_updates(self, params: dict) -> web.Response:
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        async with self._changed:
            while not self._events and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        if not self._events:
            return web.json_response({"ok": False, "error_code": 408, "description": "Request timeout"}, status=408)
        event, self._events = self._events[0], self._events[1:]
        return web.json_response({"ok": True, "result": event})

    @staticmethod
    def bot_event(user_id: str, text: str | None = None, event_name: str = "message.text.received") -> dict:
        message = {"from": {"id": user_id, "display_name": f"Người dùng {user_id}"},
                   "chat": {"id": user_id, "chat_type": "PRIVATE"}, "message_id": f"in{time.monotonic_ns()}",
                   "date": int(time.time() * 1000)}
        if text is not None:
            message["text"] = text
        return {"event_name": event_name, "message": message}

    async def push_bot_event(self, event: dict) -> None:
        """Queue an event for the bot's next getUpdates."""
        self._events.append(event)
        await self._notify()

    def bot_messages(self, chat_id: str) -> list[str]:
        return [p["text"] for m, p in self.bot_calls if m == "sendMessage" and p["chat_id"] == chat_id]

    # -------------------------------------------------------- Official Account
    async def _oa_send(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        body = await request.json()
        fault = await self.faults.take("oa.send")
        if fault is not None:
            return fault
        if token in self.expired or token != self.access_token:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        self.oa_sent.append({"user_id": body["recipient"]["user_id"], "message": body["message"], "access_token": token})
        await self._notify()
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": f"oa{next(self._ids)}"}})

    async def _oauth(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.refreshes.append(dict(form))
        if (request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id
                or form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token):
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        n = next(self._token_serial)
        # Each refresh token works once.
        self.access_token, self.refresh_token = f"access-{n}", f"refresh-{n}"
        return web.json_response({"access_token": self.access_token, "refresh_token": self.refresh_token,
                                  "expires_in": "90000"})

    def expire_access_token(self) -> None:
        self.expired.add(self.access_token)

    def sign(self, body: bytes, timestamp: str, secret: str | None = None) -> str:
        key = self.oa_secret_key if secret is None else secret
        return "mac=" + hashlib.sha256(self.app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()

    def oa_event(self, user_id: str, text: str | None = None, event_name: str = "user_send_text",
                 msg_id: str | None = None, timestamp_ms: int | None = None) -> dict:
        event = {"app_id": self.app_id, "sender": {"id": user_id}, "recipient": {"id": "oa1"},
                 "event_name": event_name, "timestamp": str(timestamp_ms or int(time.time() * 1000))}
        if event_name.startswith("user_send_"):
            event["message"] = {"msg_id": msg_id or f"msg{time.monotonic_ns()}", "text": text or ""}
        if event_name == "follow":
            event["follower"] = {"id": user_id}
        return event

    async def post_oa_event(self, url: str, event: dict, signature: str | None = None) -> int:
        """Sign and POST an event to the bot's OA webhook, as Zalo does; return the HTTP status."""
        body = json.dumps(event, ensure_ascii=False).encode()
        headers = {"X-ZEvent-Signature": signature if signature is not None else self.sign(body, event["timestamp"]),
                   "Content-Type": "application/json"}
        async with aiohttp.ClientSession() as http:
            async with http.post(url, data=body, headers=headers) as resp:
                return resp.status

    def oa_messages(self, user_id: str) -> list[dict]:
        return [s["message"] for s in self.oa_sent if s["user_id"] == user_id]

    async def wait(self, predicate, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for the bot")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass
