"""Candidate extraction: the units an answer can quote (sentences, clauses, table rows), each
with the year it speaks of, and how well each answers the question."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from index.text import fold, folded_words, has_diacritics, split_sentences

from ..chunking import ARTICLE_HEADING, article_label, is_source_note, table_cells
from ..store import KnowledgeBase
from .analysis import Query, defines
from ..query import EMPTY as NO_ABBREVIATIONS
from ..query import ANSWER_KINDS, Abbreviations, counts, holds_answer, unasked_agents
from .retrieve import Weights, coverage
from .scope import number_matches

MAX_ANSWER_CHARS = 700


# Passages looked back over for the year a passage's sentences speak of ("Đến năm 2030" heads
# a list that runs over several passages of the same section: six in NQ 57, so 4 left
# "Phủ sóng 5G toàn quốc" without its year). The walk stops at the section's end anyway.
LEAD_YEAR_PASSAGES = 8


# "năm 2025", "đến 2030": the year a sentence, a passage or a table group speaks of.
# A date written out ("ngày 09 tháng 01 năm 2025") dates a text; it sets no year it speaks of.
YEAR_MENTION = re.compile(r"(?<!tháng \d )(?<!tháng \d\d )(?:năm|đến)\s+(20\d\d)", re.IGNORECASE)
# "giai đoạn 2026 - 2030", "2021–2025": a period of years.
PERIOD = re.compile(r"\b((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)\b")


def sentences(text: str, year: int | None = None) -> list[tuple[str, int | frozenset[int] | None]]:
    """Sentences (long enumerations cut at semicolons, list items apart), each with the year it
    speaks of: the last "năm 2025" / "đến 2030" seen so far (``year``: the one the passage starts
    under), as a reader would take it."""
    out = []
    for s in _items_whole(split_sentences(text)):
        parts = [c.strip() for c in re.split(r"(?<=;)\s+", s) if c.strip()] if len(s) > 300 else [s]
        # "Đến năm 2025: - 80% hồ sơ …; - 70% người dân …": each item of a list run into one line
        # (a passage's lines are joined) is a unit of its own.
        parts = [item for part in parts for item in re.split(r"(?<=[:;])\s+(?=[-–•+]\s)", part)]
        for part in parts:
            mentioned = [int(y) for y in YEAR_MENTION.findall(part)]
            if mentioned:
                # "Đến năm 2025, kinh tế số chiếm 20% GRDP, năm 2030 chiếm trên 30% GRDP" speaks of
                # both years; the sentences after it, of the last one.
                year = mentioned[-1]
                out.append((part, frozenset(mentioned) if len(set(mentioned)) > 1 else year))
                continue
            # "tháng 12/2021" dates the sentence itself, without setting the year for the next ones;
            # "giai đoạn 2026 - 2030" speaks of the period, which ends in 2030: its sum or target is
            # no figure for 2026.
            period = next((m for m in PERIOD.finditer(part) if m.group(1) < m.group(2)), None)
            dated = re.search(r"(?<![\d/])(?:\d{1,2}/)?(20\d\d)(?![\d/])", part)
            out.append((part, int(period.group(2)) if period else int(dated.group(1)) if dated else year))
    return out


# A list number alone ("1.", "IV."): the splitter ends a sentence at its dot ("1. Để sử dụng …").
_BARE_MARK = re.compile(r"(?:\d{1,3}|[IVX]{1,5}|[a-zđ])[.)]")


def _items_whole(units: list[str]) -> list[str]:
    """``units`` with each bare list number joined to the text it numbers: the item "1. Để sử
    dụng dữ liệu …" is one unit, which a list is quoted by."""
    out: list[str] = []
    for unit in units:
        if out and _BARE_MARK.fullmatch(out[-1]):
            out[-1] = f"{out[-1]} {unit}"
        else:
            out.append(unit)
    return out


def of_year(year: int | frozenset[int] | None, asked: list[int]) -> bool:
    """Whether a unit speaking of ``year`` (one, or several years) speaks of one of ``asked``."""
    return bool(year & set(asked)) if isinstance(year, frozenset) else year in asked


def _longest_shared_run(question: list[str], sentence: str) -> int:
    """Length of the longest run of consecutive question syllables found verbatim in ``sentence``."""
    text = " " + folded_words(sentence) + " "
    best = 0
    for i in range(len(question)):
        for j in range(i + best + 1, len(question) + 1):
            if " " + " ".join(question[i:j]) + " " in text:
                best = j - i
            else:
                break
    return best


