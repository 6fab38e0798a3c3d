"""Answer-engine stages without the model: query reading, structure, rendering, "not stated"."""

import pytest

from index.text import fold, syllables
from knowledge.answering import render_row
from knowledge.answering.analysis import defines, definition_terms, off_topic, parse
from knowledge.chunking import chunk, table_cells
from knowledge.cleaning import clean
from knowledge.provinces import mention_spans
from knowledge.query import (Abbreviations, Speller, contrary_bound, counted_noun, counts, holds_answer, unasked_agents,
                             question_types)

ABBREVIATIONS = Abbreviations.parse(["- CĐS: chuyển đổi số\n- DVCTT: dịch vụ công trực tuyến\n- TU: Tỉnh ủy\n"
                                     "- UBND: Ủy ban nhân dân\n- bn: bao nhiêu\n- ko: không\n"])


@pytest.mark.parametrize("typed,read", [
    ("Mục tiêu CĐS của tỉnh?", "Mục tiêu chuyển đổi số của tỉnh?"),
    ("muc tieu cds cua tinh", "muc tieu chuyển đổi số cua tinh"),
    ("tỷ lệ DVCTT là bn", "tỷ lệ dịch vụ công trực tuyến là bao nhiêu"),
    ("ubnd tinh", "Ủy ban nhân dân tinh"),
    ("Bí thư TU", "Bí thư Tỉnh ủy"),
])
def test_abbreviations_are_read_as_the_words_documents_use(typed, read):
    assert ABBREVIATIONS.expand(typed) == read


def test_a_document_number_is_never_expanded():
    assert ABBREVIATIONS.expand("Nghị quyết 08-NQ/TU của TU") == "Nghị quyết 08-NQ/TU của Tỉnh ủy"


def test_a_table_row_reads_its_figure_with_its_unit():
    row = render_row([("TT", "7"), ("Chỉ tiêu", "Tỉ lệ người dân dùng dịch vụ số"), ("Đơn vị", "%"),
                      ("Kết quả", "≥ 70"), ("Cơ quan theo dõi", "Bộ Công an")])
    assert row.startswith("Tỉ lệ người dân dùng dịch vụ số: kết quả: ≥ 70%;") and "Bộ Công an" in row
    count = render_row([("Chỉ tiêu", "Số doanh nghiệp lớn"), ("Đơn vị", "Doanh nghiệp"), ("Kết quả", "≥ 10")])
    assert "≥ 10 doanh nghiệp" in count
    share = render_row([("Chỉ tiêu", "Quy mô kinh tế số"), ("Đơn vị", "% GDP"), ("Kết quả", "≥ 30")])
    assert "≥ 30% GDP" in share  # as the documents write a share, not "≥ 30 % GDP"


def test_a_lower_case_syllable_is_never_taken_for_an_abbreviation():
    assert ABBREVIATIONS.expand("ap dung tu ngay nao") == "ap dung tu ngay nao"  # "tu" is "từ", not "TU"
    # Opening a sentence or a name, a syllable is a word too: "Bộ Tư pháp" is no "Bộ Tỉnh ủy pháp".
    assert ABBREVIATIONS.expand("Bộ Tư pháp chủ trì. Tự động hóa") == "Bộ Tư pháp chủ trì. Tự động hóa"
    assert ABBREVIATIONS.expand("Bí thư TU") == "Bí thư Tỉnh ủy"


def test_an_admin_can_extend_the_abbreviation_list():
    extended = Abbreviations.parse(["- CĐS: chuyển đổi số", "- HTX: hợp tác xã"])
    assert extended.expand("HTX và CĐS") == "hợp tác xã và chuyển đổi số"


