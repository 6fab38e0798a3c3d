"""Answer-type check: does what would be quoted hold an answer of the kind asked (a figure of
the thing counted, a date, an agency), about the topic and the year asked? If not, the answer
says plainly that the documents do not state it."""

from __future__ import annotations

from collections.abc import Callable

from index.text import folded_words, syllables

from ..metadata import KIND_LABELS
from .analysis import Query
from .candidates import holds, holds_all, of_year
from .compose import where
from ..query import ANSWER_KINDS, contrary_bound, counts
from .retrieve import coverage, names, phrase_coverage
from .types import Answer

KIND_WORDS = {"quantity": "con số", "when": "thời điểm", "often": "tần suất", "day": "ngày", "who": "cơ quan",
              "person": "cơ quan hay người", "document": "số hiệu văn bản"}


# The kinds of answer whose quote must also hold the question's topic phrases.
PHRASE_CHECKED = frozenset({"quantity", "who"})


def speaks_of(topic: str, text: str) -> bool:
    """Whether ``text`` names ``topic`` (folded syllables): every syllable of it, two of them
    side by side as in the topic ("80% hồ sơ … được giải quyết trực tuyến" speaks of "hồ sơ trực
    tuyến"; "chữ ký" of a signature block and "số" of "chuyển đổi số" do not make "chữ ký số")."""
    words = topic.split()
    read = f" {folded_words(text)} "
    if not all(f" {w} " in read for w in words):
        return False
    return len(words) == 1 or any(f" {a} {b} " in read for a, b in zip(words, words[1:]))


def not_stated(q: Query, weights: dict[str, float], top: dict, quoted: list[tuple[str, int | None]], asked: str,
               features: dict, min_coverage: float, read: Callable[[str], str] = str,
               phrases: dict[str, float] | None = None, min_phrase_coverage: float = 0.0,
               context: str = "") -> Answer | None:
    """A plain "the documents do not say" when what was quoted is not an answer of the kind asked.

    The quoted sentences must hold an answer of the asked type (a figure for "bao nhiêu", a
    date for "khi nào", an agency for "ai") and speak of the question's topic: otherwise the
    engine would present the nearest sentence as the answer.

    :param read: how a quoted unit is read for the topic test, as the question was (its
        abbreviations expanded)
    :param phrases: the question's topic phrases (:func:`.retrieve.question_phrases`), of which
        the units holding the answer, read under ``context`` (the heading and title they are
        quoted under: "Điều 75, Luật 67/2006/QH11 — Hiệu lực thi hành"), must hold ``min_phrase_coverage``
    """
    kinds = q.types & ANSWER_KINDS
    body = " ".join(u for u, _ in quoted)
    missing = [kind for kind in sorted(kinds) if not holds(kind, body, None, q.text)
               and not any(holds(kind, u, year, q.text) for u, year in quoted)]
    # The unit that holds the answer must also speak of the question's topic ("100% of the
    # shared databases" does not answer "what share of people use e-wallets") and of the
    # year asked (a 2030 figure does not answer a question about 2025).
    counted = q.counted if "quantity" in kinds else None
    holding = [u for u, year in quoted if holds_all(kinds, u, year, q.text)
               and (not q.years or year is None or of_year(year, q.years))
               and (counted is None or counts(u, counted)) and not contrary_bound(q.text, u)]
    covered = max((coverage(weights, read(u)) for u in holding), default=0.0)
    shown = " ".join([context, *map(read, holding)])
    # Topic phrases separate a figure (or an agency) of a neighbouring topic from the one asked: the
    # task row of "Luật Nhà giáo" does not say who amends "Luật Giao thông đường bộ". A date or
    # an instrument is checked by its words alone ("nghị định nào quy định về thư rác": "Nghị
    # định 91/2020/NĐ-CP Chống tin nhắn rác, thư điện tử rác" shares no phrase, and answers).
    phrased = (phrase_coverage(phrases or {}, shown) if kinds & PHRASE_CHECKED else 1.0) if holding else 0.0
    # A thing named by its number ("Đề án 06") is the thing asked about, or the quote is not about it.
    if any(not names(thing, shown) for thing in q.things):
        phrased = 0.0
    # "mục tiêu gì về chữ ký số": a quote that never names the topic asked about, nor does the
    # heading and title it is quoted under, answers about another one.
    elsewhere = bool(q.about) and not speaks_of(q.about[0], " ".join([context, *(read(u) for u, _ in quoted)]))
    features.update(quote_coverage=round(covered, 3), phrase_coverage=round(phrased, 3), types=sorted(kinds),
                    missing=missing, about_missing=elsewhere)
    if not kinds and not elsewhere:
        return None  # no type to check, and the passage-level test already passed
    if not elsewhere and not missing and covered >= min_coverage and phrased >= min_phrase_coverage:
        return None
    label = KIND_LABELS.get(top["kind"], "Văn bản")
    place = where(q, top)
    # Nothing quoted holds an answer of the asked kind about the thing asked: say which kind.
    if elsewhere:
        what = f"thông tin về {q.about[1]}"
    elif missing or not holding:
        what = KIND_WORDS[(missing or sorted(kinds))[0]]
    else:
        what = "thông tin"  # an answer of the kind asked, but about something else
    year = f" cho năm {q.years[0]}" if q.years else ""
    text = (f"Kho dữ liệu chưa có {what} trả lời câu hỏi này. Văn bản gần nhất là {label.lower()} "
            f"«{top['title']}»{place}, nhưng văn bản không nêu {what}{'' if elsewhere else ' này'}{year}.")
    # What the closest document does say: a sentence, not a list marker ("4.") or a bare heading.
    said = next((u for u, _ in quoted if len(syllables(u)) >= 4), None)
    if said:
        text += f" Văn bản có nói: «{said[:300]}»"
    return Answer(asked, text, abstained=True, province=q.places[0].label() if q.places else None,
                  year=q.years[0] if q.years else None, features=features)