# The modal words of Vietnamese rules: an obligation, a permission, a ban, an exemption.
_RULE_WORDS = ("phải", "không phải", "không được", "được phép", "được", "nghiêm cấm", "bị cấm", "cấm", "bắt buộc",
               "không nhất thiết", "có quyền", "có trách nhiệm", "có nghĩa vụ", "miễn")
_RULE = re.compile(r"\b(?:" + "|".join(_RULE_WORDS) + r")\b", re.IGNORECASE)
# The same words typed without marks, for a question typed so ("co bat buoc phai ... khong").
_FOLDED_RULE = re.compile(r"\b(?:" + "|".join(fold(w) for w in _RULE_WORDS) + r")\b")


@lru_cache(maxsize=4096)
def _modals(text: str) -> frozenset[str]:
    """The modal words of ``text``, folded, negation set aside ("không phải" -> "phai"); the
    question's are read once for all its sentences."""
    found = [fold(m) for m in _RULE.findall(text)] if has_diacritics(text) \
        else _FOLDED_RULE.findall(folded_words(text))
    return frozenset(re.sub(r"^khong\s+", "", m) for m in found)


# What a modal word rules, negation set aside: a permission, or its ban, answers "có được …
# không?" ("có quyền yêu cầu …", "nghiêm cấm …"); a duty, or its waiver, answers "có phải …
# không?" ("có trách nhiệm …", "miễn …").
_RULED = {"duoc": "may", "duoc phep": "may", "co quyen": "may", "nghiem cam": "may", "bi cam": "may", "cam": "may",
          "phai": "must", "bat buoc": "must", "nhat thiet": "must", "co trach nhiem": "must",
          "co nghia vu": "must", "mien": "must"}


def _rules(modals: frozenset[str]) -> set[str]:
    return {_RULED[m] for m in modals if m in _RULED}


# What holding every asked kind of answer adds to a unit's score (its coverage is 0..1).
HOLDS_ANSWER_BONUS = 0.25
# A unit holding what was asked is quoted first when it scores at least this share of the best.
HOLDER_SHARE = 0.6
# Each question of a message asking several gets a unit not quoted yet scoring this share of its best.
PART_SHARE = 0.9
# A question asking for several things quotes up to this many units, those of the best passage
# scoring at least this share of the best unit.
LIST_UNITS = 5
LIST_BAR = 0.6
# A sentence defining a term asked about ("Kinh tế số là …") answers a definition question
# before one that names every term asked and defines none ("… ba trụ cột: chính phủ số, kinh tế
# số và xã hội số"): more than the coverage and verbatim run (at most 1.2) that one gets over it.
DEFINES_BONUS = 0.8
# A yes/no question's unit stating the modal asked, or its negation, gains the first; one stating
# another word for the same rule ("có quyền" for "được"), the second. Their difference exceeds
# RANK_PENALTY: the very modal asked is the likelier answer even from the next passage.
SAME_MODAL_BONUS = 0.15
SAME_RULE_BONUS = 0.05
# What saying all of what a question asks of adds to a unit's score (see :attr:`Query.focus`):
# as much as a rule with the very modal asked gets; what a rule is of matters as much as its modal.
FOCUS_BONUS = 0.3
# … when it is at most this share of the question's weight: a question telling little before its
# "có … không" ("nhà mạng có được từ chối …") is all focus, and the bonus would only echo coverage.
MAX_FOCUS_SHARE = 2 / 3
# What a passage's rank among the cited ones takes off its units' scores.
RANK_PENALTY = 0.08


def holds(kind: str, unit: str, year: int | frozenset[int] | None, asked: str = "") -> bool:
    """Whether a unit holds an answer of ``kind``; "khi nào" is also answered by the year the unit
    speaks of from its section ("Phủ sóng 5G toàn quốc." under "Đến năm 2030"). Asked "cơ quan
    nào" (``asked``: the question), an agency the question names itself is no answer."""
    if kind == "who" and asked:
        unit = unasked_agents(unit, asked)
    return holds_answer(kind, unit) or (kind == "when" and isinstance(year, int))


