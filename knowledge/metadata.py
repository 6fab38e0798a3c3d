"""Document metadata: title, date, kind, document numbers, provinces, districts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.text import fold, split_sentences

from .provinces import find_places

KINDS = ("resolution", "plan", "decision", "law", "news", "glossary", "abbreviations")
KIND_LABELS = {
    "resolution": "Nghị quyết", "plan": "Kế hoạch", "decision": "Quyết định",
    "law": "Văn bản pháp luật", "news": "Bài báo", "glossary": "Thuật ngữ",
    "abbreviations": "Từ viết tắt",
}


@dataclass
class Metadata:
    title: str
    date: str | None  # ISO yyyy-mm-dd
    kind: str
    numbers: list[str] = field(default_factory=list)  # most cited first; the document's own first
    provinces: list[str] = field(default_factory=list)  # gazetteer names
    districts: list[str] = field(default_factory=list)


# "08-NQ/TU", "57-NQ/TW", "03/NQ-CP", "43/2011/NĐ-CP", "67/2018/QH14", "89/CV-BCH"
# A document number: "57-NQ/TW", "03/NQ-CP", "67/2006/QH11", "72/2013/NĐ-CP".
NUMBER_PATTERN = r"\d{1,4}(?:/\d{4})?[/-](?:[A-ZĐ][A-Za-zĐđ]*\d*)(?:[/-][A-ZĐ][A-Za-zĐđ]*\d*)*"
_NUMBER_RE = re.compile(r"(?<![\w/])" + NUMBER_PATTERN + r"(?![\w/])")
# "Kế hoạch 313", "Nghị quyết số 52", "Nghị quyết 04" (a number without its suffix)


@dataclass(frozen=True)
class InstrumentKind:
    """A kind of instrument, as documents write it, and how texts and people name one.

    :param code: the code of the kind in its numbers ("NQ" in "08-NQ/TU"; "QH" for a law)
    :param bare: named with a bare number ("Kế hoạch 313", "Nghị quyết số 52")
    :param cited: cited with its title ("Luật Giao dịch điện tử số 20/2023/QH15")
    """

    name: str
    code: str | None = None
    bare: bool = False
    cited: bool = False


# The one table of instrument kinds: every list of kinds below is read from it.
INSTRUMENT_KINDS = (
    InstrumentKind("Nghị quyết", "NQ", bare=True, cited=True),
    InstrumentKind("Quyết định", "QĐ", bare=True, cited=True),
    InstrumentKind("Kế hoạch", "KH", bare=True),
    InstrumentKind("Nghị định", "NĐ", bare=True, cited=True),
    InstrumentKind("Chỉ thị", "CT", bare=True, cited=True),
    InstrumentKind("Thông tư", "TT", bare=True, cited=True),
    InstrumentKind("Luật", "QH", cited=True),
    InstrumentKind("Thông tư liên tịch", cited=True),
    InstrumentKind("Bộ luật", cited=True),
    InstrumentKind("Pháp lệnh", cited=True),
    InstrumentKind("Công văn", bare=True),
)


def kind_names(**flags: bool) -> list[str]:
    """The names of the kinds with ``flags`` ("bare=True"), longest first: an alternation of
    them finds "Thông tư liên tịch" before "Thông tư"."""
    kinds = [k.name for k in INSTRUMENT_KINDS if all(getattr(k, f) == v for f, v in flags.items())]
    return sorted(kinds, key=len, reverse=True)


_NAMED_KINDS = kind_names(bare=True)
_NAMED_NUMBER_RE = re.compile(rf"\b({'|'.join(_NAMED_KINDS)})(?: số)? (\d{{1,4}})(?![\d/\-])")
_KIND_WORDS = [
    ("resolution", r"nghị quyết"), ("plan", r"kế hoạch"), ("decision", r"quyết định"),
    ("law", r"luật|nghị định|thông tư|bộ luật|pháp điển|pháp lệnh"),
]
_DATE_PATTERNS = [
    re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE),
    re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)"),
]
# Lines that head official documents but are not their title.
_HEADER_LINE = re.compile(r"cộng hòa xã hội chủ nghĩa|độc lập - tự do|^(chính phủ|quốc hội|bộ chính trị|"
                          r"ban chấp hành|ủy ban nhân dân|hội đồng nhân dân|tỉnh ủy|thông tin văn bản|văn bản)\b",
                          re.IGNORECASE)


def _dates(text: str) -> list[date]:
    found = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            d, mth, y = (int(g) for g in m.groups())
            try:
                found.append((m.start(), date(y, mth, d)))
            except ValueError:
                continue
    return [d for _, d in sorted(found)]


# A question may type the kind in lower case and without marks ("nghi quyet 03 cua chinh phu").
_FOLDED_KINDS = {fold(kind): kind for kind in _NAMED_KINDS}
# "Nghị định 13/2023": a number and its year, without the code, names an instrument too.
_ASKED_NUMBER_RE = re.compile(rf"\b({'|'.join(_FOLDED_KINDS)})(?: so)? (\d{{1,4}}(?:/(?:19|20)\d\d)?)(?![\d/\-])")


def document_numbers(text: str, typed: bool = False) -> list[str]:
    """Every document number in ``text``, most frequent first.

    :param typed: ``text`` is a question: a kind typed in lower case ("nghị quyết 03", "NQ 03"
        once read) names an instrument too; documents capitalise it
    """
    counts: dict[str, int] = {}
    for m in _NUMBER_RE.finditer(text):
        num = m.group(0)
        if re.fullmatch(r"\d+[/-]\d+[A-Z]?", num):  # "4G/5G", "24/7" are not documents
            continue
        counts[num] = counts.get(num, 0) + 1
    if typed:  # "03/nq-cp", "1234/qd-ubnd": typed in lower case, as the documents write it
        for m in _TYPED_NUMBER_RE.finditer(text):
            num = _written(m.group(0))
            counts[num] = counts.get(num, 0) + 1
    for m in (_ASKED_NUMBER_RE.finditer(fold(text)) if typed else _NAMED_NUMBER_RE.finditer(text)):
        num = f"{_FOLDED_KINDS.get(m.group(1), m.group(1))} {m.group(2)}"
        counts[num] = counts.get(num, 0) + 1
    return [n for n, _ in sorted(counts.items(), key=lambda kv: -kv[1])]


def _written(number: str) -> str:
    """A number typed in lower case as documents write it: "03/nq-cp" -> "03/NQ-CP", "qd" -> "QĐ"."""
    return re.sub(r"[a-zđ]+", lambda m: _FOLDED_CODES.get(fold(m.group(0)), m.group(0).upper()), number)


def _heading_text(line: str) -> str:
    """A markdown heading's words, without its "#" marks and emphasis ("## **I. MỤC TIÊU**")."""
    return re.sub(r"^#+\s*", "", line).strip("* ")


