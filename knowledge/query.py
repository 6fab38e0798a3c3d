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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from index.text import fold, folded_words, has_diacritics, is_stopword, syllables, tone

from .metadata import document_numbers, kind_names

# "CĐS: chuyển đổi số" / "- DVC — dịch vụ công": one abbreviation a line.
_ENTRY = re.compile(r"^\s*[-*•]?\s*([^\s:=–—]{1,12})\s*[:=–—]\s*(.+?)\s*$")
# A Vietnamese syllable without marks: onset, vowel nucleus, coda. An upper-case abbreviation
# typed in lower case ("cds", "ubnd") is only read as one when it cannot be a syllable, so
# "tu" (từ, tư…) is never taken for "TU" (Tỉnh ủy).
_SYLLABLE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?")


@dataclass(frozen=True)
class Abbreviations:
    """Short form -> expansion. Upper-case forms match as typed, or folded when they cannot be a
    syllable ("cds", "dvctt"; "Tư", "Tự" are words, not "TU"); lower-case forms (chat shorthand,
    "ko", "bn") match lower case only."""

    upper: dict[str, str]  # folded short form -> expansion
    lower: dict[str, str]
    # Passages are expanded too, on every question that retrieves them ("CĐS là quá trình …"
    # must match "chuyển đổi số là gì"): their expansions are remembered.
    _seen: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

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

    def expand_passage(self, text: str, numbers: bool = False) -> str:
        """:meth:`expand` for a passage's text, remembered.

        :param numbers: follow it with what the document numbers it cites say of their kind and
            issuer ("411/QĐ-TTg": "quyết định", "Thủ tướng Chính phủ"), for a question asking
            which instrument ("QĐ nào của TTg")
        """
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) > 20_000:
                self._seen.clear()
            found = self._seen[text] = self.expand(text)
        return found + self._number_words(text) if numbers else found

    def _number_words(self, text: str) -> str:
        words = []
        for number in document_numbers(text):
            for part in re.findall(r"[^\W\d_]+", number):
                full = self.upper.get(fold(part))
                if full and full not in words:
                    words.append(full)
        return " (" + "; ".join(words) + ")" if words else ""

    def short_forms(self, text: str) -> list[str]:
        """The short forms (folded) of the terms ``text`` writes in full ("chuyển đổi số": "cds"),
        to find the passages that write them short ("CĐS là quá trình …"): their words are only
        in :meth:`expand_passage`, which the lexical index never sees. Terms of three syllables or
        more; a shorter one ("Chính phủ": "CP") is also a code of document numbers ("03/NQ-CP")."""
        read = f" {folded_words(text)} "
        return [short for short, full in self._long_forms.items() if full in read and f" {short} " not in read]

    @cached_property
    def _long_forms(self) -> dict[str, str]:
        """Upper-case short form -> its expansion of three syllables or more, folded, spaced (" chuyen doi so ")."""
        return {short: f" {folded_words(full)} " for short, full in self.upper.items() if len(full.split()) >= 3}

    def expand(self, text: str) -> str:
        """``text`` with each known abbreviation replaced by its expansion."""
        if not self.upper and not self.lower:
            return text
        folded = fold(text)
        if len(folded) != len(text):  # a character folding to two: read token by token
            return _TOKEN.sub(lambda m: self._replacement(m.group(0), text, m.start(), m.end()), text)
        # Only the places where a short form stands (found in the folded text, whose positions are
        # the text's) are looked at: a passage has thousands of words and a handful of these.
        out, pos = [], 0
        for m in self._forms.finditer(folded):
            out += [text[pos:m.start()], self._replacement(text[m.start():m.end()], text, m.start(), m.end())]
            pos = m.end()
        return "".join(out) + text[pos:] if out else text

    @cached_property
    def _forms(self) -> re.Pattern:
        """Every short form, folded, as a whole token ("KH&CN" too)."""
        forms = sorted({*self.upper, *(fold(k) for k in self.lower)}, key=len, reverse=True)
        return re.compile(r"(?<![^\W_])(?<!&)(?:" + "|".join(map(re.escape, forms)) + r")(?![^\W_]|&[^\W_])")

    def _replacement(self, token: str, text: str, start: int, end: int) -> str:
        around = text[max(0, start - 1):start] + text[end:end + 1]
        if "/" in around or "-" in around:
            return token  # part of a document number: "03/NQ-CP", "57-NQ/TW"
        if token in self.lower:
            return self.lower[token]
        folded = fold(token)
        full = self.upper.get(folded)
        if full is None:
            return token
        if not token.isupper() and _SYLLABLE.fullmatch(folded):
            return token  # an ordinary syllable, in lower case or opening a sentence ("Tư pháp", "Tự động")
        return full


