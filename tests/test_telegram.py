"""The Telegram bot end to end, against a fake Bot API over real HTTP on 127.0.0.1."""

import asyncio

import aiohttp
import pytest

from bot.run import Runtime, make_service
from bot.settings import Settings
from bot.format import TELEGRAM_LIMIT
from tests.documents import protected_pdf, scanned_pdf
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.integration

ADMIN, USER = 1001, 2002


@pytest.fixture
async def tg(small_kb_copy):
    """The bot running against a fake Telegram (long polling), and the fake."""
    fake = FakeTelegram()
    await fake.start()
    runtime = await _runtime(fake, small_kb_copy)
    yield fake, runtime
    await runtime.stop()
    await fake.stop()


async def _runtime(fake: FakeTelegram, kb, **extra) -> Runtime:
    settings = Settings(data_dir=kb.data_dir, telegram_token=fake.token, telegram_base_url=fake.base_url,
                        telegram_admins=[ADMIN], host="127.0.0.1", port=0, **extra)
    runtime = Runtime(settings, make_service(settings, kb), poll_timeout=1)
    await runtime.start()
    return runtime


async def _ask(fake: FakeTelegram, user: int, text: str, replies: int = 1) -> list[dict]:
    before = len(fake.sent(user))
    await fake.send_text(user, text)
    return (await fake.wait_sent(user, before + replies))[before:]


async def test_question_gets_a_grounded_answer_with_its_source(tg):
    fake, _ = tg
    [reply] = await _ask(fake, USER, "Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?")
    assert "80%" in reply["text"]
    assert "Nguồn:" in reply["text"] and "Sóc Trăng" in reply["text"]
    assert reply["parse_mode"] == "HTML"
    buttons = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["📄 Nguồn", "➕ Thêm", "👍", "👎"]
    assert fake.sent(USER, "sendChatAction")[0]["action"] == "typing"


async def test_question_without_diacritics(tg):
    fake, _ = tg
    [reply] = await _ask(fake, USER, "bao nhieu phan tram ho gia dinh o bao lam co cap quang")
    assert "70%" in reply["text"]


async def test_saved_province_answers_my_province_questions(tg):
    fake, _ = tg
    [saved] = await _ask(fake, USER, "/tinh daklak")
    assert "Đã lưu tỉnh của bạn: Đắk Lắk" in saved["text"]
    [reply] = await _ask(fake, USER, "Mục tiêu năm 2025 của tỉnh tôi về dịch vụ công trực tuyến?")
    assert "mức độ 4" in reply["text"] and "Đắk Lắk" in reply["text"]


async def test_my_province_without_one_saved_offers_the_keyboard(tg):
    fake, _ = tg
    [reply] = await _ask(fake, USER, "Mục tiêu năm 2025 của tỉnh tôi?")
    data = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert any(d.startswith("ps:") for d in data)


async def test_province_keyboard_pages_and_saves(tg):
    fake, _ = tg
    await _ask(fake, USER, "/tinh")
    message, data = fake.message_with_buttons(USER)
    assert "pv:1" in data and len([d for d in data if d.startswith("ps:")]) == 12
    await fake.press(USER, message, "pv:1")
    await fake.wait_sent(USER, 1, method="editMessageReplyMarkup")
    await fake.press(USER, message, "ps:0")
    [edited] = await fake.wait_sent(USER, 1, method="editMessageText")
    assert "Đã lưu tỉnh của bạn: An Giang" in edited["text"]


async def test_sources_more_and_feedback_buttons(tg, small_kb_copy):
    fake, _ = tg
    await _ask(fake, USER, "VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?")
    message, data = fake.message_with_buttons(USER)
    qid = int(data[0].split(":")[1])
    before = len(fake.sent(USER))
    await fake.press(USER, message, f"src:{qid}")
    quoted = (await fake.wait_sent(USER, before + 1))[-1]
    assert "VNPT có 39 trạm" in quoted["text"]
    await fake.press(USER, message, f"more:{qid}:0")
    more = (await fake.wait_sent(USER, before + 2))[-1]
    assert more["text"].startswith("<b>[1]")
    await fake.press(USER, message, f"fb:{qid}:1")
    ack = await fake.wait_call("answerCallbackQuery", lambda p: "Cảm ơn" in p.get("text", ""))
    assert ack["callback_query_id"]
    row = small_kb_copy.reader().execute("SELECT value FROM feedback WHERE question_id = ?", (qid,)).fetchone()
    assert row == (1,)


