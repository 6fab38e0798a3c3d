"""Zalo Bot Platform and Official Account end to end, against a fake Zalo over real HTTP on 127.0.0.1."""

import asyncio
import json
import time

import aiohttp
import pytest

from bot.run import Runtime, make_service
from bot.settings import Settings
from bot.zalo import ZALO_LIMIT, oa_signature
from tests.fake_zalo import FakeZalo

pytestmark = pytest.mark.integration

ADMIN, USER = "zadmin1", "zuser2"


async def _start(fake: FakeZalo, kb, bot: bool = False, oa: bool = False, **extra) -> Runtime:
    settings = Settings(
        data_dir=kb.data_dir, host="127.0.0.1", port=0,
        zalo_bot_token=fake.bot_token if bot else "", zalo_bot_base_url=fake.base_url, zalo_bot_admins=[ADMIN],
        zalo_oa_app_id=fake.app_id if oa else "", zalo_oa_app_secret=fake.app_secret,
        zalo_oa_secret_key=fake.oa_secret_key if oa else "", zalo_oa_access_token=fake.access_token,
        zalo_oa_refresh_token=fake.refresh_token, zalo_oa_admins=[ADMIN], zalo_oa_base_url=fake.base_url,
        zalo_oauth_base_url=fake.base_url, **extra)
    runtime = Runtime(settings, make_service(settings, kb))
    await runtime.start()
    return runtime


@pytest.fixture
async def zalo(small_kb_copy):
    fake = FakeZalo()
    await fake.start()
    yield fake, small_kb_copy
    await fake.stop()


@pytest.fixture
async def oa(zalo):
    fake, kb = zalo
    runtime = await _start(fake, kb, oa=True)
    url = f"http://127.0.0.1:{runtime.port}/zalo/oa/webhook"
    yield fake, runtime, url
    await runtime.stop()


@pytest.fixture
async def zbot(zalo):
    fake, kb = zalo
    runtime = await _start(fake, kb, bot=True)
    yield fake, runtime
    await runtime.stop()


async def _oa_ask(fake, url, user, text, count=1):
    before = len(fake.oa_messages(user))
    assert await fake.post_oa_event(url, fake.oa_event(user, text)) == 200
    await fake.wait(lambda: len(fake.oa_messages(user)) >= before + count)
    return fake.oa_messages(user)[before:]


async def _bot_ask(fake, user, text, count=1):
    before = len(fake.bot_messages(user))
    await fake.push_bot_event(fake.bot_event(user, text))
    await fake.wait(lambda: len(fake.bot_messages(user)) >= before + count)
    return fake.bot_messages(user)[before:]


# ------------------------------------------------------------------ Bot Platform
async def test_bot_question_gets_a_grounded_answer(zbot):
    fake, _ = zbot
    [reply] = await _bot_ask(fake, USER, "Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?")
    assert "80%" in reply and "Nguồn:\n1." in reply and "/nguon" in reply
    assert ("sendChatAction", {"chat_id": USER, "action": "typing"}) in fake.bot_calls


async def test_bot_follow_up_continues_the_previous_question(zbot):
    fake, _ = zbot
    await _bot_ask(fake, USER, "Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP vào năm 2025?")
    [reply] = await _bot_ask(fake, USER, "con nam 2030 thi sao")
    assert "Hiểu là:" in reply and "30% GRDP" in reply


async def test_bot_poller_survives_api_errors_and_healthz_reports_it(zalo, monkeypatch):
    import bot.zalo as zalo_module

    monkeypatch.setattr(zalo_module, "POLL_PAUSE_S", (0.05, 0.2))
    fake, kb = zalo
    fake.faults.fail("getUpdates", 502, 429, "notjson", 500)
    runtime = await _start(fake, kb, bot=True)
    await fake.faults.wait_injected(4)
    [reply] = await _bot_ask(fake, USER, "GRDP là gì?")
    assert "tổng sản phẩm" in reply
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{runtime.port}/healthz") as resp:
            health = await resp.json()
    assert resp.status == 200 and health["channels"]["zalo_bot"]["ok"]
    # A poller that has not succeeded for too long is reported stuck.
    monkeypatch.setattr(zalo_module, "POLL_STALE_S", 0.0)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{runtime.port}/healthz") as resp:
            assert resp.status == 503 and not (await resp.json())["ok"]
    await runtime.stop()