# A token as abbreviations are read: letters and digits, "KH&CN" as one.
_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)?")


EMPTY = Abbreviations({}, {})

# "nghị định số mấy", "QĐ nào" (read "quyết định nào"), "số hiệu": a question asking which
# instrument. "số nào" alone is not enough: "chuyển đổi số nào" ends the same way; nor is "số
# mấy" / "số bao nhiêu" followed by more than a particle or the next question: "kinh tế số bao
# nhiêu % GRDP" asks a share of the digital economy.
_ASK_ENDS = r"(?=\s*(?:[,.;:?!]|$)|\s+(?:vay|a|nhi|nhe|the|ha|day|roi|va|ngay|nam|thong|ban|ky|co|do)\b)"
_KINDS = "(" + "|".join(fold(name) for name in kind_names()) + "|van ban)"
# "Tỉnh có NQ chuyển đổi số nào?": a kind, a few words of what it is about, and "nào" ending the
# question ("trong NQ 03 có nhiệm vụ nào nhắc tỉnh tôi không?" asks for a task, not a document).
# "Kinh phí cho chuyển đổi số bao nhiêu?": "số" (digital) ending a term asks nothing. The terms are
# the "… số" of the abbreviation list (CĐS, KTS, XHS, CQS, CPS, CNS, CKS); each is ruled out by the
# syllable before its "số" ("đổi", "tế", …), each look-behind of its own fixed width.
_TERM_HEADS = ("doi", "te", "hoi", "quyen", "phu", "nghe", "ky")
_NOT_A_TERM = "".join(rf"(?<!\b{head} )" for head in _TERM_HEADS)
DOCUMENT_ASK = (rf"\b({_NOT_A_TERM}(?:so may|so bao nhieu){_ASK_ENDS}|so hieu|la so nao|{_KINDS}( so)? nao|"
                rf"(?:co|la) {_KINDS}(?: \w+){{1,4}} nao(?=\W*$))\b")

# What a question asks for, from its (folded) wording. Each entry is a general interrogative
# of Vietnamese, not a phrase of any particular question.
_TYPES = {
    # ("mức nào" is not here: a level may be "cơ bản hoàn thành" as well as "mức độ 4".)
    "quantity": r"\b(bao nhieu|may phan|bao lau|ty le|ti le|phan tram|toi da|toi thieu|"
                r"it nhat|so luong|may (nguoi|doanh nghiep|mo dun|phong|tram|lan|gio|ngay|nam|thang|muc|nuoc))\b",
    # Asking for a day, not a year: "từ ngày nào", "ngày nào".
    # ("từ ngày" alone is not here: folded, "điện tử ngày càng" and "điện tử năm 2025" read the same.)
    "day": r"\b(ngay nao|ngay bao nhieu|ngay may)\b",
    # "<a word of time> nào": "thời điểm nào", "quý nào", "giai đoạn nào", "dịp nào"; "tháng mấy",
    # "năm mấy" (which month; "mấy tháng", how many months, is a quantity).
    "when": r"\b(khi nao|bao gio|(thoi diem|thoi gian|thoi ky|ngay|tuan|thang|quy|nam|giai doan|moc|dip|luc|hom) nao|"
            r"(thang|quy|nam) may|"
            r"thoi han|han chot|deadline|hieu luc)\b",
    # Which body: answered by an agency ("Bộ Nội vụ chủ trì").
    "who": r"\b(co quan nao|bo nao|don vi nao|nganh nao|to chuc nao|chu tri|giao cho|phu trach|"
           r"ai ky|nguoi ky|ban hanh boi|cap nao)\b",
    # "ai": a person or a group of people as well as a body ("dành cho ai": "thiếu niên").
    "person": r"\bai\b",
    "where": r"\b(o dau|noi nao|xa nao|huyen nao|tinh nao|dia phuong nao)\b",
    "document": DOCUMENT_ASK,
    # "những gì", "gồm những …", "các … nào", "liệt kê": several things are asked for.
    "list": r"\b(liet ke|gom nhung|nhung (?:\w+,? ){0,4}(?:gi|nao)|cac (?:\w+,? ){1,4}nao)\b",
    # "X khác gì Y" asks for both definitions.
    "definition": r"\b(la gi|nghia la gi|nghia la|khai niem|dinh nghia|duoc hieu|hieu the nao|hieu nhu the nao|la sao|"
                  r"khac gi|khac nhau)\b",
    "yesno": r"\b(co phai|phai khong|co duoc|duoc khong|co can|can khong|co bat buoc|bat buoc khong|"
             r"co vi pham|hay khong|khong a|chua)\s*\??\s*$"
             r"|\bco\b.+\bkhong(?: a| vay| nhi| ha)?\s*\??\s*$",  # "có … không?"
}
_TYPE_RES = {name: re.compile(pattern) for name, pattern in _TYPES.items()}


