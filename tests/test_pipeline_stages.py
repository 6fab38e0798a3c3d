"""Answer-pipeline stages alone: plain data in, plain data out, no model and no database."""

import pytest

from index.hits import Hits
from index.hybrid import HybridRetriever
from knowledge.answering.analysis import asked_about, parse
from knowledge.answering.answer_type import not_stated, speaks_of
from knowledge.answering.candidates import extract, of_year, sentences, target_years, year_targets
from knowledge.answering.analysis import named_things
from knowledge.answering.references import Reference, clause_text, references
from index.text import syllables
from knowledge.answering.retrieve import (Weights, _spellings, coverage, folded_syllables, named_kinds, names,
                                         phrase_coverage, question_phrases, question_weights, restates_title, retrieve)
from knowledge.query import EMPTY as NO_ABBREVIATIONS
from knowledge.answering.scope import number_matches, scope, unknown_instrument
from knowledge.query import counted_noun

DOCS = [
    {"id": 1, "title": "Nghị quyết về chuyển đổi số", "kind": "resolution", "numbers": ["08-NQ/TU"],
     "provinces": ["Hòa Bình"], "districts": ["Lạc Sơn"]},
    {"id": 2, "title": "Kế hoạch chuyển đổi số", "kind": "plan", "numbers": ["12/KH-UBND"],
     "provinces": ["Đắk Lắk"], "districts": []},
]


def _row(pid: int, text: str, heading: str = "", kind: str = "resolution") -> dict:
    return {"id": pid, "doc_id": 1, "heading": heading, "text": text, "kind": kind, "numbers": [],
            "provinces": ["Hòa Bình"], "districts": [], "title": "Nghị quyết", "source": "nq.md", "date": None}


class TestHybridRetriever:
    def test_init_with_invalid_top_k(self):
        with pytest.raises(ValueError, match="top_k must be greater than 0. Currently, the top_k is 0"):
            HybridRetriever(lambda *a: Hits.empty(), lambda *a: Hits.empty(), lambda q: None, top_k=0)

    def test_run_fuses_both_sides_and_keeps_the_dense_scores(self):
        lexical = lambda query, k, allowed: Hits([1, 2, 4], [9.0, 8.0, 1.0])  # noqa: E731
        dense = lambda vector, k, allowed: Hits([2, 3], [0.9, 0.8])  # noqa: E731
        found = HybridRetriever(lexical, dense, lambda q: [1.0], weights=(0.5, 0.5)).run("x")
        assert found.fused.ids[0] == 2  # found by both
        assert set(found.fused.ids) == {1, 2, 3, 4} and found.dense.ids == [2, 3]

    def test_run_passes_the_allowed_ids_to_both_sides(self):
        seen = []
        lexical = lambda query, k, allowed: seen.append(allowed) or Hits.empty()  # noqa: E731
        dense = lambda vector, k, allowed: seen.append(allowed) or Hits.empty()  # noqa: E731
        HybridRetriever(lexical, dense, lambda q: [1.0]).run("x", allowed={7})
        assert seen == [{7}, {7}]


class TestRetrieval:
    def test_a_passage_restating_its_documents_title_is_known(self):
        title = "Quyết định: Ban hành Quy chế vận hành Hệ thống thông tin giải quyết thủ tục hành chính"
        echo = dict(_row(1, "Điều 1. Ban hành kèm theo Quyết định này Quy chế vận hành Hệ thống thông tin "
                            "giải quyết thủ tục hành chính."), title=title)
        rule = dict(_row(2, "Sở Khoa học và Công nghệ là cơ quan vận hành Hệ thống thông tin."), title=title)
        assert restates_title(echo) and not restates_title(rule)


    def test_the_document_named_by_number_comes_before_one_implementing_it(self):
        own = dict(_row(1, "Giao dịch không dùng tiền mặt đạt 80%."), numbers=["57-NQ/TW"])
        implementing = dict(_row(2, "Tỉ lệ giao dịch không dùng tiền mặt: ≥ 80% (thực hiện Nghị quyết 57-NQ/TW)."),
                            numbers=["03/NQ-CP", "57-NQ/TW"])
        rows = {1: own, 2: implementing}

        class KB:  # both found, the implementing one scored a little higher by the hybrid search
            retriever = HybridRetriever(lambda query, k, allowed: Hits([2, 1, 3], [10.0, 9.9, 1.0]),
                                        lambda vector, k, allowed: Hits([2, 1, 3], [0.9, 0.899, 0.7]), lambda q: [1.0])

            def passages(self, ids):
                return {i: rows[i] for i in ids if i in rows}

        docs = [*DOCS, {"id": 3, "title": "Nghị quyết 57", "kind": "resolution", "numbers": ["57-NQ/TW"],
                        "provinces": [], "districts": []}]
        q = parse(docs, "Nghị quyết 57 đặt mục tiêu giao dịch không dùng tiền mặt là bao nhiêu?", None)
        weights = {"giao": 1.0, "dich": 1.0, "dung": 1.0, "tien": 1.0, "mat": 1.0}
        found = retrieve(KB(), q, weights, None, NO_ABBREVIATIONS)
        assert [r["id"] for r in found.rows] == [1, 2]


class TestScope:
    def test_a_province_without_documents_is_a_gap_that_names_the_covered_ones(self):
        allowed, gap = scope(DOCS, parse(DOCS, "Mục tiêu của Cà Mau?", None))
        assert allowed is None and gap.abstained
        assert "Cà Mau" in gap.text and "Hòa Bình" in gap.text and "Đắk Lắk" in gap.text

    def test_a_number_typed_in_other_letter_case_is_the_same_number(self):
        assert number_matches("411/QĐ-TTG", "411/QĐ-TTg") and number_matches("Nghị quyết 57", "57-NQ/TW")
        assert not number_matches("411/QĐ-TTG", "411/QĐ-UBND")

    def test_a_number_typed_with_its_separators_swapped_or_without_its_codes_is_the_same_number(self):
        assert number_matches("57/NQ-TW", "57-NQ/TW") and number_matches("08/NQ-TU", "08-NQ/TU")
        assert number_matches("Nghị định 13/2023", "13/2023/NĐ-CP")
        assert not number_matches("Nghị định 13/2023", "13/2022/NĐ-CP")  # another year
        assert not number_matches("Nghị quyết 13/2023", "13/2023/NĐ-CP")  # another kind
        assert not number_matches("57/NQ-TU", "57-NQ/TW")  # another issuer

    def test_an_instrument_no_document_is_or_cites_is_a_gap_that_names_it(self):
        held = frozenset({"08-NQ/TU", "12/KH-UBND", "43/2021/NĐ-CP", "Nghị quyết 52"})
        gap = unknown_instrument(parse(DOCS, "Nghị định 13/2023/NĐ-CP có hiệu lực từ ngày nào?", None), held)
        assert gap.abstained and "Nghị định số 13/2023/NĐ-CP" in gap.text
        gap = unknown_instrument(parse(DOCS, "Thông tư 22/2024 quy định gì?", None), held)
        assert gap.abstained and "Thông tư 22/2024" in gap.text
        for asked in ("Nghị định 43/2021 có hiệu lực từ ngày nào?", "Nghị quyết 08/NQ-TU ai ký?",
                      "Nghị quyết số 52 nói gì?", "Kế hoạch 2025 của tỉnh có gì mới?"):
            assert unknown_instrument(parse(DOCS, asked, None), held) is None, asked

    def test_a_district_selects_its_documents(self):
        allowed, gap = scope(DOCS, parse(DOCS, "Lạc Sơn có bao nhiêu xã?", None))
        assert allowed == {1} and gap is None