def _title(text: str, front: dict[str, str], hint: str | None) -> str | None:
    """The document's own title (front matter, the format's title, a heading, a headline), or None."""
    if front.get("title"):
        return front["title"]
    if hint and hint.strip():
        return " ".join(hint.split())
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    # An official document opens with its kind alone on a line in capitals ("QUYẾT ĐỊNH"), then
    # what it is about ("Phê duyệt Đề án …"), under the issuing body, number, place and date;
    # the headings of its body ("I. MỤC TIÊU", a .docx's heading styles) come after.
    first_heading = next((i for i, l in enumerate(lines) if l.startswith("#")), len(lines))
    for i, line in enumerate(lines[:min(40, first_heading)]):
        if _KIND_LINE.fullmatch(line) and i + 1 < len(lines) and not _KIND_LINE.fullmatch(lines[i + 1]):
            subject = _heading_text(lines[i + 1])
            return f"{line.capitalize()}: {subject}" if len(subject.split()) <= 60 else line.capitalize()
    headings = [_heading_text(l) for l in lines[:40] if l.startswith("#")]
    headings = [h for h in headings if not _HEADER_LINE.search(h)]
    if headings:
        first = headings[0]
        if first.upper() == first and len(headings) > 1:  # "NGHỊ QUYẾT" then its subject
            return f"{first.capitalize()}: {headings[1]}"
        return first
    for line in lines[:3]:  # a news headline near the top: short, no full stop
        if 4 <= len(line.split()) <= 25 and not line.endswith((".", ":")) and not re.match(r"^[\d(]", line) \
                and not _HEADER_LINE.search(line):
            return line
    return None