async def test_buttons_keep_working_after_a_restart(small_kb_copy):
    fake = FakeTelegram()
    await fake.start()
    runtime = await _runtime(fake, small_kb_copy)
    await _ask(fake, USER, "Bắc Ninh xây dựng chuyển đổi số dựa trên mấy trụ cột?")
    message, data = fake.message_with_buttons(USER)
    await runtime.stop()
    runtime = await _runtime(fake, small_kb_copy)
    before = len(fake.sent(USER))
    await fake.press(USER, message, data[0])  # "📄 Nguồn" of the answer given before the restart
    quoted = (await fake.wait_sent(USER, before + 1))[-1]
    assert "ba trụ cột" in quoted["text"]
    await runtime.stop()
    await fake.stop()


async def test_long_text_is_split_below_the_limit(tg):
    fake, _ = tg
    cells = " ".join(f"Nhiệm vụ số {i}: số hóa hồ sơ và kết nối cơ sở dữ liệu dùng chung." for i in range(120))
    doc = ("# Kế hoạch 77/KH-UBND chuyển đổi số tỉnh Lạng Sơn\n\n| Chỉ tiêu | Nhiệm vụ |\n|---|---|\n"
           f"| Tỉnh Lạng Sơn giao nhiệm vụ số hóa | {cells} CUỐI BẢNG |\n")
    await fake.send_document(ADMIN, "lang-son.md", doc.encode(), caption="/add")
    await fake.wait_sent(ADMIN, 1)
    await _ask(fake, ADMIN, "Lạng Sơn giao nhiệm vụ số hóa gì?")
    message, data = fake.message_with_buttons(ADMIN)
    before = len(fake.sent(ADMIN))
    await fake.press(ADMIN, message, data[0])
    await asyncio.sleep(1)
    pieces = (await fake.wait_sent(ADMIN, before + 2))[before:]
    assert all(len(p["text"]) <= TELEGRAM_LIMIT for p in pieces)
    assert "CUỐI BẢNG" in pieces[-1]["text"] and "Nhiệm vụ số 0:" in pieces[0]["text"]


async def test_admin_uploads_a_document_and_it_is_answered_at_once(tg):
    fake, _ = tg
    doc = ("# Kế hoạch 99/KH-UBND về chuyển đổi số tỉnh Thái Nguyên\n\nNgày 05/03/2025.\n\n"
           "Tỉnh Thái Nguyên phấn đấu đến năm 2025 có 95% hồ sơ thủ tục hành chính được số hóa.\n")
    await fake.send_document(ADMIN, "thai-nguyen.md", doc.encode(), caption="/add")
    [reply] = await fake.wait_sent(ADMIN, 1)
    assert "Đã thêm" in reply["text"] and "Thái Nguyên" in reply["text"] and "đoạn" in reply["text"]
    [answer] = await _ask(fake, USER, "Thái Nguyên số hóa bao nhiêu phần trăm hồ sơ thủ tục hành chính?")
    assert "95%" in answer["text"] and "99/KH-UBND" in answer["text"]


async def test_uploads_are_kept_under_generated_names(tg, small_kb_copy):
    fake, _ = tg
    await fake.send_document(ADMIN, "../../etc/evil.md", "# Tin\n\nNội dung về chuyển đổi số.".encode(), caption="/add")
    await fake.wait_sent(ADMIN, 1)
    [kept] = list((small_kb_copy.data_dir / "uploads").iterdir())
    assert "evil" not in kept.name and kept.suffix == ".md"
    assert kept.stat().st_mode & 0o777 == 0o600
    assert not (small_kb_copy.data_dir.parent / "etc").exists()


