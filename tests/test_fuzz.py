"""Malformed and hostile webhook bodies: never a 5xx, never a traceback, and the bot still answers.

A seeded generator (reproducible, bounded) builds thousands of bodies of the kinds external
testers sent: wrong types at every level, missing fields, huge numbers, deep nesting, lone
surrogates, invalid UTF-8. Zalo OA bodies are validly signed, so they reach the handlers.
"""

import asyncio
import json
import logging
import random

import aiohttp
import pytest

from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.test_telegram import USER, _runtime
from tests.test_zalo import _start

pytestmark = pytest.mark.integration

BODIES = 2000
_ODD = [None, True, 0, -1, 1e20, 10**400, "", "x", "\ud800", [], [1, "a"], {}, {"id": None}, "9" * 400]


def _odd(rng: random.Random) -> object:
    return rng.choice(_ODD)


def _deep(depth: int = 10_000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def telegram_body(rng: random.Random, n: int) -> bytes:
    user = {"id": rng.choice([USER, USER + 1]), "is_bot": False, "first_name": "Lan"}
    message = {"message_id": n, "date": 1_700_000_000, "chat": {"id": user["id"], "type": "private"},
               "from": user, "text": rng.choice(["GRDP là gì?", "👍", "/them", "/nguon", "src:abc", "\ud800x"])}
    kind = rng.randrange(9)
    if kind == 0:
        return _deep()
    if kind == 1:
        return b"\xff\xfe{not utf-8"
    update: dict = {"update_id": rng.choice([n, -n, "x", 10**30, None])}
    field = rng.choice(["message", "edited_message", "callback_query", "channel_post"])
    if kind == 2:
        update[field] = _odd(rng)
    elif kind == 3:
        del message[rng.choice(["date", "chat", "from", "message_id"])]
        update["message"] = message
    elif kind == 4:
        message[rng.choice(["date", "chat", "from", "text", "message_id"])] = _odd(rng)
        update["message"] = message
    elif kind == 5:
        message["chat"][rng.choice(["id", "type"])] = _odd(rng)
        update["message"] = message
    elif kind == 6:
        update["callback_query"] = {"id": str(n), "from": user, "chat_instance": "c",
                                    "data": rng.choice(["src:abc", "more:1", "docs:x", "rm:1:2:3", "", None])}
    elif kind == 7:
        message["from"] = {"id": None}
        update["message"] = message
    else:
        update = _odd(rng)
    return json.dumps(update).encode()


def oa_body(rng: random.Random, fake: FakeZalo, n: int) -> tuple[bytes, str]:
    import time

    event: dict = {"app_id": fake.app_id, "timestamp": str(int(time.time() * 1000)),
                   "event_name": rng.choice(["user_send_text", "follow", "user_send_image", "x", ""]),
                   "sender": {"id": rng.choice(["fz1", "fz2"])}, "message": {"msg_id": f"m{n}", "text": "GRDP là gì?"}}
    kind = rng.randrange(6)
    if kind == 0:
        event[rng.choice(["sender", "message", "follower", "recipient"])] = _odd(rng)
    elif kind == 1:
        event["message"] = {"msg_id": _odd(rng), "text": _odd(rng)}
    elif kind == 2:
        event["timestamp"] = "9" * 400
    elif kind == 3:
        event["nested"] = json.loads(_deep(500))
    elif kind == 4:
        event["message"]["text"] = "\ud800 hỏi gì đó"
    body = json.dumps(event).encode()
    return body, fake.sign(body, event["timestamp"])


async def _post_all(http: aiohttp.ClientSession, url: str, bodies, headers_of) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for body in bodies:
        async with http.post(url, data=body, headers=headers_of(body)) as resp:
            await resp.read()
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
    return statuses


async def test_malformed_telegram_updates_never_get_a_5xx_or_a_traceback(small_kb_copy, caplog):
    caplog.set_level(logging.WARNING)
    fake = FakeTelegram()
    await fake.start()
    runtime = await _runtime(fake, small_kb_copy, telegram_webhook_url="https://bot.example/telegram/webhook",
                             telegram_webhook_secret="s3cret-Token")
    rng = random.Random(12)
    url = f"http://127.0.0.1:{runtime.port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}
    async with aiohttp.ClientSession() as http:
        statuses = await _post_all(http, url, (telegram_body(rng, n) for n in range(1, BODIES + 1)),
                                   lambda body: headers)
        await asyncio.sleep(2)
        assert not any(code >= 500 for code in statuses), statuses
        question = {"update_id": 10**6, "message": {"message_id": 1, "date": 1_700_000_000, "text": "GRDP là gì?",
                                                    "chat": {"id": 4242, "type": "private"},
                                                    "from": FakeTelegram.user(4242)}}
        async with http.post(url, json=question, headers=headers) as resp:
            assert resp.status == 200
    [reply] = await fake.wait_sent(4242, 1)
    assert "tổng sản phẩm" in reply["text"]
    await runtime.stop()
    await fake.stop()
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == [], tracebacks[:3]


async def test_malformed_zalo_events_never_get_a_5xx_or_a_traceback(small_kb_copy, caplog):
    caplog.set_level(logging.WARNING)
    fake = FakeZalo()
    await fake.start()
    runtime = await _start(fake, small_kb_copy, bot=True, oa=True,
                           zalo_bot_webhook_url="https://bot.example/zalo/bot/webhook",
                           zalo_bot_webhook_secret="zalo-s3cret")
    rng = random.Random(34)
    base = f"http://127.0.0.1:{runtime.port}"
    async with aiohttp.ClientSession() as http:
        signed = [oa_body(rng, fake, n) for n in range(BODIES)]
        signatures = dict(signed)
        oa = await _post_all(http, f"{base}/zalo/oa/webhook", (b for b, _ in signed),
                             lambda body: {"X-ZEvent-Signature": signatures[body]})
        bot = await _post_all(http, f"{base}/zalo/bot/webhook",
                              (telegram_body(rng, n).replace(b"message", b"message") for n in range(BODIES)),
                              lambda body: {"X-Bot-Api-Secret-Token": "zalo-s3cret"})
        assert not any(code >= 500 for code in (*oa, *bot)), (oa, bot)
        await runtime.zalo_oa.drain()
        event = fake.oa_event("fz-final", "GRDP là gì?")
        assert await fake.post_oa_event(f"{base}/zalo/oa/webhook", event) == 200
        await fake.wait(lambda: len(fake.oa_messages("fz-final")) >= 1)
    assert "tổng sản phẩm" in json.dumps(fake.oa_messages("fz-final"), ensure_ascii=False)
    await runtime.stop()
    await fake.stop()
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == [], tracebacks[:3]