# A verb of "who": with "ai" as its subject ("ai phải trực tiếp chủ trì?"), the answer is a
# person or a body, not a body only.
_WHO_VERBS = re.compile(r"\b(chu tri|giao cho|phu trach)\b")


def question_types(question: str) -> set[str]:
    """The kinds of answer ``question`` asks for: quantity, when, often, day, who, person, where,
    document, list, definition, yesno."""
    folded = fold(question)
    types = {name for name, pattern in _TYPE_RES.items() if pattern.search(folded)}
    if {"who", "person"} <= types and not _TYPE_RES["who"].search(_WHO_VERBS.sub(" ", folded)):
        types.discard("who")
    # "có thời hạn tối đa mấy năm": a term asked as a length of time, not as a moment.
    if "when" in types and _DURATION.search(folded) and not _TYPE_RES["when"].search(folded.replace("thoi han", " ")):
        types.discard("when")
    # "mấy người" asks a number, "máy người khác" (another's machine) does not.
    if "quantity" in types and not _TYPE_RES["quantity"].search(re.sub(r"\bmay\b", " ", folded)) \
            and ("mấy" not in question.lower() if has_diacritics(question) else _machine_may(question)):
        types.discard("quantity")
    # "bao lâu … một lần": how often, answered by a schedule ("hằng năm", "định kỳ 06 tháng").
    if asks_frequency(folded):
        types.discard("quantity")
        types.add("often")
    return types


def _machine_may(question: str) -> bool:
    """Whether an unmarked "may" of ``question`` is "máy" (a machine), not "mấy" (how many): so in
    a yes/no question typed without marks ("cai virus vao may nguoi khac co bi cam khong")."""
    return not has_diacritics(question) and _TYPE_RES["yesno"].search(fold(question)) is not None


# What a length of time is counted in ("03 tháng", "10 năm"), for "bao lâu", with and without marks.
TIME_UNITS = frozenset({"ngày", "tháng", "năm", "tuần", "giờ", "phút"})
_FOLDED_TIME_UNITS = frozenset(fold(u) for u in TIME_UNITS)
# A length of time asked for: "bao lâu", "mấy năm", "bao nhiêu ngày".
_DURATION = re.compile(rf"\b(?:bao lau|(?:may|bao nhieu) (?:{'|'.join(sorted(_FOLDED_TIME_UNITS))}))\b")
# "định kỳ" (periodically), folded; not the "quy định kỹ (thuật)" it also folds to.
_PERIODIC = r"(?<!\bquy )\bdinh ky\b"
# "bao lâu … một lần", "mấy tháng một lần", "định kỳ bao lâu": how often something is done.
_FREQUENCY = re.compile(rf"\b(?:bao lau|may (?:{'|'.join(sorted(_FOLDED_TIME_UNITS))}))\b"
                        rf"(?:.*\b(?:mot|1) lan\b|.*{_PERIODIC})|{_PERIODIC}.*\bbao lau\b")


def asks_frequency(question: str) -> bool:
    """Whether ``question`` asks how often, not how long ("bao lâu phải báo cáo một lần")."""
    return _FREQUENCY.search(fold(question)) is not None


