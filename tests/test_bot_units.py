import pytest

from bot.format import split_message
from bot.service import RateLimiter
from bot.settings import SettingsError, load_settings


def test_split_message_prefers_paragraphs_and_loses_nothing():
    text = "\n\n".join(f"Đoạn {i}: " + "chữ " * 40 for i in range(30))
    pieces = split_message(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert all(p.startswith("Đoạn") for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_message_leaves_no_stub_at_the_end():
    text = " ".join(f"từ{i}" for i in range(420))  # a little over one 2,000-character message
    pieces = split_message(text, 2000)
    assert len(pieces) == 2 and min(len(p) for p in pieces) > 500
    assert " ".join(pieces).split() == text.split()


def test_split_message_cuts_a_giant_word():
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_rate_limiter_allows_a_burst_then_one_per_interval():
    now = [0.0]
    limiter = RateLimiter(burst=5, interval=2.0, clock=lambda: now[0])
    assert [limiter.wait_time("u") for _ in range(5)] == [0.0] * 5
    assert limiter.wait_time("u") == pytest.approx(2.0)
    now[0] = 2.0
    assert limiter.wait_time("u") == 0.0
    assert limiter.wait_time("someone else") == 0.0


def test_settings_from_file_then_environment(tmp_path, monkeypatch):
    config = tmp_path / "cdsbot.toml"
    config.write_text('telegram_token = "from-file"\ntelegram_admins = [1, 2]\nport = 9000\n', encoding="utf-8")
    monkeypatch.setenv("CDSBOT_PORT", "9100")
    settings = load_settings(config)
    assert settings.telegram_token == "from-file"
    assert settings.telegram_admins == [1, 2]
    assert settings.port == 9100


def test_settings_never_show_secrets(monkeypatch):
    monkeypatch.setenv("CDSBOT_TELEGRAM_TOKEN", "123:very-secret")
    assert "very-secret" not in repr(load_settings())


def test_webhook_without_secret_is_refused(monkeypatch):
    monkeypatch.setenv("CDSBOT_TELEGRAM_WEBHOOK_URL", "https://bot.example/telegram/webhook")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings()


def test_unknown_setting_in_file_is_named(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('telegram_tokn = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="telegram_tokn"):
        load_settings(config)


def test_admin_ids_from_environment(monkeypatch):
    monkeypatch.setenv("CDSBOT_TELEGRAM_ADMINS", "11, 22")
    assert load_settings().telegram_admins == [11, 22]


def test_file_url_derives_from_the_api_url(monkeypatch):
    monkeypatch.setenv("CDSBOT_TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")
    assert load_settings().telegram_base_file_url == "http://127.0.0.1:8081/file/bot"


def test_zalo_oa_without_secret_key_is_refused(monkeypatch):
    monkeypatch.setenv("CDSBOT_ZALO_OA_APP_ID", "123")
    with pytest.raises(SettingsError, match="ZALO_OA_SECRET_KEY"):
        load_settings()


def test_zalo_secrets_are_masked(monkeypatch):
    monkeypatch.setenv("CDSBOT_ZALO_BOT_TOKEN", "zalo-very-secret")
    monkeypatch.setenv("CDSBOT_ZALO_OA_APP_ID", "123")
    monkeypatch.setenv("CDSBOT_ZALO_OA_SECRET_KEY", "oa-very-secret")
    shown = repr(load_settings())
    assert "very-secret" not in shown and "123" in shown


def test_chat_gate_bounds_a_groups_backlog_but_never_drops_a_private_question():
    import asyncio

    from bot.service import ChatGate

    async def scenario():
        now = [0.0]
        gate = ChatGate(max_waiting=2, max_wait_s=60, clock=lambda: now[0])
        release = asyncio.Event()
        admitted: list[tuple[str, bool]] = []

        async def ask(chat: str, droppable: bool, hold: bool = False):
            async with gate.turn(chat, droppable) as ok:
                admitted.append((chat, ok))
                if hold:
                    await release.wait()

        first = asyncio.create_task(ask("g", True, hold=True))
        await asyncio.sleep(0)
        waiting = [asyncio.create_task(ask("g", True)) for _ in range(2)]
        await asyncio.sleep(0)
        await ask("g", True)  # the backlog is full: turned away at once
        await ask("private", False)  # another chat is not delayed by the flood
        assert admitted == [("g", True), ("g", False), ("private", True)]
        now[0] = 61  # the waiting group questions are now too old to answer
        release.set()
        await asyncio.gather(first, *waiting)
        assert admitted[3:] == [("g", False), ("g", False)]

    asyncio.run(scenario())