async def test_admin_upload_of_a_broken_file_gets_a_clear_error(tg):
    fake, _ = tg
    await fake.send_document(ADMIN, "scan.pdf", b"%PDF-1.4 broken", caption="/add")
    [reply] = await fake.wait_sent(ADMIN, 1)
    assert "Không thêm được tệp" in reply["text"] and "scan.pdf" in reply["text"]


async def test_non_admin_add_is_refused_and_audited(tg, small_kb_copy):
    fake, _ = tg
    await fake.send_document(USER, "x.md", b"# Tin gi\n\nNoi dung.", caption="/add")
    [reply] = await fake.wait_sent(USER, 1)
    assert "chỉ dành cho quản trị viên" in reply["text"]
    assert all(d["source"] != "x.md" for d in small_kb_copy.documents())
    row = small_kb_copy.reader().execute("SELECT action, allowed FROM audit WHERE user_id = ?", (str(USER),)).fetchone()
    assert row == ("add", 0)


async def test_admin_removes_a_document_after_confirming(tg, small_kb_copy):
    fake, _ = tg
    doc_id = next(d["id"] for d in small_kb_copy.documents() if d["source"].startswith("004_"))
    await _ask(fake, ADMIN, f"/remove {doc_id}")
    message, data = fake.message_with_buttons(ADMIN)
    assert data == [f"rm:{doc_id}:1", f"rm:{doc_id}:0"]
    await fake.press(USER, message, data[0])  # someone else pressing the button is refused
    await fake.press(ADMIN, message, data[0])
    [done] = await fake.wait_sent(ADMIN, 1, method="editMessageText")
    assert "Đã xoá" in done["text"]
    assert small_kb_copy.document(doc_id) is None


async def test_a_non_admin_pressing_or_forging_an_admin_button_is_refused_and_audited(tg, small_kb_copy):
    fake, _ = tg
    await _ask(fake, USER, "GRDP là gì?")
    message, _ = fake.message_with_buttons(USER)  # any message will do to forge a button press
    for data in ("docs:1", "docs:0", "rm:1:1"):
        await fake.press(USER, message, data)
        await fake.wait_call("answerCallbackQuery", lambda p: "quản trị viên" in p.get("text", ""))
    await asyncio.sleep(0.5)
    assert not any("Văn bản (" in e["text"] for e in fake.sent(USER, "editMessageText"))
    rows = small_kb_copy.reader().execute("SELECT action, allowed FROM audit WHERE user_id = ? ORDER BY id",
                                          (str(USER),)).fetchall()
    assert rows == [("docs", 0), ("docs", 0), ("remove", 0)]


async def test_a_malformed_button_is_answered_once(tg):
    fake, _ = tg
    [reply] = await _ask(fake, USER, "GRDP là gì?")
    message, _ = fake.message_with_buttons(USER)
    for data in ("src:abc", "more:1", "ps:99999", "zz:1", "fb:x:y"):
        await fake.press(USER, message, data)
    await asyncio.sleep(1)
    answers = [p for m, p in fake.calls if m == "answerCallbackQuery"]
    assert len(answers) == 5 and len({p["callback_query_id"] for p in answers}) == 5


async def test_admin_docs_stats_and_reindex(tg):
    fake, _ = tg
    [listing] = await _ask(fake, ADMIN, "/docs")
    assert "Văn bản (9)" in listing["text"]
    await _ask(fake, USER, "Giá vàng hôm nay?")
    [stats] = await _ask(fake, ADMIN, "/stats")
    assert "1 câu hỏi" in stats["text"] and "giá vàng" in stats["text"]
    await _ask(fake, ADMIN, "/reindex")
    deadline = asyncio.get_running_loop().time() + 60
    while not any("Đã lập lại chỉ mục" in e["text"] for e in fake.sent(ADMIN, "editMessageText")):
        assert asyncio.get_running_loop().time() < deadline, "reindex did not finish"
        await asyncio.sleep(0.2)