# What each kind of answer looks like in a document. A figure is a number that is not a
# year, a date or part of a document number ("năm 2025", "27/10/2021", "07-NQ/TU").
# Nor is a reference to a part of a text ("Khoản 1 Điều này", "Phụ lục số 01", "mô đun kỹ năng 03"),
# nor a name holding a digit ("IPv6", "G1").
_NOT_FIGURES = re.compile(r"\b\d{1,4}(?:/\d{4})?[/-][A-ZĐ][\w/-]*|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b"
                          r"|\b(?:19|20)\d\d\b"
                          r"|\b(?:[Kk]hoản|Điều|điều|[Đđ]iểm|[Mm]ục|[Cc]hương|[Pp]hụ lục(?: số)?|[Bb]ảng|[Mm]ẫu(?: số)?|[Mm]ã|"
                          r"kỹ năng|[Ss]ố thứ tự|TT)\s+[\dIVX]+[a-zđ]?\b|^\s*[\dIVX]+[.)]\s"
                          # A name that holds a digit after its letters: "IPv6", "G1", "H5N1".
                          r"|\b[^\W\d_]+\d[\w.]*")
_FIGURE = re.compile(r"\d")
_DAY = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày\s+\d{1,2}\b", re.IGNORECASE)
_DATE = re.compile(r"\b(?:\d{1,2}/)?\d{1,2}/\d{4}\b|\b(?:năm|quý|tháng)\s+[\dIVX]+|\b20\d\d\b|\b19\d\d\b"
                   r"|thường xuyên|hằng năm|hàng năm", re.IGNORECASE)
# How often: "định kỳ 06 (sáu) tháng", "hằng quý", "mỗi năm", "06 tháng một lần". Not a bare
# length ("trong thời hạn 05 (năm) ngày làm việc" is a deadline, not a schedule).
_SCHEDULE = re.compile(r"\b(?:định kỳ|thường xuyên|(?:hằng|hàng|mỗi) (?:ngày|tuần|tháng|quý|năm))\b"
                       r"|\b\d+\s*(?:\(\w+\)\s*)?(?:ngày|tuần|tháng|quý|năm)\s*(?:một lần|/\s*lần)", re.IGNORECASE)
_AGENT = re.compile(r"\b(Bộ|Sở|Ban(?! hành)|Ủy ban|UBND|HĐND|Văn phòng|Tỉnh ủy|Thành ủy|Huyện ủy|Chính phủ|Quốc hội|"
                    r"Thủ tướng|Bí thư|Chủ tịch|Tổng Bí thư|Cục|Tổng cục|Viện|Trung tâm|Ngân hàng|Đài|Thông tấn|"
                    r"Công an|Tòa án|Viện kiểm sát|Kho bạc|Thanh tra|Mặt trận|Đảng ủy|Đảng bộ|Bưu điện|Hải quan|"
                    # The generic bodies, opening a sentence too ("Cơ quan chủ quản có trách nhiệm …").
                    r"[Cc]ơ quan|[Dd]oanh nghiệp|[Cc]ác bộ|[Đđ]ịa phương|[Tt]ổ chức|[Cc]á nhân)\b")
# People named by what they are, which "ai" may ask for ("dành cho ai": "dành cho thiếu niên").
_PEOPLE = re.compile(r"\b(người|công dân|nhân dân|trẻ em|thiếu niên|thanh niên|học sinh|sinh viên|cán bộ|công chức|"
                     r"viên chức|hộ gia đình|thành viên|chủ sở hữu|chủ đầu tư|chủ điểm|thương nhân|nhà đầu tư)\b",
                     re.IGNORECASE)


# "bao nhiêu hồ sơ", "mấy mô đun": the thing counted. A figure of something else ("15 văn bản")
# does not answer the question.
# "bao nhiêu mỗi năm", "bao nhiêu một ngày" count by a period, not a thing.
_NOT_COUNTED = frozenset("la thi vay a nhi the nhe khong chua duoc con nua theo cua trong voi va ma nay hoac o cho "
                         "moi mot".split())
# "chi bao nhiêu", "tốn bao nhiêu", "đầu tư bao nhiêu": the sum of money spent ("chỉ bao nhiêu",
# with its mark, is "only how many").
_SPENT = re.compile(r"\b(?:chi(?: ra)?|tốn|ton|đầu tư|dau tu|bỏ ra|bo ra) bao (?:nhiêu|nhieu)\b")


