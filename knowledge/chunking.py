"""Split a cleaned document into passages along its structure.

Headings, "Điều N" articles, paragraphs and markdown table rows start new
passages; long paragraphs are cut at sentence boundaries (and, for the long
enumerations of targets that resolutions favour, at semicolons). Each passage
remembers the heading it sits under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import split_sentences

# A passage of a few sentences: long enough to hold a target with its context,
# short enough that its embedding is about one thing (e5 reads 512 tokens at most).
MAX_CHARS = 700
MIN_CHARS = 120

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_ARTICLE_RE = re.compile(r"^\**\s*(Điều\s+[\d.A-ZĐa-z]+\.?)", re.IGNORECASE)
_CHAPTER_RE = re.compile(r"^(Chương|Mục|Phần)\s+[IVXLC\d]+\b", re.IGNORECASE)
# "I- QUAN ĐIỂM CHỈ ĐẠO", "II. MỤC TIÊU": roman-numbered section titles.
_ROMAN_RE = re.compile(r"^[IVX]{1,4}\s*[-.–]\s*\S")


@dataclass
class Passage:
    heading: str
    text: str


def _is_heading(block: str) -> bool:
    line = block.strip()
    if "\n" in line:
        # "Chương I" over "QUY ĐỊNH CHUNG", "QUY CHẾ" over what it rules: a plain text's two-line title.
        first, _, second = line.partition("\n")
        return "\n" not in second and _is_heading(first) and not second.rstrip().endswith((".", ";", ":")) \
            and len(second.split()) <= 30 and not _ARTICLE_RE.match(second)
    if len(line) > 150:
        return False
    return bool(_CHAPTER_RE.match(line) or _ROMAN_RE.match(line) or
                (line.isupper() and len(line.split()) <= 15 and any(c.isalpha() for c in line)))


def _split_long(text: str) -> list[str]:
    """Cut a paragraph into pieces of at most MAX_CHARS at sentence, then clause, boundaries."""
    if len(text) <= MAX_CHARS:
        return [text]
    units = []
    for sentence in split_sentences(text):
        if len(sentence) <= MAX_CHARS:
            units.append(sentence)
            continue
        clauses = re.split(r"(?<=;)\s+", sentence)
        for clause in clauses:
            while len(clause) > MAX_CHARS:  # no boundary at all: cut at a space
                cut = clause.rfind(" ", 0, MAX_CHARS)
                cut = cut if cut > 0 else MAX_CHARS
                units.append(clause[:cut])
                clause = clause[cut:].strip()
            if clause:
                units.append(clause)
    pieces, current = [], ""
    for unit in units:
        if current and len(current) + 1 + len(unit) > MAX_CHARS:
            pieces.append(current)
            current = unit
        else:
            current = f"{current} {unit}" if current else unit
    if current:
        pieces.append(current)
    return pieces


def _table_rows(block: str) -> list[str]:
    """A markdown table as one passage per row, one "Header: value" line per filled cell,
    so a row is retrieved with its column headers and can be rendered as a sentence."""
    rows = [r.strip() for r in block.splitlines() if r.strip().startswith("|")]
    cells = [[c.strip().strip("*").strip() for c in r.strip("|").split("|")] for r in rows]
    cells = [c for c in cells if not all(re.fullmatch(r":?-{2,}:?", x) or not x for x in c)]
    if len(cells) < 2:
        return [" ".join(" ".join(c) for c in cells)]
    header, out = cells[0], []
    for row in cells[1:]:
        filled = [(h, v) for h, v in zip(header, row) if v]
        if len(filled) == 1 or (len(filled) <= 2 and len(row) > 2 and not any(row[2:])):
            out.append("## " + " ".join(v for _, v in filled))  # a row that only titles a group
        elif filled:
            out.append("\n".join(f"{h}: {v}" if h else v for h, v in filled))
    return out


def table_cells(text: str) -> list[tuple[str, str]] | None:
    """The (header, value) cells of a table-row passage, or None for ordinary text."""
    lines = text.split("\n")
    if len(lines) < 2:
        return None
    cells = []
    for line in lines:
        header, sep, value = line.partition(": ")
        if not sep or not header or len(header.split()) > 8 or header.endswith((".", ";")):
            return None
        cells.append((header.strip(), value.strip()))
    return cells


# "Điều 1 Luật số 67/2006/QH11 …", the note under each article of a legal codification that
# names the instrument and article it was taken from.
_SOURCE_NOTE = re.compile(r"^\(\s*Điều\s+(\d+[a-zđ]?)\s+(Luật|Bộ luật|Nghị định|Thông tư liên tịch|Thông tư|"
                          r"Quyết định|Pháp lệnh|Nghị quyết)(?:\s+số)?\s+([\w/.\-]+\d[\w/.\-]*)")


def is_source_note(text: str) -> bool:
    """Whether ``text`` is such a note whole ("(Điều 4 Thông tư số 02/2011/TT-BTTTT, có hiệu lực …)"):
    it says where an article comes from, and is no clause of it."""
    return _SOURCE_NOTE.match(text) is not None and text.endswith(")")


def _cited_article(article: str, note: str) -> str | None:
    """"Điều 10, Nghị định 43/2011/NĐ-CP — Quyền của…" from a codification article and its source note."""
    m = _SOURCE_NOTE.match(note)
    if not m:
        return None
    title = _ARTICLE_RE.sub("", article).strip(" .*")
    return f"Điều {m.group(1)}, {m.group(2)} {m.group(3).rstrip('.,')}" + (f" — {title}" if title else "")


# A legal passage's heading ends with its article: "… — Điều 4, Thông tư 02/2011/TT-BTTTT — Nguyên nhân sự cố".
ARTICLE_HEADING = re.compile(r"(Điều \d+[a-zđ]?, [^—]+?) — ([^—]+)$")


def article_label(heading: str | None) -> str:
    """The article a passage's heading ends with, its instrument and title ("Điều 4, Thông tư
    02/2011/TT-BTTTT — Nguyên nhân sự cố"), or ""."""
    m = ARTICLE_HEADING.search(heading or "")
    return m.group(0).strip() if m else ""


