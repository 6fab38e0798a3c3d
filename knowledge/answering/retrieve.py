"""Retrieval: the hybrid retriever's candidates for a question, re-ranked by what the question
names beyond its words (a year, a document number, a defined term, a district)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from index.text import fold, folded_words, has_diacritics, is_stopword, iy_twin, syllables

from ..chunking import ARTICLE_HEADING
from ..metadata import document_numbers, kind_names
from ..store import KnowledgeBase
from .analysis import FRAME_SYLLABLES, YEAR, Query, bare_number, defines, definition_frame
from .scope import number_matches
from ..query import ANSWER_KINDS, CURRENCY, UNIT_SYMBOLS, Abbreviations, counts, holds_answer

CANDIDATES = 40  # passages taken from each retriever before fusion
# On the fused scale (0..1): a passage giving a figure of the very thing counted ("bao nhiêu
# giờ": "22 giờ") states what a figure question asks, whatever other words it shares.
COUNTED_BOOST = 0.2
# A definition question also takes the passages writing its term within a few words before a
# "là" (an alias in brackets between: "Trang thông tin điện tử (website) là"), the best few by BM25.
DEFINITION_GAP = 4
DEFINITION_CANDIDATES = 30
# A passage defining the very term asked about ("Cơ sở dữ liệu là tập hợp …") answers a
# definition question before any that only names it, however often (fused scores are 0..1).
DEFINES_BOOST = 1.0
# A passage naming a thing the question names by its number ("mức 1", "Đề án 06").
NAMED_BOOST = 0.5
# A legal article of the kind of instrument the question names ("Luật CNTT cấm …": the Law's
# article, before a circular's detailing the same bans).
NAMED_KIND_BOOST = 0.1
# A passage of the very document a question names by number, over a document citing it.
OWN_NUMBER_BOOST = 0.1
# A passage of the asked province itself, when former provinces' documents answer for it too.
OWN_PROVINCE_BOOST = 0.15
# A passage whose content words are this share of its document's title's restates it
# ("Điều 1. Ban hành kèm theo Quyết định này Quy chế …"): 5 of the 2,879 bundled passages (NQ 03's).
TITLE_ECHO = 0.75
TITLE_ECHO_PENALTY = 0.3  # the most its word overlap adds (0.3 x coverage): that credit, and no more


def term_weights(kb: KnowledgeBase, tokens: list[str]) -> dict[str, float]:
    """IDF-like weights of the question's content syllables (folded), from FTS5 document counts."""
    twins = {tok: iy_twin(tok) for tok in tokens if iy_twin(tok)}
    total, freqs = kb.term_stats([*tokens, *twins.values()])
    # "ki" and "ky" are one syllable spelled two ways: counted together.
    held = {tok: freqs.get(tok, 0) + freqs.get(twins.get(tok, ""), 0) for tok in tokens}
    return {tok: math.log(1 + max(total, 1) / (1 + n)) for tok, n in held.items()}


# A province's or district's own bodies: "Ủy ban nhân dân tỉnh Quảng Ninh", "HĐND tỉnh Điện Biên".
# Named so, they say whose document it is (like the place itself), not what a passage is about:
# "Điều 4. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện" is not the answer to every question
# about "nghị quyết của HĐND tỉnh".
_BODIES = ("uy ban nhan dan", "hoi dong nhan dan", "ubnd", "hdnd", "tinh uy", "thanh uy", "huyen uy")
_LEVELS = frozenset({"tinh", "thanh", "huyen", "tp", "xa"})


def _body_of_place(folded: list[str], places: frozenset[str] = frozenset()) -> set[int]:
    """Positions of a body's name followed by its level ("tỉnh", "huyện", "thành phố"), or by
    the first syllable of a place the question names ("nghị quyết của HĐND Điện Biên") where
    no title comes before it ("Bí thư Tỉnh ủy Sóc Trăng" is a person asked about)."""
    found = set()
    for body in _BODIES:
        words = body.split()
        for i in range(len(folded) - len(words)):
            if folded[i:i + len(words)] != words:
                continue
            after = folded[i + len(words)]
            if after in _LEVELS or (after in places and (i == 0 or is_stopword(folded[i - 1]))):
                found.update(range(i, i + len(words)))
    return found