def counted_noun(question: str) -> str | None:
    """The first syllable of what ``question`` counts ("bao nhiêu hồ sơ" -> "hồ"), lower case and
    as typed (with its marks, if any: "trạm" is not the "trăm" of "phần trăm"), if any."""
    # "… là bao nhiêu, bộ nào theo dõi?": what follows a comma is another question, not the thing counted.
    clauses = [syllables(c) for c in re.split(r"[,;:!?]", question)]
    words = [w for c in clauses for w in c]
    ends = {sum(map(len, clauses[:n + 1])) - 1 for n in range(len(clauses))}
    folded = [fold(w) for w in words]
    unmarked = not any(map(has_diacritics, words))
    machine = _machine_may(question)
    # "bao nhiêu" first: typed without marks, "phong may … bao nhieu m2" has a "may" that is "máy".
    for asks in (lambda i: folded[i] == "nhieu" and i > 0 and folded[i - 1] == "bao",
                 # "mấy", or "may" in a message typed without marks ("máy tính" counts nothing).
                 lambda i: words[i] == "mấy" or (words[i] == "may" and unmarked and not machine)):
        for i in range(len(words) - 1):
            following = folded[i + 1]
            # A function word is not a thing counted ("đạt bao nhiêu theo NQ 57"). Typed without
            # marks, only the unambiguous ones above: "may", "tai", "co" are also "máy", "tài", "cơ".
            function_word = not unmarked and is_stopword(words[i + 1])
            if asks(i) and i not in ends and following not in _NOT_COUNTED and not following.isdigit() \
                    and not function_word:
                return words[i + 1]
    if _SPENT.search(" ".join(w.lower() for w in words)):
        return "tien" if unmarked else "tiền"
    # "bao lâu": a length of time, counted in days, months, years (see :func:`counts`); asked how
    # often ("bao lâu … một lần"), a schedule (:func:`question_types`: "often").
    if re.search(r"\bbao lau\b", " ".join(folded)) and not asks_frequency(question):
        return "lau" if unmarked else "lâu"
    # "Tỷ lệ … là bao nhiêu?": a share, answered by a percentage ("%" reads "phần trăm"), not by
    # a count of something else ("09 tuyến cáp quang biển").
    if re.search(r"\bt[iy] le\b", " ".join(folded)) and {"nhieu", "may"} & set(folded):
        return "phần" if has_diacritics(question) else "phan"
    return None


# Units documents write as symbols, by the (folded) first syllable people type for them:
# "bao nhiêu mét" is answered by "200 m".
UNIT_SYMBOLS = {"met": "m", "ki": "km", "kilomet": "km"}
# What a sum of money is written in ("85 tỷ đồng", "1,2 triệu USD"), for "bao nhiêu tiền".
CURRENCY = frozenset({"đồng", "tỷ", "tỉ", "triệu", "nghìn", "ngàn", "usd", "vnđ", "vnd"})
_FOLDED_CURRENCY = frozenset(fold(c) for c in CURRENCY)


@lru_cache(maxsize=8192)
def counts(unit: str, noun: str) -> bool:
    """Whether ``unit`` gives a figure of ``noun``: "15 văn bản", "06 mô đun", "100% hồ sơ",
    "200 m" for "mét" (a figure of something else beside the noun, "100% các xóm có trạm BTS",
    is not a count of it)."""
    names = {noun, UNIT_SYMBOLS.get(fold(noun), noun)}
    if fold(noun) == "tien":  # "bao nhiêu tiền": a sum of money, "85 tỷ đồng"
        names |= CURRENCY if has_diacritics(noun) else _FOLDED_CURRENCY
    if fold(noun) == "lau":  # "bao lâu": a length of time, "03 tháng"
        names |= TIME_UNITS if has_diacritics(noun) else _FOLDED_TIME_UNITS
    # "%" reads "phần trăm" (as :func:`index.text.syllables` reads it) for a share asked
    # ("bao nhiêu phần trăm" counts "phần"), never for "trạm" typed without marks ("tram").
    read = unit.replace("%", " phần trăm ") if fold(noun) == "phan" else unit
    lowered = read.lower() if has_diacritics(noun) else fold(read)
    if not any(name in lowered for name in names) or not _FIGURE.search(unit):
        return False  # most passages never name it, or give no figure: skip reading their syllables
    def tokens(text: str) -> list[str]:
        return syllables(text) if has_diacritics(noun) else folded_words(text).split()
    words = tokens(unit)
    # No figure: an item's number ("6. Hợp đồng …"), a reference ("Mẫu số 27"), a date, a year.
    masked = tokens(_NOT_FIGURES.sub(lambda m: _FIGURE.sub("x", m.group(0)), unit))
    # "15 văn bản"; or a share of what a ratio named before it is of: "Tỷ trọng kinh tế số trong
    # GRDP: năm 2030: 22%" is how much GRDP, "Tỷ lệ hộ gia đình có cáp quang: 80%" how many
    # households ("Các trạm BTS phủ sóng đến 100% các xóm" is no share of the stations).
    figures = [i for i, w in enumerate(masked) if any(ch.isdigit() for ch in w)]
    if any(names & set(words[i + 1:i + 4]) for i in figures):
        return True
    folded = [fold(w) for w in words]
    ratio = next((j + 2 for j in range(len(folded) - 1) if f"{folded[j]} {folded[j + 1]}" in _RATIO
                  and names & set(words[j + 2:j + 2 + RATIO_REACH])), None)
    return ratio is not None and any(i > ratio and folded[i + 1:i + 2] == ["phan"] for i in figures)