async def test_bot_saved_province_then_my_province(zbot):
    fake, _ = zbot
    [saved] = await _bot_ask(fake, USER, "/tinh Daklak")
    assert "Đã lưu tỉnh của bạn: Đắk Lắk" in saved
    [reply] = await _bot_ask(fake, USER, "muc tieu nam 2025 cua tinh toi ve dich vu cong truc tuyen")
    assert "mức độ 4" in reply


async def test_bot_image_and_wrapped_events_get_a_polite_text_only_reply(zbot):
    fake, _ = zbot
    await fake.push_bot_event({"ok": True, "result": fake.bot_event(USER, event_name="message.image.received")})
    await fake.wait(lambda: fake.bot_messages(USER))
    assert "chỉ đọc được tin nhắn chữ" in fake.bot_messages(USER)[0]


async def test_bot_webhook_rejects_a_wrong_secret_and_processes_the_right_one(zalo):
    fake, kb = zalo
    runtime = await _start(fake, kb, bot=True, zalo_bot_webhook_url="https://bot.example/zalo/bot/webhook",
                           zalo_bot_webhook_secret="zalo-s3cret")
    assert ("setWebhook", {"url": "https://bot.example/zalo/bot/webhook", "secret_token": "zalo-s3cret"}) in fake.bot_calls
    url = f"http://127.0.0.1:{runtime.port}/zalo/bot/webhook"
    event = fake.bot_event(USER, "GRDP là gì?")
    async with aiohttp.ClientSession() as http:
        for headers in ({"X-Bot-Api-Secret-Token": "wrong"}, {}):
            async with http.post(url, json=event, headers=headers) as resp:
                assert resp.status == 403
        await asyncio.sleep(1)
        assert fake.bot_messages(USER) == []
        async with http.post(url, json=event, headers={"X-Bot-Api-Secret-Token": "zalo-s3cret"}) as resp:
            assert resp.status == 200
    await fake.wait(lambda: fake.bot_messages(USER))
    assert "tổng sản phẩm" in fake.bot_messages(USER)[0]
    await runtime.stop()


async def test_bot_long_text_is_split_at_2000_characters(zbot):
    fake, runtime = zbot
    cells = " ".join(f"Nhiệm vụ số {i}: số hóa hồ sơ và kết nối cơ sở dữ liệu dùng chung." for i in range(60))
    doc = (f"# Kế hoạch 77/KH-UBND chuyển đổi số tỉnh Lạng Sơn\n\n| Chỉ tiêu | Nhiệm vụ |\n|---|---|\n"
           f"| Tỉnh Lạng Sơn giao nhiệm vụ số hóa | {cells} CUỐI BẢNG |\n")
    runtime.service.kb.ingest_bytes("lang-son.md", doc.encode())
    await _bot_ask(fake, USER, "Lạng Sơn giao nhiệm vụ số hóa gì?")
    before = len(fake.bot_messages(USER))
    await fake.push_bot_event(fake.bot_event(USER, "/nguon"))
    await fake.wait(lambda: len(fake.bot_messages(USER)) >= before + 2)
    await asyncio.sleep(0.5)
    pieces = fake.bot_messages(USER)[before:]
    assert len(pieces) >= 2 and all(len(p) <= ZALO_LIMIT for p in pieces)
    assert "CUỐI BẢNG" in pieces[-1]


# ---------------------------------------------------------------- Official Account
def test_known_signature_example():
    body = b'{"event_name":"user_send_text"}'
    # sha256("4291763606161179100" + body + "1700000000000" + "oa-secret-key"), worked out independently
    assert oa_signature("4291763606161179100", body, "1700000000000", "oa-secret-key") == \
        "mac=f8c8e049b36773dac1857cfdd7e4e5f2a17efa9dc12d91090b8156fb11ec1156"


async def test_oa_accepts_a_known_signature_computed_by_hand(oa):
    fake, _, url = oa
    event = fake.oa_event(USER, "GRDP là gì?")
    body = json.dumps(event).encode()
    import hashlib
    mac = "mac=" + hashlib.sha256((fake.app_id + body.decode() + event["timestamp"] + fake.oa_secret_key)
                                  .encode()).hexdigest()
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=body, headers={"X-ZEvent-Signature": mac}) as resp:
            assert resp.status == 200
    await fake.wait(lambda: fake.oa_messages(USER))