@lru_cache(maxsize=8192)
def holds_all(kinds: frozenset[str], unit: str, year: int | frozenset[int] | None, asked: str = "") -> bool:
    """Whether a unit holds an answer of every kind asked (:func:`holds`); read once per unit,
    though scoring, lead-in and holder choice all ask."""
    return all(holds(kind, unit, year, asked) for kind in kinds)


def dated(unit: str, year: int | frozenset[int] | None, q: Query) -> str:
    """A unit as quoted: asked "khi nào", with the year it speaks of when it does not say it itself."""
    if "when" in q.types and isinstance(year, int) and not holds_answer("when", unit):
        body = unit.rstrip()
        end = body[-1] if body[-1:] in (".", ";") else ""
        return f"{body[:len(body) - len(end)]} (năm {year}){end}"
    return unit


def score_sentence(q: Query, weights: dict[str, float], sentence: str, year: int | None, topic: str = "") -> float:
    """How well ``sentence`` answers ``q``; ``topic``: the heading of the article it is a clause
    of, whose words it speaks of without repeating them ("1. Do lỗi hệ thống …" under "Nguyên
    nhân sự cố" answers "sự cố do những nguyên nhân nào")."""
    score = coverage(weights, f"{topic} {sentence}" if topic else sentence)
    if q.quantity and holds_answer("quantity", sentence):
        score += 0.15
    if q.years:
        if of_year(year, q.years):
            score += 0.15
        elif year is not None:
            score -= 0.15  # a figure for another year is not the answer
    # A long phrase of the question repeated verbatim marks the sentence that answers it.
    run = _longest_shared_run(q.folded, sentence)
    score += 0.05 * min(max(run - 2, 0), 4)
    if q.definition:
        score += DEFINES_BONUS * defines(q, sentence)
    # What the question asks of ("… thì mình có đòi bồi thường được không": "có quyền yêu cầu bồi
    # thường", not "không được cung cấp thông tin" of the facts told before; "do những nguyên nhân
    # nào": the clauses under "Nguyên nhân sự cố") marks the unit that answers it.
    focus = Weights({t: w for t, w in weights.items() if t in q.focus}, getattr(weights, "marks", None))
    told = sum(focus.values()) <= MAX_FOCUS_SHARE * sum(weights.values())  # facts told before it
    said_of = coverage(focus, f"{topic} {sentence}" if topic else sentence) if focus and told else None
    if said_of is not None:
        score += FOCUS_BONUS * said_of
    # "Có bắt buộc …không?", "có được …không?": a rule answers it, so a sentence that says what
    # must, may or may not be done is the likelier answer.
    if "yesno" in q.types and _RULE.search(sentence):
        score += 0.15
        # … and one stating the very modal asked, or its negation ("có bắt buộc phải …?":
        # "… không nhất thiết phải …"), more so than one stating another duty; if it says
        # anything of what is asked ("không được cung cấp" is no answer to "đòi … được không").
        asked, said = _modals(q.text), _modals(sentence)
        if said_of != 0 and asked & said:
            score += SAME_MODAL_BONUS
        elif said_of != 0 and _rules(asked) & _rules(said):  # another word for it: "có quyền" for "được"
            score += SAME_RULE_BONUS
    # A sentence that holds what was asked (a figure, a date, an agency) is the likelier answer:
    # one that does not cannot answer at all (the answer-type check would say "not stated").
    checked = q.types & ANSWER_KINDS
    if checked and holds_all(checked, sentence, year, q.text):
        score += HOLDS_ANSWER_BONUS
    return score


def year_segment(text: str, year: int, start: int | None = None) -> str:
    """The part of a passage that speaks of ``year``: from "năm 2025" up to the next other year.

    :param start: the year the passage starts under (:func:`lead_year`): a list of targets
        opened by "Đến năm 2025, …" in one passage goes on in the next one"""
    marks = [(m.start(), m.end(), int(m.group(1))) for m in YEAR_MENTION.finditer(text)]
    out, inside, pos = [], start == year, 0
    for at, end, y in marks:
        was_inside = inside
        if inside:
            out.append(text[pos:at])
        inside, pos = (y == year), at
        # "Đến năm 2025, kinh tế số chiếm 20% GRDP, năm 2030 chiếm trên 30% GRDP": a year that
        # goes on without a comma of its own, after a comma, shares the subject of the clause
        # before it; the segment takes that clause in, or "chiếm trên 30% GRDP" says nothing.
        # (Unless the segment already runs through it: it would be taken twice.)
        if inside and not was_inside and text[at - 2:at] == ", " and text[end:end + 1] != ",":
            opened = max(text.rfind(". ", 0, at), text.rfind(": ", 0, at), text.rfind("; ", 0, at))
            pos = opened + 2 if opened >= 0 else 0
    if inside:
        out.append(text[pos:])
    return " ".join(out)