class TestCandidates:
    def test_the_sentence_holding_the_asked_figure_is_quoted(self):
        q = parse(DOCS, "Tỷ lệ hồ sơ xử lý trực tuyến năm 2025 là bao nhiêu?", None)
        weights = {"ty": 1.0, "le": 1.0, "ho": 1.0, "so": 1.0, "xu": 1.0, "ly": 1.0, "truc": 1.0, "tuyen": 1.0}
        rows = [_row(1, "Tỉnh coi trọng chuyển đổi số. Năm 2025, tỷ lệ hồ sơ xử lý trực tuyến đạt 80%. "
                        "Người dân được hướng dẫn.")]
        text, quoted, row = extract(q, weights, rows)
        assert "80%" in text and "coi trọng" not in text and row is rows[0]

    def test_each_item_of_a_list_run_into_one_line_is_quoted_alone_and_another_years_is_left_out(self):
        q = parse(DOCS, "Kinh tế số năm 2025 chiếm bao nhiêu phần trăm GRDP?", None)
        weights = {"kinh": 1.0, "te": 1.0, "so": 1.0, "chiem": 1.0, "grdp": 2.0}
        rows = [_row(1, "1. Đến năm 2025: - 80% hồ sơ được xử lý trực tuyến; - Kinh tế số chiếm 15% GRDP; "
                        "- 70% người dân có định danh điện tử. 2. Đến năm 2030: - Kinh tế số chiếm 25% GRDP.")]
        text, quoted, row = extract(q, weights, rows)
        assert "15% GRDP" in text
        assert "80%" not in text and "70%" not in text and "25%" not in text


    def test_a_numbered_item_is_one_unit_and_a_lead_in_is_quoted_with_its_items(self):
        text = ("Cơ quan được lưu trữ dữ liệu thuộc một trong các trường hợp sau:\n1. Để sử dụng dữ liệu trong thời "
                "hạn quy định.\n2. Để bảo đảm hiệu năng của hệ thống.\n3. Trong trường hợp có quy định cho phép.")
        assert [u for u, _ in sentences(text)][1:] == ["1. Để sử dụng dữ liệu trong thời hạn quy định.",
                                                        "2. Để bảo đảm hiệu năng của hệ thống.",
                                                        "3. Trong trường hợp có quy định cho phép."]
        q = parse(DOCS, "Cơ quan được lưu trữ dữ liệu trong những trường hợp nào?", None)
        weights = {"co": 1.0, "quan": 1.0, "luu": 1.0, "tru": 1.0, "du": 1.0, "lieu": 1.0, "truong": 1.0, "hop": 1.0}
        text, _, _ = extract(q, weights, [_row(1, text)])
        assert "hiệu năng" in text and "cho phép" in text

    def test_the_kind_of_instrument_a_question_names_is_read(self):
        assert named_kinds("Luật CNTT cấm những hành vi nào?") == {"luat"}
        assert named_kinds("nghi dinh nao quy dinh ve thu rac") == {"nghi dinh"}
        assert named_kinds("Làm vậy có trái pháp luật không?") == set()  # the law at large

    def test_a_clause_is_read_under_its_articles_title(self):
        # "1. Do lỗi hệ thống" never says "nguyên nhân"; its article's title does. The clause of the
        # next article repeats more of the question's words and answers something else.
        q = parse(DOCS, "Sự cố hệ thống có thể do những nguyên nhân nào?", None)
        weights = {"su": 1.0, "co": 1.0, "he": 1.0, "thong": 1.0, "the": 1.0, "nguyen": 2.0, "nhan": 2.0}
        rows = [_row(1, "1. Do lỗi hệ thống: hệ thống không đáp ứng tiêu chuẩn.\n2. Do lỗi sử dụng.\n"
                        "3. Do các trường hợp bất khả kháng.", "Chương I — Điều 4, Thông tư 02/2011/TT-BTTTT — Nguyên nhân sự cố"),
                _row(2, "4. Cá nhân phải lập báo cáo nhanh sự cố hệ thống theo mẫu.",
                     "Chương I — Điều 5, Thông tư 02/2011/TT-BTTTT — Xử lý nhanh khi có sự cố")]
        text, _, row = extract(q, weights, [rows[1], rows[0]])
        assert row is rows[0] and "bất khả kháng" in text and "báo cáo nhanh" not in text

    def test_a_sum_for_a_period_is_no_figure_for_its_first_year(self):
        (unit, year), = sentences("Tổng kinh phí giai đoạn 2026 - 2030 dự kiến 1.850 tỷ đồng.")
        assert year == 2030 and not of_year(year, [2026]) and of_year(year, [2030])

    def test_the_agency_in_an_items_next_sentence_is_quoted_with_it(self):
        q = parse(DOCS, "Cơ quan nào chủ trì hợp nhất hai trung tâm phục vụ hành chính công?", None)
        weights = {"chu": 1.0, "tri": 1.0, "hop": 1.0, "nhat": 1.0, "trung": 1.0, "tam": 1.0, "phuc": 1.0, "vu": 1.0,
                   "hanh": 1.0, "chinh": 1.0, "cong": 1.0}
        text = ("1. Hợp nhất hai Trung tâm Phục vụ hành chính công thành một hệ thống, hoàn thành trước ngày "
                "30/9/2026. Giao Văn phòng Ủy ban nhân dân tỉnh chủ trì.\n2. Xây dựng Trung tâm dữ liệu tỉnh. "
                "Giao Sở Khoa học và Công nghệ chủ trì.")
        quote, quoted, _ = extract(q, weights, [_row(1, text)])
        assert "Văn phòng Ủy ban nhân dân tỉnh chủ trì" in quote and "Sở Khoa học" not in quote
        assert any("Hợp nhất" in u and "Văn phòng" in u for u, _ in quoted)  # one unit: topic and agency

    def test_clauses_of_another_article_are_quoted_under_that_article(self):
        q = parse(DOCS, "Dùng phần mềm nguồn mở có phải trả phí bản quyền không?", None)
        weights = {"dung": 1.0, "phan": 1.0, "mem": 1.0, "nguon": 1.0, "mo": 1.0, "tra": 1.0, "phi": 1.0,
                   "ban": 1.0, "quyen": 1.0}
        criteria = _row(1, "a) Phần mềm nguồn mở phải bảo đảm quyền tự do phân phối, không phải trả phí bản quyền.",
                        "Chương I — Điều 3, Thông tư 20/2014/TT-BTTTT — Tiêu chí lựa chọn phần mềm nguồn mở")
        defined = _row(2, "12. Phần mềm nguồn mở là phần mềm mà người dùng không phải trả phí bản quyền khi sử dụng.",
                       "Chương I — Điều 3, Nghị định 73/2019/NĐ-CP — Giải thích từ ngữ")
        text, quoted, row = extract(q, weights, [criteria, defined])
        # The best clause comes first (the answer names its article); the other article's clause
        # follows under its own article, not under the first one's.
        assert row is defined and len(quoted) == 2
        assert text == (f"{defined['text']}\nTheo Điều 3, Thông tư 20/2014/TT-BTTTT (Tiêu chí lựa chọn phần mềm "
                        f"nguồn mở):\n{criteria['text']}")

    def test_a_figure_of_the_thing_counted_is_quoted_before_a_figure_of_another(self):
        q = parse(DOCS, "Tỉnh dự kiến chi bao nhiêu tiền cho chuyển đổi số năm 2026?", None)
        q.counted = "tiền"
        weights = {"du": 1.0, "kien": 1.0, "chi": 1.0, "tien": 1.0, "chuyen": 1.0, "doi": 1.0, "so": 1.0}
        rows = [_row(1, "Năm 2026, chuyển đổi số dự kiến đạt 60% hồ sơ trực tuyến."),
                _row(2, "Tổng kinh phí cho chuyển đổi số dự kiến 85 tỷ đồng.")]
        text, quoted, row = extract(q, weights, rows)
        # The passage quoted first (and cited first) gives a sum of money, not that year's share.
        assert row["id"] == 2 and "85 tỷ đồng" in text


    # A clause announcing a list is quoted with its items: when it is the best unit, when a
    # better unit is quoted with it, and when an item is the best unit of a "những … gì".
    _EMERGENCY = ("1. Cơ quan có thẩm quyền huy động hạ tầng khi có một trong các trường hợp khẩn cấp sau "
                  "đây:\n\na) Phục vụ phòng, chống lụt, bão;\n\nb) Phục vụ cứu nạn, cứu hộ.\n\n")

    @pytest.mark.parametrize("question,weights,text,items,not_items", [
        ("Khi nào được huy động hạ tầng trong trường hợp khẩn cấp?",
         {"huy": 1.0, "dong": 1.0, "ha": 1.0, "tang": 1.0, "khan": 2.0, "cap": 1.0},
         _EMERGENCY + "2. Chính phủ quy định chi tiết Điều này.", ["lụt, bão", "cứu nạn"], ["Chính phủ"]),
        ("Trường hợp khẩn cấp nào được huy động hạ tầng thông tin?",
         {"truong": 1.0, "hop": 1.0, "khan": 2.0, "cap": 1.0, "huy": 1.0, "dong": 1.0},
         _EMERGENCY + "2. Chính phủ quy định việc huy động hạ tầng thông tin trong trường hợp khẩn cấp.",
         ["lụt, bão", "cứu nạn"], []),
        ("Người nộp hồ sơ bị cấm làm những gì?", {"nop": 1.0, "ho": 1.0, "so": 1.0, "cam": 1.0},
         "2. Tổ chức, cá nhân không được thực hiện các hành vi sau đây:\n\na) Gian lận, mạo nhận hồ sơ nộp;"
         "\n\nb) Cản trở việc giải quyết thủ tục;\n\nc) Hối lộ cán bộ.\n\n3. Cán bộ phải hướng dẫn tận tình.",
         ["Gian lận", "Cản trở", "Hối lộ"], ["hướng dẫn tận tình"]),
    ])
    def test_a_clause_announcing_a_list_is_quoted_with_its_items(self, question, weights, text, items, not_items):
        quote = extract(parse(DOCS, question, None), weights, [_row(1, text)])[0]
        assert all(item in quote for item in items)
        assert not any(other in quote for other in not_items)

    def test_asked_when_a_unit_under_a_years_heading_answers_with_that_year(self):
        q = parse(DOCS, "Bao giờ phủ sóng 5G toàn quốc?", None)
        weights = {"phu": 1.0, "song": 1.0, "5g": 2.0, "toan": 1.0, "quoc": 1.0}
        rows = [dict(_row(1, "Hạ tầng số hiện đại. Phủ sóng 5G toàn quốc."), lead_year=2030)]
        text, quoted, row = extract(q, weights, rows)
        assert "Phủ sóng 5G toàn quốc (năm 2030)." in text
        top = dict(rows[0], kind="resolution", title="Nghị quyết", provinces=[])
        assert not_stated(q, weights, top, quoted, q.text, {}, 0.3) is None  # the year answers "bao giờ"