async def test_group_messages_need_a_mention(tg):
    fake, _ = tg
    group = -5005
    await fake.send_text(USER, "GRDP là gì?", chat_id=group, chat_type="group")
    await fake.send_text(USER, "@cds_test_bot GRDP là gì?", chat_id=group, chat_type="group")
    [reply] = await fake.wait_sent(group, 1)
    await asyncio.sleep(1)
    assert len(fake.sent(group)) == 1 and "tổng sản phẩm" in reply["text"]


async def test_commands_are_registered_in_vietnamese(tg):
    fake, _ = tg
    [(_, params)] = [c for c in fake.calls if c[0] == "setMyCommands"]
    assert {c["command"] for c in params["commands"]} == {"start", "help", "tinh", "nguon", "moi"}
    assert any("tỉnh" in c["description"] for c in params["commands"])


async def test_a_follow_up_continues_the_previous_question_until_moi(tg):
    fake, _ = tg
    await _ask(fake, USER, "Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP vào năm 2025?")
    [reply] = await _ask(fake, USER, "còn năm 2030 thì sao?")
    assert "Hiểu là:" in reply["text"] and "30% GRDP" in reply["text"]
    [help_text] = await _ask(fake, USER, "/help")
    assert "/moi" in help_text["text"] and "30 phút" in help_text["text"]
    [done] = await _ask(fake, USER, "/moi")
    assert "chủ đề mới" in done["text"]
    [alone] = await _ask(fake, USER, "còn năm 2030 thì sao?")
    assert "Hiểu là:" not in alone["text"]


async def test_start_offers_example_questions_that_can_be_tapped(tg):
    fake, _ = tg
    await _ask(fake, USER, "/start")
    message, data = fake.message_with_buttons(USER)
    assert data == ["ask:0", "ask:1", "ask:2"]
    await fake.press(USER, message, "ask:1")
    answer = (await fake.wait_sent(USER, 2))[-1]
    assert "30%" in answer["text"]


async def test_rate_limit_is_friendly(tg):
    fake, _ = tg
    for _ in range(7):
        await fake.send_text(USER, "GRDP là gì?")
    replies = await fake.wait_sent(USER, 7)
    assert any("Bạn hỏi hơi nhanh" in r["text"] for r in replies)


async def test_webhook_rejects_a_wrong_secret_and_accepts_the_right_one(small_kb_copy):
    fake = FakeTelegram()
    await fake.start()
    runtime = await _runtime(fake, small_kb_copy, telegram_webhook_url="https://bot.example/telegram/webhook",
                             telegram_webhook_secret="s3cret-Token")
    assert [p["secret_token"] for m, p in fake.calls if m == "setWebhook"] == ["s3cret-Token"]
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"},
                                          "from": FakeTelegram.user(USER), "text": "GRDP là gì?"}}
    url = f"http://127.0.0.1:{runtime.port}/telegram/webhook"
    async with aiohttp.ClientSession() as http:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}):
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 403
        await asyncio.sleep(1)
        assert fake.sent(USER) == []
        async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}) as resp:
            assert resp.status == 200
        async with http.get(f"http://127.0.0.1:{runtime.port}/healthz") as resp:
            health = await resp.json()
            assert resp.status == 200 and health["ok"] and health["channels"]["telegram"]["mode"] == "webhook"
    [reply] = await fake.wait_sent(USER, 1)
    assert "tổng sản phẩm" in reply["text"]
    await runtime.stop()
    await fake.stop()


QUESTIONS = [
    ("Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?", "80%"),
    ("VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?", "39"),
    ("Bao nhiêu phần trăm hộ gia đình ở Bảo Lâm có cáp quang?", "70%"),
    ("Đến năm 2030 Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP?", "30%"),
    ("GRDP là gì?", "tổng sản phẩm"),
]


