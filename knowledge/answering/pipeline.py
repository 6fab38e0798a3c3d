"""The answer pipeline: a question and its conversation context become a grounded answer with
its sources, or a plain "the documents do not say". One function for every channel.

Stages, each a module of this package with its own tests:

1. reading the message (:mod:`.query`): abbreviations, typos, the follow-up it continues;
2. query analysis (:mod:`.analysis`): province, district, year, document number, question type;
3. scoping (:mod:`.scope`): the documents it may be answered from, or the gap;
4. retrieval (:mod:`.retrieve`): the one hybrid retriever, re-ranked;
5. candidate extraction (:mod:`.candidates`): sentences, clauses, table rows, a year's targets;
6. answer-type check (:mod:`.answer_type`): does the quote hold what was asked?
7. composition (:mod:`.compose`): the text around the quote, sources, document facts.

The constants of the decision to abstain live here, in :class:`AbstainRule`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from index.text import fold, folded_words, normalize

from .. import provinces as gz
from ..chunking import table_cells
from ..conversation import Context, Resolved, resolve
from ..facts import asked_facts, instrument_titles
from ..metadata import KIND_LABELS, document_numbers
from ..store import KnowledgeBase
from .analysis import Query, off_topic, parse
from .answer_type import PHRASE_CHECKED, not_stated
from .candidates import PERIOD, TARGET_WORDS, article_lead, extract, lead_year, quotable, target_years, year_targets
from .compose import concluded, fact_answer, merger_note, source, where
from ..query import EMPTY as NO_ABBREVIATIONS
from ..query import MIN_CORRECTION_COUNT, Abbreviations, Speller, counted_noun, question_types
from .references import followed
from .retrieve import Retrieved, Weights, coverage, question_phrases, question_weights, retrieve
from .scope import instrument, merger_answer, missing_instrument, scope, unknown_instrument
from .types import EMPTY, NO_DATA, NO_TOPIC, OFF_TOPIC, Answer

# Questions longer than this are cut (and the answer says so): a question is a
# sentence or two, and the tail of a pasted page only adds noise and latency.
MAX_QUESTION_CHARS = 1000
# Passages of the best document looked at before an answer says "not stated" (beyond the cited ones).
FURTHER_PASSAGES = 3
# Passages after one naming a year read for that year's targets, beyond those retrieved.
FOLLOWING_PASSAGES = 3


@dataclass(frozen=True)
class AbstainRule:
    """Every constant of the decision to abstain, in one place (see README, "Abstention").

    :param min_passage_coverage: share of the question's weighted content words the best passage
        must hold, unless it is close in meaning (below); also what a quote taken from the
        passages below the cited ones must hold before it replaces "not stated"
    :param min_cosine: e5 cosine that makes a passage close in meaning; e5's cosines sit in a
        narrow band (0.7-0.9), so this is high
    :param min_quote_coverage: share of the content words the quoted sentences must hold when the
        question asks for a figure, date or agency
    :param min_phrase_coverage: share of the question's topic phrases (two syllables the documents
        write together: "tiền mặt", "kiểm tra") the units holding the figure or agency asked must
        hold. Single syllables let a figure of a neighbouring topic through ("100% cơ sở dữ liệu
        dùng chung" shares "dùng", "người dân" with a question about e-wallets); on the dev sets
        the two quotes of that kind held 18 % and 29 % of the phrases, the answerable questions
        33 % and more. Asked "cơ quan nào / bộ nào", the quotes that answer, on the dev sets and
        probes, held 43 % and more; the one naming another task's agency, 17 %
    """

    min_passage_coverage: float = 0.35
    min_cosine: float = 0.86
    min_quote_coverage: float = 0.3
    min_phrase_coverage: float = 0.3


ABSTAIN = AbstainRule()


def answer(kb: KnowledgeBase, question: str, province: str | None = None, k: int = 3,
           context: Context | None = None) -> Answer:
    """Answer ``question`` from the knowledge base, or abstain.

    :param province: the asker's saved province, used when they say "tỉnh tôi"
    :param k: passages to cite at most
    :param context: the conversation so far (``Answer.context`` of the previous answer); a
        message that cannot stand alone is completed from it
    """
    started = time.perf_counter()
    result = _answer(kb, question, province, k, context)
    result.latency_ms = (time.perf_counter() - started) * 1000
    return result


@dataclass
class _Message:
    """A message as typed (``asked``, cut to size), as read (``own``: abbreviations expanded,
    typos corrected), and as completed from the conversation (``resolved``)."""

    asked: str
    own: str
    resolved: Resolved
    notice: str | None
    abbreviations: Abbreviations


def _read(kb: KnowledgeBase, docs: list[dict], question: str, context: Context | None) -> _Message | Answer:
    raw = normalize(question or "").strip()
    notice = None
    if len(raw) > MAX_QUESTION_CHARS:
        raw = raw[:MAX_QUESTION_CHARS]
        notice = f"Câu hỏi dài quá nên mình chỉ đọc {MAX_QUESTION_CHARS} ký tự đầu."
    if not any(ch.isalpha() for ch in raw):
        return Answer(raw, EMPTY, abstained=True)
    if off_topic(raw, kb.has_phrase):
        return Answer(raw, OFF_TOPIC, abstained=True, notice=notice)
    abbreviations = _abbreviations(kb, docs)
    expanded = abbreviations.expand(raw)  # "CĐS", "ko", "bn" read as the words documents use
    # "chuyển đỗi số", "chuyenn doi so"; a province's name is never "corrected" into a word.
    own = _speller(kb, docs).correct(expanded, kb.has_phrase, keep=gz.mention_spans(expanded))
    if own != expanded:  # a short form typed wrong ("TTgg") is one once corrected
        own = abbreviations.expand(own)
    resolved = resolve(own, context, fields=_row_fields(kb, context))
    if own != expanded and resolved.reading is None:
        resolved = replace(resolved, reading=f"Hiểu là: {own.strip()}")
    return _Message(raw, own, resolved, notice, abbreviations)


def _row_fields(kb: KnowledgeBase, context: Context | None) -> frozenset[str]:
    """The folded words of the column headers of the table row the previous answer quoted."""
    if context is None or not context.passage_id:
        return frozenset()
    row = kb.passages([context.passage_id]).get(context.passage_id)
    cells = table_cells(row["text"]) if row else None
    return frozenset(w for header, _ in cells or [] for w in folded_words(header).split())


def _answer(kb: KnowledgeBase, question: str, province: str | None, k: int, context: Context | None) -> Answer:
    docs = kb.documents()
    message = _read(kb, docs, question, context)
    if isinstance(message, Answer):
        return message
    asked, resolved, notice = message.asked, message.resolved, message.notice
    q = parse(docs, resolved.text, province)
    if isinstance(q, Answer):
        return q
    q.counted = counted_noun(message.own)  # the message's own words: a follow-up's inherited topic counts nothing
    own_types = frozenset(question_types(message.own)) if resolved.follow_up else frozenset()
    if own_types:  # "số hóa theo luật đó là gì" after "… hiệu lực từ ngày nào?" asks no date
        q.types, q.definition = own_types, "definition" in own_types
    # "là gì vậy?", "cho mình hỏi với" with nothing before it: no topic, place, year or document
    # to look for, and any passage found would be a sentence that happens to hold those words.
    # (``resolved.own``: the message's topic words, read once by :func:`..conversation.resolve`.)
    if not resolved.follow_up and not resolved.own and not (q.places or q.years or q.numbers or q.districts):
        return concluded(Answer(asked, NO_TOPIC, abstained=True, notice=notice), resolved, q)
    if q.others:
        about, others = q.places[0].label(), ", ".join(q.others)
        notice = " ".join(filter(None, [notice, f"Câu hỏi nhắc đến cả {others}; mình chỉ trả lời về {about}. "
                                                f"Muốn biết về {others}, bạn hỏi riêng nhé."]))

    merged = merger_answer(q, message.own, docs)  # "Phú Yên cũ giờ thuộc tỉnh nào?"
    if merged:
        merged.question, merged.notice = asked, notice
        return concluded(merged, resolved, q)
    # The numbers the documents hold are read (once per version) only for a question naming one.
    unknown = unknown_instrument(q, _numbers_held(kb, docs)) if q.numbers else None
    if unknown:
        unknown.question, unknown.notice = asked, notice
        return concluded(unknown, resolved, q)
    allowed_docs, gap = scope(docs, q)
    if gap:
        gap.notice = notice
        return concluded(gap, resolved, q)
    missing = missing_instrument(docs, q, message.own, allowed_docs)
    if missing:
        missing.question, missing.notice = asked, notice
        return concluded(missing, resolved, q)
    wanted = asked_facts(message.own)
    if wanted:
        target = instrument(kb, docs, q, message.own, resolved, allowed_docs, _titles(kb, docs))
        if target:
            return fact_answer(kb, q, asked, wanted, resolved, *target)

    allowed = kb.passage_ids_for_docs(allowed_docs) if allowed_docs is not None else None
    own_words = resolved.own if resolved.follow_up else None  # a follow-up's own words weigh more
    spelled = _speller(kb, docs).accented
    weights = question_weights(kb, q, own_words, known=lambda t: spelled.get(t, 0) >= MIN_CORRECTION_COUNT)
    found = retrieve(kb, q, weights, allowed, message.abbreviations)
    if not found.rows:
        return Answer(asked, NO_DATA, abstained=True, notice=notice, reading=resolved.reading)
    top = found.rows[0]
    evidence = coverage(weights, top["heading"] + " " + top["text"] + " " + top["title"])
    features = {"coverage": round(evidence, 3), "cosine": round(found.top_cosine, 4)}
    # Weak evidence: the best passage shares little of the question's content and is not close
    # in meaning either.
    if evidence < ABSTAIN.min_passage_coverage and found.top_cosine < ABSTAIN.min_cosine:
        return concluded(Answer(asked, NO_DATA, abstained=True, notice=notice, features=features,
                                province=q.places[0].label() if q.places else None), resolved, q)

    # Cite passages from the best document first, then others among the leaders.
    cited = [r for r in found.rows if r["doc_id"] == top["doc_id"]][:k]
    cited = (cited + [r for r in found.rows[:k * 2] if r["doc_id"] != top["doc_id"]])[:k]
    text = _year_targets(kb, docs, q, weights, found, top, asked)
    if isinstance(text, Answer):  # the document sets no targets for that year
        text.notice = notice
        return concluded(text, resolved, q, top["id"])
    if not text and (gap := _year_unspoken(kb, docs, q, top, asked)):
        gap.notice = notice
        return concluded(gap, resolved, q, top["id"])
    if not text:  # a year's target list answers itself; a quote must be checked
        cited = _dated(kb, q, cited)
        text, quoted, quoted_row = extract(q, weights, cited, message.abbreviations)
        read = partial(message.abbreviations.expand_passage, numbers="document" in q.types)
        # Only a figure or an agency is checked against the topic phrases (each costs an FTS5 look-up).
        phrases = question_phrases(kb, q, weights, own_words) if q.types & PHRASE_CHECKED else {}
        if q.counted and len(phrases) > 1:
            # "bao nhiêu người dân có chữ ký số": the figure counts "người dân" (the answer-type
            # check sees to that); the topic is the rest, which the quote must hold.
            phrases = {p: w for p, w in phrases.items() if fold(p.split()[0]) != fold(q.counted)} or phrases
        gap = not_stated(q, weights, top, quoted, asked, features, ABSTAIN.min_quote_coverage, read,
                         phrases, ABSTAIN.min_phrase_coverage, _under(quoted_row))
        if gap:
            # Before saying "not stated", look one step further down the same document: the
            # figure asked for often sits in the next clause of the article ranked just below.
            seen = {r["id"] for r in cited}
            further = _dated(kb, q, [r for r in found.rows if r["doc_id"] == top["doc_id"]
                                     and r["id"] not in seen][:FURTHER_PASSAGES])
            if further:
                text2, quoted2, row2 = extract(q, weights, further, message.abbreviations)
                # These passages ranked below the cited ones, so their quote alone must carry
                # the evidence a best passage needs (the passage-level bar, not the quote's).
                if not not_stated(q, weights, top, quoted2, asked, {}, ABSTAIN.min_passage_coverage, read,
                                  phrases, ABSTAIN.min_phrase_coverage, _under(row2)):
                    gap, text, quoted_row, cited = None, text2, row2, further[:k]
        if gap:  # "… theo quy định tại khoản 8 Điều 36 Nghị định này": the figure may sit there
            referred = _referred(kb, q, weights, top, quoted, cited, asked, features, read, phrases)
            if referred:
                gap = None
                text, quoted_row, cited = referred
        if gap:
            gap.sources = [source(cited[0], found.score(cited[0]))]
            gap.notice = notice
            return concluded(gap, resolved, q, top["id"])
        text = article_lead(quoted_row) + text
        # The passage quoted is named first: it is where the answer comes from.
        cited = list({r["id"]: r for r in [quoted_row, *cited]}.values())[:k]

    return concluded(Answer(
        question=asked, text=merger_note(q, top, text) + text,
        sources=[source(r, found.score(r)) for r in cited], abstained=False,
        province=q.places[0].label() if q.places else (", ".join(gz.describe_all(top["provinces"])) or None),
        year=q.years[0] if q.years else None,
        more=_more(found, cited), notice=notice, features=features,
    ), resolved, q, cited[0]["id"])  # a follow-up ("luật đó …", "hạn khi nào?") is about what was quoted


def _referred(kb: KnowledgeBase, q: Query, weights: dict[str, float], top: dict, quoted: list, cited: list[dict],
              asked: str, features: dict, read: Callable[[str], str],
              phrases: dict[str, float]) -> tuple[str, dict, list[dict]] | None:
    """The answer a cited sentence gives with the clause it names read in ("… theo quy định tại
    khoản 8 Điều 36 Nghị định này" + "8. Không được hoạt động từ 22 giờ đêm …"), when together
    they answer what the quote alone did not: its text, the passage quoted and the passages cited.

    The quoted sentences are tried first, then the cited passages' others by how much of the
    question they hold."""
    own = {u for u, _ in quoted}
    units = [(row, u) for row in cited for u, _ in quotable(row)[0]]
    units.sort(key=lambda ru: (ru[1] not in own, -coverage(weights, read(ru[1]))))
    clause = followed(kb, units)
    if not clause:
        return None
    row, unit, ref, said, holder = clause
    if not_stated(q, weights, top, [(f"{unit} {said}", None)], asked, features, ABSTAIN.min_quote_coverage,
                  read, phrases, ABSTAIN.min_phrase_coverage, _under(row)):
        return None
    return f"{unit}\n→ {ref.label[:1].upper()}{ref.label[1:]}: {said}", row, [row, holder, *cited]


def _under(row: dict) -> str:
    """What a quote from ``row`` is shown under: its heading and its document's title."""
    return f"{row['heading'] or ''} {row['title']}"


def _dated(kb: KnowledgeBase, q: Query, rows: list[dict]) -> list[dict]:
    """``rows`` with the year each starts under, when the question asks about a year or when
    something happens ("bao giờ phủ sóng 5G": the list under "Đến năm 2030" says)."""
    return [dict(r, lead_year=lead_year(kb, r)) for r in rows] if q.years or "when" in q.types else rows


def _year_targets(kb: KnowledgeBase, docs: list[dict], q: Query, weights: Weights, found: Retrieved, top: dict,
                  asked: str) -> str | Answer:
    """"Mục tiêu năm 2025 của X": every target of that year in the best document, as bullets;
    "" when the question asks for no year's targets, or the document lists none of that topic.

    Asked for the targets of a year the document sets none for ("… cho năm 2035?"), the answer
    says so and gives the years it does set targets for, rather than quoting a sentence about
    another year."""
    if not (q.targets and q.years):
        return ""
    # A target about something ("… về dịch vụ công trực tuyến") keeps the bullets about it, and
    # none means the quote path decides; so does a figure asked about it ("bao nhiêu % hồ sơ cấp
    # xã …"): the quote holds the clause with the figure ("…; 70% đối với cấp xã"), which a
    # bullet cut from its subject ("70% đối với cấp xã") would not show to be about it.
    # The words of the document's own title are the subject of all its targets ("… về chính quyền
    # số?" of an "Đề án phát triển chính quyền số"): they select no bullet.
    titled = set(folded_words(top["title"]).split())
    topic = Weights({t: w for t, w in weights.items() if t not in TARGET_WORDS and t not in titled}, weights.marks)
    about = len(topic) > 2  # the question names a topic of its own

    def on_topic(bullets: list[str]) -> list[str]:
        return [b for b in bullets if coverage(topic, b) >= 0.5]

    # A year the document never names ("… năm 2035 … về kinh tế số?" of a plan to 2030) has no
    # target in it, whatever the topic or figure asked: no quote about another year answers.
    unnamed = bool(topic) and q.years[0] not in _years_spoken(kb, docs, top["doc_id"])[0]
    # A figure asked about anything ("bao nhiêu trạm 5G") is one target, or none: never the list.
    if "quantity" in q.types and topic and not unnamed:
        return ""
    near = {r["id"]: r for r in [r for r in found.rows if r["doc_id"] == top["doc_id"]][:8]}
    # A year's targets go on in the passages after one naming the year, found or not: "Quy mô
    # kinh tế số đạt tối thiểu 30% GDP" sits a passage below NQ 57's "Đến năm 2030".
    for row in [r for r in near.values() if str(q.years[0]) in r["text"]]:
        near.update((r["id"], r) for r in kb.neighbours(row["id"], after=FOLLOWING_PASSAGES))
    rows = _dated(kb, q, sorted(near.values(), key=lambda r: r["seq"]))
    bullets = year_targets(q.years[0], rows)  # in the document's order
    if about:
        bullets = on_topic(bullets)
    if bullets:
        return f"Mục tiêu năm {q.years[0]}{where(q, top)}:\n" + "\n".join(f"• {b}" for b in bullets)
    if about and not unnamed:
        return ""
    years = sorted(set().union(*map(target_years, rows)) - set(q.years))
    # The other years' targets, those about the topic asked if any.
    others = {y: on_topic(listed) or listed for y in years if (listed := year_targets(y, rows))}
    if not others:
        return ""
    label = KIND_LABELS.get(top["kind"], "Văn bản")
    text = "\n".join([f"{label} «{top['title']}»{where(q, top)} không nêu mục tiêu cho năm {q.years[0]}.",
                      *(f"Văn bản đặt mục tiêu năm {y}:\n" + "\n".join(f"• {b}" for b in listed[:6])
                        for y, listed in others.items())])
    return Answer(asked, text, sources=[source(top, found.score(top))], abstained=True,
                  province=q.places[0].label() if q.places else None, year=q.years[0],
                  features={"targets_for": sorted(others)})


# Kinds of document that speak of particular years: a plan, a resolution, a news report. A law
# or a regulation is in force until replaced, whatever year is asked about.
_DATED_KINDS = frozenset({"plan", "resolution", "news"})


def _years_spoken(kb: KnowledgeBase, docs: list[dict], doc_id: int) -> tuple[frozenset[int], tuple]:
    """The years a document names, and the periods it speaks of ("2026 - 2030"), read once per
    version (the text of a codification is over a megabyte)."""
    spoken = _per_version("years", _version(kb, docs), lambda: {})
    if doc_id not in spoken:
        text = kb.document_text(doc_id)
        named = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)}
        spans = [(int(a), int(b)) for a, b in PERIOD.findall(text) if int(a) < int(b)]
        spoken[doc_id] = (frozenset(named), tuple(sorted(set(spans))))
    return spoken[doc_id]


