"""Reliability end to end: failing platform APIs, restarts, a re-index and a busy database.

Every test drives the real bot against the local fakes over HTTP on 127.0.0.1
and checks what users receive: each question answered once, correctly.
"""

import asyncio
import os
import shutil
import signal
import sqlite3
import sys

import pytest

from bot.run import Runtime, make_service
from bot.settings import Settings
from knowledge.store import KnowledgeBase
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.test_telegram import ADMIN, USER, _ask, _runtime
from tests.test_zalo import _start

pytestmark = pytest.mark.integration

FAST = {"api_backoff_s": 0.05, "api_timeout_s": 1.0}  # quick retries; a hung request fails after 1 s
SOC_TRANG = ("Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?", "80%")
BAO_LAM = ("bao nhieu phan tram ho gia dinh o bao lam co cap quang", "70%")
OTHER = 3003


@pytest.fixture
async def telegram():
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def tg_fast(telegram, small_kb_copy):
    runtime = await _runtime(telegram, small_kb_copy, **FAST)
    yield telegram, runtime
    await runtime.stop()


async def _logged(caplog, fragment: str, timeout: float = 30) -> list[str]:
    for _ in range(int(timeout / 0.05)):
        lines = [r.getMessage() for r in caplog.records if fragment in r.getMessage()]
        if lines:
            return lines
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing logged with {fragment!r}")


# ------------------------------------------------------------ API failures
async def test_telegram_server_errors_and_timeouts_are_retried_and_sent_once(tg_fast):
    fake, _ = tg_fast
    fake.faults.fail("sendMessage", 502, "timeout", 500)
    [reply] = await _ask(fake, USER, SOC_TRANG[0])
    assert SOC_TRANG[1] in reply["text"]
    assert [f for _, f in fake.faults.injected] == [502, "timeout", 500]
    await asyncio.sleep(1)
    assert len(fake.sent(USER)) == 1  # no late duplicate


async def test_telegram_429_waits_as_long_as_asked(tg_fast):
    fake, _ = tg_fast
    fake.faults.fail("sendMessage", 429)
    started = asyncio.get_running_loop().time()
    [reply] = await _ask(fake, USER, SOC_TRANG[0])
    assert asyncio.get_running_loop().time() - started >= 1.0  # the fake asked for retry_after = 1
    assert SOC_TRANG[1] in reply["text"] and len(fake.sent(USER)) == 1


async def test_telegram_send_that_keeps_failing_is_logged_with_chat_and_question(tg_fast, caplog):
    fake, runtime = tg_fast
    fake.faults.fail("sendMessage", 500, 500, 500, 500)  # every attempt (4 by default)
    await fake.send_text(USER, SOC_TRANG[0])
    [line] = await _logged(caplog, "could not send the answer")
    question_id = runtime.service.last_question_id("telegram", str(USER))
    assert f"question {question_id}" in line and f"chat {USER}" in line
    assert fake.token not in caplog.text
    [reply] = await _ask(fake, USER, BAO_LAM[0])  # the bot carries on
    assert BAO_LAM[1] in reply["text"]


async def test_zalo_bot_send_is_retried_after_server_error_and_timeout(small_kb_copy):
    fake = FakeZalo()
    await fake.start()
    runtime = await _start(fake, small_kb_copy, bot=True, **FAST)
    try:
        fake.faults.fail("sendMessage", 503, "timeout")
        await fake.push_bot_event(fake.bot_event("zu1", SOC_TRANG[0]))
        await fake.wait(lambda: fake.bot_messages("zu1"))
        await asyncio.sleep(1)
        [reply] = fake.bot_messages("zu1")
        assert SOC_TRANG[1] in reply
        assert len(fake.faults.injected) == 2
    finally:
        await runtime.stop()
        await fake.stop()


async def test_zalo_bot_event_delivered_twice_is_answered_once(small_kb_copy):
    fake = FakeZalo()
    await fake.start()
    runtime = await _start(fake, small_kb_copy, bot=True)
    try:
        event = fake.bot_event("zu2", BAO_LAM[0])
        await fake.push_bot_event(event)
        await fake.push_bot_event(event)
        await fake.wait(lambda: fake.bot_messages("zu2"))
        await asyncio.sleep(1.5)
        assert len(fake.bot_messages("zu2")) == 1
    finally:
        await runtime.stop()
        await fake.stop()