# Words that ask for targets without naming a topic ("mục tiêu", "chỉ tiêu", "đặt", "phấn đấu").
TARGET_WORDS = frozenset(fold(w) for w in "mục tiêu chỉ đặt ra phấn đấu đề năm tỉnh thành phố gì".split())


# A table column of one year's figures: "Năm 2026", "2026", "Đến năm 2028", "Mục tiêu 2030".
_YEAR_COLUMN = re.compile(r"(?:(?:năm|đến|mục tiêu|chỉ tiêu|kế hoạch)\s+)*(20\d\d)", re.IGNORECASE)


def year_columns(cells: list[tuple[str, str]]) -> dict[int, str]:
    """The values of a table row's columns headed by a year ("Năm 2026: 60"), by year."""
    return {year: value for header, value in cells if (year := _year_of_column(header)) and value}


def _year_of_column(header: str) -> int | None:
    m = _YEAR_COLUMN.fullmatch(header.strip())
    return int(m.group(1)) if m else None


def target_years(row: dict) -> set[int]:
    """The years a passage sets targets for: "đến năm 2030" in its text, or its year columns."""
    cells = table_cells(row["text"])
    return set(year_columns(cells) if cells else ()) | {int(y) for y in YEAR_MENTION.findall(row["text"])}


# A clause reporting what has been done or is so now ("đã cấp", "hiện có", "theo báo cáo"),
# unless it also says what is aimed at ("phấn đấu", "yêu cầu … đạt", "mục tiêu").
_ACHIEVED = re.compile(r"\b(?:đã|hiện có|hiện nay|hiện đã|theo báo cáo|tính đến)\b", re.IGNORECASE)
_AIMED = re.compile(r"\b(?:phấn đấu|mục tiêu|chỉ tiêu|yêu cầu|kế hoạch|đến năm|đến hết|bảo đảm|đảm bảo)\b",
                    re.IGNORECASE)


# A sum of money ("1.500 tỷ đồng", "86 tỷ đồng"): a target of revenue or spending, like a share.
_MONEY = re.compile(r"\d[\d.,]*\s*(?:nghìn tỷ|tỷ|tỉ|triệu)\s+đồng\b")


def year_targets(year: int, rows: list[dict]) -> list[str]:
    """Bullet points of one year's targets, from the top document's passages: the clauses that
    speak of it, and the rows of a table with a column for it ("Năm 2026: 60" with "Đơn vị: %"
    reads "năm 2026: 60%")."""
    bullets: list[str] = []
    for row in rows:
        cells = table_cells(row["text"])
        columns = year_columns(cells) if cells else {}
        if columns:
            if re.search(r"\d", columns.get(year, "")):
                # The row with its number, its subject, its unit and that year's column only.
                subject = next(i for i, (h, _) in enumerate(cells) if fold(h).strip(". ") not in _NUMBER_HEADERS)
                kept = [(h, v) for i, (h, v) in enumerate(cells) if i == subject or fold(h).strip(". ") in
                        _NUMBER_HEADERS + _UNIT_HEADERS or _year_of_column(h) == year]
                label = next(h for h, _ in kept if _year_of_column(h) == year)
                # Under "Mục tiêu năm 2026 …", the column's name ("năm 2026: 60%") says it again.
                bullets.append(render_row(kept).replace(f"{label[:1].lower()}{label[1:]}: ", "", 1))
            continue
        segment = year_segment(row["text"], year, row.get("lead_year"))
        # Clauses: at ";", at a sentence, and at a list's first item run into its lead-in (a web
        # page's list, flattened: "… các mục tiêu sau: - 95% hồ sơ …; - 100% xã …").
        for clause in re.split(r";\s+|(?<=[.:])\s+(?=[A-ZĐÀ-Ỹ0-9])|(?<=:)\s+(?=[-–•+*]\s)", segment):
            clause = re.sub(rf"^(?:đến|năm)\s+(?:năm\s+)?{year}\s*,?\s*", "", clause.strip(), flags=re.IGNORECASE)
            clause = re.sub(r"^[\s:\-–•+*]+", "", clause).strip(" .,;…")  # a list item's marker
            clause = re.sub(r"\s{2,}", " ", clause)
            # A share ("90%", "13/13 xã") or a level; not a date ("tháng 12/2021"); and a target,
            # not what was done by then ("Tỉnh đã cấp 412.000 tài khoản, đạt 65%" in a news report).
            if (re.search(r"\d+\s*%|(?<![/\d])\d{1,3}/\d{1,3}(?![/\d])|\bmức độ \d", clause) or _MONEY.search(clause)) \
                    and 10 < len(clause) < 300 \
                    and not (_ACHIEVED.search(clause) and not _AIMED.search(clause)):
                clause = clause[0].upper() + clause[1:]
                if clause not in bullets:
                    bullets.append(clause)
    return bullets[:10]