def _year_unspoken(kb: KnowledgeBase, docs: list[dict], q: Query, top: dict, asked: str) -> Answer | None:
    """"Điện Biên hỗ trợ … bao nhiêu năm 2031?" of a policy for 2026-2030: a plan, resolution or
    report that never speaks of the year asked (neither names it nor a period holding it) says
    nothing about it, whatever its figures for other years."""
    if not q.years or top["kind"] not in _DATED_KINDS:
        return None
    named, spans = _years_spoken(kb, docs, top["doc_id"])
    if any(y in named or any(a <= y <= b for a, b in spans) for y in q.years):
        return None
    label = KIND_LABELS.get(top["kind"], "Văn bản")
    said = [f"giai đoạn {a}–{b}" for a, b in spans[-2:]] or [f"năm {y}" for y in sorted(named)[-4:]]
    text = (f"{label} «{top['title']}»{where(q, top)} không nêu thông tin cho năm {q.years[0]}"
            + (f"; văn bản nói về {', '.join(said)}." if said else "."))
    return Answer(asked, text, sources=[source(top, 1.0)], abstained=True,
                  province=q.places[0].label() if q.places else None, year=q.years[0])


def _more(found: Retrieved, cited: list[dict]) -> list[int]:
    """Passages for "more": other texts, not the same one again (a table row quoted in two documents)."""
    seen = {fold(r["text"])[:300] for r in cited}
    more = []
    for row in found.rows:
        key = fold(row["text"])[:300]
        if key not in seen:
            seen.add(key)
            more.append(row["id"])
    return more[:10]