async def test_zalo_oa_send_is_retried_and_a_final_failure_logged(small_kb_copy, caplog):
    fake = FakeZalo()
    await fake.start()
    runtime = await _start(fake, small_kb_copy, oa=True, **FAST)
    url = f"http://127.0.0.1:{runtime.port}/zalo/oa/webhook"
    try:
        fake.faults.fail("oa.send", 500, 429)
        assert await fake.post_oa_event(url, fake.oa_event("ou1", SOC_TRANG[0])) == 200
        await fake.wait(lambda: fake.oa_messages("ou1"))
        [message] = fake.oa_messages("ou1")
        assert SOC_TRANG[1] in message["text"]

        fake.faults.fail("oa.send", 502, 502, 502, 502)
        assert await fake.post_oa_event(url, fake.oa_event("ou1", BAO_LAM[0])) == 200
        [line] = await _logged(caplog, "could not send the reply")
        question_id = runtime.service.last_question_id("zalo_oa", "ou1")
        assert f"question {question_id}" in line and "user ou1" in line
    finally:
        await runtime.stop()
        await fake.stop()


# ---------------------------------------------------------------- restarts
async def test_restart_does_not_answer_old_updates_again(telegram, small_kb_copy):
    fake = telegram
    runtime = await _runtime(fake, small_kb_copy)
    await _ask(fake, USER, SOC_TRANG[0])
    await runtime.stop()
    await fake.redeliver_all()  # Telegram hands out the old update again
    runtime = await _runtime(fake, small_kb_copy)
    try:
        [reply] = await _ask(fake, OTHER, BAO_LAM[0])
        assert BAO_LAM[1] in reply["text"]
        await asyncio.sleep(1)
        assert len(fake.sent(USER)) == 1
    finally:
        await runtime.stop()


async def test_a_group_flood_replayed_after_a_restart_never_delays_a_private_question(telegram, small_kb_copy, caplog):
    from bot.inbox import Inbox

    fake = telegram
    # The previous run stored a flood of mentions in one group, then was killed before answering any.
    inbox, group = Inbox(small_kb_copy), -100_777
    for i in range(60):
        message = {**fake._incoming(USER + 100 + i, group, "supergroup"), "text": "@cds_test_bot GRDP là gì?"}
        update_id = 900_000 + i
        assert inbox.receive("telegram", f"{fake.token.partition(':')[0]}:{update_id}",
                             {"update_id": update_id, "message": message})
    runtime = await _runtime(fake, small_kb_copy)  # replays the 60 unfinished updates
    try:
        started = asyncio.get_running_loop().time()
        [reply] = await _ask(fake, OTHER, BAO_LAM[0])
        assert BAO_LAM[1] in reply["text"]
        assert asyncio.get_running_loop().time() - started < 10
        await _logged(caplog, "dropped one")  # the replayed backlog is bounded like a live one
    finally:
        await runtime.stop()


async def test_an_update_is_stored_before_telegram_is_told_it_arrived(tg_fast, small_kb_copy):
    fake, runtime = tg_fast
    missing: list[int] = []

    def check(offset: int) -> None:  # Telegram forgets every update below ``offset`` now
        stored = {int(k.partition(":")[2]) for (k,) in small_kb_copy.reader().execute(
            "SELECT key FROM inbox WHERE platform = 'telegram'")}
        missing.extend(u["update_id"] for u in fake._history if u["update_id"] < offset and u["update_id"] not in stored)

    fake.on_confirm = check
    users = range(7000, 7010)
    for user in users:
        await fake.send_text(user, BAO_LAM[0])
    for user in users:
        await fake.wait_sent(user, 1)
    assert missing == []


async def _bot_process(fake: FakeTelegram, data_dir, log_path) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CDSBOT_TELEGRAM_TOKEN": fake.token,
           "CDSBOT_TELEGRAM_BASE_URL": fake.base_url, "CDSBOT_HOST": "127.0.0.1", "CDSBOT_PORT": "0",
           "CDSBOT_API_TIMEOUT_S": "30"}
    with open(log_path, "ab") as log:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir),
                                                    "run", stdout=log, stderr=log, env=env)