_NUMBER_HEADERS = ("tt", "stt", "so tt", "so thu tu")  # a row's number column
_UNIT_HEADERS = ("don vi", "don vi tinh", "dvt")  # its unit column


def render_row(cells: list[tuple[str, str]], heading: str = "") -> str:
    """A table row as a sentence: what the row is about, then its other columns.

    "Xếp hạng năng lực cạnh tranh số: ≤ 3 Đông Nam Á; ≤ 50 Thế giới (thứ bậc; cơ quan chủ trì
    theo dõi, đánh giá: Bộ Thông tin và Truyền thông; chỉ tiêu 4)", never "TT: 4; Chỉ tiêu: …".
    """
    number = next((v for h, v in cells if fold(h).strip(". ") in _NUMBER_HEADERS), None)
    rest = [(h, v) for h, v in cells if v and v != number]
    if not rest:
        return " ".join(v for _, v in cells)
    # "Đơn vị: %", "Kết quả: ≥ 80" read "≥ 80%" ("% GDP": "≥ 30% GDP"); "Đơn vị: Doanh nghiệp"
    # reads "≥ 10 doanh nghiệp".
    unit = next((v for h, v in rest[1:] if fold(h).strip(". ") in _UNIT_HEADERS), None)
    if unit and len(unit) <= 20 and any(re.search(r"\d\s*$", v) for _, v in rest[1:] if v != unit):
        joined = unit if unit.startswith("%") else " " + unit[:1].lower() + unit[1:]
        rest = [rest[0]] + [(h, re.sub(r"(\d)\s*$", lambda m: m.group(1) + joined, v)) for h, v in rest[1:]
                            if v != unit]
    subject, values = clip(rest[0][1]), rest[1:]
    parts = [f"{h[:1].lower() + h[1:]}: {clip(v)}" for h, v in values]
    year = heading_year(heading)
    tail = [f"mục {number.rstrip('.')}" if number else "", f"đến năm {year}" if year else ""]
    tail = [t for t in tail if t]
    text = f"{subject.rstrip('.;')}: " + "; ".join(parts)
    return text + (f" ({', '.join(tail)})" if tail else "")


def heading_year(heading: str) -> int | None:
    """The year a table row's group speaks of ("… › I Đến năm 2030 › …")."""
    m = YEAR_MENTION.search(heading or "")
    return int(m.group(1)) if m else None


def clip(value: str, width: int = 300) -> str:
    """A cell cut at a word boundary: an answer quotes a row, the sources show all of it."""
    if len(value) <= width:
        return value
    return value[:width].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def quotable(row: dict) -> tuple[list[tuple[str, int | frozenset[int] | None]], str]:
    """What can be quoted of a passage (one rendered table row, or its sentences, each with
    the year it speaks of), and the context it is scored with (a row's group path)."""
    cells = table_cells(row["text"])
    if cells:
        # The year its group speaks of, or the years of its columns ("Năm 2025 | Năm 2030"): such
        # a row does not answer a question about 2026.
        year = heading_year(row["heading"]) or frozenset(year_columns(cells)) or None
        return [(render_row(cells, row["heading"]), year)], (row["heading"] or "") + " "
    return sentences(row["text"], row.get("lead_year")), ""


