"""Query analysis: how people type, read back into the words documents use.

- Abbreviations ("CĐS", "DVCTT", "UBND") and chat shorthand ("ko", "bn") are expanded from
  the abbreviation list, an ordinary knowledge-base document (kind ``abbreviations``) that
  admins extend by ingesting it again.
- The question type (a figure, a date, an agency, a definition…) is detected, so the
  answer can be checked for holding an answer of that type.

Pure functions, except :func:`abbreviations`, which reads the list from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import fold

# "CĐS: chuyển đổi số" / "- DVC — dịch vụ công": one abbreviation a line.
_ENTRY = re.compile(r"^\s*[-*•]?\s*([^\s:=–—]{1,12})\s*[:=–—]\s*(.+?)\s*$")
# A Vietnamese syllable without marks: onset, vowel nucleus, coda. An upper-case abbreviation
# typed in lower case ("cds", "ubnd") is only read as one when it cannot be a syllable, so
# "tu" (từ, tư…) is never taken for "TU" (Tỉnh ủy).
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")


@dataclass(frozen=True)
class Abbreviations:
    """Short form -> expansion. Upper-case forms match as typed, or folded when they cannot be a
    syllable ("cds", "dvctt"); lower-case forms (chat shorthand, "ko", "bn") match lower case only."""

    upper: dict[str, str]  # folded short form -> expansion
    lower: dict[str, str]

    @classmethod
    def parse(cls, texts: list[str]) -> "Abbreviations":
        upper: dict[str, str] = {}
        lower: dict[str, str] = {}
        for text in texts:
            for line in text.splitlines():
                m = _ENTRY.match(line)
                if not m or len(m.group(2)) > 80:
                    continue
                short, full = m.group(1), m.group(2).rstrip(".;")
                if short.islower():
                    lower[short] = full
                elif any(ch.isupper() for ch in short):
                    upper[fold(short)] = full
        return cls(upper, lower)

    def expand(self, text: str) -> str:
        """``text`` with each known abbreviation replaced by its expansion."""
        if not self.upper and not self.lower:
            return text

        def replace(m: re.Match) -> str:
            token = m.group(0)
            around = m.string[max(0, m.start() - 1):m.start()] + m.string[m.end():m.end() + 1]
            if "/" in around or "-" in around:
                return token  # part of a document number: "03/NQ-CP", "57-NQ/TW"
            if token in self.lower:
                return self.lower[token]
            folded = fold(token)
            full = self.upper.get(folded)
            if full is None:
                return token
            if token.islower() and _SYLLABLE.fullmatch(folded):
                return token  # an ordinary syllable typed in lower case
            return full

        return re.sub(r"[^\W_]+(?:&[^\W_]+)?", replace, text)


EMPTY = Abbreviations({}, {})

# What a question asks for, from its (folded) wording. Each entry is a general interrogative
# of Vietnamese, not a phrase of any particular question.
_TYPES = {
    # ("mức nào" is not here: a level may be "cơ bản hoàn thành" as well as "mức độ 4".)
    "quantity": r"\b(bao nhieu|may phan|bao lau|ty le|ti le|phan tram|toi da|toi thieu|"
                r"it nhat|so luong|may (nguoi|doanh nghiep|mo dun|phong|tram|lan|gio|ngay|nam|thang|muc|nuoc))\b",
    # Asking for a day, not a year: "từ ngày nào", "ngày nào".
    "day": r"\b(ngay nao|tu ngay|ngay bao nhieu|ngay may)\b",
    "when": r"\b(khi nao|bao gio|luc nao|ngay nao|nam nao|thang nao|thoi han|han chot|deadline|thoi gian nao|"
            r"tu ngay|tu nam|hieu luc|giai doan nao|moc nao)\b",
    "who": r"\b(ai|co quan nao|bo nao|don vi nao|nganh nao|to chuc nao|chu tri|giao cho|phu trach|"
           r"ai ky|nguoi ky|ban hanh boi|cap nao)\b",
    "where": r"\b(o dau|noi nao|xa nao|huyen nao|tinh nao|dia phuong nao)\b",
    # "X khác gì Y" asks for both definitions.
    "definition": r"\b(la gi|nghia la gi|nghia la|khai niem|dinh nghia|duoc hieu|hieu the nao|hieu nhu the nao|la sao|"
                  r"khac gi|khac nhau)\b",
    "yesno": r"\b(co phai|phai khong|co duoc|duoc khong|co can|can khong|co bat buoc|bat buoc khong|"
             r"co vi pham|hay khong|khong a|chua)\s*\??\s*$",
}
_TYPE_RES = {name: re.compile(pattern) for name, pattern in _TYPES.items()}


def question_types(question: str) -> set[str]:
    """The kinds of answer ``question`` asks for: quantity, when, day, who, where, definition, yesno."""
    folded = fold(question)
    return {name for name, pattern in _TYPE_RES.items() if pattern.search(folded)}


# What each kind of answer looks like in a document. A figure is a number that is not a
# year, a date or part of a document number ("năm 2025", "27/10/2021", "07-NQ/TU").
_NOT_FIGURES = re.compile(r"\b\d{1,4}(?:/\d{4})?[/-][A-ZĐ][\w/-]*|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b"
                          r"|\b(?:19|20)\d\d\b")
_FIGURE = re.compile(r"\d")
_DAY = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày\s+\d{1,2}\b", re.IGNORECASE)
_DATE = re.compile(r"\b(?:\d{1,2}/)?\d{1,2}/\d{4}\b|\b(?:năm|quý|tháng)\s+[\dIVX]+|\b20\d\d\b|\b19\d\d\b"
                   r"|thường xuyên|hằng năm|hàng năm", re.IGNORECASE)
_AGENT = re.compile(r"\b(Bộ|Sở|Ban|Ủy ban|UBND|HĐND|Văn phòng|Tỉnh ủy|Thành ủy|Huyện ủy|Chính phủ|Quốc hội|"
                    r"Thủ tướng|Bí thư|Chủ tịch|Tổng Bí thư|Cục|Tổng cục|Viện|Trung tâm|Ngân hàng|Đài|Thông tấn|"
                    r"cơ quan|doanh nghiệp|các bộ|địa phương|tổ chức|cá nhân)\b")


def holds_answer(kind: str, text: str) -> bool:
    """Whether ``text`` contains an answer of ``kind`` (a figure, a date, an agency…)."""
    if kind == "quantity":
        return bool(_FIGURE.search(_NOT_FIGURES.sub(" ", text)))
    if kind == "day":
        return bool(_DAY.search(text))
    if kind == "when":
        return bool(_DATE.search(text))
    if kind == "who":
        return bool(_AGENT.search(text))
    return True
