from hypothesis import given
from hypothesis import strategies as st

from index.lexical import build_match
from index.text import fold, iy_twin, normalize, split_sentences, syllables


def test_normalize_composes_to_nfc():
    decomposed = "Ho\u0300a Bi\u0300nh"
    assert normalize(decomposed) == "Hòa Bình"


def test_normalize_composes_a_tone_typed_before_the_vowel_mark():
    # a + grave + circumflex: NFC alone leaves "à̂" (two marks on a), not "ầ".
    assert normalize("nha\u0300\u0302p") == "nhầp"
    assert normalize("lua\u0309\u0302t") == "luẩt"
    assert normalize("tu\u0300\u031bng") == "từng"
    assert normalize(normalize("nha\u0300\u0302p")) == normalize("nha\u0300\u0302p")


def test_normalize_accepts_both_tone_placements():
    assert normalize("Hoà Bình") == normalize("Hòa Bình") == "Hòa Bình"
    assert normalize("Uỷ ban") == "Ủy ban"
    assert normalize("Thanh Hoá") == "Thanh Hóa"


def test_normalize_keeps_syllables_spelled_alike_in_both_conventions():
    for word in ("hoàng", "thuyền", "quý", "Quỳnh", "khuyến"):
        assert normalize(word) == word


def test_a_lone_i_or_y_has_its_other_spelling():
    assert [iy_twin(w) for w in ("kí", "ký", "tỉ", "lý", "mỹ", "ki")] == ["ký", "kí", "tỷ", "lí", "mĩ", "ky"]
    for word in ("công", "quý", "thủy", "tiền", "vi"):  # not a lone i/y after h, k, l, m, s, t
        assert iy_twin(word) is None


def test_fold_maps_d_bar_and_drops_marks():
    assert fold("Đắk Lắk mục tiêu kinh tế số") == "dak lak muc tieu kinh te so"


def test_syllables_split_document_numbers():
    assert syllables("Nghị quyết 08-NQ/TU") == ["nghị", "quyết", "08", "nq", "tu"]


def test_percent_sign_reads_as_phan_tram():
    assert syllables("đạt 80%") == ["đạt", "80", "phần", "trăm"]


def test_split_sentences_keeps_abbreviations_whole():
    parts = split_sentences("Tại TP. Hồ Chí Minh có 5 xã. Năm 2025 đạt 1.000 hồ sơ.")
    assert parts == ["Tại TP. Hồ Chí Minh có 5 xã.", "Năm 2025 đạt 1.000 hồ sơ."]


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_text_rules_never_raise(text):
    fold(text)
    syllables(text)
    split_sentences(text)
    build_match(text)


@given(st.lists(st.sampled_from(['"', "*", "(", ")", "-", ":", " OR ", "NEAR(", "--", "^", "+", "abc", "đê", " "]))
       .map("".join))
def test_build_match_quotes_every_term(text):
    match = build_match(text)
    if match is not None:
        # Every term sits inside double quotes, so FTS5 operators in the input stay literal.
        for part in match.split(" OR "):
            column, _, phrase = part.partition(" : ")
            assert column in ("accented", "folded")
            assert phrase.startswith('"') and phrase.endswith('"') and phrase.count('"') == 2