def _private_copy(small_data_dir, tmp_path):
    """A copy of the small data directory for a bot process, and the file its log goes to."""
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data, symlinks=True)
    return data, tmp_path / "bot.log"


async def test_question_interrupted_by_kill_is_answered_once_after_restart(telegram, small_data_dir, tmp_path):
    fake = telegram
    data, log = _private_copy(small_data_dir, tmp_path)
    first = await _bot_process(fake, data, log)
    try:
        [before] = await _ask(fake, USER, SOC_TRANG[0])
        assert SOC_TRANG[1] in before["text"]
        fake.faults.fail("sendMessage", "timeout")  # the answer's send hangs …
        await fake.send_text(OTHER, BAO_LAM[0])
        await fake.faults.wait_injected(1)
    finally:
        first.send_signal(signal.SIGKILL)  # … and the process dies mid-answer
        await first.wait()
    await fake.redeliver_all()
    second = await _bot_process(fake, data, log)
    try:
        [after] = await fake.wait_sent(OTHER, 1, timeout=90)
        assert BAO_LAM[1] in after["text"]
        await asyncio.sleep(2)
        assert len(fake.sent(OTHER)) == 1 and len(fake.sent(USER)) == 1, log.read_text()
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()


async def test_sigterm_with_a_group_flood_queued_stops_the_process_within_10_s(telegram, small_data_dir, tmp_path):
    fake = telegram
    data, log = _private_copy(small_data_dir, tmp_path)
    process = await _bot_process(fake, data, log)
    try:
        [ready] = await _ask(fake, USER, SOC_TRANG[0])  # the process is up and answering
        assert SOC_TRANG[1] in ready["text"]
        for i in range(100):
            await fake.send_text(USER + 200 + i, "@cds_test_bot GRDP là gì?", chat_id=-100_888, chat_type="supergroup")
        await fake.wait_sent(-100_888, 1, timeout=60)  # the flood is being worked through
    finally:
        process.send_signal(signal.SIGTERM)
        started = asyncio.get_running_loop().time()
        code = await asyncio.wait_for(process.wait(), timeout=30)
    assert asyncio.get_running_loop().time() - started < 10, log.read_text()[-2000:]
    assert code == 0, log.read_text()[-2000:]


# ------------------------------------------------------ re-index and SQLite
async def test_users_are_answered_during_a_reindex(tg_fast, small_kb_copy):
    fake, _ = tg_fast
    small_kb_copy.bundled_vectors = None  # no shipped or cached vectors: the reindex embeds everything again
    with small_kb_copy.transaction() as conn:
        conn.execute("DELETE FROM embeddings")
    await fake.send_text(ADMIN, "/reindex")
    await fake.wait_sent(ADMIN, 1)
    users = range(4000, 4020)
    for user in users:
        await fake.send_text(user, (SOC_TRANG if user % 2 else BAO_LAM)[0])
    for user in users:
        [reply] = await fake.wait_sent(user, 1, timeout=120)
        assert (SOC_TRANG if user % 2 else BAO_LAM)[1] in reply["text"]
    finished = await fake.wait_call("editMessageText", lambda p: "✅" in p["text"], timeout=180)
    done_at = next(i for i, (m, p) in enumerate(fake.calls) if p is finished)
    answered_before = [p for m, p in fake.calls[:done_at] if m == "sendMessage" and int(p["chat_id"]) in users]
    assert answered_before, "the reindex finished before any answer: the test proved nothing"


@pytest.fixture
async def tg_busy(telegram, small_data_dir, tmp_path):
    """The bot over a knowledge base whose lock waits are short (1 s)."""
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data, symlinks=True)
    kb = KnowledgeBase(data, busy_timeout_s=1.0)
    kb.warm_up()
    settings = Settings(data_dir=data, telegram_token=telegram.token, telegram_base_url=telegram.base_url,
                        telegram_admins=[ADMIN], host="127.0.0.1", port=0)
    runtime = Runtime(settings, make_service(settings, kb), poll_timeout=1)
    await runtime.start()
    yield telegram, kb
    await runtime.stop()
    kb.close()