async def test_oa_question_gets_a_grounded_answer_with_buttons(oa):
    fake, _, url = oa
    [reply] = await _oa_ask(fake, url, USER, "Bao nhiêu phần trăm hộ gia đình ở Bảo Lâm có cáp quang?")
    assert "70%" in reply["text"] and "Nguồn:" in reply["text"]
    buttons = reply["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in buttons] == ["/nguon", "/them", "👍", "👎"]
    assert all(b["type"] == "oa.query.show" for b in buttons)


async def test_oa_follow_up_continues_the_previous_question(oa):
    fake, _, url = oa
    await _oa_ask(fake, url, USER, "Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP vào năm 2025?")
    [reply] = await _oa_ask(fake, url, USER, "còn năm 2030 thì sao?")
    text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
    assert "Hiểu là:" in text and "30% GRDP" in text


async def test_oa_saved_province_then_my_province(oa):
    fake, _, url = oa
    [saved] = await _oa_ask(fake, url, USER, "/tinh đắk lắk")
    assert "Đắk Lắk" in saved["text"]
    [reply] = await _oa_ask(fake, url, USER, "Mục tiêu 2025 của tỉnh tôi về dịch vụ công trực tuyến?")
    assert "mức độ 4" in reply["text"]


async def test_oa_bad_signature_is_rejected_and_nothing_processed(oa):
    fake, runtime, url = oa
    event = fake.oa_event(USER, "GRDP là gì?")
    assert await fake.post_oa_event(url, event, signature="mac=" + "0" * 64) == 403
    assert await fake.post_oa_event(url, event, signature="") == 403
    forged = fake.sign(json.dumps(event).encode(), event["timestamp"], secret="not-the-key")
    assert await fake.post_oa_event(url, event, signature=forged) == 403
    await asyncio.sleep(1)
    assert fake.oa_sent == []
    assert runtime.service.kb.reader().execute("SELECT count(*) FROM questions").fetchone()[0] == 0


async def test_oa_old_event_is_rejected_as_a_replay(oa):
    fake, _, url = oa
    old = fake.oa_event(USER, "GRDP là gì?", timestamp_ms=int((time.time() - 3600) * 1000))
    assert await fake.post_oa_event(url, old) == 403


async def test_oa_event_delivered_three_times_is_answered_once(oa):
    fake, runtime, url = oa
    event = fake.oa_event(USER, "GRDP là gì?", msg_id="dup-1")
    statuses = [await fake.post_oa_event(url, event) for _ in range(3)]
    assert statuses == [200, 200, 200]
    await fake.wait(lambda: fake.oa_messages(USER))
    await runtime.zalo_oa.drain()
    await asyncio.sleep(0.5)
    assert len(fake.oa_messages(USER)) == 1


async def test_oa_event_is_on_disk_before_it_is_acknowledged(oa, small_kb_copy):
    fake, runtime, url = oa
    fake.faults.fail("oa.send", "timeout")  # the answer is slow: the acknowledgement must not wait for it
    event = fake.oa_event(USER, "GRDP là gì?", msg_id="stored-first")
    assert await fake.post_oa_event(url, event) == 200
    row = small_kb_copy.reader().execute("SELECT payload FROM inbox WHERE platform = 'zalo_oa' AND key = ?",
                                         ("stored-first",)).fetchone()
    assert row and json.loads(row[0])["message"]["text"] == "GRDP là gì?"
    await runtime.zalo_oa.drain()


async def test_oa_events_acknowledged_before_a_crash_are_answered_once_after_restart(zalo):
    fake, kb = zalo
    runtime = await _start(fake, kb, oa=True)
    for n in range(3):  # stored and acknowledged, then the process died before answering
        event = fake.oa_event(f"crash{n}", "GRDP là gì?", msg_id=f"c{n}")
        runtime.service.inbox.receive("zalo_oa", f"c{n}", event)
    await runtime.stop()
    restarted = await _start(fake, kb, oa=True)
    await fake.wait(lambda: all(len(fake.oa_messages(f"crash{n}")) >= 1 for n in range(3)))
    await restarted.zalo_oa.drain()
    assert all(len(fake.oa_messages(f"crash{n}")) == 1 for n in range(3))
    await restarted.stop()


async def test_oa_events_from_the_future_are_rejected(oa):
    fake, _, url = oa
    for ahead_s in (3600, 365 * 86400, 10 * 365 * 86400):
        event = fake.oa_event(USER, "GRDP là gì?", timestamp_ms=int((time.time() + ahead_s) * 1000))
        assert await fake.post_oa_event(url, event) == 403
    assert await fake.post_oa_event(url, fake.oa_event(USER, "GRDP là gì?",
                                                        timestamp_ms=int((time.time() + 30) * 1000))) == 200


async def test_oa_replays_without_a_message_id_are_answered_once(oa):
    fake, runtime, url = oa
    follow = fake.oa_event("follower9", event_name="follow")
    text = fake.oa_event("asker9", "GRDP là gì?")
    del text["message"]["msg_id"]
    for event, times in ((follow, 5), (text, 3)):
        for _ in range(times):
            assert await fake.post_oa_event(url, event) == 200
    await fake.wait(lambda: fake.oa_messages("follower9") and fake.oa_messages("asker9"))
    await runtime.zalo_oa.drain()
    assert len(fake.oa_messages("follower9")) == 1 and len(fake.oa_messages("asker9")) == 1


async def test_oa_follow_gets_a_welcome(oa):
    fake, _, url = oa
    assert await fake.post_oa_event(url, fake.oa_event(USER, event_name="follow")) == 200
    await fake.wait(lambda: fake.oa_messages(USER))
    assert "Xin chào" in fake.oa_messages(USER)[0]["text"]


async def test_oa_sticker_gets_a_text_only_reply(oa):
    fake, _, url = oa
    assert await fake.post_oa_event(url, fake.oa_event(USER, event_name="user_send_sticker")) == 200
    await fake.wait(lambda: fake.oa_messages(USER))
    assert "chỉ đọc được tin nhắn chữ" in fake.oa_messages(USER)[0]["text"]


async def test_oa_expired_token_is_refreshed_once_and_the_send_retried(oa):
    fake, runtime, url = oa
    fake.expire_access_token()
    [reply] = await _oa_ask(fake, url, USER, "GRDP là gì?")
    assert "tổng sản phẩm" in reply["text"]
    assert len(fake.refreshes) == 1 and fake.refreshes[0]["refresh_token"] == "refresh-1"
    stored = runtime.service.kb.reader().execute("SELECT value FROM meta WHERE key = 'zalo_oa_tokens'").fetchone()
    assert json.loads(stored[0]) == {"access_token": fake.access_token, "refresh_token": fake.refresh_token}
    assert fake.refresh_token != "refresh-1"


async def test_oa_failed_refresh_is_not_retried_in_a_loop(oa, caplog):
    fake, runtime, url = oa
    fake.expire_access_token()
    fake.refresh_token = "someone-else-used-it"
    assert await fake.post_oa_event(url, fake.oa_event(USER, "GRDP là gì?")) == 200
    await asyncio.sleep(0.5)
    await runtime.zalo_oa.drain()
    assert len(fake.refreshes) == 1 and fake.oa_sent == []
    assert "token refresh refused" in caplog.text


async def test_oa_admin_command_works_for_admins_only(oa):
    fake, runtime, url = oa
    [listing] = await _oa_ask(fake, url, ADMIN, "/docs")
    assert "Văn bản (9)" in listing["text"]
    [refused] = await _oa_ask(fake, url, USER, "/docs")
    assert "chỉ dành cho quản trị viên" in refused["text"]
    rows = runtime.service.kb.reader().execute("SELECT user_id, allowed FROM audit ORDER BY id").fetchall()
    assert rows == [(ADMIN, 1), (USER, 0)]


async def test_oa_admin_removes_a_document_after_typed_confirmation(oa):
    fake, runtime, url = oa
    doc_id = next(d["id"] for d in runtime.service.kb.documents() if d["source"].startswith("004_"))
    [ask] = await _oa_ask(fake, url, ADMIN, f"/remove {doc_id}")
    buttons = ask["attachment"]["payload"]["buttons"]  # pressing one sends its payload as the admin's message
    assert [b["payload"] for b in buttons] == [f"/remove {doc_id} xacnhan"] and "Xoá văn bản" in ask["text"]
    [done] = await _oa_ask(fake, url, ADMIN, f"/remove {doc_id} xacnhan")
    assert "Đã xoá" in done["text"] and runtime.service.kb.document(doc_id) is None


async def test_oa_twenty_users_at_once_each_get_their_own_reply(oa):
    fake, _, url = oa
    questions = [("Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?", "80%"),
                 ("VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?", "39"),
                 ("GRDP là gì?", "tổng sản phẩm"),
                 ("Đến năm 2030 Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP?", "30%")]
    users = [f"u{i}" for i in range(20)]
    statuses = await asyncio.gather(*(fake.post_oa_event(url, fake.oa_event(u, questions[i % 4][0]))
                                      for i, u in enumerate(users)))
    assert set(statuses) == {200}
    await fake.wait(lambda: all(fake.oa_messages(u) for u in users), timeout=120)
    for i, u in enumerate(users):
        [reply] = fake.oa_messages(u)
        assert questions[i % 4][1] in reply["text"], (u, reply["text"][:150])


async def test_webhooks_reject_malformed_and_oversized_bodies(zalo):
    fake, kb = zalo
    runtime = await _start(fake, kb, bot=True, oa=True, zalo_bot_webhook_url="https://bot.example/zalo/bot/webhook",
                           zalo_bot_webhook_secret="zalo-s3cret")
    base = f"http://127.0.0.1:{runtime.port}"
    headers = {"X-Bot-Api-Secret-Token": "zalo-s3cret"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/zalo/bot/webhook", data=b"{not json", headers=headers) as resp:
            assert resp.status == 400
        async with http.post(f"{base}/zalo/bot/webhook", data=b"[1, 2]", headers=headers) as resp:
            assert resp.status == 400
        async with http.post(f"{base}/zalo/bot/webhook", data=b"x" * (2 * 1024 * 1024), headers=headers) as resp:
            assert resp.status == 413
        async with http.post(f"{base}/zalo/oa/webhook", data=b"{not json",
                             headers={"X-ZEvent-Signature": "mac=00"}) as resp:
            assert resp.status == 403
    await asyncio.sleep(0.5)
    assert fake.bot_messages(USER) == [] and fake.oa_sent == []
    await runtime.stop()


async def test_cold_start_listens_at_once_and_answers_once_the_model_is_loaded(zalo):
    from knowledge.store import KnowledgeBase

    fake, warm_kb = zalo
    kb = KnowledgeBase(warm_kb.data_dir)  # a fresh process: nothing loaded yet
    runtime = await _start(fake, kb, oa=True)
    base = f"http://127.0.0.1:{runtime.port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as resp:
            assert resp.status == 200 and (await resp.json())["state"] == "starting"
        assert await fake.post_oa_event(f"{base}/zalo/oa/webhook", fake.oa_event("early1", "GRDP là gì?")) == 200
        await runtime.warm_up()
        await fake.wait(lambda: fake.oa_messages("early1"))
        async with http.get(f"{base}/healthz") as resp:
            assert (await resp.json())["state"] == "ready"
    assert "tổng sản phẩm" in json.dumps(fake.oa_messages("early1"), ensure_ascii=False)
    await runtime.stop()
    kb.close()


async def test_bot_more_needs_a_question_and_keeps_its_place_after_a_restart(zalo):
    fake, kb = zalo
    runtime = await _start(fake, kb, bot=True)
    [first] = await _bot_ask(fake, USER, "/them")
    assert "đặt câu hỏi trước" in first
    for emoji in ("👍", "🙂🙂", "???"):
        await _bot_ask(fake, USER, emoji)
    await _bot_ask(fake, USER, "VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?")
    [more] = await _bot_ask(fake, USER, "/them")
    assert more.startswith("[1]")
    await runtime.stop()
    restarted = await _start(fake, kb, bot=True)
    await asyncio.sleep(2.5)  # the fake's abandoned long poll (at most 2 s) would swallow the next event
    [again] = await _bot_ask(fake, USER, "/them")
    assert again.startswith("[4]") or "Không còn" in again  # continues where it stopped
    [stats] = await _bot_ask(fake, ADMIN, "/stats")
    assert "1 câu hỏi, chưa trả lời được 0%" in stats  # emoji and symbols are not questions
    await restarted.stop()
