import sqlite3

import numpy as np
import pytest

from index.dense import DenseIndex, DenseIndexError
from index.fusion import convex_fusion, reciprocal_rank_fusion
from index.hits import Hits
from index.lexical import LexicalIndex


@pytest.fixture
def lexical():
    conn = sqlite3.connect(":memory:")
    index = LexicalIndex(conn)
    index.add([1, 2, 3], ["Mục tiêu kinh tế số tỉnh Đắk Lắk năm 2025",
                          "Dịch vụ công trực tuyến mức độ 4", "Hòa Bình ban hành Nghị quyết 08-NQ/TU"])
    return index


def test_lexical_finds_text_typed_without_diacritics(lexical):
    assert lexical.search("muc tieu kinh te so dak lak", 3).ids[0] == 1


@pytest.mark.parametrize("typed", ["tỉ lệ", "tỷ lệ", "ti le", "ty le"])
def test_lexical_finds_either_spelling_of_a_lone_i_or_y(typed):
    conn = sqlite3.connect(":memory:")
    index = LexicalIndex(conn)
    index.add([1, 2], ["Tỷ lệ hồ sơ trực tuyến đạt 80%", "Kinh tế số chiếm 20% GRDP"])
    assert index.search(typed, 2).ids == [1]


def test_lexical_accented_query_does_not_match_other_marks(lexical):
    # "mức" (level) is not "mục" (item): with marks typed, they stay apart.
    assert 1 not in lexical.search("mức", 3).ids


@pytest.mark.parametrize("query", ['" * NEAR( OR ) --', 'Hòa Bình" OR "x', "NEAR(hoa binh, 2)", "*", "AND OR NOT"])
def test_lexical_special_characters_never_break_a_query(lexical, query):
    lexical.search(query, 3)


def test_two_phrases_near_each_other_are_found_with_an_alias_between():
    conn = sqlite3.connect(":memory:")
    index = LexicalIndex(conn)
    index.add([1, 2], ["22. Mạng xã hội (social network) là hệ thống thông tin",
                       "Người dùng mạng xã hội phải tuân thủ quy chế, là điều kiện"])
    assert index.search_near(["mang", "xa", "hoi"], ["la"], 4, 5).ids == [1]
    assert index.search_near(["mang", "xa", "hoi"], ["la"], 4, 5, allowed={2}).ids == []
    assert index.search_near(["mang", "OR"], ["*"], 4, 5).ids == []  # never FTS5 syntax


def test_lexical_respects_allowed_ids(lexical):
    assert lexical.search("Đắk Lắk", 3, allowed={2, 3}).ids == []


def test_lexical_remove_forgets_a_passage(lexical):
    lexical.remove([3])
    assert lexical.search("Hòa Bình", 3).ids == []


def test_dense_add_search_remove():
    index = DenseIndex(4, "m")
    index.add([10, 20, 30], np.eye(4, dtype=np.float32)[:3])
    assert index.search(np.eye(4, dtype=np.float32)[1], 1).ids == [20]
    index.remove([20])
    assert 20 not in index.search(np.eye(4, dtype=np.float32)[1], 3).ids


def test_dense_save_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "dense.npz"
    index = DenseIndex(4, "m")
    index.add([1], np.ones((1, 4), dtype=np.float32))
    index.save(path)
    index.add([2], np.ones((1, 4), dtype=np.float32))
    index.save(path)
    assert DenseIndex.load(path, "m", 4).ids() == {1, 2}
    assert [p.name for p in tmp_path.iterdir()] == ["dense.npz"]  # no temporary file left behind


def test_dense_refuses_an_index_from_another_model(tmp_path):
    path = tmp_path / "dense.npz"
    DenseIndex(4, "model-a").save(path)
    with pytest.raises(DenseIndexError):
        DenseIndex.load(path, "model-b", 4)


def test_dense_refuses_a_corrupt_file(tmp_path):
    path = tmp_path / "dense.npz"
    path.write_bytes(b"garbage")
    with pytest.raises(DenseIndexError):
        DenseIndex.load(path, "m", 4)


def test_rrf_rewards_agreement():
    fused = reciprocal_rank_fusion([Hits([1, 2, 3], [3, 2, 1]), Hits([2, 3, 1], [3, 2, 1])])
    assert fused.ids[0] == 2


def test_rrf_needs_one_weight_per_list():
    with pytest.raises(ValueError, match="one weight per list"):
        reciprocal_rank_fusion([Hits([1], [1.0])], weights=[1.0, 2.0])


def test_convex_fusion_keeps_a_clear_lexical_winner_ahead():
    lexical = Hits([1, 2, 3], [30.0, 5.0, 4.0])  # 1 is far ahead
    dense = Hits([2, 1, 3], [0.86, 0.85, 0.80])  # near tie
    assert convex_fusion([lexical, dense], [0.7, 0.3]).ids[0] == 1


def test_convex_fusion_counts_an_id_missing_from_a_list_as_zero_there():
    fused = convex_fusion([Hits([1, 2], [2.0, 1.0]), Hits([3], [0.9])], [0.5, 0.5])
    assert dict(zip(fused.ids, fused.scores)) == {1: 0.5, 3: 0.5, 2: 0.0}