class TestYearTargets:
    def test_a_list_opened_by_its_year_in_the_passage_before_is_read_under_that_year(self):
        rows = [dict(_row(1, "Phát triển chính quyền số: 100% cơ sở dữ liệu dùng chung được kết nối; "
                             "trên 50% hoạt động kiểm tra thực hiện qua môi trường số."), lead_year=2025)]
        assert year_targets(2025, rows) == ["100% cơ sở dữ liệu dùng chung được kết nối",
                                            "Trên 50% hoạt động kiểm tra thực hiện qua môi trường số"]
        assert year_targets(2030, rows) == []

    def test_a_year_sharing_the_subject_of_the_clause_before_keeps_that_clause(self):
        rows = [_row(1, "Đến năm 2025, kinh tế số chiếm 20% GRDP, năm 2030 chiếm trên 30% GRDP. Tỉnh tập trung.")]
        assert year_targets(2025, rows) == ["Kinh tế số chiếm 20% GRDP"]
        assert year_targets(2030, rows) == ["Đến năm 2025, kinh tế số chiếm 20% GRDP, năm 2030 chiếm trên 30% GRDP"]

    def test_a_sentence_speaking_of_two_years_answers_for_both_and_a_written_date_sets_none(self):
        units = sentences("Đến năm 2025, kinh tế số chiếm 20% GRDP, năm 2030 chiếm trên 30% GRDP. "
                          "Tỉnh tập trung vào 8 lĩnh vực. Nghị quyết ban hành ngày 24 tháng 12 năm 2021. "
                          "Hạ tầng số phủ 100% số xã.")
        assert units[0][1] == frozenset({2025, 2030}) and of_year(units[0][1], [2030])
        assert units[1][1] == 2030  # the sentences after it speak of the last year named
        # "ngày 24 tháng 12 năm 2021" dates its own sentence, not the targets after it.
        assert units[2][1] == 2021 and units[3][1] == 2030

    def test_list_markers_are_not_part_of_a_bullet(self):
        rows = [_row(1, "1. Đến năm 2025: - 80% hồ sơ được xử lý trực tuyến; - Kinh tế số chiếm 15% GRDP. "
                        "2. Đến năm 2030: - Kinh tế số chiếm 25% GRDP.")]
        assert year_targets(2025, rows) == ["80% hồ sơ được xử lý trực tuyến", "Kinh tế số chiếm 15% GRDP"]

    def test_a_web_pages_flattened_list_gives_each_item_once_sums_of_money_included(self):
        rows = [_row(1, "Kế hoạch số 07/KH-UBND về chuyển đổi số năm 2026, kế hoạch đầu tiên của tỉnh. Theo kế "
                        "hoạch, năm 2026 tỉnh phấn đấu đạt các mục tiêu sau: - 95% hồ sơ được xử lý trên môi trường "
                        "mạng; - Doanh thu thương mại điện tử đạt 1.500 tỷ đồng; - 70% người dân có danh tính số.")]
        assert year_targets(2026, rows) == ["95% hồ sơ được xử lý trên môi trường mạng",
                                            "Doanh thu thương mại điện tử đạt 1.500 tỷ đồng",
                                            "70% người dân có danh tính số"]

    def test_a_table_with_a_column_per_year_gives_each_row_under_its_year(self):
        rows = [_row(1, "TT: 1\nChỉ tiêu: Tỷ trọng kinh tế số trong GRDP\nĐơn vị: %\nNăm 2026: 12\nNăm 2028: 18"),
                _row(2, "TT: 2\nChỉ tiêu: Điểm hỗ trợ dịch vụ công cấp xã\nĐơn vị: điểm\nNăm 2026: 166\nNăm 2028: -")]
        assert year_targets(2026, rows) == ["Tỷ trọng kinh tế số trong GRDP: 12% (mục 1)",
                                            "Điểm hỗ trợ dịch vụ công cấp xã: 166 điểm (mục 2)"]
        assert year_targets(2028, rows) == ["Tỷ trọng kinh tế số trong GRDP: 18% (mục 1)"]  # "-" sets none
        assert year_targets(2030, rows) == [] and target_years(rows[0]) == {2026, 2028}

    def test_a_year_opening_a_sentence_or_written_in_capitals_sets_the_year_of_what_follows(self):
        units = sentences("Năm 2026, tỉnh tập trung phát triển hạ tầng số. Tỷ lệ hồ sơ trực tuyến đạt 80%.")
        assert [year for _, year in units] == [2026, 2026]
        rows = [_row(1, "MỤC TIÊU ĐẾN NĂM 2027: 90% hồ sơ được xử lý trực tuyến.")]
        assert year_targets(2027, rows) == ["90% hồ sơ được xử lý trực tuyến"]

    def test_what_a_report_says_was_done_is_no_target(self):
        rows = [_row(1, "Năm 2026, tỉnh đã cấp 412.000 tài khoản định danh, đạt 65% dân số. Hiện có 75% hộ gia "
                        "đình có cáp quang. Chủ tịch yêu cầu đến hết năm 2026 đạt 90% hồ sơ trực tuyến toàn trình.")]
        assert year_targets(2026, rows) == ["Chủ tịch yêu cầu đến hết năm 2026 đạt 90% hồ sơ trực tuyến toàn trình"]

    def test_a_date_is_not_a_target_figure(self):
        rows = [_row(1, "Đến năm 2030, 90% hồ sơ được xử lý trên mạng. Phát biểu tại hội nghị vào tháng "
                        "12/2021, Bí thư khẳng định chuyển đổi số là tất yếu.")]
        assert year_targets(2030, rows) == ["90% hồ sơ được xử lý trên mạng"]


