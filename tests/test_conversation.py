"""Follow-up questions: when a message is completed from the conversation, and with what."""

import asyncio

import pytest

from knowledge.conversation import Context, resolve, topic_words


def _context(**kw) -> Context:
    base = dict(topic="tỷ lệ hồ sơ công việc cấp huyện xử lý trên môi trường mạng", provinces=["Đắk Lắk"],
                years=[2025], types=["quantity"], passage_id=40, at=1000.0)
    base.update(kw)
    return Context(**base)


def test_another_year_keeps_the_province_and_topic():
    r = resolve("còn năm 2030 thì sao?", _context(), now=1100)
    assert r.follow_up
    assert "2030" in r.text and "2025" not in r.text
    assert "Đắk Lắk" in r.text and "hồ sơ công việc" in r.text
    assert r.reading.startswith("Hiểu là:") and "Đắk Lắk" in r.reading


def test_another_province_keeps_the_topic_and_year_typed_without_marks():
    r = resolve("the con soc trang thi sao", _context(), now=1100)
    assert r.follow_up
    assert "năm 2025" in r.text and "hồ sơ công việc" in r.text
    assert "Đắk Lắk" not in r.text
    assert "bao nhiêu" in r.text  # it asks what the previous question asked: a figure


def test_a_standalone_question_inherits_nothing():
    for question in ("Dịch vụ công trực tuyến toàn trình là gì?", "GRDP là gì vậy?",
                     "Đoàn công tác khảo sát mô hình chuyển đổi số ở công an thị trấn nào của Sóc Trăng?"):
        r = resolve(question, _context(), now=1100)
        assert not r.follow_up and r.text == question and r.reading is None


def test_a_question_about_the_cited_document_is_a_follow_up():
    for question in ("ai ký vậy?", "nghị quyết đó ban hành ngày nào?", "van ban do so may",
                     "trong do ngan sach tinh chiem bao nhieu",  # "trong đó": of the sum just given
                     "kinh phí cả chương trình là bao nhiêu"):  # the whole of the one just spoken of
        assert resolve(question, _context(), now=1100).follow_up, question


def test_the_words_that_ask_when_name_no_topic():
    # "khi nào", "bao giờ": "khi" and "giờ" are no topic, so "hạn hoàn thành khi nào?" is short.
    for question in ("hạn hoàn thành khi nào?", "han hoan thanh bao gio"):
        r = resolve(question, _context(types=["who"]), now=1100)
        assert r.follow_up and [w.lower() for w in r.own][:3] in (["hạn", "hoàn", "thành"], ["han", "hoan", "thanh"])


def test_a_new_topic_with_a_continuation_keeps_only_the_province_and_year():
    r = resolve("còn hạ tầng cáp quang đến hộ gia đình của tỉnh thì sao?", _context(), now=1100)
    assert r.follow_up and "Đắk Lắk" in r.text and "2025" in r.text
    assert "hồ sơ" not in r.text  # its own topic replaces the old one


def test_nam_before_a_year_typed_without_marks_is_no_topic_word():
    # "nam 2026" is "năm 2026": a follow-up "còn 2030?" is about the fibre, not about "nam".
    assert topic_words("lam dong ty le ho gia dinh co cap quang nam 2026")[-2:] == ["cap", "quang"]
    assert topic_words("chi tieu mien nam")[-1] == "nam"  # no year after it: a word of its own


def test_a_word_typed_with_marks_is_a_chat_word_only_in_its_own_spelling():
    # "hỏi" is chat, "Hội đồng", "kế hoạch", "đô thị" are what the question is about.
    assert topic_words("cho mình hỏi Hội đồng nhân dân hỗ trợ gì")[:3] == ["hội", "đồng", "nhân"]
    assert topic_words("kế hoạch đô thị thông minh thì sao ạ")[:4] == ["kế", "hoạch", "đô", "thị"]
    assert "hoi" not in topic_words("cho minh hoi ke hoach")  # typed without marks it may be "hỏi"
    # In a message typed with marks, a bare syllable is spelled so: "ban hành", "thông minh".
    assert {"ban", "minh"} <= set(topic_words("UBND ban hành kế hoạch đô thị thông minh"))
    assert topic_words("Hà Nội co bao nhieu tram") == ["tram"]  # marks on the place name alone
    # "CNTT" read as "công nghệ thông tin" in a question typed without marks.
    assert topic_words("luat công nghệ thông tin cam nhung hanh vi nao")[-3:] == ["cam", "hanh", "vi"]


def test_a_message_naming_another_column_of_the_quoted_row_is_about_that_row():
    fields = frozenset("nhiem vu co quan chu tri phoi hop thoi gian hoan thanh".split())
    r = resolve("phối hợp với cơ quan nào?", _context(), now=1100, fields=fields)
    assert r.follow_up and "hồ sơ công việc" in r.text and "Đắk Lắk" in r.text
    # The same words after a passage that is no table row start a new question.
    assert not resolve("phối hợp với cơ quan nào?", _context(), now=1100).follow_up


def test_context_expires_after_silence():
    r = resolve("còn năm 2030 thì sao?", _context(), now=1000 + 31 * 60, ttl=30 * 60)
    assert not r.follow_up and r.text == "còn năm 2030 thì sao?"


def test_no_context_means_no_completion():
    assert not resolve("còn năm 2030 thì sao?", None).follow_up


def test_context_survives_json_and_rejects_garbage():
    ctx = _context()
    assert Context.from_dict(ctx.to_dict()) == ctx
    assert Context.from_dict({"years": ["x"]}) is None
    assert Context.from_dict("not a dict") is None


@pytest.mark.integration
def test_a_chat_keeps_its_context_across_a_restart_until_moi(small_kb_copy):
    from bot.core import Conversation
    from bot.service import Service

    async def chat(core: Conversation, text: str) -> str:
        return (await core.text("c1", "u1", text))[0].text

    first = Conversation(Service(small_kb_copy, admins={}), "zalo")
    assert "20% GRDP" in asyncio.run(chat(first, "Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP vào năm 2025?"))
    restarted = Conversation(Service(small_kb_copy, admins={}), "zalo")  # a new process, the same database
    follow_up = asyncio.run(chat(restarted, "còn năm 2030 thì sao?"))
    assert "Hiểu là:" in follow_up and "30% GRDP" in follow_up
    assert "/moi" in asyncio.run(chat(restarted, "/help"))
    assert "chủ đề mới" in asyncio.run(chat(restarted, "/moi"))
    assert "Hiểu là:" not in asyncio.run(chat(restarted, "còn năm 2030 thì sao?"))