# What is read once per version of the documents (a version: their ids and times added), by name.
_PER_VERSION: dict[str, tuple[tuple, object]] = {}


def _per_version(name: str, key: tuple, build: Callable[[], object]):
    held = _PER_VERSION.get(name)
    if held is None or held[0] != key:
        _PER_VERSION[name] = held = (key, build())
    return held[1]


def _abbreviations(kb: KnowledgeBase, docs: list[dict]) -> Abbreviations:
    """The abbreviation list: every document of kind "abbreviations"."""
    key = tuple((d["id"], d["added_at"]) for d in docs if d["kind"] == "abbreviations")
    if not key:
        return NO_ABBREVIATIONS
    return _per_version("abbreviations", key,
                        lambda: Abbreviations.parse([kb.document_text(doc_id) for doc_id, _ in key]))


def _version(kb: KnowledgeBase, docs: list[dict]) -> tuple:
    return str(kb.data_dir), tuple((d["id"], d["added_at"]) for d in docs)


def _speller(kb: KnowledgeBase, docs: list[dict]) -> Speller:
    """The speller over the indexed vocabulary."""
    return _per_version("speller", _version(kb, docs), lambda: Speller.build(*kb.vocabulary()))


def _numbers_held(kb: KnowledgeBase, docs: list[dict]) -> frozenset[str]:
    """Every document number the documents are or cite ("Nghị quyết 52" too)."""
    return _per_version("numbers", _version(kb, docs), lambda: frozenset(
        n for d in docs for n in [*d["numbers"], *document_numbers(kb.document_text(d["id"]))]))


def _titles(kb: KnowledgeBase, docs: list[dict]) -> dict[str, str]:
    """Instruments by the titles the documents cite them under (:func:`..facts.instrument_titles`)."""
    return _per_version("titles", _version(kb, docs),
                        lambda: instrument_titles([kb.document_text(d["id"]) for d in docs]))