class TestAnswerType:
    def test_a_figure_of_another_thing_is_not_the_answer(self):
        q = parse(DOCS, "Huyện có bao nhiêu máy chủ?", None)
        q.counted = "máy"
        weights = {"huyen": 1.0, "may": 1.0, "chu": 1.0}
        gap = not_stated(q, weights, _row(1, ""), [("Huyện có 15 văn bản chỉ đạo.", None)], q.text, {}, 0.3)
        assert gap is not None and gap.abstained and "không nêu con số" in gap.text
        assert not_stated(q, weights, _row(1, ""), [("Huyện có 12 máy chủ.", None)], q.text, {}, 0.3) is None

    def test_a_share_is_not_answered_by_a_count(self):
        question = "Tỷ lệ tuyến cáp quang đưa vào hoạt động là bao nhiêu?"
        q = parse(DOCS, question, None)
        q.counted = counted_noun(question)
        weights = {"ty": 1.0, "le": 1.0, "tuyen": 1.0, "cap": 1.0, "quang": 1.0}
        gap = not_stated(q, weights, _row(1, ""), [("Số tuyến cáp quang biển mới: 09 tuyến.", None)], q.text, {}, 0.3)
        assert gap is not None and gap.abstained
        assert not_stated(q, weights, _row(1, ""), [("Tỷ lệ tuyến cáp quang hoạt động: 90%.", None)],
                          q.text, {}, 0.3) is None

    def test_a_figure_for_another_year_is_not_the_answer(self):
        q = parse(DOCS, "Tỷ lệ hồ sơ trực tuyến năm 2025 là bao nhiêu?", None)
        weights = {"ty": 1.0, "le": 1.0, "ho": 1.0, "so": 1.0, "truc": 1.0, "tuyen": 1.0}
        gap = not_stated(q, weights, _row(1, ""), [("Tỷ lệ hồ sơ trực tuyến đạt 90%.", 2030)], q.text, {}, 0.3)
        assert gap is not None and "cho năm 2025" in gap.text

    @pytest.mark.parametrize("question,topic", [
        ("Tỉnh tôi có mục tiêu gì về chữ ký số không?", "chữ ký số"),
        ("Nghệ An có kế hoạch gì về đô thị thông minh?", "đô thị thông minh"),  # "thị", not "thì"
        ("nghị quyết có nhiệm vụ nào về an toàn thông tin của tỉnh?", "an toàn thông tin"),
        ("Bộ đánh giá thế nào về 5G năm 2025?", "5g"),
        ("co muc tieu gi ve ho so truc tuyen khong", "ho so truc tuyen"),
        ("Kế hoạch có nói về ngân sách trung ương không, bao nhiêu tỷ?", "ngân sách trung ương"),
        ("NQ 57 có đề cập đến trí tuệ nhân tạo không?", "trí tuệ nhân tạo"),
        ("tinh toi co chi tieu ve xe dien khong", "xe dien"),  # "có chỉ tiêu về X không"
    ])
    def test_the_topic_named_after_gi_ve_is_read_up_to_a_particle_a_place_or_a_year(self, question, topic):
        assert asked_about(question)[1] == topic
        assert asked_about("Mục tiêu của tỉnh về chuyển đổi số là gì?") is None  # no "gì về"
        assert asked_about("mục tiêu gì về?") is None and asked_about("có gì về về không") is None

    def test_a_quote_that_never_speaks_of_the_topic_asked_about_is_not_the_answer(self):
        q = parse(DOCS, "Hòa Bình có mục tiêu gì về chữ ký số không?", None)
        weights = {"muc": 1.0, "tieu": 1.0, "chu": 1.0, "ky": 1.0, "so": 1.0}
        other = [("Đến năm 2025, 80% hồ sơ được giải quyết trực tuyến; kinh tế số chiếm 15% GRDP.", 2025)]
        gap = not_stated(q, weights, _row(1, ""), other, q.text, {}, 0.3)
        assert gap is not None and gap.abstained and "không nêu thông tin về chữ ký số" in gap.text
        # Its words apart, none beside another as in the topic, do not speak of it.
        apart = [("Số hóa hồ sơ, ký duyệt trên môi trường mạng và bỏ chữ viết tay.", None)]
        assert not_stated(q, weights, _row(1, ""), apart, q.text, {}, 0.3) is not None
        said = [("Đến năm 2025, 60% người trưởng thành có chữ ký số cá nhân.", 2025)]
        assert not_stated(q, weights, _row(1, ""), said, q.text, {}, 0.3) is None

    def test_a_topic_is_spoken_of_when_each_word_is_there_and_two_stand_side_by_side(self):
        assert speaks_of("ho so truc tuyen", "80% hồ sơ thủ tục hành chính được giải quyết trực tuyến")
        assert not speaks_of("chu ky so", "Số hóa hồ sơ, ký duyệt trên môi trường mạng và bỏ chữ viết tay.")
        assert not speaks_of("chu ky so", "Chuyển đổi số là nhiệm vụ trọng tâm.")