@pytest.mark.parametrize("question,kind", [
    ("Tỷ lệ hồ sơ trực tuyến năm 2025 là bao nhiêu?", "quantity"),
    ("ty le ho so truc tuyen la may phan tram", "quantity"),
    ("Nghị định có hiệu lực từ ngày nào?", "when"),
    ("ke hoach phai trinh vao thoi diem nao", "when"),  # a word of time + "nào"
    ("Đề án được phê duyệt trong quý nào?", "when"),
    ("Nhiệm vụ này phải hoàn thành trước tháng mấy?", "when"),  # which month
    ("nghi dinh ban hanh nam may", "when"),
    ("nhiem vu nay do bo nao chu tri", "who"),
    ("Trò chơi ký hiệu 12+ dành cho ai?", "person"),
    ("Dịch vụ công trực tuyến toàn trình là gì?", "definition"),
    ("Mô hình này nằm ở xã nào?", "where"),
    ("Doanh nghiệp có phải xin giấy phép cho trang web không?", "yesno"),
    ("hop tac xa co can dang ky ten mien khong a", "yesno"),
    ("khái niệm này được nêu trong quyết định nào?", "document"),
    ("ap dung theo nghi dinh so may", "document"),
    ("Nghị quyết của tỉnh có số hiệu là gì?", "document"),
    ("Bộ luật nào quy định về giao dịch điện tử?", "document"),  # every kind of the one table
    ("cong van nao huong dan viec nay", "document"),
    ("Thời hạn nộp báo cáo năm là khi nào?", "when"),  # a term asked as a moment
    ("Huyện có những nhà mạng nào cung cấp Internet?", "list"),
    ("UBND huyen dung nhung phan mem, he thong gi", "list"),
])
def test_question_types_are_detected_with_or_without_diacritics(question, kind):
    assert kind in question_types(question)


@pytest.mark.parametrize("question,kind", [
    ("quang tri muc tieu ty le nguoi dan co tai khoan dinh danh dien tu nam 2025", "when"),  # "điện tử năm"
    ("giao dich dien tu ngay cang pho bien o dau", "day"),
    ("Kinh tế số bao nhiêu % GRDP?", "document"),
    ("Đề án triển khai trong mấy tháng?", "when"),  # how many months: a quantity
    ("Giấy phép có thời hạn tối đa mấy năm?", "when"),  # a term asked as a length, not a moment
    ("giay phep bi dinh chi trong thoi han bao lau", "when"),
    ("Cài virus vào máy người khác có bị cấm không?", "quantity"),  # "máy" (a machine), not "mấy"
    ("cai virus vao may nguoi khac co bi cam khong", "quantity"),  # a yes/no question asks no number
])
def test_words_that_only_look_like_an_interrogative_ask_nothing(question, kind):
    assert kind not in question_types(question)


def test_an_answer_of_the_asked_type_is_recognised():
    assert holds_answer("quantity", "đạt 80% dân số") and not holds_answer("quantity", "đạt mức cao")
    assert holds_answer("when", "hoàn thành trong tháng 6/2025") and not holds_answer("when", "sớm nhất có thể")
    assert holds_answer("who", "Bộ Nội vụ chủ trì") and not holds_answer("who", "phải hoàn thành sớm")
    assert holds_answer("who", "Công an tỉnh chủ trì làm sạch dữ liệu dân cư")  # a police force is an agency too
    assert not holds_answer("who", "Ban hành kèm theo Quyết định này Quy chế vận hành Hệ thống")  # "issue", no board
    # "ai" asks for people as well as a body; "cơ quan nào" for a body only.
    assert holds_answer("person", "Trò chơi dành cho thiếu niên (từ 12 tuổi trở lên)")
    assert not holds_answer("who", "Trò chơi dành cho thiếu niên (từ 12 tuổi trở lên)")
    assert holds_answer("person", "Bộ Nội vụ chủ trì") and not holds_answer("person", "phải hoàn thành sớm")
    assert holds_answer("who", "Cơ quan chủ quản có trách nhiệm bố trí đủ nhân lực")  # opening a sentence
    assert not holds_answer("quantity", "phải ứng dụng công nghệ IPv6") and not holds_answer("quantity", "trò chơi G1")
    assert holds_answer("document", "theo Quyết định 411/QĐ-TTg ngày 31/3/2022")
    assert not holds_answer("document", "theo quyết định của tỉnh")


