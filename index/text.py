"""Vietnamese text rules shared by every layer: normalisation, folding, syllables.

These are pure functions. They live in ``index/`` because the lexical index
tokenises with them; ``knowledge/`` and ``bot/`` import them from here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalize", "fold", "syllables", "folded_words", "has_diacritics", "tone", "split_sentences", "is_stopword", "iy_twin"]

# The five Vietnamese tone marks as combining characters.
_TONES = "\u0300\u0301\u0303\u0309\u0323"

# "hoà/hòa", "khoẻ/khỏe", "thuỷ/thủy": the two conventions differ only for the open
# syllables -oa, -oe, -uy. We keep the older placement on the first vowel, the one
# used in official names (Hòa Bình, Thanh Hóa, Khánh Hòa, Ủy ban).
def _build_tone_map() -> dict[str, str]:
    table = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for f, s in ((first, second), (first.upper(), second), (first.upper(), second.upper()),
                     (first, second.upper())):
            for tone in _TONES:
                new_style = unicodedata.normalize("NFC", f + s + tone)
                old_style = unicodedata.normalize("NFC", f + tone + s)
                table[new_style] = old_style
    return table


_TONE_MAP = _build_tone_map()
# Not after q/g (there u/i belong to the consonant: "quý", "quỳ"), and only at a
# syllable end ("hoàng" and "thuyền" are spelled alike in both conventions).
_TONE_RE = re.compile(r"(?<![qQgG])(" + "|".join(map(re.escape, _TONE_MAP)) + r")(?!\w)")
# Control characters other than tab and newline; zero-width characters.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff]")


# Marks NFC could not compose: a tone typed before the vowel's own mark ("a" + grave + circumflex
# stays "à̂", where "ầ" was meant), as some input methods and decomposed sources write them.
_LOOSE_MARKS = re.compile(r"[\u0300-\u036f]{2,}|(?<=[^\W\d_])[\u0300-\u036f]")
# The marks that shape a vowel (â ê ô, ă, ơ ư) come before its tone mark.
_SHAPE_MARKS = frozenset("\u0302\u0306\u031b")


def _reorder_marks(text: str) -> str:
    """``text`` with each letter's combining marks in the order NFC composes: shape, then tone."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", re.sub(
        r"[\u0300-\u036f]+", lambda m: "".join(sorted(m.group(), key=lambda c: c not in _SHAPE_MARKS)), decomposed))


def normalize(text: str) -> str:
    """NFC (a tone typed before the vowel's mark too), one tone-mark convention, no control characters.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``.
    """
    text = unicodedata.normalize("NFC", text)
    if _LOOSE_MARKS.search(text):
        text = _reorder_marks(text)
    text = _CONTROL_RE.sub("", text)
    text = text.replace("\u00a0", " ")
    text = _TONE_RE.sub(lambda m: _TONE_MAP[m.group(1)], text)
    return unicodedata.normalize("NFC", text)


# "kí/ký", "tỉ/tỷ", "lí/lý", "mĩ/mỹ", "sĩ/sỹ", "hi/hy": after these consonants a lone i and y are
# the same vowel, spelled both ways (documents and people mix them).
_IY = {"i": "y", "í": "ý", "ì": "ỳ", "ỉ": "ỷ", "ĩ": "ỹ", "ị": "ỵ"}
_IY.update({y: i for i, y in list(_IY.items())})
_IY_RE = re.compile(r"(?:h|k|l|m|s|t)([iíìỉĩịyýỳỷỹỵ])")


def iy_twin(syllable: str) -> str | None:
    """The other spelling of a syllable whose vowel is a lone i or y ("kí" -> "ký", "ty" -> "ti"), or None."""
    m = _IY_RE.fullmatch(syllable)
    return syllable[:-1] + _IY[m.group(1)] if m else None


def _build_fold_table() -> dict[int, str]:
    """Each character with marks -> its bare letters; combining marks -> nothing.

    A translate table does in C what NFD plus a filter does per character in Python:
    folding runs over every candidate passage of every question.
    """
    table: dict[int, str] = {}
    for start, end in ((0x80, 0x3000), (0xFE20, 0xFE30)):  # Latin, Greek, Cyrillic, combining marks
        for cp in range(start, end):
            ch = chr(cp)
            bare = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            if bare != ch:
                table[cp] = bare
    # đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case and remove every diacritic, mapping đ to d ("Đắk Lắk" -> "dak lak")."""
    return text.lower().translate(_FOLD_TABLE)


# Letters and digits only: the underscore, a \w character, is a separator to FTS5.
_WORD_RE = re.compile(r"[^\W_]+")


def syllables(text: str) -> list[str]:
    """Lower-cased syllables (and numbers) of ``text``, diacritics kept.

    "%" reads as "phần trăm": documents write "100%", people ask "bao nhiêu phần trăm".
    """
    return _WORD_RE.findall(normalize(text).lower().replace("%", " phần trăm "))


@lru_cache(maxsize=20_000)
def folded_words(text: str) -> str:
    """``text``'s syllables without diacritics, space-separated ("Đắk Lắk, 2025" -> "dak lak 2025").

    Remembered: passages and their sentences are read this way again by every question that
    retrieves them.
    """
    return fold(" ".join(syllables(text)))


def has_diacritics(token: str) -> bool:
    """True if ``token`` carries any Vietnamese mark (or đ)."""
    return fold(token) != token.lower()


def tone(token: str) -> str:
    """The tone mark of ``token`` ("" for thanh ngang): "nghiêmm" and "nghiêm" share one."""
    return "".join(ch for ch in unicodedata.normalize("NFD", token) if ch in _TONES)


# A sentence ends at . ! ? … followed by space and a capital, digit, quote or bracket,
# except after abbreviations that end in a dot ("TP. Hồ Chí Minh", "Ảnh: C.B").
_SENT_END_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"“'(\[]?[A-ZÀ-Ỹ0-9Đ])")
_ABBREV_RE = re.compile(r"(?:\b(?:TP|Tp|TS|ThS|PGS|GS|BS|ông|bà|St|Q|P|Th)\.|\b[A-ZĐ]\.)$")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; lines are always boundaries."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        start = 0
        for m in _SENT_END_RE.finditer(line):
            if _ABBREV_RE.search(line[start : m.start()]):
                continue
            out.append(line[start : m.start()].strip())
            start = m.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out


# Function syllables of questions ("là gì", "bao nhiêu", "của"...), the particles of chat
# ("à", "nhỉ", "nữa", "rồi") and the words that call the bot ("bạn ơi", "ad ơi", "admin", "bot").
# They carry no topic, and only slow BM25 down.
STOPWORDS = frozenset("""
là gì nào ai đâu sao bao nhiêu mấy thế như không có của và các những được cho với về
thì mà ở tại trong này đó kia một theo từ đến hay hoặc hãy xin vui lòng cho biết tôi mình
bạn ạ nhé vậy gồm đã đang sẽ rằng nên phải muốn
à nhỉ nha hả hở chứ đấy nữa rồi
ơi ad admin bot chatbot
""".split())
FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS)


def is_stopword(token: str) -> bool:
    """Stop-syllable test that works for tokens typed with or without diacritics."""
    token = token.lower()
    return token in STOPWORDS if has_diacritics(token) else token in FOLDED_STOPWORDS