# The kind of an official document, alone on its line in capitals, as its title begins.
_KIND_LINE = re.compile("|".join(name.upper() for name in kind_names())
                        + r"|CHƯƠNG TRÌNH|ĐỀ ÁN|BÁO CÁO|HƯỚNG DẪN|THÔNG BÁO|QUY CHẾ|QUY ĐỊNH")


def is_kind_line(line: str) -> bool:
    """Whether ``line`` is an official document's kind alone in capitals ("QUYẾT ĐỊNH")."""
    return bool(_KIND_LINE.fullmatch(line))


# Document-number suffixes and the kind of document they name: "08-NQ/TU" is a resolution.
NUMBER_KINDS = tuple((k.code, k.name) for k in INSTRUMENT_KINDS if k.code)


# A number typed in lower case whose first code names a kind of instrument ("03/nq-cp", "57-nq/tw",
# "67/2006/qh11"); "4g/5g" and "24/7" are none.
_FOLDED_CODES = {fold(code): code for code, _ in NUMBER_KINDS}  # "qd" -> "QĐ"
_TYPED_NUMBER_RE = re.compile(r"(?<![\w/])\d{1,4}(?:/\d{4})?[/-](?:" + "|".join(_FOLDED_CODES)
                              + r")\d*(?:[/-][a-zđ]+\d*)*(?![\w/])")


def number_kind(number: str) -> str | None:
    """The kind of instrument a number names: "08-NQ/TU" -> "Nghị quyết", "67/2006/QH11" -> "Luật"."""
    return next((name for code, name in NUMBER_KINDS if re.search(rf"(?<![A-Za-zĐđ]){code}(?![a-zđ])", number)), None)


def _described_title(kind: str, text: str, numbers: list[str], provinces: list[str]) -> str:
    """A title for a text that has none (a news page saved without its headline): what it is
    and what it is about, "Bài báo về Nghị quyết 08-NQ/TU (Hòa Bình)", never its first
    sentence cut short."""
    label = KIND_LABELS.get(kind, "Văn bản")
    where = f" ({', '.join(provinces)})" if provinces else ""
    if numbers:
        number = numbers[0]
        if not number[:1].isalpha():  # "08-NQ/TU": say what kind of text the number is
            named = number_kind(number)
            number = f"{named} {number}" if named else f"văn bản số {number}"
        return f"{label} về {number}{where}"
    if provinces:
        return f"{label} về {', '.join(provinces)}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = split_sentences(lines[0])[0] if lines else label
    first = re.sub(r"^\([^)]{1,15}\)\s*[-–]\s*", "", first)  # "(HBĐT) - " agency prefix
    first = re.split(r"[,;:]\s", first)[0]  # its first clause
    words = first.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def _kind(title: str, text: str, front: dict[str, str], markdown: bool) -> str:
    if front.get("kind") in KINDS:
        return front["kind"]
    lead = title.lower()
    m = re.search(r"loại văn bản\W+([^\n|]+)", text[:3000], re.IGNORECASE)
    if m:
        lead = m.group(1).lower() + " " + lead
    for kind, words in _KIND_WORDS:
        if re.match(rf"^\s*({words})\b", lead):
            return kind
    return "news"