@pytest.mark.parametrize("question", ["Bao lâu thì phải rà soát cổng thông tin điện tử một lần?",
                                      "cuc tmdt bao lau phai bao cao lanh dao bo 1 lan",
                                      "Định kỳ bao lâu phải báo cáo?"])
def test_how_often_is_answered_by_a_schedule(question):
    assert "often" in question_types(question) and "quantity" not in question_types(question)
    assert counted_noun(question) is None
    assert holds_answer("often", "Hàng năm, cổng thông tin điện tử phải được rà soát, nâng cấp.")
    assert holds_answer("often", "Theo định kỳ 06 (sáu) tháng, Cục có trách nhiệm báo cáo Lãnh đạo Bộ.")
    assert holds_answer("often", "kiểm tra 03 tháng một lần")
    assert not holds_answer("often", "Cổng thông tin điện tử phải được rà soát, nâng cấp.")
    assert not holds_answer("often", "Trong thời hạn 05 (năm) ngày làm việc, Cục báo cáo Lãnh đạo Bộ")  # a deadline
    # How long, not how often: a length of time.
    assert "quantity" in question_types("Phải lưu trữ thông tin bao lâu?") and counted_noun("lưu trữ bao lâu") == "lâu"
    # Folded, "quy định kỹ thuật" holds a "dinh ky" that is no "định kỳ".
    assert "quantity" in question_types("co may thang de ban hanh quy dinh ky thuat ve du lieu")


def test_a_figure_bounded_on_the_other_side_does_not_answer():
    clause = "mỗi người chơi dưới 18 tuổi không quá 180 phút trong 24 giờ"
    assert contrary_bound("Người trên 18 tuổi được chơi tối đa bao nhiêu phút?", clause)
    assert contrary_bound("nguoi tu 18 tuoi tro len choi toi da bao nhieu phut", clause)
    assert not contrary_bound("Người dưới 18 tuổi được chơi tối đa bao nhiêu phút?", clause)
    assert not contrary_bound("Trẻ em được chơi tối đa bao nhiêu phút?", clause)


def test_ai_as_the_subject_of_a_who_verb_asks_for_a_person_or_a_body():
    assert question_types("để CĐS thành công thì ai phải trực tiếp chủ trì?") & {"who", "person"} == {"person"}
    assert "who" in question_types("nhiệm vụ này do bộ nào chủ trì?")  # a body asked for by name
    assert "who" in question_types("ai chủ trì, cơ quan nào phối hợp?")


def test_chuyen_doi_so_nao_is_not_a_question_about_a_document():
    assert "document" not in question_types("Tỉnh ưu tiên lĩnh vực chuyển đổi số nào?")


def test_a_cited_number_says_which_instrument_and_issuer_it_is_when_asked():
    read = Abbreviations.parse(["- QĐ: quyết định\n- TTg: Thủ tướng Chính phủ"])
    text = "Xã hội số là … (Quyết định 411/QĐ-TTg ngày 31/3/2022)."
    assert read.expand_passage(text) == text  # only a question asking which instrument reads more
    assert read.expand_passage(text, numbers=True).endswith("(quyết định; Thủ tướng Chính phủ)")