class Weights(dict):
    """Weights of a question's topic syllables, keyed by folded syllable; and, for a question
    typed with marks, how each marked syllable was spelled (``marks``: folded -> spellings,
    i/y twins included).

    Typed with marks, "họ" is not "hồ": a passage holding "hồ sơ" does not hold the "họ" of
    "họ có phải báo lại không". Typed without, "ho" is any of them. Dicts derived from these
    weights (a part of the question) drop the spellings and match folded."""

    def __init__(self, weights: dict[str, float], marks: dict[str, frozenset[str]] | None = None):
        super().__init__(weights)
        self.marks = marks or {}


def _spellings(tokens: list[str], known: Callable[[str], bool] = lambda t: True) -> dict[str, frozenset[str]]:
    """Folded syllable -> its spellings in ``tokens``, for a message typed with marks; {} for
    one typed without (a syllable without marks there is as typed, not a word without them).
    A spelling the documents do not ``know`` is a wrong mark the speller could not place ("Chừ
    kí số"): it is matched without marks."""
    if not any(map(has_diacritics, tokens)):
        return {}
    spelled: dict[str, set[str]] = {}
    for t in tokens:
        if has_diacritics(t) and known(t):
            spelled.setdefault(fold(t), set()).update(filter(None, (t, iy_twin(t))))
    return {f: frozenset(s) for f, s in spelled.items()}


def question_weights(kb: KnowledgeBase, q: Query, own: list[str] | None = None,
                     known: Callable[[str], bool] = lambda t: True) -> Weights:
    """Weights of the question's topic syllables. Place names and years select documents and say
    nothing about which passage answers; in a follow-up (``own``: the message's own words), the
    words taken over from the context only narrow what the message asks and weigh half.

    :param known: whether the documents write a syllable so (see :func:`_spellings`)"""
    tokens = syllables(q.text)
    folded = [fold(t) for t in tokens]
    place_names = [fold(n).split() for p in q.places for n in (p.name, *p.scope)]
    place_words = {w for name in place_names for w in name}
    bodies = _body_of_place(folded, frozenset(name[0] for name in place_names if name))
    if q.definition:  # "X được định nghĩa thế nào": "nghĩa" is no topic ("nghĩa vụ" is not asked)
        bodies |= definition_frame(folded)
    content = [f for i, (t, f) in enumerate(zip(tokens, folded)) if not is_stopword(t) and i not in bodies]
    content = [t for t in content if t not in place_words and not YEAR.fullmatch(t)] or content
    weights = term_weights(kb, content)
    if own is not None:
        mine = {fold(t) for t in own}
        weights = {t: (w if t in mine else w * 0.5) for t, w in weights.items()}
    return Weights(weights, _spellings(tokens, known))


# Numbers documents write in words ("thay bốn mức độ"), read as the digits people type ("4 mức độ").
# "một" and "năm" are left out: they are far more often "a" and "year".
NUMBER_WORDS = {"hai": "2", "ba": "3", "bốn": "4", "sáu": "6", "bảy": "7", "tám": "8", "chín": "9", "mười": "10"}


_MONEY = re.compile(rf"\d\s*(?:{'|'.join(sorted(CURRENCY))})\b", re.IGNORECASE)