class TestNamedThings:
    def test_a_thing_named_by_its_number_is_read(self):
        assert named_things("Đề án 06 được Thủ tướng phê duyệt?") == [("an", "6")]
        assert named_things("DVC ở mức thấp nhất (mức 1) thì sao?") == [("muc", "1")]

    @pytest.mark.parametrize("question", [
        "Theo NQ 57, tỷ lệ là bao nhiêu?",  # an instrument: the retriever scopes it
        "bao nhiêu người trên 1 vạn dân",  # a figure of what follows
        "mục tiêu năm 2025 là gì",  # a year
    ])
    def test_instruments_years_and_figures_are_not_named_things(self, question):
        assert named_things(question) == []

    def test_a_passage_names_the_thing_with_a_word_between(self):
        assert names(("muc", "1"), "Dịch vụ công trực tuyến mức độ 1 là dịch vụ …")
        assert not names(("muc", "1"), "Dịch vụ công trực tuyến mức độ 2")
        assert names(("an", "6"), "Đề án 06 về dân cư")


class TestReading:
    def test_numbers_written_in_words_and_unit_symbols_hold_what_people_type(self):
        assert {"4", "muc", "do"} <= folded_syllables("Nghị định thay bốn mức độ bằng hai hình thức")
        assert "met" in folded_syllables("cách cổng trường từ 200 m trở lên")
        assert "met" not in folded_syllables("m và n là hai chữ cái")

    def test_an_organ_of_a_former_province_asks_about_that_province_alone(self):
        q = parse(DOCS, "Trước khi nhập vào Đắk Lắk, Tỉnh ủy Phú Yên có nghị quyết không?", None)
        assert [p.name for p in q.places] == ["Phú Yên"]
        merged = parse(DOCS, "Mình ở Phú Yên cũ, giờ là Đắk Lắk. Mục tiêu 2030 của tỉnh?", None)
        assert {p.name for p in merged.places} == {"Phú Yên", "Đắk Lắk"}  # one province: all its documents
        allowed, gap = scope(DOCS, merged)
        assert allowed == {2} and gap is None


class TestNamedDocumentScope:
    NATIONAL = DOCS + [{"id": 3, "title": "Nghị quyết 03/NQ-CP", "kind": "resolution", "numbers": ["03/NQ-CP"],
                        "provinces": [], "districts": []}]

    def test_a_province_asked_about_inside_a_named_national_document_is_searched_in_it(self):
        q = parse(self.NATIONAL, "Trong NQ 03 có nhiệm vụ nào nhắc tỉnh tôi không?", "Hòa Bình")
        q.text = q.text.replace("NQ", "nghị quyết")  # as the abbreviation list reads it
        q.numbers = ["Nghị quyết 03"]
        allowed, gap = scope(self.NATIONAL, q)
        assert allowed == {3} and gap is None
        assert "Hòa Bình" in q.text and q.places == []

    def test_a_document_named_without_a_province_is_answered_from_it_or_the_documents_citing_it(self):
        docs = self.NATIONAL + [{"id": 4, "title": "Kế hoạch", "kind": "plan", "numbers": ["5/KH-UBND", "03/NQ-CP"],
                                 "provinces": ["Lâm Đồng"], "districts": []}]
        q = parse(docs, "Theo NQ 03 tỷ lệ hộ gia đình có cáp quang là bao nhiêu?", None)
        q.numbers = ["Nghị quyết 03"]
        assert scope(docs, q) == ({3, 4}, None)
        q = parse(docs, "Tỷ lệ hộ gia đình có cáp quang là bao nhiêu?", None)
        assert scope(docs, q) == (None, None)

    def test_a_province_own_document_named_by_number_keeps_the_province_scope(self):
        q = parse(DOCS, "Nghị quyết 08 của Hòa Bình đặt mục tiêu gì?", None)
        allowed, gap = scope(DOCS, q)
        assert allowed == {1} and [p.name for p in q.places] == ["Hòa Bình"]