# A ratio ("tỷ lệ", "tỷ trọng"), folded, and how far after it the thing it is a share of is named.
_RATIO = frozenset({"ty le", "ti le", "ty trong", "ti trong"})
RATIO_REACH = 6


# A bound on a figure: "trên 18 tuổi", "dưới 18 tuổi", "từ 18 tuổi trở lên" (folded).
_BOUND = re.compile(r"\b(tren|duoi|tu) (\d+) (\w+)( tro len| tro xuong)?")


def _bounds(text: str) -> set[tuple[str, str, str]]:
    out = set()
    for word, number, unit, towards in _BOUND.findall(folded_words(text)):
        side = "duoi" if word == "duoi" or towards == " tro xuong" else "tren" if word == "tren" or towards else None
        if side:
            out.add((side, number.lstrip("0") or "0", unit))
    return out


def contrary_bound(question: str, unit: str) -> bool:
    """Whether ``unit`` speaks of a figure the question bounds, only on the other side of it:
    "dưới 18 tuổi" does not answer a question about "người trên 18 tuổi"."""
    asked = _bounds(question)
    if not asked:
        return False
    said = _bounds(unit)
    return any((other, n, u) in said and (side, n, u) not in said
               for side, n, u in asked for other in {"tren", "duoi"} - {side})


# The kinds of answer a quote can be checked for (see :func:`holds_answer`).
ANSWER_KINDS = frozenset({"quantity", "when", "often", "day", "who", "person", "document"})


def holds_answer(kind: str, text: str) -> bool:
    """Whether ``text`` contains an answer of ``kind`` (a figure, a date, an agency…)."""
    if kind == "quantity":
        return bool(_FIGURE.search(_NOT_FIGURES.sub(" ", text)))
    if kind == "day":
        return bool(_DAY.search(text))
    if kind == "when":
        return bool(_DATE.search(text))
    if kind == "often":
        return bool(_SCHEDULE.search(text))
    if kind == "who":
        return bool(_AGENT.search(text))
    if kind == "person":
        return bool(_AGENT.search(text) or _PEOPLE.search(text))
    if kind == "document":  # "Quyết định 411/QĐ-TTg", "Nghị định 42/2022/NĐ-CP"
        return bool(document_numbers(text))
    return True


def unasked_agents(text: str, question: str) -> str:
    """``text`` without the agencies ``question`` itself names, by their first two syllables
    after the kind of body: asked "cơ quan nào chủ trì hợp nhất hai trung tâm phục vụ hành chính
    công?", the "Trung tâm Phục vụ hành chính công" of the task is what is asked about, not the
    agency that answers ("Giao Văn phòng Ủy ban nhân dân tỉnh chủ trì")."""
    asked = f" {folded_words(question)} "

    def blank(m: re.Match) -> str:
        named = folded_words(text[m.start():m.start() + 80]).split()[:len(m.group(0).split()) + 2]
        return " " if f" {' '.join(named)} " in asked else m.group(0)

    return _AGENT.sub(blank, text)