def test_a_question_names_an_instrument_in_lower_case_and_without_marks_too():
    from knowledge.metadata import document_numbers

    assert document_numbers("theo nghị quyết 03 của Chính phủ", typed=True) == ["Nghị quyết 03"]
    assert document_numbers("nghi quyet so 03 cua chinh phu ai ky", typed=True) == ["Nghị quyết 03"]
    assert document_numbers("ke hoach 313 bac ninh", typed=True) == ["Kế hoạch 313"]
    assert document_numbers("nghi dinh 13/2023 co hieu luc tu ngay nao", typed=True) == ["Nghị định 13/2023"]
    # Typed in lower case, as people type without marks: read as the documents write it.
    assert document_numbers("nghi quyet 03/nq-cp cua chinh phu", typed=True) == ["03/NQ-CP"]
    assert document_numbers("qd 1234/qd-ubnd, mang 4g/5g 24/7", typed=True) == ["1234/QĐ-UBND"]
    assert document_numbers("theo nghị quyết 03 của Chính phủ") == []  # a document capitalises it


@pytest.mark.parametrize("figure,noun,counted", [
    ("cách cổng trường từ 200 m trở lên", "met", True),  # the unit's symbol reads as the word typed
    ("cách cổng trường từ 200 m trở lên", "mét", True),
    ("không quá 03 tin nhắn", "tin", True),
    ("100% các xóm có trạm BTS", "trạm", False),  # a figure of the xóm, not of the trạm
    ("100% thủ tục hành chính", "phần", True),  # "bao nhiêu phần trăm": "%" reads "phần trăm"
    ("100% thu tuc hanh chinh", "phan", True),
    ("95% ho so truc tuyen", "tram", False),  # typed without marks, "tram" is "trạm" too: "%" is no station
    ("đình chỉ trong thời hạn 03 tháng", "lâu", True),  # "bao lâu" is answered by a length of time
    ("dinh chi trong thoi han 03 thang", "lau", True),
    ("đình chỉ 03 giấy phép", "lâu", False),
    # A share of what the unit named before it: "bao nhiêu GRDP", "bao nhiêu hộ gia đình".
    ("Tỷ trọng kinh tế số trong GRDP: năm 2026: 12%; năm 2030: 22%", "grdp", True),
    ("Tỷ lệ hộ gia đình có cáp quang: 80%", "hộ", True),
    ("Tỷ lệ hộ gia đình có cáp quang đạt 80 điểm", "hộ", False),  # no share
    ("Các trạm BTS được phủ sóng đến 100% các xóm", "trạm", False),  # a share of the xóm, and no ratio
])
def test_a_figure_of_the_thing_counted_is_recognised(figure, noun, counted):
    assert counts(figure, noun) is counted


@pytest.mark.parametrize("question,refused", [
    ("Giá vàng hôm nay bao nhiêu?", True),
    ("Xem bói tử vi cho mình", True),
    ("Nghị quyết này do ai ký, bởi ai ban hành?", False),  # "bởi" (by) is not "bói"
    ("gia vang hom nay", True),
])
def test_off_topic_refusals_do_not_fire_on_ordinary_words(question, refused):
    assert off_topic(question) is refused


def test_an_off_topic_word_typed_without_marks_is_no_sign_when_the_documents_write_it_as_another():
    _, has_phrase = _speller(["bồi dưỡng kỹ năng số", "cán bộ được bồi dưỡng"])
    assert not off_topic("can bo cap xa phai duoc boi duong ky nang so truoc khi nao", has_phrase)  # "bồi dưỡng"
    assert off_topic("xem boi tu vi", has_phrase)  # "tử vi" is written nowhere else
    assert off_topic("Xem bói cho mình", has_phrase)  # typed with marks: "bói" is "bói"


def test_markdown_escapes_and_codification_cross_references_never_reach_the_text():
    text, _ = clean("1\\. Phát triển R\\&D \\- đột phá.\n\nĐiều 5. Quyền (Điều này có nội dung liên quan đến "
                    "Điều 3.4.LQ.9. Các hành vi bị nghiêm cấm; Điều 1.1.LQ.2. Giải thích)\n", markdown=True)
    assert "\\" not in text and "1. Phát triển R&D - đột phá." in text
    assert "liên quan đến" not in text