async def test_twenty_users_at_once_each_get_their_own_reply(tg):
    fake, _ = tg
    users = list(range(3000, 3020))
    await asyncio.gather(*(fake.send_text(u, QUESTIONS[i % len(QUESTIONS)][0]) for i, u in enumerate(users)))
    for i, u in enumerate(users):
        [reply] = await fake.wait_sent(u, 1, timeout=120)
        assert QUESTIONS[i % len(QUESTIONS)][1] in reply["text"], (u, reply["text"][:200])


BAD_MESSAGES = [
    ("   ", "gõ câu hỏi bằng chữ"),
    ("😀🎉🙏", "gõ câu hỏi bằng chữ"),
    ("\x00\x07\x1b\x7f", "gõ câu hỏi bằng chữ"),
    ('" * NEAR( OR ) --', "chưa có dữ liệu"),  # just text: nothing in the knowledge base matches
    ("GRDP là gì? 数字经济 цифровая экономика", "tổng sản phẩm"),
    ("Kinh tế số Đắk Lắk chiếm bao nhiêu GRDP? " * 250, "chỉ đọc 1000 ký tự đầu"),
]


async def test_bad_messages_get_a_clear_reply(tg):
    fake, _ = tg
    for i, (text, expected) in enumerate(BAD_MESSAGES):
        user = 6000 + i
        [reply] = await _ask(fake, user, text)
        assert expected in reply["text"], (text[:40], reply["text"][:200])
        assert "đã có lỗi" not in reply["text"]


@pytest.mark.parametrize("name,data,size,expected", [
    ("big.pdf", b"%PDF-1.4", 50 * 1024 * 1024, "Tệp quá lớn"),
    ("locked.pdf", protected_pdf("Ke hoach chuyen doi so"), None, "mật khẩu"),
    ("scan.pdf", scanned_pdf(), None, "không tìm thấy chữ"),
    ("trang.docx", b"<html><body>not a docx</body></html>", None, "không phải tệp DOCX"),
])
async def test_bad_uploads_tell_the_admin_why(tg, small_kb_copy, name, data, size, expected):
    fake, _ = tg
    before = len(small_kb_copy.documents())
    await fake.send_document(ADMIN, name, data, caption="/add", size=size)
    [reply] = await fake.wait_sent(ADMIN, 1)
    assert expected in reply["text"] and "đã có lỗi" not in reply["text"]
    assert len(small_kb_copy.documents()) == before


async def test_a_rejected_token_is_one_clear_line_and_no_secret_is_ever_logged(small_kb_copy, caplog):
    import logging

    from bot.run import StartupError, make_service, serve
    from bot.settings import load_settings

    caplog.set_level(logging.DEBUG)
    fake = FakeTelegram()
    await fake.start()
    wrong = "987654321:WRONG-token-that-is-long-enough-to-look-real"
    settings = load_settings(None, data_dir=small_kb_copy.data_dir, telegram_token=wrong,
                             telegram_base_url=fake.base_url, host="127.0.0.1", port=0)
    with pytest.raises(StartupError, match="Telegram từ chối token"):
        await serve(settings, small_kb_copy)
    logging.getLogger("httpx").info("HTTP Request: POST %s/bot%s/getMe", fake.base_url, wrong)
    assert wrong not in caplog.text and "987654321:" not in caplog.text
    assert "***" in caplog.text
    await fake.stop()


async def test_a_flooding_group_never_delays_a_private_question(tg, caplog):
    fake, _ = tg
    group = -100_555
    for i in range(60):
        await fake.send_text(USER + 10 + i, "@cds_test_bot GRDP là gì?", chat_id=group, chat_type="supergroup")
    started = asyncio.get_running_loop().time()
    [reply] = await _ask(fake, USER, "Chữ ký số là gì?")
    assert "khóa" in reply["text"]
    assert asyncio.get_running_loop().time() - started < 10
    await asyncio.sleep(1)
    assert "dropped one" in caplog.text  # the group's backlog is bounded, and the drop is logged
    assert not [m for m, p in fake.calls if m == "sendChatAction" and int(p["chat_id"]) == group]