class TestQuoting:
    WEIGHTS = {"ap": 1.0, "dung": 1.0, "hinh": 1.0, "thuc": 1.0, "dich": 1.0, "vu": 1.0, "cong": 1.0}

    def test_a_unit_holding_the_asked_date_is_quoted_before_a_closer_one_without_it(self):
        q = parse(DOCS, "Dịch vụ công hai hình thức áp dụng từ ngày nào?", None)
        rows = [_row(1, "Dịch vụ công có hai hình thức, áp dụng rộng rãi cho mọi người dân."),
                _row(2, "Dịch vụ công hai hình thức theo Nghị định 42/2022/NĐ-CP, hiệu lực từ ngày 15/8/2022.")]
        text, quoted, row = extract(q, self.WEIGHTS, rows)
        assert "15/8/2022" in text and row is rows[1]

    def test_an_official_texts_header_is_never_the_quote(self):
        q = parse(DOCS, "Tổng kinh phí chính sách hỗ trợ tổ công nghệ số là bao nhiêu?", None)
        weights = {"tong": 1.0, "kinh": 1.0, "phi": 1.0, "chinh": 1.0, "sach": 1.0, "ho": 1.0, "tro": 1.0,
                   "to": 1.0, "cong": 1.0, "nghe": 1.0, "so": 1.0}
        rows = [_row(1, "HỘI ĐỒNG NHÂN DÂN TỈNH ĐIỆN BIÊN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - "
                        "Hạnh phúc Số: 15/2025/NQ-HĐND ngày 10 tháng 12 năm 2025 NGHỊ QUYẾT Quy định chính sách "
                        "hỗ trợ tổ công nghệ số cộng đồng"),
                _row(2, "Kinh phí thực hiện từ ngân sách tỉnh, dự kiến 48 tỷ đồng.")]
        text, _, row = extract(q, weights, rows)
        assert "48 tỷ đồng" in text and "CỘNG HÒA" not in text and row is rows[1]

    def test_each_question_of_a_message_gets_its_own_unit(self):
        q = parse(DOCS, "Yếu tố nào giữ vai trò quyết định, còn cái gì được coi là động lực?", None)
        weights = {"yeu": 1.0, "to": 1.0, "giu": 1.0, "vai": 1.0, "tro": 1.0, "quyet": 1.0, "dinh": 1.0,
                   "cai": 1.0, "coi": 1.0, "dong": 1.0, "luc": 1.0}
        rows = [_row(1, "Nghị quyết nhấn mạnh nhận thức giữ vai trò quyết định."),
                _row(2, "Thể chế và công nghệ là động lực.")]
        text, quoted, _ = extract(q, weights, rows)
        assert "nhận thức" in text and "Thể chế" in text

    def test_a_figure_of_a_neighbouring_topic_shares_words_but_not_phrases(self):
        q = parse(DOCS, "Người dân có chỉ tiêu về tài khoản thanh toán không dùng tiền mặt, bao nhiêu phần trăm?", None)
        weights = {"nguoi": 1.0, "dan": 1.0, "tai": 1.0, "khoan": 1.0, "thanh": 1.0, "toan": 1.0, "dung": 1.0,
                   "tien": 1.0, "mat": 1.0}
        phrases = {"tai khoan": 2.0, "thanh toan": 2.0, "tien mat": 2.0, "nguoi dan": 2.0}
        neighbour = [("100% cơ sở dữ liệu dùng chung phục vụ người dân, thanh niên và toàn tỉnh.", None)]
        gap = not_stated(q, weights, _row(1, ""), neighbour, q.text, {}, 0.3, phrases=phrases, min_phrase_coverage=0.3)
        assert gap is not None and gap.abstained
        own = [("80% người dân có tài khoản thanh toán không dùng tiền mặt.", None)]
        assert not_stated(q, weights, _row(1, ""), own, q.text, {}, 0.3, phrases=phrases, min_phrase_coverage=0.3) is None

    def test_a_phrase_typed_with_marks_is_matched_with_them(self):
        class AllPhrases:
            def has_phrase(self, tokens, accented):
                return True

        weights = {"ty": 1.0, "le": 1.0, "ho": 1.0, "gia": 1.0, "dinh": 1.0}
        fibre = "Tỉ lệ hộ gia đình có cáp quang đạt 85%."
        other = "Tỉ lệ hồ sơ hợp lệ đạt 100%."  # folded, "le ho" is "lệ hộ" too
        phrases = question_phrases(AllPhrases(), parse(DOCS, "Tỷ lệ hộ gia đình là bao nhiêu?", None), weights)
        assert phrase_coverage(phrases, fibre) == 1.0 and phrase_coverage(phrases, other) == 0.0
        folded = question_phrases(AllPhrases(), parse(DOCS, "ty le ho gia dinh la bao nhieu?", None), weights)
        assert phrase_coverage(folded, fibre) == 1.0 and phrase_coverage(folded, other) > 0
        # "kí" and "ký" are one syllable spelled two ways.
        signed = question_phrases(AllPhrases(), parse(DOCS, "Bao nhiêu người có chữ kí số?", None),
                                  {"chu": 1.0, "ki": 1.0, "so": 1.0})
        assert phrase_coverage(signed, "80% người dân có chữ ký số.") == 1.0

    def test_a_syllable_typed_with_marks_is_found_only_as_spelled(self):
        asked = "Nộp văn bản rồi thì họ có phải báo lại không?"
        weights = Weights({"nop": 1.0, "van": 1.0, "ban": 1.0, "ho": 1.0, "bao": 1.0, "lai": 1.0},
                          _spellings(syllables(asked)))
        notified = "Cơ quan phải thông báo lại cho họ khi nhận văn bản."
        filed = "Văn bản phải được đưa vào hồ sơ lưu trữ."  # folded, "hồ" is the "họ" asked
        assert coverage(weights, notified) > coverage(weights, filed)
        assert coverage(weights, filed) == pytest.approx(2 / 6)  # "văn bản" only
        # Typed without marks, "ho" may be any of them.
        plain = Weights(dict(weights), _spellings(syllables("nop van ban roi thi ho co phai bao lai khong")))
        assert coverage(plain, filed) == pytest.approx(3 / 6)
        # A wrong mark the speller could not place ("Chừ kí số": no document writes "chừ") is
        # matched without marks.
        typo = _spellings(syllables("Chừ kí số bảo đảm gì?"), known=lambda t: t != "chừ")
        assert "chu" not in typo and typo["ki"] == {"kí", "ký"}
        # A figure's unit or a number written in words is no syllable of the text, and still found.
        assert coverage(Weights({"met": 1.0}, {"met": frozenset({"mét"})}), "cách cổng 200 m") == 1.0

    def test_a_phrase_may_hold_one_word_inside(self):
        assert phrase_coverage({"sóng 4g": 1.0}, "d) 100% bản, tiểu khu có sóng di động 4G;") == 1.0
        assert phrase_coverage({"sóng 4g": 1.0}, "Sóng di động được phủ tới mọi bản, 4G ở trung tâm.") == 0.0
        assert phrase_coverage({"tiền mặt": 1.0}, "100% cơ sở dữ liệu dùng chung phục vụ người dân") == 0.0

    def test_a_follow_ups_own_topic_is_what_its_quote_must_speak_of(self):
        class AllPhrases:
            def has_phrase(self, tokens, accented):
                return True

        # "cơ quan nào làm thường trực?" after "… tổng kinh phí … bao nhiêu?", completed from it.
        q = parse(DOCS, "cơ quan nào làm thường trực tổng kinh phí chuyển đổi số Cao Bằng năm 2026?", None)
        weights = {"thuong": 1.0, "truc": 1.0, "tong": 0.5, "kinh": 0.5, "phi": 0.5, "chuyen": 0.5, "doi": 0.5}
        phrases = question_phrases(AllPhrases(), q, weights, own=["thường", "trực"])
        assert set(phrases) == {"thường trực"}
        assert {"kinh phí", "thường trực"} <= set(question_phrases(AllPhrases(), q, weights))  # not a follow-up
        assert question_phrases(AllPhrases(), q, weights, own=["còn"])  # no phrase of its own: all of them

    def test_the_words_of_a_document_named_are_no_topic(self):
        class AllPhrases:
            def has_phrase(self, tokens, accented):
                return True

        q = parse(DOCS, "Theo Nghị quyết 99/NQ-CP kinh tế số chiếm bao nhiêu GRDP?", None)
        weights = {"nghi": 1.0, "quyet": 1.0, "99": 1.0, "nq": 1.0, "cp": 1.0, "kinh": 1.0, "te": 1.0, "grdp": 1.0}
        phrases = question_phrases(AllPhrases(), q, weights)
        assert not {"nq", "cp", "nghị quyết"} & set(phrases) and "grdp" in phrases

    def test_the_bound_a_figure_question_asks_is_no_topic(self):
        class AllPhrases:
            def has_phrase(self, tokens, accented):
                return True

        # "Lưu trữ tối thiểu 90 ngày" shares "tối thiểu" with any "… tối thiểu là bao nhiêu?".
        q = parse(DOCS, "Lương tối thiểu của lập trình viên là bao nhiêu?", None)
        weights = {"luong": 1.0, "toi": 1.0, "thieu": 1.0, "lap": 1.0, "trinh": 1.0, "vien": 1.0}
        phrases = question_phrases(AllPhrases(), q, weights)
        assert "tối thiểu" not in phrases and "lập trình" in phrases
        assert phrase_coverage(phrases, "Lưu trữ tối thiểu 90 ngày đối với nội dung thông tin tổng hợp") == 0.0

    def test_a_provinces_own_body_named_with_its_level_is_no_topic(self):
        class Counts:
            def term_stats(self, tokens):
                return 100, {t: 1 for t in tokens}

        q = parse(DOCS, "Hội đồng nhân dân tỉnh Hòa Bình quy định người dân được hỗ trợ gì?", None)
        weights = question_weights(Counts(), q)
        assert not {"hoi", "nhan"} & set(weights) and {"dan", "ho", "tro"} <= set(weights)  # "người dân" stays
        q = parse(DOCS, "HĐND Hòa Bình hỗ trợ tổ công nghệ số những gì?", None)  # the province names it too
        assert "hdnd" not in question_weights(Counts(), q)
        q = parse(DOCS, "Bí thư Tỉnh ủy Hòa Bình là ai?", None)  # a title before it: the person asked about
        assert {"tinh", "uy"} <= set(question_weights(Counts(), q))
        q = parse(DOCS, "Hội đồng nhân dân có nhiệm vụ gì?", None)  # no level: the council is the topic
        assert {"hoi", "nhan"} <= set(question_weights(Counts(), q))

    def test_a_term_without_a_vowel_is_a_topic_however_it_is_typed(self):
        class NoPhrases:
            def has_phrase(self, tokens, accented):
                return False

        weights = {"kinh": 1.0, "grdp": 3.0, "online": 3.0}
        for typed in ("Kinh tế số chiếm bao nhiêu GRDP online?", "kinh te so chiem bao nhieu grdp online"):
            phrases = question_phrases(NoPhrases(), parse(DOCS, typed, None), weights)
            assert set(phrases) == {"grdp"}  # "online" is a word the documents may lack, no term

    def test_a_quote_that_does_not_name_the_numbered_thing_asked_does_not_answer(self):
        q = parse(DOCS, "Đề án 06 được phê duyệt tại quyết định số mấy?", None)
        weights = {"de": 1.0, "an": 1.0, "06": 1.0, "phe": 1.0, "duyet": 1.0}
        other = [("Quyết định 153/QĐ-TTg phê duyệt Đề án 05 về công nghệ thông tin.", None)]
        assert not_stated(q, weights, _row(1, ""), other, q.text, {}, 0.3, phrases={}, min_phrase_coverage=0.3)
        own = [("Quyết định 06/QĐ-TTg phê duyệt Đề án 06 về dân cư.", None)]
        assert not_stated(q, weights, _row(1, ""), own, q.text, {}, 0.3, phrases={}, min_phrase_coverage=0.3) is None

    @pytest.mark.parametrize("question", ["Gửi văn bản điện tử cho cơ quan có bắt buộc phải có chữ ký điện tử không?",
                                          "gui van ban dien tu cho co quan co bat buoc phai co chu ky dien tu khong"])
    def test_a_yes_no_question_is_answered_by_the_rule_with_its_own_modal(self, question):
        q = parse(DOCS, question, None)
        weights = {"gui": 1.0, "van": 1.0, "ban": 1.0, "dien": 1.0, "tu": 1.0, "co": 0.5, "quan": 0.5, "bat": 1.0,
                   "buoc": 1.0, "chu": 1.0, "ky": 1.0}
        rows = [_row(1, "Khi gửi văn bản điện tử cho cơ quan, người gửi có trách nhiệm dùng chữ ký điện tử."),
                _row(2, "Văn bản điện tử gửi đến cơ quan không nhất thiết phải có chữ ký điện tử.")]
        text, _, row = extract(q, weights, rows)
        assert row is rows[1] and "không nhất thiết phải" in text

    @pytest.mark.parametrize("question", ["Bên kia đưa thông tin cá nhân của mình cho người khác thì mình có đòi bồi thường được không?",
                                          "ben kia dua thong tin ca nhan cua minh cho nguoi khac thi minh co doi boi thuong duoc khong"])
    def test_a_yes_no_question_is_answered_by_the_clause_saying_what_it_asks_of(self, question):
        # The facts told before "có … không" are not what is asked: whether compensation is due is.
        q = parse(DOCS, question, None)
        weights = {"ben": 3.5, "dua": 2.9, "thong": 0.7, "tin": 0.7, "ca": 1.6, "nhan": 1.1, "nguoi": 2.0, "khac": 1.9,
                   "doi": 1.2, "boi": 3.2, "thuong": 2.6}
        rows = [_row(1, "2. Tổ chức, cá nhân không được cung cấp thông tin cá nhân của người khác cho bên thứ ba."),
                _row(2, "3. Cá nhân có quyền yêu cầu bồi thường thiệt hại do vi phạm trong việc cung cấp thông tin cá nhân.")]
        text, _, row = extract(q, weights, rows)
        assert row is rows[1] and text.startswith("3. Cá nhân có quyền yêu cầu bồi thường")

    def test_a_right_answers_whether_something_may_be_done(self):
        # "có được … không?" asks for a permission; "có quyền" grants one as "được" does.
        q = parse(DOCS, "Tôi có được yêu cầu công ty xóa thông tin cá nhân của tôi không?", None)
        weights = {"yeu": 1.0, "cau": 1.0, "cong": 0.5, "ty": 1.0, "xoa": 2.0, "thong": 0.5, "tin": 0.5, "ca": 0.5,
                   "nhan": 0.5}
        rows = [_row(1, "Doanh nghiệp phải thông báo cho người sử dụng khi có yêu cầu về thông tin cá nhân."),
                _row(2, "Cá nhân có quyền yêu cầu tổ chức lưu trữ thông tin cá nhân của mình hủy bỏ thông tin đó.")]
        text, _, row = extract(q, weights, rows)
        assert row is rows[1] and "có quyền yêu cầu" in text

    def test_a_clause_naming_the_state_is_no_letterhead(self):
        # The motto heading an official text is dropped; the state named inside a clause is not.
        q = parse(DOCS, "Nhà nước có khuyến khích lao động công nghệ thông tin làm việc ở nước ngoài không?", None)
        weights = {"khuyen": 2.0, "khich": 2.0, "lao": 1.0, "dong": 1.0, "lam": 1.0, "viec": 1.0, "ngoai": 1.0}
        rows = [_row(1, "1. Nhà nước khuyến khích tạo việc làm ở nước ngoài cho người lao động công nghệ thông tin, phù "
                        "hợp với điều ước quốc tế mà Cộng hòa xã hội chủ nghĩa Việt Nam là thành viên.\n"
                        "2. Nhà nước ưu đãi doanh nghiệp tuyển dụng lao động trong nước.")]
        text, _, _ = extract(q, weights, rows)
        assert text.startswith("1. Nhà nước khuyến khích")
        header = [_row(2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc khuyến khích lao động.\n"
                          "Nhà nước khuyến khích lao động làm việc ở nước ngoài.")]
        assert extract(q, weights, header)[0].startswith("Nhà nước khuyến khích")

    def test_who_a_list_is_about_is_named_by_its_lead(self):
        # "ai chịu trách nhiệm …": the item says what, its lead says who ("Người sử dụng … sau đây:").
        q = parse(DOCS, "Dùng dịch vụ nội dung thì ai chịu trách nhiệm về quyết định sử dụng?", None)
        weights = {"dung": 1.0, "dich": 1.0, "vu": 1.0, "noi": 1.0, "chiu": 2.0, "trach": 2.0, "nhiem": 2.0,
                   "quyet": 2.0, "dinh": 1.0, "su": 1.0}
        rows = [_row(1, "Người sử dụng dịch vụ nội dung có quyền và nghĩa vụ sau đây:\n1. Được sử dụng các dịch vụ;\n"
                        "2. Tự kiểm tra và chịu trách nhiệm về việc quyết định sử dụng dịch vụ của mình;"),
                _row(2, "Doanh nghiệp cung cấp dịch vụ nội dung có trách nhiệm giải quyết khiếu nại về dịch vụ.")]
        text, quoted, row = extract(q, weights, rows)
        assert row is rows[0] and text.startswith("Người sử dụng dịch vụ nội dung có quyền và nghĩa vụ sau đây:")
        assert "2. Tự kiểm tra và chịu trách nhiệm" in text

    def test_a_unit_of_the_document_named_by_number_speaks_of_it(self):
        # NQ 57's own clause does not repeat "57"; NQ 03's, restating the task, does.
        q = parse(DOCS, "Cơ quan nào theo dõi, kiểm tra, đánh giá việc thực hiện Nghị quyết 57?", None)
        weights = {"co": 0.8, "quan": 0.9, "doi": 1.2, "kiem": 2.1, "tra": 1.9, "danh": 1.8, "gia": 1.3, "viec": 1.4,
                   "thuc": 1.1, "hien": 1.1, "nghi": 1.0, "quyet": 1.5, "57": 2.3}
        own = dict(_row(1, "6. Văn phòng Trung ương Đảng phối hợp với Ban Kinh tế Trung ương theo dõi, kiểm tra, "
                           "đánh giá kết quả thực hiện Nghị quyết."), numbers=["57-NQ/TW"])
        citing = dict(_row(2, "2. Xác định nhiệm vụ cụ thể để các Bộ, ngành, địa phương tổ chức triển khai, kiểm tra, "
                              "giám sát, đánh giá việc thực hiện Nghị quyết số 57-NQ/TW."), numbers=["03/NQ-CP"])
        text, _, row = extract(q, weights, [own, citing])
        assert row is own and text.startswith("6. Văn phòng Trung ương Đảng")

    def test_a_list_question_is_answered_by_the_list_of_the_things_it_asks_for(self):
        # "những nguyên nhân nào": the clauses under "Nguyên nhân sự cố", not a clause that repeats
        # more of the question's other words.
        q = parse(DOCS, "Sự cố hệ thống công nghệ thông tin có thể do những nguyên nhân nào?", None)
        weights = {"su": 1.3, "co": 0.8, "he": 1.7, "thong": 0.7, "cong": 0.7, "nghe": 0.7, "tin": 0.7, "the": 1.9,
                   "nguyen": 2.2, "nhan": 1.1}
        causes = _row(1, "1. Do lỗi hệ thống: hệ thống không đáp ứng tiêu chuẩn.\n2. Do lỗi sử dụng.",
                      "ỨNG DỤNG — Điều 4, Thông tư 02/2011/TT-BTTTT — Nguyên nhân sự cố")
        report = _row(2, "4. Đơn vị sử dụng thiết bị phải lập báo cáo nhanh sự cố hệ thống công nghệ thông tin.",
                      "ỨNG DỤNG — Điều 5, Thông tư 02/2011/TT-BTTTT — Xử lý nhanh khi có sự cố")
        text, _, row = extract(q, weights, [report, causes])
        assert row is causes and "1. Do lỗi hệ thống" in text and "2. Do lỗi sử dụng" in text

    def test_a_question_asking_for_several_things_quotes_more_of_the_passage(self):
        weights = {"huyen": 1.0, "nha": 1.0, "mang": 1.0, "cung": 1.0, "cap": 1.0, "internet": 1.0}
        rows = [_row(1, "Huyện có nhà mạng VNPT cung cấp Internet. Nhà mạng Viettel cũng cung cấp Internet. "
                        "Nhà mạng MobiFone cung cấp dịch vụ di động. Người dân dùng điện thoại.")]
        listing = extract(parse(DOCS, "Huyện có những nhà mạng nào cung cấp Internet?", None), weights, rows)[0]
        single = extract(parse(DOCS, "Nhà mạng cung cấp Internet ở huyện?", None), weights, rows)[0]
        assert "VNPT" in listing and "Viettel" in listing and "MobiFone" in listing
        assert "MobiFone" not in single

    def test_not_stated_never_quotes_a_bare_list_marker(self):
        q = parse(DOCS, "Quán được mở cửa đến mấy giờ?", None)
        weights = {"quan": 1.0, "mo": 1.0, "cua": 1.0, "gio": 1.0}
        gap = not_stated(q, weights, _row(1, ""), [("4.", None), ("Chủ điểm tuân thủ thời gian hoạt động.", None)],
                         q.text, {}, 0.3)
        assert gap.abstained and "«4.»" not in gap.text and "«Chủ điểm tuân thủ" in gap.text