def test_news_share_buttons_and_update_stamps_are_not_content():
    text, _ = clean("Tin chuyển đổi số\n\nCập nhật: 08:04, 27/04/2021\n\nChia sẻ: Facebook | Zalo\n\n"
                    "Tỉnh đặt mục tiêu 80% hồ sơ trực tuyến.\n")
    assert "Chia sẻ" not in text and "Cập nhật" not in text and "80% hồ sơ" in text


def test_a_table_row_is_one_passage_with_its_headers_and_group():
    table = ("| TT | Chỉ tiêu | Đơn vị | Kết quả | Cơ quan theo dõi |\n|---|---|---|---|---|\n"
             "| **I** | **Đến năm 2030** | | | |\n| 1 | Nhóm chỉ tiêu về hạ tầng | | | |\n"
             "| 4 | Xếp hạng năng lực cạnh tranh số | Thứ bậc | ≤ 3 Đông Nam Á; ≤ 50 Thế giới | Bộ Thông tin và Truyền thông |\n")
    [row] = chunk("# PHỤ LỤC\n\n" + table)
    assert row.heading == "PHỤ LỤC › I Đến năm 2030 › 1 Nhóm chỉ tiêu về hạ tầng"
    cells = table_cells(row.text)
    assert ("Kết quả", "≤ 3 Đông Nam Á; ≤ 50 Thế giới") in cells
    sentence = render_row(cells, row.heading)
    assert sentence.startswith("Xếp hạng năng lực cạnh tranh số: ")
    assert "≤ 3 Đông Nam Á; ≤ 50 Thế giới" in sentence and "Bộ Thông tin và Truyền thông" in sentence
    assert "TT:" not in sentence and "mục 4" in sentence and "2030" in sentence


def test_a_codified_article_is_cited_by_its_own_article_and_instrument():
    text = ("Chương I\n\nĐiều 3.3.NĐ.3.10. Quyền của người dùng\n\n(Điều 10 Nghị định số 43/2011/NĐ-CP Quy định "
            "về cung cấp thông tin, có hiệu lực thi hành kể từ ngày 01/10/2011)\n\nNgười dùng được tra cứu thông tin.")
    passages = chunk(text)
    assert passages[-1].heading.endswith("Điều 10, Nghị định 43/2011/NĐ-CP — Quyền của người dùng")
    assert "Người dùng được tra cứu" in passages[-1].text


def test_a_documents_own_number_comes_from_its_header_table():
    from knowledge.metadata import extract

    text = ("## THÔNG TIN VĂN BẢN\n\n| Thuộc tính | Nội dung |\n|---|---|\n| **Số hiệu** | 67/2018/QH14\n"
            "| **Loại văn bản** | Luật\n\n# Công nghệ thông tin\n\nTheo Nghị định 72/2013/NĐ-CP, 72/2013/NĐ-CP và Nghị định "
            "72/2013/NĐ-CP, Luật 67/2018/QH14 quy định …")
    assert extract(text, markdown=True).numbers[0] == "67/2018/QH14"


def _speller(documents: list[str]):
    """A speller over a tiny vocabulary, as the lexical index would give it."""
    from index.text import fold, syllables

    passages = [syllables(d) for d in documents]
    accented: dict[str, int] = {}
    for words in passages:
        for w in set(words):
            accented[w] = accented.get(w, 0) + 1
    folded: dict[str, int] = {}
    for words in passages:
        for w in {fold(x) for x in words}:
            folded[w] = folded.get(w, 0) + 1

    def has_phrase(tokens: list[str], marked: bool) -> bool:
        joined = " ".join(tokens)
        return any(joined in " ".join(w if marked else fold(w) for w in words) for words in passages)

    return Speller.build(accented, folded), has_phrase


SPELLER, HAS_PHRASE = _speller(["chuyển đổi số trong cơ quan", "chuyển đổi số là quá trình", "hồ sơ công việc",
                    "hồ sơ trực tuyến", "kinh tế số", "kinh tế số và xã hội số", "về vị trí việc làm",
                    "vị trí công việc", "thông tin cá nhân", "an toàn thông tin", "quán cà phê, nhà hàng",
                    "quán cà phê"] + ["quản lý nhà nước"] * 120 + ["cá nhân"] * 120)


