"""Answer-pipeline stages alone: plain data in, plain data out, no model and no database."""

import pytest

from index.hits import Hits
from index.hybrid import HybridRetriever
from knowledge.answering.analysis import parse
from knowledge.answering.answer_type import not_stated
from knowledge.answering.candidates import extract
from knowledge.answering.scope import scope

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


class TestScope:
    def test_a_province_without_documents_is_a_gap_that_names_the_covered_ones(self):
        allowed, gap = scope(DOCS, parse(DOCS, "Mục tiêu của Cà Mau?", None))
        assert allowed is None and gap.abstained
        assert "Cà Mau" in gap.text and "Hòa Bình" in gap.text and "Đắk Lắk" in gap.text

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


class TestAnswerType:
    def test_a_figure_of_another_thing_is_not_the_answer(self):
        q = parse(DOCS, "Huyện có bao nhiêu máy chủ?", None)
        q.counted = "máy"
        weights = {"huyen": 1.0, "may": 1.0, "chu": 1.0}
        gap = not_stated(q, weights, _row(1, ""), [("Huyện có 15 văn bản chỉ đạo.", None)], q.text, {}, 0.3)
        assert gap is not None and gap.abstained and "không nêu con số" in gap.text
        assert not_stated(q, weights, _row(1, ""), [("Huyện có 12 máy chủ.", None)], q.text, {}, 0.3) is None

    def test_a_figure_for_another_year_is_not_the_answer(self):
        q = parse(DOCS, "Tỷ lệ hồ sơ trực tuyến năm 2025 là bao nhiêu?", None)
        weights = {"ty": 1.0, "le": 1.0, "ho": 1.0, "so": 1.0, "truc": 1.0, "tuyen": 1.0}
        gap = not_stated(q, weights, _row(1, ""), [("Tỷ lệ hồ sơ trực tuyến đạt 90%.", 2030)], q.text, {}, 0.3)
        assert gap is not None and "cho năm 2025" in gap.text