def _date(text: str, front: dict[str, str]) -> str | None:
    for key in ("date", "ngày ban hành"):
        if key not in front:
            continue
        try:  # front matter usually says 2023-06-22
            return date.fromisoformat(front[key].strip()).isoformat()
        except ValueError:
            pass
        if _dates(front[key]):
            return _dates(front[key])[0].isoformat()
    m = re.search(r"ngày ban hành\W+(\d{1,2}/\d{1,2}/\d{4})", text[:3000], re.IGNORECASE)
    if m:
        return _dates(m.group(1))[0].isoformat()
    # "Hà Nội, ngày 09 tháng 01 năm 2025": where and when an official text was signed.
    m = re.search(r"^[^\n,]{2,30}, ngày \d{1,2} tháng \d{1,2} năm \d{4}", text[:5000], re.MULTILINE)
    if m:
        return _dates(m.group(0))[0].isoformat()
    head = "\n".join(text.splitlines()[:8])
    if _dates(head):  # a news page's dateline
        return _dates(head)[0].isoformat()
    found = [d for d in _dates(text) if d <= date.today()]
    return max(found).isoformat() if found else None


def _provinces(text: str, national: bool) -> list[str]:
    # "Hà Nội, ngày ..." names where a text was signed, not what it is about.
    text = re.sub(r"^[^\n,]{2,30}, ngày \d", "", text, flags=re.MULTILINE)
    counts = find_places(text, strict_case=True)
    if not counts:
        return []
    top = counts[0][1]
    if national:  # national texts apply countrywide and name provinces only in passing
        return []
    return [name for name, n in counts if n >= 2 or n == top]


_DISTRICT_RE = re.compile(r"\b(?:huyện|quận|thị xã)\s+(\w+(?:\s+\w+){0,2})")


def _districts(text: str) -> list[str]:
    """District names after "huyện/quận/thị xã": the capitalised words that follow."""
    counts: dict[str, int] = {}
    for m in _DISTRICT_RE.finditer(text):
        words = []
        for word in m.group(1).split():
            if not word[0].isupper() or word in ("Chủ", "Phó", "Bí", "UBND", "HĐND"):
                break
            words.append(word)
        if words:
            name = " ".join(words[:2])
            counts[name] = counts.get(name, 0) + 1
    return [d for d, _ in sorted(counts.items(), key=lambda kv: -kv[1])]


def extract(text: str, front: dict[str, str] | None = None, title_hint: str | None = None,
            markdown: bool = False) -> Metadata:
    """Metadata of a cleaned document."""
    front = front or {}
    own_title = _title(text, front, title_hint)
    title = own_title or ""
    kind = _kind(title, text, front, markdown)
    numbers = document_numbers(text)
    own = re.search(r"(?:^|\n)\W*(?:số hiệu|số)\W+([^\s|*]+)", text[:3000], re.IGNORECASE)
    if own and own.group(1) in numbers:
        numbers.remove(own.group(1))
        numbers.insert(0, own.group(1))
    else:
        in_title = [n for n in document_numbers(title)]
        for n in reversed(in_title):
            if n in numbers:
                numbers.remove(n)
            numbers.insert(0, n)
    # National texts: issued by central bodies (/TW, /NQ-CP, /QH, NĐ-CP, Luật) or laws.
    national = kind in ("law", "glossary", "abbreviations") or bool(numbers and re.search(r"/(TW|QH\d*|NĐ-CP|NQ-CP|QĐ-TTg|CP)\b", numbers[0]))
    provinces = [p.strip() for p in front["provinces"].split(",")] if front.get("provinces") else _provinces(text, national)
    if not front.get("provinces") and not national:
        # The province the title names is what the text is about, however often it names others
        # ("Tuyên Quang ban hành kế hoạch …" on the merged province, naming former Hà Giang thrice).
        titled = [name for name, _ in find_places(title, strict_case=True)]
        provinces = titled + [p for p in provinces if p not in titled]
    if own_title is None:
        title = _described_title(kind, text, numbers, provinces)
    return Metadata(title=title, date=_date(text, front), kind=kind, numbers=numbers,
                    provinces=provinces, districts=[] if national else _districts(text))