@pytest.mark.parametrize("typed,read", [
    ("chuyển đỗi số là gì", "chuyển đổi số là gì"),  # wrong tone mark
    ("hò sơ công việc", "hồ sơ công việc"),
    ("chuyenn doi so", "chuyen doi so"),  # doubled letter, typed without marks
    ("an toan thong tinn", "an toan thong tin"),
    ("muc tieu kinhte so", "muc tieu kinh te so"),  # two syllables typed as one
    ("hồ sơơ trực tuyến", "hồ sơ trực tuyến"),  # doubled letter, typed with marks
    ("chuyể đổi số là gì", "chuyển đổi số là gì"),  # a letter dropped, the tone mark typed right
])
def test_typos_are_read_against_the_documents_vocabulary(typed, read):
    assert SPELLER.correct(typed, HAS_PHRASE) == read


@pytest.mark.parametrize("typed,read", [
    ("quy trình số của cơ quann", "quy trình số của cơ quan"),
    ("hỏi về kinh tế nào", "hỏi về kinh tế nào"),
    ("sửa thong tinn nào", "sửa thong tin nào"),  # "thong tinn" is neither typed with marks nor a syllable
    ("ho soo", "ho so"),  # "oo" is only a spelling before "ng" or "c" ("xoong")
    ("KINHH TẾ", "KINH TẾ"),  # the case typed is kept
    ("Chuyểnn đổi", "Chuyển đổi"),
])
def test_a_doubled_letter_is_read_single_whatever_its_neighbours(typed, read):
    # Function words and the end of the text prove no phrase, yet the doubled letter is a slip.
    assert SPELLER.correct(typed, HAS_PHRASE) == read


def test_an_agency_the_question_names_is_no_answer_to_which_agency():
    asked = "Cơ quan nào chủ trì hợp nhất hai trung tâm phục vụ hành chính công?"
    task = "Hợp nhất hai Trung tâm Phục vụ hành chính công thành một hệ thống."
    assert holds_answer("who", task) and not holds_answer("who", unasked_agents(task, asked))
    lead = "Giao Văn phòng Ủy ban nhân dân tỉnh chủ trì."
    assert holds_answer("who", unasked_agents(f"{task} {lead}", asked))
    # Named by its kind only ("Bộ"), another body is still an answer.
    assert holds_answer("who", unasked_agents("Bộ Công an chủ trì, phối hợp Bộ Tư pháp.",
                                              "Bộ nào phối hợp với Bộ Công an?"))


def test_a_foreign_word_in_a_message_typed_with_marks_is_not_taken_for_a_typo():
    speller, has_phrase = _speller(["áp dụng công nghệ"] * 10 + ["ngay lập tức"] * 5 + ["dịch vụ công"] * 5
                                   + ["bây giờ"] * 5)
    # "App" is no "áp" typed twice: the message has marks, and "áp" would have been typed with them.
    assert speller.correct("App thu thập thông tin thì phải báo gì?", has_phrase) == "App thu thập thông tin thì phải báo gì?"
    assert speller.correct("báo ngayy cho tôi", has_phrase) == "báo ngay cho tôi"  # "ngay" is written so
    assert speller.correct("ap dungg cong nghe", has_phrase) == "ap dung cong nghe"  # no marks: a slip
    # Typed without marks but for a short form expanded ("dvc" -> "dịch vụ công"): still a slip.
    assert speller.correct("dịch vụ công ap dung tu bao gioo", has_phrase) == "dịch vụ công ap dung tu bao gio"