def lead_year(kb: KnowledgeBase, row: dict) -> int | None:
    """The year a passage starts under: the last one the passage before it in the same section
    spoke of ("Đến năm 2025, …" in one passage, its list of targets in the next)."""
    before = [r for r in kb.neighbours(row["id"], before=LEAD_YEAR_PASSAGES, after=0) if r["id"] != row["id"]]
    for previous in reversed(before):  # nearest first, within the section
        if (previous.get("heading") or "") != (row["heading"] or ""):
            return None
        mentions = YEAR_MENTION.findall(previous["text"])
        if mentions:
            return int(mentions[-1])
    return None


# A list item: "a) …", "đ) …", "- …", "• …", "1. …".
_LIST_ITEM = re.compile(r"\s*(?:[a-zđ]\)|[-–•+*]\s|\d{1,2}[.)]\s)")
# The national motto heads an official text: the state's name in capitals, or "Độc lập - Tự do -
# Hạnh phúc". Not the state named in a clause ("điều ước quốc tế mà Cộng hòa xã hội chủ nghĩa Việt
# Nam là thành viên").
_MOTTO = re.compile(r"CỘNG H(?:ÒA|OÀ) XÃ HỘI CHỦ NGHĨA VIỆT NAM|(?i:độc lập\s*[-–]\s*tự do\s*[-–]\s*hạnh phúc)")


def article_lead(row: dict) -> str:
    """"Theo Điều 12, Luật 67/2006/QH11 (Các hành vi bị nghiêm cấm):" before a quoted clause: the
    article's title often says what the clause means for the asker (a ban, a right, a duty)."""
    m = ARTICLE_HEADING.search(row.get("heading") or "")
    return f"Theo {m.group(1).strip()} ({m.group(2).strip()}):\n" if m else ""


