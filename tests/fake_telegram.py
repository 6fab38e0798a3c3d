"""A local fake of the Telegram Bot API, served over real HTTP on 127.0.0.1.

The bot under test talks to it unmodified through the base-URL setting. Tests
push updates (messages, documents, button presses) and read what the bot sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time

from aiohttp import web

from .fake_faults import Faults

# Parameters that are plain strings on the wire; the rest are JSON-encoded by PTB.
_STRINGS = {"text", "caption", "callback_query_id", "file_id", "url", "secret_token", "action", "parse_mode",
            "chat_id"}


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-TOKEN"):
        self.token = token
        self.bot_user = {"id": 999000, "is_bot": True, "first_name": "Trợ lý CĐS", "username": "cds_test_bot"}
        self.calls: list[tuple[str, dict]] = []  # every API call, in order
        self.files: dict[str, bytes] = {}
        self._updates: list[dict] = []
        self._history: list[dict] = []  # every update ever pushed
        self.faults = Faults()
        self.on_confirm = None  # called with each getUpdates offset, before the earlier updates are forgotten
        # Like Telegram, start anywhere: a fake restarted on the same data must not reuse ids.
        self._update_ids = itertools.count(int(time.time() * 1000) % 2**31)
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ------------------------------------------------------------------ server
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        out = {}
        for key, value in form.items():
            if key in _STRINGS or not isinstance(value, str):
                out[key] = value
            else:
                try:
                    out[key] = json.loads(value)
                except ValueError:
                    out[key] = value
        return out

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        fault = await self.faults.take(method)
        if fault is not None:
            return fault
        if method != "getUpdates":
            self.calls.append((method, params))
        result = await handler(params)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        data = self.files.get(request.match_info["path"])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    # ---------------------------------------------------------------- methods
    async def _m_getMe(self, p: dict) -> dict:
        return self.bot_user

    async def _m_getUpdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        if offset and self.on_confirm:
            self.on_confirm(offset)
        # Confirming an offset forgets every earlier update, as Telegram does.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self._updates and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return list(self._updates[: int(p.get("limit") or 100)])

    def _message(self, chat_id, text: str | None, reply_markup=None) -> dict:
        msg = {"message_id": next(self._message_ids), "date": int(time.time()),
               "chat": {"id": int(chat_id), "type": "private" if int(chat_id) > 0 else "group"},
               "from": self.bot_user}
        if text is not None:
            msg["text"] = text
        if reply_markup:
            msg["reply_markup"] = reply_markup
        return msg

    async def _m_sendMessage(self, p: dict) -> dict:
        return self._message(p["chat_id"], p["text"], p.get("reply_markup"))

    async def _m_editMessageText(self, p: dict) -> dict:
        return self._message(p["chat_id"], p["text"], p.get("reply_markup"))

    async def _m_editMessageReplyMarkup(self, p: dict) -> dict:
        return self._message(p["chat_id"], "", p.get("reply_markup"))

    async def _m_getFile(self, p: dict) -> dict:
        path = f"documents/{p['file_id']}"
        return {"file_id": p["file_id"], "file_unique_id": p["file_id"], "file_size": len(self.files.get(path, b"")),
                "file_path": path}

    async def _true(self, p: dict) -> bool:
        return True

    _m_answerCallbackQuery = _m_sendChatAction = _m_setMyCommands = _true
    _m_setWebhook = _m_deleteWebhook = _true

    # ------------------------------------------------------------ test helpers
    @staticmethod
    def user(user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"Người dùng {user_id}"}

    async def _push(self, update: dict) -> dict:
        update["update_id"] = next(self._update_ids)
        async with self._changed:
            self._updates.append(update)
            self._history.append(update)
            self._changed.notify_all()
        return update

    async def redeliver_all(self) -> None:
        """Hand out every update again, as Telegram does with updates whose offset was never confirmed."""
        async with self._changed:
            self._updates = list(self._history)
            self._changed.notify_all()

    def _incoming(self, user_id: int, chat_id: int | None, chat_type: str) -> dict:
        chat_id = chat_id if chat_id is not None else user_id
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": chat_type}, "from": self.user(user_id)}

    async def send_text(self, user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private",
                        reply_to: dict | None = None) -> dict:
        msg = self._incoming(user_id, chat_id, chat_type)
        msg["text"] = text
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to:
            msg["reply_to_message"] = reply_to
        return (await self._push({"message": msg}))["message"]

    async def send_document(self, user_id: int, name: str, data: bytes, caption: str | None = None,
                            size: int | None = None) -> dict:
        file_id = f"file{len(self.files) + 1}"
        self.files[f"documents/{file_id}"] = data
        msg = self._incoming(user_id, None, "private")
        msg["document"] = {"file_id": file_id, "file_unique_id": file_id, "file_name": name,
                           "file_size": size if size is not None else len(data)}
        if caption:
            msg["caption"] = caption
        return (await self._push({"message": msg}))["message"]

    async def press(self, user_id: int, message: dict, data: str) -> None:
        """Press an inline button of a message the bot sent."""
        await self._push({"callback_query": {"id": str(next(self._update_ids)), "from": self.user(user_id),
                                             "chat_instance": "ci", "data": data, "message": message}})

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[dict]:
        return [p for m, p in self.calls if m == method and (chat_id is None or int(p["chat_id"]) == chat_id)]

    async def wait_sent(self, chat_id: int, count: int, method: str = "sendMessage", timeout: float = 60) -> list[dict]:
        """Wait until the bot has sent ``count`` messages to ``chat_id``; return them."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while len(self.sent(chat_id, method)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} {method} to {chat_id}, got "
                                         f"{[m.get('text', '')[:80] for m in self.sent(chat_id, method)]}")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass
        return self.sent(chat_id, method)

    async def wait_call(self, method: str, predicate=lambda p: True, timeout: float = 30) -> dict:
        """Wait for an API call (of any chat) matching ``predicate``; return its parameters."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                found = [p for m, p in self.calls if m == method and predicate(p)]
                if found:
                    return found[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {method} call matched")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass

    def message_with_buttons(self, chat_id: int) -> tuple[dict, list[str]]:
        """The bot's last message to ``chat_id`` that has buttons, as a Message dict, and their data."""
        for params in reversed(self.sent(chat_id)):
            markup = params.get("reply_markup")
            if markup:
                data = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
                msg = self._message(chat_id, params["text"], markup)
                return msg, data
        raise AssertionError(f"no message with buttons sent to {chat_id}")