def test_a_rare_word_is_kept_and_a_rare_typo_of_the_documents_is_corrected():
    speller, has_phrase = _speller(["bị phát hiện"] * 400 + ["xử phạt"] * 5 + ["trực tiếp"] * 200 + ["trưc tuyến"] * 2)
    assert speller.correct("bị phạt bao nhiêu", has_phrase) == "bị phạt bao nhiêu"  # a word in 5 passages
    assert speller.correct("nộp trưc tiếp", has_phrase) == "nộp trực tiếp"  # the documents' typo, in 2


def test_a_short_form_in_capitals_is_never_changed_into_another():
    # "DTI" is in one passage only, "DOI" in five: a name one letter off is another name.
    speller, has_phrase = _speller(["Chỉ số DOI của tỉnh"] * 5 + ["Chỉ số DTI cấp tỉnh"])
    assert speller.correct("chỉ số DTI là gì", has_phrase) == "chỉ số DTI là gì"
    assert speller.correct("chỉ số DTO là gì", has_phrase) == "chỉ số DTO là gì"
    assert speller.correct("chi so dti la gi", has_phrase) == "chi so dti la gi"  # in lower case: a word they hold


def test_a_letter_typed_with_marks_is_not_swapped_for_another():
    speller, has_phrase = _speller(["ông Yêu nói rằng", "ông Yêu nói tiếp"])
    assert speller.correct("ông Yên nói", has_phrase) == "ông Yên nói"


@pytest.mark.parametrize("typed", [
    "bao nhiêu mét",  # real words the documents never use stay as typed
    "chia cho hang xom",
    "đoạn code python",
    "chỉ tiêu về ví, tài khoản",  # "về vị" is written, but a function word proves nothing
    "quán cà phê cho khách dùng",  # "quản", "cá" are 60 times more frequent, but "quán cà phê" is written
])
def test_words_the_documents_lack_are_not_turned_into_other_words(typed):
    assert SPELLER.correct(typed, HAS_PHRASE) == typed


@pytest.mark.parametrize("question,noun", [
    ("Huyện có bao nhiêu trạm BTS?", "trạm"),
    ("gồm mấy mô đun", "mô"),
    ("bao nhieu ho so duoc xu ly", "ho"),
    ("Máy tính của xã có mấy?", None),  # "máy" is no "mấy", and nothing follows "mấy"
    ("chiếm bao nhiêu?", None),
    ("Tỷ lệ hộ gia đình có cáp quang là bao nhiêu?", "phần"),  # a share: a percentage
    ("ti le nguoi dan dung dvctt la bao nhieu", "phan"),
    ("Tỷ lệ bao nhiêu người dân có tài khoản?", "người"),  # the thing counted, when named
    ("phong may phai rong toi thieu bao nhieu m2", "m2"),  # unmarked, "may" is "máy": "bao nhiêu" counts
    ("Giao dịch không dùng tiền mặt đạt bao nhiêu theo NQ 57?", None),  # a function word counts nothing
    ("giao dich khong dung tien mat dat bao nhieu theo nq 57", None),
    ("bao nhieu may tinh", "may"),  # unmarked, "may" may be "máy"
    ("Giấy phép bị đình chỉ bao lâu?", "lâu"),  # a length of time
    ("giay phep bi dinh chi bao lau", "lau"),
    ("tinh toi nam 2026 chi bao nhieu cho chuyen doi so", "tien"),  # spent: a sum of money
    ("Tỉnh chi bao nhiêu cho chuyển đổi số?", "tiền"),
    ("Tỉnh chỉ bao nhiêu xã có sóng 4G?", "xã"),  # "chỉ" (only) spends nothing
    ("năng suất lao động tăng bao nhiêu mỗi năm?", None),  # per year: a period, not a thing counted
    ("Chỉ tiêu này là bao nhiêu, bộ nào theo dõi?", None),  # after the comma: another question
])
def test_what_a_question_counts_is_read(question, noun):
    assert counted_noun(question) == noun