def extract(q: Query, weights: dict[str, float], cited: list[dict],
             abbreviations: Abbreviations = NO_ABBREVIATIONS) -> tuple[str, list[tuple[str, int | None]], dict]:
    """The best sentences (or table rows) of the cited passages, in document order, figures
    verbatim; the units quoted with the year each speaks of, for the answer-type check; and
    the passage the best unit comes from."""
    candidates = []
    articles = [article_label(row["heading"]) for row in cited]
    for rank, row in enumerate(cited):
        units, context = quotable(row)
        # A legal clause is read under its article: the instrument and the title say what it is
        # about ("1. Do lỗi hệ thống …" under "Điều 4, Thông tư 02/2011/TT-BTTTT — Nguyên nhân sự cố").
        topic = abbreviations.expand_passage(articles[rank])
        # Asked for a fact (an agency, a figure, a date) of a document named by number, a unit of
        # that very document speaks of it without repeating its number ("6. Văn phòng Trung ương
        # Đảng … theo dõi, kiểm tra, đánh giá kết quả thực hiện Nghị quyết" answers "… việc thực
        # hiện Nghị quyết 57"). Asked about the document itself ("NQ 03 ban hành về nội dung
        # gì?"), the unit naming it still tells.
        own = row.get("numbers", [])[:1]
        if q.types & ANSWER_KINDS and any(number_matches(n, number) for n in q.numbers for number in own):
            topic = f"{topic} {own[0]}".strip()
        for i, (sentence, year) in enumerate(units):
            # Scored as the question is read.
            read = abbreviations.expand_passage(context + sentence, "document" in q.types)
            score = score_sentence(q, weights, read, year, "" if is_source_note(sentence) else topic) \
                - RANK_PENALTY * rank
            candidates.append((score, rank, i, sentence, year, read))
    if not candidates:
        return cited[0]["text"], [(cited[0]["text"], None)], cited[0]
    # An official text's own header (issuer, national motto, number, date, title) says what the
    # text is, which the document facts answer; its numbers and dates are no figure to quote.
    candidates = [c for c in candidates if not _MOTTO.search(c[3])] or candidates
    checked = q.types & ANSWER_KINDS

    # "ai chịu trách nhiệm về …": an item of "Người sử dụng dịch vụ … có quyền và nghĩa vụ sau đây:"
    # is of the people its lead names, who answer "ai": it holds the answer as if it named them
    # (and is quoted under its lead, below).
    def led(c: tuple) -> tuple | None:
        lead = _lead_in(candidates, c) if checked & _SUBJECT_KINDS else None
        return lead if lead is not None and holds_all(checked, lead[5], lead[4], q.text) else None

    def under_lead(c: tuple) -> tuple:
        lead = None if holds_all(checked, c[5], c[4], q.text) else led(c)
        return c if lead is None else (c[0] + HOLDS_ANSWER_BONUS, *c[1:5], f"{lead[5]} {c[5]}")

    if checked & _SUBJECT_KINDS:
        candidates = [under_lead(c) for c in candidates]
    candidates.sort(key=lambda c: -c[0])
    # A unit without what was asked (a date for "từ ngày nào") cannot be the answer while one
    # that holds it scores nearly as well.
    # "bao nhiêu tiền": a figure of money ("85 tỷ đồng"), not a share that only matches the year.
    counted = q.counted if "quantity" in checked else None
    holders = [c for c in candidates if checked and holds_all(checked, c[5], c[4], q.text)
               and (counted is None or counts(c[3], counted))]
    if holders and holders[0] is not candidates[0] and holders[0][0] >= HOLDER_SHARE * candidates[0][0]:
        candidates.remove(holders[0])
        candidates.insert(0, holders[0])
    best = candidates[0]
    row = cited[best[1]]
    # A short passage (a definition, one target) is a unit of meaning: quote it whole; unless
    # several terms are asked, each of which gets its own definition below.
    several = q.definition and len(set(q.terms)) > 1
    if len(row["text"]) <= MAX_ANSWER_CHARS * 0.6 and row["kind"] == "glossary" and not several:
        return row["text"], [(row["text"], None)], row
    chosen = [best]
    total = len(best[3])
    # "1. Hợp nhất hai Trung tâm … trước ngày 30/9/2026. Giao Văn phòng Ủy ban nhân dân tỉnh chủ
    # trì.": the sentences after an item's first belong to the item. What the best unit lacks of
    # the kinds asked (the agency of a task) is read there before anywhere else, and quoted as
    # one unit with it (the topic is in the first sentence, the agency in the last).
    if checked and not holds_all(checked, best[3], best[4], q.text):
        following = sorted((c for c in candidates if c[1] == best[1] and c[2] > best[2]), key=lambda c: c[2])
        for n, cand in enumerate(following):
            if _LIST_ITEM.match(cand[3]) or total + len(cand[3]) > MAX_ANSWER_CHARS:
                break
            if holds_all(checked, cand[3], cand[4], q.text):
                item = following[:n + 1]
                best = (best[0], best[1], best[2], " ".join([best[3], *(c[3] for c in item)]), best[4],
                        " ".join([best[5], *(c[5] for c in item)]))
                candidates = [best if c is candidates[0] else c for c in candidates if c not in item]
                chosen, total = [best], len(best[3])
                break
    lead = led(best) if checked and not holds_all(checked, best[3], best[4], q.text) else None
    if lead is not None:
        chosen.append(lead)
        total += len(lead[3])
    # "Những … gì", "các … nào": several things are asked, so more of the best passage is quoted.
    listing = "list" in q.types
    most, same_bar = (LIST_UNITS, LIST_BAR) if listing else (3, 0.75)
    for cand in candidates[1:]:
        # Further sentences come from the same passage, or must be nearly as good.
        bar = same_bar if cand[1] == best[1] else 0.95
        if cand[0] < best[0] * bar or total + len(cand[3]) > MAX_ANSWER_CHARS or len(chosen) >= most:
            continue
        if q.quantity and q.years and cand[4] is not None and not of_year(cand[4], q.years):
            continue  # a figure for another year is not part of the answer
        if any(_said(cand[3]) == _said(c[3]) for c in chosen):
            continue  # two instruments define a term in the same words: said once
        chosen.append(cand)
        total += len(cand[3])
    # "X khác gì Y", "X và Y là gì": each term asked is quoted from its own best definition.
    for term in dict.fromkeys(q.terms if several else ()):
        one = replace(q, terms=(term,))
        if any(defines(one, c[5]) for c in chosen):
            continue
        own = next((c for c in candidates if c not in chosen and defines(one, c[5])), None)
        if own is not None and total + len(own[3]) <= MAX_ANSWER_CHARS * 1.5:
            chosen.append(own)
            total += len(own[3])
    # "… khi có đủ các điều kiện sau đây:" announces a list: its items are the answer. Asked
    # for several things, an item's list is quoted from the clause that announces it.
    if listing and _LIST_ITEM.match(best[3]):
        lead = _lead_in(candidates, best)
        if lead is not None and lead not in chosen:
            chosen.append(lead)
            total += len(lead[3])
    for lead in [c for c in chosen if c[3].rstrip().endswith(":")]:
        for cand in sorted((c for c in candidates if c[1] == lead[1] and c[2] > lead[2]), key=lambda c: c[2]):
            # "2. …" after "1. … sau đây:" and its "a) …" items is the next clause, not an item.
            sibling = _mark_kind(cand[3]) == _mark_kind(lead[3])
            if not _LIST_ITEM.match(cand[3]) or sibling or total + len(cand[3]) > MAX_ANSWER_CHARS * 1.5:
                break
            if cand not in chosen:
                chosen.append(cand)
                total += len(cand[3])
    # "Gồm mấy mô đun? Nâng cao thì cần thêm mấy?": each question of the message gets its own best unit.
    for part in _parts(q.text):
        mine = {t: w for t, w in weights.items() if t in part}
        if not mine:
            continue
        ranked = sorted(((score_sentence(q, mine, c[5], c[4]) - RANK_PENALTY * c[1], n) for n, c in enumerate(candidates)),
                        reverse=True)
        # Its best unit, or one nearly as good that is not quoted yet: a sentence that mentions
        # both questions' words is not the answer to both.
        own = next((candidates[n] for s, n in ranked if s >= PART_SHARE * ranked[0][0] and candidates[n] not in chosen),
                   None)
        if own is not None and total + len(own[3]) <= MAX_ANSWER_CHARS * 1.5:
            chosen.append(own)
            total += len(own[3])
    chosen.sort(key=lambda c: (c[1], c[2]))
    # Clauses of another article are quoted after the best one's, under their own article (the
    # answer opens with the best one's: "Theo Điều 3, Thông tư 20/2014/TT-BTTTT (…):").
    label = articles[best[1]]
    if label:
        chosen.sort(key=lambda c: articles[c[1]] not in ("", label))
    text, shown = "", label
    for c in chosen:
        own = articles[c[1]]
        if own and own != shown:
            text, shown = f"{text.rstrip()}\n{article_lead(cited[c[1]])}", own
        text += dated(c[3], c[4], q) + " "
    text = re.sub(r" {2,}", " ", text.strip())
    return text, [(c[3], c[4]) for c in chosen], row