def _lock(kb: KnowledgeBase) -> sqlite3.Connection:
    """Another process's write lock on the database."""
    conn = sqlite3.connect(kb.db_path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


async def test_briefly_locked_database_delays_but_drops_no_question(tg_busy):
    fake, kb = tg_busy
    lock = _lock(kb)
    users = range(5000, 5005)
    for user in users:
        await fake.send_text(user, SOC_TRANG[0])
    await asyncio.sleep(0.5)
    lock.execute("ROLLBACK")  # released within the busy timeout
    lock.close()
    for user in users:
        [reply] = await fake.wait_sent(user, 1)
        assert SOC_TRANG[1] in reply["text"] and reply.get("reply_markup")
    logged = kb.reader().execute("SELECT count(*) FROM questions WHERE chat_id IN (?,?,?,?,?)",
                                 [str(u) for u in users]).fetchone()[0]
    assert logged == len(users)


async def test_database_locked_too_long_still_answers(tg_busy, caplog):
    fake, kb = tg_busy
    lock = _lock(kb)
    try:
        [reply] = await _ask(fake, USER, SOC_TRANG[0])
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert SOC_TRANG[1] in reply["text"]
    assert not reply.get("reply_markup")  # no question id to hang buttons on
    assert await _logged(caplog, "question not logged")
    [later] = await _ask(fake, USER, BAO_LAM[0])
    assert BAO_LAM[1] in later["text"] and later.get("reply_markup")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _oa_process(fake: FakeZalo, data_dir, port: int, log_path) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CDSBOT_ZALO_OA_APP_ID": fake.app_id,
           "CDSBOT_ZALO_OA_APP_SECRET": fake.app_secret, "CDSBOT_ZALO_OA_SECRET_KEY": fake.oa_secret_key,
           "CDSBOT_ZALO_OA_ACCESS_TOKEN": fake.access_token, "CDSBOT_ZALO_OA_REFRESH_TOKEN": fake.refresh_token,
           "CDSBOT_ZALO_OA_BASE_URL": fake.base_url, "CDSBOT_ZALO_OAUTH_BASE_URL": fake.base_url,
           "CDSBOT_HOST": "127.0.0.1", "CDSBOT_PORT": str(port)}
    env.pop("CDSBOT_TELEGRAM_TOKEN", None)
    with open(log_path, "ab") as log:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir),
                                                       "run", stdout=log, stderr=log, env=env)
    import aiohttp

    async with aiohttp.ClientSession() as http:
        for _ in range(600):  # the server listens before the model is loaded
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if resp.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not start listening: " + log_path.read_text())


async def test_oa_events_acknowledged_then_killed_are_answered_once_after_restart(small_data_dir, tmp_path):
    fake = FakeZalo()
    await fake.start()
    data, log, port = tmp_path / "data", tmp_path / "bot.log", _free_port()
    shutil.copytree(small_data_dir, data, symlinks=True)
    url = f"http://127.0.0.1:{port}/zalo/oa/webhook"
    users = [f"killed{n}" for n in range(20)]
    first = await _oa_process(fake, data, port, log)
    try:
        fake.faults.fail("oa.send", *["timeout"] * 40)  # no answer gets out before the kill
        for user in users:
            assert await fake.post_oa_event(url, fake.oa_event(user, SOC_TRANG[0])) == 200
        await asyncio.sleep(0.1)
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    fake.faults = type(fake.faults)()  # Zalo is healthy again
    second = await _oa_process(fake, data, port, log)
    try:
        await fake.wait(lambda: all(fake.oa_messages(u) for u in users), timeout=120)
        await asyncio.sleep(2)
        assert all(len(fake.oa_messages(u)) == 1 for u in users), log.read_text()
        assert all(SOC_TRANG[1] in fake.oa_messages(u)[0]["text"] for u in users)
    finally:
        stopping = asyncio.get_running_loop().time()
        second.send_signal(signal.SIGTERM)
        await second.wait()
        stopped_in = asyncio.get_running_loop().time() - stopping
        await fake.stop()
    assert second.returncode == 0 and stopped_in < 10