def test_an_items_number_or_a_form_number_is_no_sum_of_money():
    # "6. Hợp đồng …": the item's number and the "đồng" of "hợp đồng" are no "6 đồng".
    assert not counts("6. Hợp đồng dịch vụ đăng ký tên miền theo Mẫu số 27 tại Phụ lục I.", "tiền")
    assert counts("Kinh phí thực hiện là 85 tỷ đồng.", "tiền")


def test_a_province_name_is_never_corrected_into_a_word():
    speller, has_phrase = _speller(["toàn tỉnh cả nước", "cả nước và cả tỉnh"])
    text = "mục tiêu của tỉnh Cà Mau"
    assert speller.correct("mục tiêu tỉnh cà", has_phrase) == "mục tiêu tỉnh cả"  # a word is corrected
    assert speller.correct(text, has_phrase, keep=mention_spans(text)) == text


@pytest.mark.parametrize("question,terms", [
    ("dữ liệu mở là gì", {"du lieu mo"}),
    ("theo luật thì số hóa là gì vậy", {"so hoa"}),
    ("khái niệm của chuyển đổi số là gì", {"chuyen doi so"}),
    ("ba trụ cột của chuyển đổi số là gì", {"ba tru cot", "ba tru cot cua chuyen doi so"}),
    ("chính phủ số khác gì chính phủ điện tử vậy?", {"chinh phu so", "chinh phu dien tu"}),
    ("Kinh tế số và xã hội số là gì?", {"kinh te so", "xa hoi so"}),
    ("khai niem kinh te so va xa hoi so duoc neu o dau", {"kinh te so", "xa hoi so"}),  # no "là gì"
    ("định nghĩa thư rác theo luật", {"thu rac"}),
    ("Mã nguồn với mã máy khác nhau thế nào?", {"ma nguon", "ma may"}),
    ("số hóa theo luật đó là gì", {"so hoa"}),  # what follows "theo" says where, not what
])
def test_the_terms_a_definition_question_asks_about_are_found(question, terms):
    assert terms <= set(definition_terms([fold(t) for t in syllables(question)]))


def test_what_follows_cua_alone_is_not_the_term_asked():
    terms = definition_terms([fold(t) for t in syllables("ba trụ cột của chuyển đổi số là gì")])
    assert "chuyen doi so" not in terms


def test_a_longer_term_ending_in_the_asked_one_is_not_its_definition():
    q = parse([], "phần mềm ứng dụng là gì", None)
    assert defines(q, "3. Phần mềm ứng dụng là phần mềm được phát triển và cài đặt …") == 1
    assert defines(q, "Khái niệm phần mềm ứng dụng là …") == 1
    assert defines(q, '"Dự án phần mềm ứng dụng" là dự án đầu tư phát triển mới …') == 0
    social = parse([], "mạng xã hội là gì", None)
    assert defines(social, "22. Mạng xã hội (social network) là hệ thống thông tin …") == 1  # an alias between
    assert defines(social, "tư duy đúng về mạng xã hội là điều kiện tiên quyết") == 0  # a preposition's object


def test_an_item_of_terms_defining_by_kinds_is_a_definition():
    spam = parse([], "tin nhắn rác là gì", None)
    assert defines(spam, "3. Tin nhắn rác bao gồm các loại sau:") == 1
    # Named in passing, what something holds is no definition of it.
    assert defines(spam, "Hệ thống chống tin nhắn rác bao gồm các phân hệ sau:") == 0


def test_a_term_written_in_full_is_searched_by_its_short_form_too():
    abbreviations = Abbreviations.parse(["- CĐS: chuyển đổi số\n- CP: Chính phủ\n- ĐTTM: đô thị thông minh"])
    assert abbreviations.short_forms("Chuyển đổi số là gì?") == ["cds"]
    assert abbreviations.short_forms("do thi thong minh la gi") == ["dttm"]
    assert abbreviations.short_forms("Nghị quyết của Chính phủ") == []  # "CP" is also a number's code
