"""Scripted API failures for the fake Telegram and Zalo servers."""

from __future__ import annotations

import asyncio

from aiohttp import web


class Faults:
    """Each call of a method takes the next fault queued for it, if any.

    A fault is an HTTP status (429 asks the client to retry after 1 s) or
    ``"timeout"``: the request hangs past the client's timeout and is dropped
    unprocessed, as behind an overloaded proxy; or ``"notjson"``: a 200 whose body is HTML.
    """

    HANG_S = 3.0

    def __init__(self):
        self._queued: dict[str, list[int | str]] = {}
        self.injected: list[tuple[str, int | str]] = []

    def fail(self, method: str, *faults: int | str) -> None:
        self._queued.setdefault(method, []).extend(faults)

    async def take(self, method: str) -> web.Response | None:
        """The failing response for this call, or None to serve it normally."""
        queue = self._queued.get(method)
        if not queue:
            return None
        fault = queue.pop(0)
        self.injected.append((method, fault))
        if fault == "timeout":
            await asyncio.sleep(self.HANG_S)
            return web.Response(status=504)
        if fault == "notjson":  # a proxy's error page served with 200
            return web.Response(status=200, text="<html>upstream hiccup</html>", content_type="text/html")
        body = {"ok": False, "error_code": fault, "description": f"fault injected: HTTP {fault}"}
        headers = {}
        if fault == 429:
            body["parameters"] = {"retry_after": 1}
            headers["Retry-After"] = "1"
        return web.json_response(body, status=int(fault), headers=headers)

    async def wait_injected(self, count: int, timeout: float = 30) -> None:
        for _ in range(int(timeout / 0.05)):
            if len(self.injected) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"expected {count} injected faults, got {self.injected}")