# ----------------------------------------------------------------- typos
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A correction must be seen in the documents beside a neighbour of the question: "chuyển đỗi số"
# becomes "chuyển đổi số" because "chuyển đổi" is written there, while "tiệm net" stays as typed
# ("tiêm" is a word of the documents, "tiêm net" is not). Without this check a word the
# documents never use would be silently replaced by a different word.
MIN_CORRECTION_COUNT = 2  # a syllable seen in one passage only is as likely a typo of the documents
# A spelling 50 times rarer than another of the same letters is the documents' own typo ("trưc"
# beside "trực"): it is corrected like an unknown one, if it is also seen in no more than a
# handful of passages. A typo the documents repeat stays in a few ("trưc": 3 of the bundled
# passages); a spelling in more is a word of its own ("phạt": 7, beside "phát": 1,099), which
# "bị phạt bao nhiêu" must keep.
RARE_VARIANT_RATIO = 50
MAX_TYPO_PASSAGES = 3
# A letter typed twice in a row; "oo" before "ng" or "c" is a Vietnamese spelling ("xoong", "soóc").
_DOUBLED = re.compile(r"([^\W\d_])\1(?!(?<=oo)(?:ng|c))", re.IGNORECASE)


@dataclass(frozen=True)
class Speller:
    """Corrects a question's syllables against the knowledge base's own vocabulary.

    Handles a wrong tone mark ("chuyển đỗi", "hò sơ") and, in words typed without marks, a
    doubled, dropped, swapped or wrong letter ("chuyenn", "chuyn", "chuyne") and two syllables
    typed as one ("kinhte"). Syllables the documents know are never changed, nor are numbers and short ones.

    :param accented: syllable as written -> passages holding it
    :param folded: syllable without marks -> passages holding it
    """

    accented: dict[str, int]
    folded: dict[str, int]
    variants: dict[str, list[str]]  # folded -> accented spellings, most frequent first

    @classmethod
    def build(cls, accented: dict[str, int], folded: dict[str, int]) -> "Speller":
        variants: dict[str, list[str]] = {}
        for term in sorted(accented, key=lambda t: -accented[t]):
            if term.isalpha() and accented[term] >= MIN_CORRECTION_COUNT:
                variants.setdefault(fold(term), []).append(term)
        return cls(accented, folded, variants)

    def _known(self, token: str) -> bool:
        if not has_diacritics(token):
            return self.folded.get(token, 0) >= MIN_CORRECTION_COUNT
        count = self.accented.get(token, 0)
        usual = self.variants.get(fold(token))
        rare = usual and count <= MAX_TYPO_PASSAGES and self.accented[usual[0]] > RARE_VARIANT_RATIO * count
        return count >= MIN_CORRECTION_COUNT and not rare

    def _near(self, word: str) -> list[str]:
        """Folded syllables of the documents one edit from ``word``, most frequent first."""
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        found = [e for e in edits if e != word and self.folded.get(e, 0) >= MIN_CORRECTION_COUNT]
        return sorted(found, key=lambda e: -self.folded[e])

    def _fits(self, tokens: list[str | None], i: int, candidate: list[str], has_phrase: Callable) -> bool:
        """Whether ``candidate`` (one or two syllables replacing tokens[i]) is written in the
        documents next to the token before or after it. A function word as the neighbour proves
        nothing ("về vị" is written somewhere, so "về ví" would become it)."""
        def neighbour(j: int) -> str:
            if j < 0 or j >= len(tokens) or tokens[j] is None or is_stopword(tokens[j]):
                return ""
            return tokens[j] if self._known(tokens[j]) else fold(tokens[j])  # misspelt too: no marks

        before, after = neighbour(i - 1), neighbour(i + 1)
        for phrase in ([before, *candidate] if before else None, [*candidate, after] if after else None):
            if not phrase:
                continue
            marked = all(has_diacritics(t) or t.isdigit() for t in phrase)
            if has_phrase(phrase if marked else [fold(t) for t in phrase], marked):
                return True
        return False

    def _undoubled(self, token: str, marked: bool) -> str | None:
        """``token`` with a letter typed twice typed once ("luậtt", "ngayy", "chiaa"), when the
        documents know the result. No Vietnamese syllable doubles a letter but "oo" ("xoong").

        :param marked: whether the message is typed with marks. There, a word typed without them
            is a foreign one unless the documents write the result so: "App" is no slip for "áp",
            while "ngayy" is one for "ngay"."""
        for m in _DOUBLED.finditer(token):
            single = token[:m.start()] + token[m.start() + 1:]
            if self._known(single) and (not marked or has_diacritics(single) or self.accented.get(single, 0)):
                return single
        return None

    def _candidates(self, token: str) -> list[list[str]]:
        folded = fold(token)
        if has_diacritics(token):
            # Typed with marks: the marks may be wrong ("chuyển đỗi"), or a letter dropped with the
            # tone mark typed right ("chuyể đổi"). Letters typed are kept: "bây giờ" must not become
            # "ba giờ", nor "ông Yên" "ông Yêu", because "bây" and "Yên" are rare in the documents.
            marks = [[v] for v in self.variants.get(folded, []) if v != token and has_diacritics(v)]
            return marks or [[v] for e in self._near(folded) if len(e) == len(folded) + 1
                             for v in self.variants.get(e, []) if tone(v) == tone(token) and has_diacritics(v)]
        if _SYLLABLE.fullmatch(folded) and not _DOUBLED.search(folded):
            return []  # a real syllable ("met", "xom"): a word the documents lack, not a typo
        out = [[e] for e in self._near(folded)] if len(folded) >= 3 else []
        if len(folded) >= 4:  # "kinhte": two syllables typed as one
            for cut in range(2, len(folded) - 1):
                a, b = folded[:cut], folded[cut:]
                if self.folded.get(a, 0) >= MIN_CORRECTION_COUNT and self.folded.get(b, 0) >= MIN_CORRECTION_COUNT:
                    out.append([a, b])
        return out

    def correct(self, text: str, has_phrase: Callable[[list[str], bool], bool],
                keep: list[tuple[int, int]] = ()) -> str:
        """``text`` with the syllables the documents do not know replaced by the ones they do.

        :param has_phrase: ``(tokens, accented) -> bool``: whether the documents hold the phrase
        :param keep: spans of ``text`` never changed (the province names it mentions)
        """
        # Words apart across a comma or a number are not neighbours: a None slot stands between them.
        slots: list[re.Match | None] = []
        for m in re.finditer(r"[^\W\d_]+", text):
            if slots and slots[-1] is not None and text[slots[-1].end():m.start()].strip():
                slots.append(None)
            slots.append(m)
        tokens = [m.group(0).lower() if m else None for m in slots]
        # Typed with marks: most syllables carry them (an abbreviation expanded into a message
        # typed without, "dvc" -> "dịch vụ công", adds a few).
        typed = [t for t in tokens if t]
        marked = sum(map(has_diacritics, typed)) * 2 >= len(typed) > 0
        fixes: dict[int, str] = {}
        for i, token in enumerate(tokens):
            if token is None or len(token) < 2 or self._known(token) or is_stopword(token):
                continue
            if any(start <= slots[i].start() < end for start, end in keep):
                continue
            # A rare spelling the documents write beside the same neighbour is a word, not a typo:
            # "quán cà phê" stays, though "quản" is 60 times more frequent than "quán".
            if self.accented.get(token, 0) >= MIN_CORRECTION_COUNT and self._fits(tokens, i, [token], has_phrase):
                continue
            # A doubled letter is a slip of the finger, whatever the neighbours ("có hiệu lực từ
            # ngayy nào": "nào" proves nothing, yet "ngày" is meant).
            single = self._undoubled(token, marked)
            if single:
                fixes[i] = _cased(single, slots[i].group(0))
                continue
            # A short form that is no syllable ("DTI", "GRDP") names something; one letter changed,
            # it names something else ("DOI"). Typed in capitals, or written in the documents even
            # once, it stays as typed.
            if not _SYLLABLE.fullmatch(fold(token)) and (slots[i].group(0).isupper() or self.folded.get(fold(token))):
                continue
            for candidate in self._candidates(token):
                if self._fits(tokens, i, candidate, has_phrase):
                    fixes[i] = _cased(" ".join(candidate), slots[i].group(0))
                    break
        out, pos = [], 0
        for i, word in sorted(fixes.items()):
            out += [text[pos:slots[i].start()], word]
            pos = slots[i].end()
        return "".join(out) + text[pos:]


def _cased(word: str, typed: str) -> str:
    """``word`` in the case ``typed`` was: "TTGG" -> "TTG", "Luậtt" -> "Luật"."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word