class TestReferences:
    HEADING = "PHÁT TRIỂN CÔNG NGHIỆP — Điều 9, Nghị định 72/2013/NĐ-CP — Quyền, nghĩa vụ của chủ điểm"
    ARTICLE = ("(Điều 36 Nghị định số 72/2013/NĐ-CP)\n1. Treo biển hiệu;\n2. Có quyền:\na) Được mở cửa;\n"
               "b) Được tổ chức giải đấu;\n8. Không được hoạt động từ 22 giờ đêm đến 8 giờ sáng hôm sau;\n"
               "9. Bảo đảm an toàn thông tin;")

    def test_a_clause_of_this_instrument_is_read_with_the_instrument_of_the_heading(self):
        text = "Điểm có cung cấp trò chơi tuân thủ thời gian hoạt động theo quy định tại Khoản 8 Điều 36 Nghị định này."
        (ref,) = references(text, self.HEADING)
        assert ref.heading == "Điều 36, Nghị định 72/2013/NĐ-CP"
        assert ref.label == "khoản 8 Điều 36, Nghị định 72/2013/NĐ-CP"

    def test_a_clause_of_a_named_instrument_and_a_point_are_read(self):
        text = "theo quy định tại điểm b khoản 2 Điều 5 của Thông tư số 24/2014/TT-BTTTT"
        (ref,) = references(text, "")
        assert (ref.point, ref.clause, ref.article, ref.instrument) == ("b", "2", "5", "Thông tư 24/2014/TT-BTTTT")

    def test_no_clause_is_followed_where_it_cannot_be_found(self):
        assert references("quy định tại Điều 5 Nghị định này", self.HEADING) == []  # a whole article
        assert references("quy định tại khoản 8 Điều 36 Luật này", self.HEADING) == []  # another kind of text
        assert references("quy định tại khoản 8 Điều 36 Nghị định này", "") == []  # "này" is unknown

    def test_the_clause_runs_to_the_next_numbered_line(self):
        ref = Reference("36", "8", None, "Nghị định 72/2013/NĐ-CP")
        assert clause_text(self.ARTICLE, ref) == "Không được hoạt động từ 22 giờ đêm đến 8 giờ sáng hôm sau"
        assert clause_text(self.ARTICLE, Reference("36", "2", "b", "")) == "Được tổ chức giải đấu"
        assert clause_text(self.ARTICLE, Reference("36", "7", None, "")) is None


def test_sources_are_listed_once_a_document_but_each_legal_article_apart():
    from knowledge.answering import Answer, Source

    def src(pid: int, doc_id: int, kind: str, heading: str) -> Source:
        return Source(doc=f"{doc_id}.md", path=f"{doc_id}.md", doc_id=doc_id, title="Công nghệ thông tin", kind=kind,
                      number=None, date=None, provinces=[], passage_id=pid, score=1.0, text="", heading=heading)

    news = Answer("q", "a", sources=[src(1, 1, "news", "Mục 1"), src(2, 1, "news", "Mục 2"), src(3, 2, "news", "")])
    assert len(news.citations()) == 2
    law = Answer("q", "a", sources=[src(4, 3, "law", "A — Điều 9, Nghị định 72/2013/NĐ-CP — Quyền"),
                                    src(5, 3, "law", "A — Điều 36, Nghị định 72/2013/NĐ-CP — Quyền"),
                                    src(6, 3, "law", "A — Điều 9, Nghị định 72/2013/NĐ-CP — Quyền")])
    assert [c.split(" (")[0] for c in law.citations()] == ["Điều 9, Nghị định 72/2013/NĐ-CP",
                                                          "Điều 36, Nghị định 72/2013/NĐ-CP"]