def chunk(text: str) -> list[Passage]:
    """Passages of ``text`` (cleaned, paragraphs separated by blank lines)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    passages: list[Passage] = []
    heading, article = "", ""
    buffer: list[str] = []
    table_groups: list[str] = []  # "I Đến năm 2030", then "1 Chỉ tiêu về …": a row's group path

    def flush() -> None:
        nonlocal buffer
        if buffer:
            body = " ".join(buffer) if not article else "\n".join(buffer)
            label = " — ".join(x for x in (heading, article) if x)
            for piece in _split_long(body):
                passages.append(Passage(label, piece))
        buffer = []

    for block in blocks:
        if block.startswith("|"):
            flush()
            table_groups = []
            for row in _table_rows(block):
                if row.startswith("## "):
                    label = row[3:].strip()
                    # A roman-numbered group ("I", "II.") opens a new section; others nest in it.
                    if re.match(r"^[IVXLC]+\b", label) or not table_groups:
                        table_groups = [label]
                    else:
                        table_groups = [table_groups[0], label]
                else:
                    path = " › ".join(x for x in (heading if len(heading) <= 80 else "", *table_groups) if x)
                    passages.append(Passage(path, row))
            continue
        m = _HEADING_RE.match(block.split("\n", 1)[0])
        if m or _is_heading(block):
            flush()
            title = m.group(2).strip("* ") if m else ". ".join(line.strip() for line in block.split("\n"))
            rest = block.split("\n", 1)[1].strip() if m and "\n" in block else ""
            heading, article = title, ""
            if rest:
                buffer.append(rest)
            continue
        art = _ARTICLE_RE.match(block)
        if art:
            flush()
            first_line = block.split("\n", 1)[0].strip("* ")
            article = first_line if len(first_line) <= 150 else art.group(1)
        elif article and len(buffer) == 1 and _ARTICLE_RE.match(buffer[0]) and _SOURCE_NOTE.match(block):
            cited = _cited_article(article, block)
            if cited:  # the codification's own id ("Điều 3.3.NĐ.4.9") means nothing to a reader
                article, buffer = cited, []
        for line in block.split("\n"):
            line = line.strip()
            if not line:
                continue
            # Paragraphs accumulate until a passage is full; short lines join their neighbours.
            if buffer and sum(len(b) for b in buffer) + len(line) > MAX_CHARS and sum(len(b) for b in buffer) >= MIN_CHARS:
                flush()
            buffer.append(line)
    flush()
    return [p for p in passages if len(p.text) >= 20 or any(ch.isdigit() for ch in p.text)]