@lru_cache(maxsize=50_000)
def _written(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """``text``'s syllables as written (lower-cased, i/y twins added: "ký" holds the "kí" of "chữ
    kí số"), and folded."""
    words = syllables(text)
    return frozenset(words) | {t for t in map(iy_twin, words) if t}, frozenset(fold(" ".join(words)).split())


@lru_cache(maxsize=50_000)
def folded_syllables(text: str) -> frozenset[str]:
    # Passages are immutable (ids are never reused), so their syllables are computed once.
    written, _ = _written(text)
    units = {typed for typed, symbol in UNIT_SYMBOLS.items() if re.search(rf"\d\s*{symbol}\b", text)}  # "200 m": mét
    if _MONEY.search(text):  # "215 tỷ đồng" is a sum of "tiền"
        units.add("tien")
    # Folded, the twins too ("ký" holds the "ki" of "chu ki so"); numbers written in words as digits.
    return frozenset(map(fold, written)) | {NUMBER_WORDS[w] for w in written if w in NUMBER_WORDS} | units


def coverage(weights: dict[str, float], text: str) -> float:
    """Share of the question's weighted content syllables found in ``text``; a syllable typed
    with marks is found only as spelled (see :class:`Weights`), unless ``text`` holds it
    otherwise than as a syllable ("mét" in "200 m", "sáu" in "6")."""
    if not weights:
        return 0.0
    present = folded_syllables(text)
    marks = getattr(weights, "marks", None)
    if not marks:
        return sum(w for t, w in weights.items() if t in present) / sum(weights.values())
    written, plain = _written(text)
    return sum(w for t, w in weights.items()
               if t in present and (t not in marks or t not in plain or marks[t] & written)) / sum(weights.values())


def names(thing: tuple[str, str], text: str) -> bool:
    """Whether ``text`` names ``thing`` ("mức 1" in "mức độ 1", "Đề án 06"), one syllable allowed between."""
    a, n = thing
    return re.search(rf"\b{re.escape(a)}(?: \w+)? 0*{n}\b", folded_words(text)) is not None


def _subject(text: str) -> str:
    """What a passage's text opens with, up to its first ":" or "là" ("a) Dịch vụ công trực tuyến mức độ 1")."""
    return re.split(r":|\slà\s", text, maxsplit=1)[0][:150]


def question_phrases(kb: KnowledgeBase, q: Query, weights: dict[str, float],
                     own: list[str] | None = None) -> dict[str, float]:
    """The question's topic phrases: two adjacent content syllables the documents also write
    together ("tài khoản", "tiền mặt", "kiểm tra"), each weighing its syllables' weights; and
    the things it names by their number, even if no document writes them (then the documents do
    not have that thing).

    A quote that holds a figure but none of these speaks of something else.

    :param own: a follow-up's own topic words; when some phrase is made of them, only those
        count ("cơ quan nào làm thường trực?" after a plan's budget asks about "thường trực":
        the inherited "tổng kinh phí" only says which plan)"""
    typed = syllables(q.text)
    tokens = [fold(t) for t in typed]
    # A district or a document named ("Theo NQ 03/NQ-CP, …") says where to look, not what about.
    named = {w for d in q.districts for w in fold(d).split()} | {w for n in q.numbers for w in folded_words(n).split()}
    phrases = {}
    for i, (a, b) in enumerate(zip(tokens, tokens[1:])):
        phrase = f"{a} {b}"
        if a in weights and b in weights and not b.isdigit() and not {a, b} & named \
                and phrase not in phrases and not {a, b} <= FRAME_SYLLABLES and kb.has_phrase([a, b], False):
            # Typed with marks, the phrase is matched with them: "tỷ lệ hộ gia đình" has no "lệ hồ".
            if has_diacritics(typed[i]) or has_diacritics(typed[i + 1]):
                phrase = _spelled(f"{typed[i]} {typed[i + 1]}")
            phrases[phrase] = weights[a] + weights[b]
    for a, n in q.things:
        phrases[f"{a} {n}"] = weights.get(a, 0.0) + max(weights.values(), default=1.0)
    # A term ("GRDP", "BTS", "OCOP"), typed in capitals or without a vowel ("grdp", "cntt"), is a
    # topic of its own, as a word of two syllables.
    for word in re.findall(r"[^\W\d_]{2,}", q.text):
        if (word.isupper() or not re.search(r"[aeiouy]", fold(word))) and fold(word) in weights \
                and fold(word) not in named:
            phrases.setdefault(fold(word), 2 * weights[fold(word)])
    if own:
        mine = {fold(w) for w in own}
        phrases = {p: w for p, w in phrases.items() if set(fold(p).split()) <= mine} or phrases
    return phrases


def _spelled(text: str) -> str:
    """``text``'s syllables, lower case, each "i"/"y" spelling read one way ("tỷ lệ" = "tỉ lệ")."""
    return " ".join(min(t, iy_twin(t) or t) for t in syllables(text.lower()))


def phrase_coverage(phrases: dict[str, float], text: str) -> float:
    """Share of the weighted topic phrases found in ``text`` (1.0 when there are none); a phrase
    with marks is matched with them. One word (two syllables at most) may stand inside a
    phrase: "sóng di động 4G" holds "sóng 4G"."""
    if not phrases:
        return 1.0
    read = " " + " ".join(bare_number(t) for t in folded_words(text).split()) + " "
    spelled = f" {_spelled(text)} " if any(has_diacritics(p) for p in phrases) else ""
    return sum(w for p, w in phrases.items() if _holds_phrase(p, spelled if has_diacritics(p) else read)) \
        / sum(phrases.values())


def _holds_phrase(phrase: str, read: str) -> bool:
    words = phrase.split()
    return re.search(r" " + r"(?: \S+){0,2} ".join(map(re.escape, words)) + r" ", read) is not None


@lru_cache(maxsize=50_000)
def _title_share(text: str, title: str) -> float:
    own = {fold(w) for w in syllables(title) if not is_stopword(w)}
    words = [fold(w) for w in syllables(text) if not is_stopword(w) and not w.isdigit()]
    return sum(w in own for w in words) / len(words) if len(words) >= 5 else 0.0


def restates_title(row: dict) -> bool:
    """Whether a passage says little but its document's title ("Điều 1. Ban hành kèm theo Quyết
    định này Quy chế …", "Quy chế này quy định việc …"): it shares every word of a question
    about the document's subject, and answers none of them."""
    return _title_share(row["text"], row["title"]) >= TITLE_ECHO


_KINDS = sorted({fold(k) for k in kind_names()}, key=len, reverse=True)
_NAMED_KIND = re.compile(rf"(?<!\bphap )\b({'|'.join(_KINDS)})\b")  # "pháp luật" (the law at large) is no kind


def named_kinds(question: str) -> set[str]:
    """The kinds of instrument ``question`` names, folded ("Luật CNTT cấm …" -> {"luat"})."""
    return set(_NAMED_KIND.findall(fold(question)))


def _article_kind(heading: str | None) -> str | None:
    """The kind of instrument of a legal passage's article ("Điều 12, Luật 67/2006/QH11 — …" -> "luat")."""
    m = ARTICLE_HEADING.search(heading or "")
    if not m:
        return None
    instrument = fold(re.sub(r"^Điều \S+,\s*", "", m.group(1)))
    return next((k for k in _KINDS if instrument.startswith(k + " ")), None)


@dataclass
class Retrieved:
    """Candidate passages, best first, with their re-ranked scores; and the cosine of the best
    one with the question (how close in meaning the evidence is)."""

    rows: list[dict]
    scores: list[float]
    top_cosine: float

    def score(self, row: dict) -> float:
        """The re-ranked score of a row (cited rows are not always the first ones); 0 for one not
        retrieved (a clause a cited one refers to)."""
        return next((s for r, s in zip(self.rows, self.scores) if r["id"] == row["id"]), 0.0)


def _lexical_query(q: Query, abbreviations: Abbreviations) -> str | None:
    """What BM25 searches for a definition, when it is not the question as read: without the
    words asking for one ("khái niệm" is in every passage that calls something one), and with
    the short form of a term asked in full: a definition written "CĐS là quá trình …" holds no
    "chuyển đổi số". (Other questions are not searched by short forms: a news article writing
    "CĐS" twenty times would outrank the one sentence that answers.)"""
    if not q.definition:
        return None
    tokens = syllables(q.text)
    frame = definition_frame([fold(t) for t in tokens])
    text = " ".join([*(t for i, t in enumerate(tokens) if i not in frame), *abbreviations.short_forms(q.text)])
    return text if text != " ".join(tokens) else None


def retrieve(kb: KnowledgeBase, q: Query, weights: dict[str, float], allowed: set[int] | None,
             abbreviations: Abbreviations) -> Retrieved:
    """Search ``q`` with the knowledge base's hybrid retriever and re-rank the candidates."""
    found = kb.retriever.run(q.text, allowed, CANDIDATES, lexical_query=_lexical_query(q, abbreviations))
    asked = q.types & ANSWER_KINDS
    candidates = dict(zip(found.fused.ids[:CANDIDATES], found.fused.scores))
    for term in q.terms if q.definition else ():
        # "Mạng xã hội (social network) là …", in an article defining thirty terms: BM25 ranks
        # it below every passage naming the term more often, and e5 reads unmarked terms poorly.
        for verb in (["la"], ["bao", "gom"]):  # "X là …", "X bao gồm các loại sau: …"
            for pid in kb.search_near(term.split(), verb, DEFINITION_GAP, DEFINITION_CANDIDATES, allowed).ids:
                candidates.setdefault(pid, 0.0)
    rows = kb.passages(list(candidates))
    kinds = named_kinds(q.text)
    scored = []
    for pid, fused in candidates.items():
        row = rows.get(pid)
        if row is None or row["kind"] == "abbreviations":  # the list explains words; it answers nothing
            continue
        # "CĐS là …" defines it too; "411/QĐ-TTg" answers "QĐ nào của TTg".
        body = abbreviations.expand_passage(row["heading"] + " " + row["text"], "document" in q.types)
        # Boosts on the fused scale (0..1): what the question names beyond its words.
        s = fused
        if q.years and any(str(y) in body for y in q.years):
            s += 0.1
        # The document numbered so ("Theo NQ 57"), or a passage citing it; not every passage of a
        # document that cites it somewhere (NQ 03's indicator table is not NQ 57's text).
        if q.numbers:
            numbered = row["numbers"][:1] + document_numbers(body)  # its own number, then those it cites
            if any(n in body or any(number_matches(n, own) for own in numbered) for n in q.numbers):
                s += 0.5
            # The document itself before one implementing it: "NQ 57 đặt mục tiêu …" is answered
            # by NQ 57's own targets, not by the NQ 03 indicator that restates one of them.
            if any(number_matches(n, own) for n in q.numbers for own in row["numbers"][:1]):
                s += OWN_NUMBER_BOOST
        if q.definition and row["kind"] == "glossary":
            s += 0.3
        if q.definition:
            s += DEFINES_BOOST * defines(q, body)  # the passage defines the very terms asked about
        if kinds and _article_kind(row["heading"]) in kinds:
            s += NAMED_KIND_BOOST
        if q.districts and set(q.districts) & set(row["districts"]):
            s += 0.1
        # A merged province's own documents before its former parts' ("Mục tiêu năm 2030 của
        # Quảng Trị": the new province's plan, then former Quảng Bình's scheme).
        if q.places and len(q.places[0].scope) > 1 and q.places[0].name in row["provinces"]:
            s += OWN_PROVINCE_BOOST
        # A passage restating its document's title holds every word of a question about the
        # document's subject and answers none; unless the question names the document, which
        # may ask what it is about ("NQ 03 ban hành về nội dung gì?").
        if not q.numbers and restates_title(row):
            s -= TITLE_ECHO_PENALTY
        s += 0.3 * coverage(weights, body)
        # A passage that holds what is asked (a date for "từ ngày nào", a number for "nghị định
        # số mấy") is the likelier answer.
        if asked and all(holds_answer(kind, body) for kind in asked):
            s += 0.1
        if q.counted and counts(body, q.counted):  # "bao nhiêu mét": "200 m" is a figure of it
            s += COUNTED_BOOST
        # "mức 1": a passage about it (its heading, or the subject its text opens with: "Dịch vụ
        # công trực tuyến mức độ 1: là …"), not one naming it in passing ("mức độ 2 là mức độ 1 và …").
        if q.things and any(names(t, f"{row['heading']} {_subject(row['text'])}") for t in q.things):
            s += NAMED_BOOST
        scored.append((s, pid))
    scored.sort(reverse=True)
    if not scored:
        return Retrieved([], [], 0.0)
    best = scored[0][1]
    cosine = dict(zip(found.dense.ids, found.dense.scores)).get(best)
    if cosine is None:  # found by its words alone: how close is it in meaning?
        stored = kb.dense.vector(best)
        cosine = float(stored @ found.vector) if stored is not None else 0.0
    return Retrieved([rows[pid] for _, pid in scored], [s for s, _ in scored], float(cosine))