def _mark_kind(unit: str) -> str | None:
    """The kind of list mark ``unit`` opens with: "1." a number, "a)" a letter, "-" a dash; or None."""
    m = _LIST_ITEM.match(unit)
    if not m:
        return None
    mark = m.group(0).strip()
    return "number" if mark[0].isdigit() else "letter" if mark[0].isalpha() else "dash"


def _said(unit: str) -> str:
    """What a unit says, without its list mark, spacing and case ("1. Trang thông tin …")."""
    return " ".join(re.sub(r"^\s*(?:\d+|[a-zđ])[.)]\s+", "", unit).lower().split())


# The kinds of answer a list's lead gives its items: who they are about.
_SUBJECT_KINDS = frozenset({"who", "person"})


def _lead_in(candidates: list[tuple], item: tuple) -> tuple | None:
    """The unit of the same passage ending in ":" that opens the list ``item`` belongs to."""
    before = sorted((c for c in candidates if c[1] == item[1] and c[2] < item[2]), key=lambda c: -c[2])
    for cand in before:
        if cand[3].rstrip().endswith(":"):
            return cand
        if not _LIST_ITEM.match(cand[3]):
            return None
    return None


# Where a message starts another question: a question mark, or a contrastive "còn" after a
# comma or semicolon ("yếu tố nào giữ vai trò quyết định, còn cái gì là động lực?").
_PART_BREAK = re.compile(r"\?+|[,;]\s*(?=(?:còn|con)\s)", re.IGNORECASE)


def _parts(question: str) -> list[set[str]]:
    """The folded syllables of each question of a message that asks several ("…? …?",
    "…, còn …?"); none for one."""
    parts = [set(folded_words(p).split()) for p in _PART_BREAK.split(question)]
    parts = [p for p in parts if len(p) >= 3]
    return parts if len(parts) >= 2 else []
