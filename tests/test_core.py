"""The conversation core, without a channel and without the model (a hashing embedder)."""

import asyncio

import pytest

from bot import strings as S
from bot.core import Action, Conversation
from bot.service import Service
from index.embedder import HashingEmbedder
from knowledge.store import KnowledgeBase, bundled_corpus

ADMIN, USER, CHAT = "a1", "u1", "c1"
QUESTION = "VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?"


@pytest.fixture
def kb(tmp_path):
    kb = KnowledgeBase(tmp_path / "data", embedder=HashingEmbedder(), bundled_vectors=None)
    kb._meta_set("default_corpus_loaded", "test")
    for path in sorted((bundled_corpus() / "seeds").iterdir()):
        kb.ingest_path(path)
    yield kb
    kb.close()


def _core(kb) -> Conversation:
    """A core as a fresh process would build it: nothing but the database is shared."""
    return Conversation(Service(kb, admins={"zalo": {ADMIN}}, rate_burst=100), "zalo")


def run(coro):
    return asyncio.run(coro)


def _kinds(reply) -> list[list[str]]:
    return [[a.kind for a in row] for row in reply.actions]


def test_an_answer_carries_its_actions_and_says_them_in_words(kb):
    [reply] = run(_core(kb).text(CHAT, USER, QUESTION))
    assert "39 trạm" in reply.text and reply.answer is not None
    assert _kinds(reply) == [["src", "more"], ["fb", "fb"]]
    assert "/nguon" in reply.hint and "/them" in reply.hint and reply.plain().endswith(reply.hint)


def test_every_action_works_after_a_restart(kb):
    [answered] = run(_core(kb).text(CHAT, USER, QUESTION))
    qid = answered.question_id
    restarted = _core(kb)  # a new process: the ids travel in the actions, the offsets in the database
    [quoted] = run(restarted.press(CHAT, USER, f"src:{qid}"))
    assert quoted.passages and "39 trạm" in quoted.text
    [more] = run(restarted.press(CHAT, USER, f"more:{qid}:0"))
    assert more.passages and more.start == 1
    [typed] = run(restarted.text(CHAT, USER, "/them"))
    [again] = run(_core(kb).text(CHAT, USER, "/them"))  # the typed offset moved on, and survived a restart
    assert typed.passages and again.start == typed.start + len(typed.passages)
    [thanks] = run(restarted.press(CHAT, USER, f"fb:{qid}:1"))
    assert thanks.notice == S.THANKS and not thanks.text


def test_asking_for_more_in_words_is_the_same_as_more(kb):
    core = _core(kb)
    run(core.text(CHAT, USER, QUESTION))
    [more] = run(core.text(CHAT, USER, "cụ thể hơn đi"))
    assert more.passages and more.start == 1


def test_small_talk_is_answered_as_such_and_never_searched(kb):
    core = _core(kb)
    for text, kind in (("chào bạn", "hello"), ("Cảm ơn ad nhiều!", "thanks"), ("ok", "ok"), ("tạm biệt nhé", "bye")):
        [reply] = run(core.text(CHAT, USER, text))
        assert reply.text == S.SMALL_TALK[kind] and reply.answer is None, text
    [who] = run(core.text(CHAT, USER, "Bạn là ai?"))
    assert "Trợ lý Chuyển đổi số" in who.text and who.answer is None
    # A question that opens with a greeting is a question.
    [answered] = run(core.text(CHAT, USER, "Chào bạn, " + QUESTION))
    assert answered.answer is not None and "39 trạm" in answered.text


def test_removal_is_confirmed_by_a_button_or_by_typing_it_again(kb):
    core = _core(kb)
    doc_id = kb.documents()[0]["id"]
    [ask] = run(core.text(CHAT, ADMIN, f"/remove {doc_id}"))
    assert [a.data for row in ask.actions for a in row] == [f"rm:{doc_id}:1", f"rm:{doc_id}:0"]
    assert f"/remove {doc_id} xacnhan" in ask.hint
    [cancelled] = run(core.press(CHAT, ADMIN, f"rm:{doc_id}:0"))
    assert cancelled.replace and kb.document(doc_id) is not None
    [done] = run(core.text(CHAT, ADMIN, f"/remove {doc_id} xacnhan"))
    assert "Đã xoá" in done.text and kb.document(doc_id) is None


def test_a_non_admin_is_refused_typed_or_pressed_and_audited(kb):
    core = _core(kb)
    [typed] = run(core.text(CHAT, USER, "/docs"))
    [pressed] = run(core.press(CHAT, USER, "docs:0"))
    [removing] = run(core.press(CHAT, USER, f"rm:{kb.documents()[0]['id']}:1"))
    assert typed.text == S.NOT_ADMIN
    assert pressed.notice == removing.notice == S.NOT_ADMIN and not pressed.text and not removing.text
    rows = kb.reader().execute("SELECT action, allowed FROM audit WHERE user_id = ?", (USER,)).fetchall()
    assert rows == [("docs", 0), ("docs", 0), ("remove", 0)] and len(kb.documents()) == 5


@pytest.mark.parametrize("data", ["", "src", "src:abc", "more:1", "zz:1", "fb:x:y", "ps:99999", "ask:-1"])
def test_a_malformed_or_stale_button_is_refused_politely(kb, data):
    [reply] = run(_core(kb).press(CHAT, USER, data))
    assert reply.notice == S.BUTTON_GONE and not reply.text


def test_action_data_round_trips():
    action = Action("more", (12, 3), "➕ Thêm", "/them")
    assert action.data == "more:12:3" and Action.parse(action.data) == ("more", (12, 3))
    assert Action.parse("rm:4:yes") == ("rm", (4, 1))  # removal buttons of an older version


def test_an_admin_upload_is_answerable_at_once_and_others_are_refused(kb):
    core = _core(kb)
    text = "Kế hoạch chuyển đổi số tỉnh Cà Mau\n\nNăm 2025, Cà Mau phấn đấu 95% hồ sơ được xử lý trực tuyến.\n"
    [refused] = run(core.upload(CHAT, USER, "ca-mau.txt", text.encode()))
    [wrong] = run(core.upload(CHAT, ADMIN, "ca-mau.exe", b"MZ"))
    [added] = run(core.upload(CHAT, ADMIN, "ca-mau.txt", text.encode()))
    assert refused.text == S.NOT_ADMIN and "Chưa hỗ trợ loại tệp" in wrong.text
    assert added.text.startswith("Đã thêm") and "Cà Mau" in added.text
    [answer] = run(core.text(CHAT, USER, "Cà Mau phấn đấu bao nhiêu phần trăm hồ sơ xử lý trực tuyến năm 2025?"))
    assert "95%" in answer.text


def test_the_province_picker_pages_and_saves(kb):
    core = _core(kb)
    [need] = run(core.text(CHAT, USER, "Mục tiêu năm 2025 của tỉnh tôi?"))
    assert need.text == S.NEED_PROVINCE and any(a.kind == "ps" for row in need.actions for a in row)
    [page] = run(core.press(CHAT, USER, "pv:1"))
    assert page.replace and any(a.data == "pv:0" for row in page.actions for a in row)
    [saved] = run(core.press(CHAT, USER, "ps:0"))
    assert saved.replace and "Đã lưu tỉnh của bạn" in saved.text


def test_an_unknown_command_is_named(kb):
    [reply] = run(_core(kb).text(CHAT, USER, "/xyz"))
    assert reply.text == S.UNKNOWN_COMMAND.format(command="/xyz")
