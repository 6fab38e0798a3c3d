"""Question -> grounded, extractive answer with its sources. One function for every channel."""

from __future__ import annotations

import math
import re
import time
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

from index.fusion import HYBRID_WEIGHTS, convex_fusion
from index.text import fold, has_diacritics, is_stopword, normalize, split_sentences, syllables

from . import provinces as gz
from .chunking import table_cells
from .conversation import Context, Resolved, next_context, resolve
from .facts import Facts, asked_facts, instrument_facts
from .metadata import KIND_LABELS, NUMBER_KINDS, document_numbers, number_kind
from .query import EMPTY as NO_ABBREVIATIONS
from .query import Abbreviations, Speller, counted_noun, holds_answer, question_types
from .store import KnowledgeBase

# Questions longer than this are cut (and the answer says so): a question is a
# sentence or two, and the tail of a pasted page only adds noise and latency.
MAX_QUESTION_CHARS = 1000
CANDIDATES = 40  # passages taken from each retriever before fusion
MAX_ANSWER_CHARS = 700
# Passages looked back over for the year a passage's sentences speak of ("Đến năm 2030" heads
# a list that runs over several passages of the same section).
LEAD_YEAR_PASSAGES = 4


@dataclass(frozen=True)
class AbstainRule:
    """Every constant of the decision to abstain, in one place (see README, "Abstention").

    :param min_passage_coverage: share of the question's weighted content words the best passage
        must hold, unless it is close in meaning (below)
    :param min_cosine: e5 cosine that makes a passage close in meaning; e5's cosines sit in a
        narrow band (0.7-0.9), so this is high
    :param min_quote_coverage: share of the content words the quoted sentences must hold when the
        question asks for a figure, date or agency
    """

    min_passage_coverage: float = 0.35
    min_cosine: float = 0.86
    min_quote_coverage: float = 0.3


ABSTAIN = AbstainRule()

NO_DATA = "Xin lỗi, kho dữ liệu chưa có dữ liệu để trả lời câu hỏi này."
OFF_TOPIC = ("Xin lỗi, câu hỏi này nằm ngoài phạm vi của trợ lý. Mình chỉ trả lời về chuyển đổi số: "
             "chính quyền số, kinh tế số, xã hội số, dịch vụ công trực tuyến và các nghị quyết, kế hoạch liên quan.")
EMPTY = "Bạn hãy gõ câu hỏi bằng chữ, ví dụ: «Dịch vụ công trực tuyến mức độ 4 là gì?»"
NEED_PROVINCE = ("Bạn chưa chọn tỉnh của mình. Hãy cho biết tỉnh, thành phố (ví dụ: /tinh Đắk Lắk) "
                 "rồi hỏi lại nhé.")

# Subjects a digital-transformation assistant has nothing to say about, as whole phrases.
# A question typed with marks is matched with marks ("bởi ai?" is not "bói"), one typed
# without them is matched folded.
_OFF_TOPIC = (
    "thời tiết", "dự báo thời tiết", "giá vàng", "tỷ giá", "giá xăng", "giá đô", "xổ số", "kết quả xổ số",
    "bóng đá", "tỷ số", "công thức nấu", "cách nấu", "món ăn", "nấu món", "nấu ăn", "chứng khoán",
    "giá cổ phiếu", "lịch chiếu", "phim", "ca sĩ", "bói", "tử vi", "cung hoàng đạo", "giá bitcoin",
)


def _off_topic(question: str) -> bool:
    words = " ".join(syllables(question))
    marked = any(has_diacritics(w) for w in words.split())
    for phrase in _OFF_TOPIC:
        target, text = (phrase, words) if marked else (fold(phrase), fold(words))
        if re.search(rf"(?<!\w){re.escape(target)}(?!\w)", text):
            return True
    return False
_MY_PROVINCE = re.compile(r"\b(tinh|thanh pho|dia phuong|que) (toi|minh|chung toi|nha|em)\b")
_QUANTITY = re.compile(r"\b(bao nhieu|may|ty le|phan tram|muc tieu|chi tieu|so luong|dat)\b")
_TARGETS = re.compile(r"\b(muc tieu|chi tieu)\b")
_YEAR = re.compile(r"\b(20\d\d)\b")
# "năm 2025", "đến 2030": the year a sentence, a passage or a table group speaks of.
_YEAR_MENTION = re.compile(r"(?:năm|đến)\s+(20\d\d)")


@dataclass
class Source:
    doc: str  # the document's file name
    path: str  # its key: the file name, or its path inside the folder it was ingested from
    doc_id: int
    title: str
    kind: str
    number: str | None
    date: str | None
    provinces: list[str]  # labels, e.g. "Hòa Bình (nay thuộc tỉnh Phú Thọ)"
    passage_id: int
    score: float
    text: str
    heading: str = ""  # where the passage sits: "Điều 10, Nghị định 43/2011/NĐ-CP — …", a table's group

    def cite(self) -> str:
        """One line naming the document: kind, number, title, date and province; for a legal
        article, the article and its instrument first ("Điều 10, Nghị định 43/2011/NĐ-CP")."""
        label = KIND_LABELS.get(self.kind, "Văn bản")
        head = self.title if self.title.lower().startswith(label.lower()) else f"{label}: {self.title}"
        article = re.search(r"Điều \d+[a-zđ]?, [^—]+?(?= —|$)", self.heading or "")
        if article:
            head = f"{article.group(0)} ({head})"
        extra = []
        if self.number and self.number not in self.title and self.kind != "glossary":
            extra.append(f"về {self.number}" if self.kind == "news" else f"số {self.number}")
        if self.date:
            y, m, d = self.date.split("-")
            extra.append(f"ngày {d}/{m}/{y}")
        if self.provinces:
            extra.append(", ".join(self.provinces))
        return head + (f" ({'; '.join(extra)})" if extra else "")


@dataclass
class Answer:
    question: str
    text: str
    sources: list[Source] = field(default_factory=list)
    abstained: bool = False
    province: str | None = None  # label of the province the question is about
    year: int | None = None
    more: list[int] = field(default_factory=list)  # further passage ids, for "more"
    notice: str | None = None  # e.g. the question was cut
    needs_province: bool = False  # "tỉnh tôi" asked with no saved province
    latency_ms: float = 0.0
    features: dict = field(default_factory=dict)  # what the abstention decision saw (evaluation, tuning)
    reading: str | None = None  # how a follow-up was read: "Hiểu là: …"
    context: Context | None = None  # what the next message of the conversation may refer to

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Query:
    text: str
    places: list[gz.Place]
    years: list[int]
    numbers: list[str]
    districts: list[str]
    definition: bool
    quantity: bool
    targets: bool
    folded: list[str]  # the question's syllables without diacritics
    types: frozenset[str] = frozenset()  # what it asks for: quantity, when, who, where, definition, yesno
    terms: tuple[str, ...] = ()  # for a definition question, the terms asked about (folded)
    others: list[str] = field(default_factory=list)  # provinces named only to compare with
    counted: str | None = None  # what the message itself counts ("bao nhiêu hồ sơ" -> "ho"), folded


def _parse(docs: list[dict], question: str, saved_province: str | None) -> _Query | Answer:
    folded = fold(question)
    places, others = _asked_places(question)
    if _MY_PROVINCE.search(folded) and not places:
        saved = gz.resolve(saved_province) if saved_province else None
        if saved is None:
            return Answer(question, NEED_PROVINCE, abstained=True, needs_province=True)
        places = [saved]
    known = {d for doc in docs for d in doc["districts"]}
    districts = [d for d in known if re.search(rf"\b{re.escape(fold(d))}\b", folded)]
    words = [fold(t) for t in syllables(question)]
    types = frozenset(question_types(question))
    return _Query(
        text=question, places=places, years=[int(y) for y in _YEAR.findall(question)],
        numbers=document_numbers(question), districts=districts, others=others,
        definition="definition" in types, quantity=bool(_QUANTITY.search(folded)),
        targets=bool(_TARGETS.search(folded)), folded=words, types=types, terms=_terms(words),
    )


# "so với Sóc Trăng", "hơn Hòa Bình", "giống như Đắk Lắk": a province named to compare with.
_COMPARED = re.compile(r"\b(so voi|hon|nhu|giong|khac|bang|cung)\s*(?:tinh|thanh pho|tp)?\s*$")


def _asked_places(question: str) -> tuple[list[gz.Place], list[str]]:
    """The province a question is about, and the others it names only to compare with.

    A former province named beside the one it merged into ("Phú Yên cũ, giờ là Đắk Lắk") is the
    same province: both are kept. Otherwise the first province not introduced by a comparison
    ("so với", "hơn") is the one asked about; the figures of the others are never given as its own."""
    text = normalize(question)
    mentions = gz.mentioned_in_order(text)
    places = [gz.place(name) for name, _ in mentions]
    if len(places) < 2:
        return places, []
    if all(set(p.scope) <= set(q.scope) or set(q.scope) <= set(p.scope) for p in places for q in places):
        return places, []  # one province under its old and new names: all its documents answer
    compared = {name for name, at in mentions if _COMPARED.search(fold(text[:at]))}
    asked = next((p for p in places if p.name not in compared), places[0])
    return [asked], [gz.describe_former(p.name) for p in places if p is not asked and p.name not in asked.scope]


def _scope(docs: list[dict], q: _Query) -> tuple[set[int] | None, Answer | None]:
    """Documents the question may be answered from, or an abstention naming the gap."""
    if q.places:
        wanted = {name for p in q.places for name in p.scope}
        ids = {d["id"] for d in docs if wanted & set(d["provinces"])}
        if not ids:
            names = ", ".join(gz.display(p.name) + (f" (gồm {', '.join(s for s in p.scope if s != p.name)} cũ)"
                                                     if len(p.scope) > 1 else "") for p in q.places)
            covered = sorted({gz.describe_former(p) for d in docs for p in d["provinces"]})
            text = f"Kho dữ liệu chưa có văn bản về {names}."
            if covered:
                text += " Hiện có dữ liệu về: " + ", ".join(covered) + "."
            return None, Answer(q.text, text, abstained=True, province=q.places[0].label())
        return ids, None
    if q.districts:
        ids = {d["id"] for d in docs if set(q.districts) & set(d["districts"])}
        return ids or None, None
    return None, None


def _weights(kb: KnowledgeBase, tokens: list[str]) -> dict[str, float]:
    """IDF-like weights of the question's content syllables (folded), from FTS5 document counts."""
    total, freqs = kb.term_stats(tokens)
    return {tok: math.log(1 + max(total, 1) / (1 + n)) for tok, n in freqs.items()}


@lru_cache(maxsize=50_000)
def _folded_syllables(text: str) -> frozenset[str]:
    # Passages are immutable (ids are never reused), so their syllables are computed once.
    return frozenset(fold(" ".join(syllables(text))).split())


def _coverage(weights: dict[str, float], text: str) -> float:
    """Share of the question's weighted content syllables found in ``text``."""
    if not weights:
        return 0.0
    present = _folded_syllables(text)
    return sum(w for t, w in weights.items() if t in present) / sum(weights.values())


def _sentences(text: str, year: int | None = None) -> list[tuple[str, int | None]]:
    """Sentences (long enumerations cut at semicolons), each with the year it speaks of:
    the last "năm 2025" / "đến 2030" seen so far (``year``: the one the passage starts under),
    as a reader would take it."""
    out = []
    for s in split_sentences(text):
        parts = [c.strip() for c in re.split(r"(?<=;)\s+", s) if c.strip()] if len(s) > 300 else [s]
        for part in parts:
            mentioned = _YEAR_MENTION.search(part)
            if mentioned:
                year = int(mentioned.group(1))
            # "tháng 12/2021" dates the sentence itself, without setting the year for the next ones.
            dated = re.search(r"(?<![\d/])(?:\d{1,2}/)?(20\d\d)(?![\d/])", part) if not mentioned else None
            out.append((part, int(dated.group(1)) if dated else year))
    return out


def _longest_shared_run(question: list[str], sentence: str) -> int:
    """Length of the longest run of consecutive question syllables found verbatim in ``sentence``."""
    text = " " + " ".join(fold(t) for t in syllables(sentence)) + " "
    best = 0
    for i in range(len(question)):
        for j in range(i + best + 1, len(question) + 1):
            if " " + " ".join(question[i:j]) + " " in text:
                best = j - i
            else:
                break
    return best


def _score_sentence(q: _Query, weights: dict[str, float], sentence: str, year: int | None) -> float:
    score = _coverage(weights, sentence)
    if q.quantity and holds_answer("quantity", sentence):
        score += 0.15
    if q.years:
        if year in q.years:
            score += 0.15
        elif year is not None:
            score -= 0.15  # a figure for another year is not the answer
    # A long phrase of the question repeated verbatim marks the sentence that answers it.
    run = _longest_shared_run(q.folded, sentence)
    score += 0.05 * min(max(run - 2, 0), 4)
    if q.definition:
        score += 0.4 * _defines(q, sentence)
    # A sentence that holds what was asked (a figure, a date, an agency) is the likelier answer.
    checked = q.types & set(_KIND_WORDS)
    if checked and all(holds_answer(kind, sentence) for kind in checked):
        score += 0.1
    return score


# "số hóa là gì", "X được hiểu như thế nào", "khái niệm X": where the asked term ends.
_DEFINITION_MARK = re.compile(r"\b(la gi|nghia la gi|nghia la|duoc hieu|hieu the nao|hieu nhu the nao|la sao|khac gi|"
                              r"duoc dinh nghia)\b")


_TRAILING = frozenset("a a vay nhi khong the nao nhu sao".split())  # particles that end a question


def _terms(words: list[str]) -> tuple[str, ...]:
    """The terms a definition question asks about, from its folded syllables: the syllables
    before "là gì" (after the last "thì" or "về"; with a "của", both the phrase before it and
    the one after it: "cổng thông tin điện tử của cơ quan nhà nước", "khái niệm của số hóa");
    and for "X khác gì Y", Y too."""
    folded = " ".join(words)
    m = _DEFINITION_MARK.search(folded)
    if not m:
        return ()
    before = folded[: m.start()].split()
    # "theo luật công nghệ thông tin thì số hóa": the term follows the last "thì"/"về"/"niệm".
    for cut in ("thi", "ve", "niem"):
        if cut in before[:-1]:
            before = before[len(before) - 1 - before[::-1].index(cut) + 1:]
    if before[:1] == ["cua"]:
        before = before[1:]
    terms = [" ".join(before[-4:])]
    if "cua" in before[1:-1]:
        at = before.index("cua")
        terms += [" ".join(before[max(0, at - 6):at]), " ".join(before[at + 1:][-4:])]
    if m.group(1) == "khac gi":
        after = folded[m.end():].split()[:6]
        while after and after[-1] in _TRAILING:
            after.pop()
        terms.append(" ".join(after))
    return tuple(t for t in dict.fromkeys(terms) if len(t.split()) >= 1 and t)


def _defines(q: _Query, text: str) -> int:
    """How many of the asked terms ``text`` defines: "Số hóa là việc …", "2. Dữ liệu mở là …"
    ("X khác gì Y" is answered by the passage that defines both)."""
    if not q.terms:
        return 0
    read = " ".join(fold(t) for t in syllables(text))
    return sum(re.search(rf"(?:^|[\s(:;.]){re.escape(term)}\s+(?:la|duoc hieu la)\s", read) is not None
               for term in q.terms)


def _year_segment(text: str, year: int) -> str:
    """The part of a passage that speaks of ``year``: from "năm 2025" up to the next other year."""
    marks = [(m.start(), int(m.group(1))) for m in _YEAR_MENTION.finditer(text)]
    out, inside, pos = [], False, 0
    for start, y in marks:
        if inside:
            out.append(text[pos:start])
        inside, pos = (y == year), start
    if inside:
        out.append(text[pos:])
    return " ".join(out)


# Words that ask for targets without naming a topic ("mục tiêu", "chỉ tiêu", "đặt", "phấn đấu").
_TARGET_WORDS = frozenset(fold(w) for w in "mục tiêu chỉ đặt ra phấn đấu đề năm tỉnh thành phố gì".split())


def _targets(q: _Query, rows: list[dict]) -> list[str]:
    """Bullet points of one year's targets, from the top document's passages."""
    year = q.years[0]
    bullets: list[str] = []
    for row in rows:
        segment = _year_segment(row["text"], year)
        for clause in re.split(r";\s+|(?<=[.:])\s+(?=[A-ZĐÀ-Ỹ0-9])", segment):
            clause = clause.strip(" .;…")
            clause = re.sub(r"^(?:đến|năm)\s+(?:năm\s+)?\d{4}\s*,?\s*", "", clause, flags=re.IGNORECASE)
            if re.search(r"\d+\s*%|\d+/\d+|\bmức độ \d", clause) and 10 < len(clause) < 300:
                clause = clause[0].upper() + clause[1:]
                if clause not in bullets:
                    bullets.append(clause)
    return bullets[:10]


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


def _answer(kb: KnowledgeBase, question: str, province: str | None, k: int, context: Context | None) -> Answer:
    raw = normalize(question or "").strip()
    notice = None
    if len(raw) > MAX_QUESTION_CHARS:
        raw = raw[:MAX_QUESTION_CHARS]
        notice = f"Câu hỏi dài quá nên mình chỉ đọc {MAX_QUESTION_CHARS} ký tự đầu."
    if not any(ch.isalpha() for ch in raw):
        return Answer(raw, EMPTY, abstained=True)
    if _off_topic(raw):
        return Answer(raw, OFF_TOPIC, abstained=True, notice=notice)
    docs = kb.documents()
    asked = raw
    abbreviations = _abbreviations(kb, docs)
    expanded = abbreviations.expand(raw)  # "CĐS", "ko", "bn" read as the words documents use
    # "chuyển đỗi số", "chuyenn doi so"; a province's name is never "corrected" into a word.
    own = _speller(kb, docs).correct(expanded, kb.has_phrase, keep=gz.mention_spans(expanded))
    resolved = resolve(own, context)
    if own != expanded and resolved.reading is None:
        resolved = replace(resolved, reading=f"Hiểu là: {own.strip()}")
    raw = resolved.text
    q = _parse(docs, raw, province)
    if isinstance(q, Answer):
        return q
    q.counted = counted_noun(own)  # the message's own words: a follow-up's inherited topic counts nothing
    if q.others:
        asked_about = q.places[0].label()
        notice = " ".join(filter(None, [notice, f"Câu hỏi nhắc đến cả {', '.join(q.others)}; mình chỉ trả lời về "
                                                f"{asked_about}. Muốn biết về {', '.join(q.others)}, bạn hỏi riêng nhé."]))
    allowed_docs, gap = _scope(docs, q)
    if gap:
        gap.notice = notice
        return _concluded(gap, resolved, q)
    wanted = asked_facts(own)
    if wanted:
        target = _instrument(kb, docs, q, own, resolved, allowed_docs)
        if target:
            return _fact_answer(kb, q, asked, wanted, resolved, *target)
    allowed = kb.passage_ids_for_docs(allowed_docs) if allowed_docs is not None else None

    lexical = kb.search_lexical(raw, CANDIDATES, allowed)
    query_vector = kb.embed_query(raw)
    dense = kb.search_dense(query_vector, CANDIDATES, allowed)
    fused = convex_fusion([lexical, dense], list(HYBRID_WEIGHTS))
    rows = kb.passages(fused.ids[:CANDIDATES])
    dense_score = dict(zip(dense.ids, dense.scores))

    content = [fold(t) for t in syllables(raw) if not is_stopword(t)]
    # Place names and years select documents; they say nothing about which passage answers.
    place_words = {w for p in q.places for n in (p.name, *p.scope) for w in fold(n).split()}
    content = [t for t in content if t not in place_words and not _YEAR.fullmatch(t)] or content
    weights = _weights(kb, content)
    if resolved.follow_up:  # the message's own words say what is asked now; inherited ones only narrow it
        mine = {fold(t) for t in resolved.own}
        weights = {t: (w if t in mine else w * 0.5) for t, w in weights.items()}

    scored = []
    for pid, fscore in zip(fused.ids, fused.scores):
        row = rows.get(pid)
        if row is None:
            continue
        s = fscore
        body = abbreviations.expand_passage(row["heading"] + " " + row["text"])  # "CĐS là …" defines it too
        # Boosts on the fused scale (0..1): what the question names beyond its words.
        if q.years and any(str(y) in body for y in q.years):
            s += 0.1
        if q.numbers and any(n in row["numbers"] or n in body for n in q.numbers):
            s += 0.5
        if q.definition and row["kind"] == "glossary":
            s += 0.3
        if q.definition:
            s += 0.4 * _defines(q, body)  # the passage defines the very terms asked about
        if q.districts and set(q.districts) & set(row["districts"]):
            s += 0.1
        s += 0.3 * _coverage(weights, body)
        scored.append((s, pid))
    scored.sort(reverse=True)
    if not scored:
        return Answer(asked, NO_DATA, abstained=True, notice=notice, reading=resolved.reading)

    top = rows[scored[0][1]]
    top_body = top["heading"] + " " + top["text"]
    coverage = _coverage(weights, top_body + " " + top["title"])
    cosine = dense_score.get(scored[0][1])
    if cosine is None:  # found by its words alone: how close is it in meaning?
        stored = kb.dense.vector(scored[0][1])
        cosine = float(stored @ query_vector) if stored is not None else 0.0
    # Weak evidence: the best passage shares little of the question's content and is
    # not close in meaning either. Thresholds chosen on the dev questions and on
    # off-topic probes; e5's cosines sit in a narrow band (0.7-0.9).
    features = {"coverage": round(coverage, 3), "cosine": round(float(cosine), 4)}
    if coverage < ABSTAIN.min_passage_coverage and cosine < ABSTAIN.min_cosine:
        return _concluded(Answer(asked, NO_DATA, abstained=True, notice=notice, features=features,
                                 province=q.places[0].label() if q.places else None), resolved, q)

    # Cite passages from the best document first, then others among the leaders.
    ranked = [rows[pid] for _, pid in scored]
    cited = [r for r in ranked if r["doc_id"] == top["doc_id"]][:k]
    others = [r for r in ranked[:k * 2] if r["doc_id"] != top["doc_id"]]
    cited = (cited + others)[:k]

    text = ""
    if q.targets and q.years:
        bullets = _targets(q, [r for r in ranked if r["doc_id"] == top["doc_id"]][:8])
        # "Mục tiêu năm 2025 của X" lists them all; a target about something ("… về dịch vụ công
        # trực tuyến") keeps the bullets about it, and none means the quote path decides.
        topic = {t: w for t, w in weights.items() if t not in _TARGET_WORDS}
        if len(topic) > 2:
            bullets = [b for b in bullets if _coverage(topic, b) >= 0.5]
        if len(bullets) >= (2 if len(topic) <= 2 else 1):
            where = _where(q, top)
            text = f"Mục tiêu năm {q.years[0]}{where}:\n" + "\n".join(f"• {b}" for b in bullets)
    if not text:  # a year's target list answers itself; a quote must be checked
        if q.years:
            cited = [dict(r, lead_year=_lead_year(kb, r)) for r in cited]
        text, quoted, quoted_row = _extract(q, weights, cited, abbreviations)
        gap = _not_stated(q, weights, top, quoted, asked, features)
        if gap:
            gap.sources = [_source(r, q, score) for r, score in zip(cited, [s for s, _ in scored])][:1]
            gap.notice = notice
            return _concluded(gap, resolved, q, top["id"])
        text = _article_lead(quoted_row) + text

    prefix = _merger_note(q, top, text)
    sources = [_source(r, q, score) for r, score in zip(cited, [s for s, _ in scored])]
    # "More" offers other passages, not the same text again (a table row quoted in two documents).
    seen = {fold(r["text"])[:300] for r in cited}
    more = []
    for _, pid in scored:
        key = fold(rows[pid]["text"])[:300]
        if key not in seen:
            seen.add(key)
            more.append(pid)
    return _concluded(Answer(
        question=asked, text=prefix + text, sources=sources, abstained=False,
        province=q.places[0].label() if q.places else (", ".join(gz.describe_former(p) for p in top["provinces"]) or None),
        year=q.years[0] if q.years else None,
        more=more[:10], notice=notice, features=features,
    ), resolved, q, top["id"])


def _concluded(ans: Answer, resolved: Resolved, q: _Query, passage_id: int | None = None,
               types: frozenset[str] | None = None) -> Answer:
    """``ans`` with how its message was read and what the next message may refer to."""
    ans.reading = resolved.reading
    ans.context = next_context(resolved, q.types if types is None else types, [p.name for p in q.places], q.years,
                               passage_id)
    return ans


# ----------------------------------------------------------------- document facts
_FACT_NAMES = {"number": "số hiệu", "issuer": "cơ quan ban hành", "issued": "ngày ban hành", "signer": "người ký",
               "effective": "ngày có hiệu lực"}


def _kind_name(question: str) -> str | None:
    """The kind of instrument a question names ("nghị định nào" -> "Nghị định"), if any."""
    folded = fold(question)
    return next((name for _, name in NUMBER_KINDS if re.search(rf"\b{fold(name)}\b", folded)), None)


def _matches(asked: str, number: str) -> bool:
    """"57-NQ/TW" matches "57-NQ/TW", and "Nghị quyết 57" (a number typed without its suffix)."""
    if asked == number:
        return True
    named = re.fullmatch(r"(\D+) (\d+)", asked)
    if not named:
        return False
    head = re.match(r"0*(\d+)", number)
    kind = named.group(1).lower()
    return bool(head and head.group(1) == named.group(2).lstrip("0")
                and (number_kind(number) or "").lower() in (kind, ""))


def _instrument(kb: KnowledgeBase, docs: list[dict], q: _Query, own: str, resolved: Resolved,
                allowed_docs: set[int] | None) -> tuple[dict, str, bool] | None:
    """The instrument a question about a document's facts refers to: (document, number, is its own text).

    In order: a number the question names; the passage that answered the previous question
    (its article's instrument, of the kind asked: "nghị định nào"); the document of the
    province asked about."""
    def own_text(doc: dict, number: str) -> bool:
        return doc["kind"] not in ("news", "glossary") and bool(doc["numbers"]) and doc["numbers"][0] == number

    for asked_number in document_numbers(own):
        found = [(d, n) for d in docs for n in d["numbers"] if _matches(asked_number, n)]
        if found:
            doc, number = min(found, key=lambda dn: (not own_text(*dn), dn[0]["numbers"].index(dn[1])))
            return doc, number, own_text(doc, number)
    kind = _kind_name(own)
    if resolved.follow_up and resolved.context and resolved.context.passage_id:
        row = kb.passages([resolved.context.passage_id]).get(resolved.context.passage_id)
        if row:
            doc = next((d for d in docs if d["id"] == row["doc_id"]), None)
            # The article's instrument ("Điều 4, Luật 67/2006/QH11"), the document's own number
            # (not a glossary's: it only cites), then the numbers the passage cites.
            cited = document_numbers(row["heading"]) + ([] if not doc or doc["kind"] == "glossary" else doc["numbers"][:1])
            cited += document_numbers(row["text"]) + (doc["numbers"] if doc else [])
            cited = [n for n in cited if not n[:1].isalpha() and (kind is None or number_kind(n) == kind)]
            if doc and cited:
                return doc, cited[0], own_text(doc, cited[0])
    if q.places and allowed_docs:
        scoped = [d for d in docs if d["id"] in allowed_docs and d["numbers"] and not d["numbers"][0][:1].isalpha()
                  and (kind is None or number_kind(d["numbers"][0]) == kind)]
        scoped.sort(key=lambda d: d["kind"] == "news")
        if scoped:
            return scoped[0], scoped[0]["numbers"][0], own_text(scoped[0], scoped[0]["numbers"][0])
    return None


_FACTS_CACHE: dict[tuple, Facts] = {}


def _facts(kb: KnowledgeBase, doc: dict, number: str, own: bool) -> Facts:
    """What a document states about one instrument, read once per version of the document (the
    codification is 2 MB of text: neither loading nor scanning it belongs on every question)."""
    key = (str(kb.data_dir), doc["id"], doc["added_at"], number, own)
    if key not in _FACTS_CACHE:
        if len(_FACTS_CACHE) >= 256:
            _FACTS_CACHE.clear()
        _FACTS_CACHE[key] = instrument_facts(kb.document_text(doc["id"]), number, own)
    return _FACTS_CACHE[key]


def _fact_answer(kb: KnowledgeBase, q: _Query, asked: str, wanted: list[str], resolved: Resolved,
                 doc: dict, number: str, own: bool) -> Answer:
    """"Nghị quyết số 07-NQ/TU của …, ban hành ngày 27/10/2021", quoted from the text; a plain
    "not stated" for each fact asked that the text does not give."""
    facts = _facts(kb, doc, number, own)
    label = number_kind(number) or "Văn bản"
    text = f"{label} số {number}"
    if facts.issuer:
        text += f" của {facts.issuer}"
    if facts.issued:
        text += f", ban hành ngày {facts.issued}"
    if facts.signer and "signer" in wanted:
        text += f", người ký: {facts.signer}"
    if facts.effective and "effective" in wanted:
        text += f", có hiệu lực từ {facts.effective}"
    text += "."
    missing = [name for name in wanted if facts.get(name) is None]
    if missing:
        text += f" Văn bản «{doc['title']}» không nêu {' và '.join(_FACT_NAMES[m] for m in missing)} của văn bản này."
    quote = next((facts.evidence[name] for name in wanted if facts.evidence.get(name)), None) \
        or facts.evidence.get("number")
    if quote:
        text += f"\nVăn bản ghi: «{_clip(quote, 300)}»"
    abstained = len(missing) == len(wanted)
    pid = kb.passage_mentioning(doc["id"], number)
    rows = kb.passages([pid]) if pid else {}
    sources = [_source(rows[pid], q, 1.0)] if pid in rows else []
    features = {"facts": wanted, "missing": missing}
    return _concluded(Answer(asked, text, sources=sources, abstained=abstained, features=features,
                             province=", ".join(gz.describe_former(p) for p in doc["provinces"]) or None),
                      resolved, q, pid, q.types | {"who"})


def render_row(cells: list[tuple[str, str]], heading: str = "") -> str:
    """A table row as a sentence: what the row is about, then its other columns.

    "Xếp hạng năng lực cạnh tranh số: ≤ 3 Đông Nam Á; ≤ 50 Thế giới (thứ bậc; cơ quan chủ trì
    theo dõi, đánh giá: Bộ Thông tin và Truyền thông; chỉ tiêu 4)", never "TT: 4; Chỉ tiêu: …".
    """
    number = next((v for h, v in cells if fold(h).strip(". ") in ("tt", "stt", "so tt", "so thu tu")), None)
    rest = [(h, v) for h, v in cells if v and v != number]
    if not rest:
        return " ".join(v for _, v in cells)
    # "Đơn vị: %", "Kết quả: ≥ 80" read "≥ 80%"; "Đơn vị: Doanh nghiệp" reads "≥ 10 doanh nghiệp".
    unit = next((v for h, v in rest[1:] if fold(h).strip(". ") in ("don vi", "don vi tinh", "dvt")), None)
    if unit and len(unit) <= 20 and any(re.search(r"\d\s*$", v) for _, v in rest[1:] if v != unit):
        joined = unit if unit == "%" else " " + unit[:1].lower() + unit[1:]
        rest = [rest[0]] + [(h, re.sub(r"(\d)\s*$", lambda m: m.group(1) + joined, v)) for h, v in rest[1:]
                            if v != unit]
    subject, values = _clip(rest[0][1]), rest[1:]
    parts = [f"{h[:1].lower() + h[1:]}: {_clip(v)}" for h, v in values]
    year = _heading_year(heading)
    tail = [f"mục {number.rstrip('.')}" if number else "", f"đến năm {year}" if year else ""]
    tail = [t for t in tail if t]
    text = f"{subject.rstrip('.;')}: " + "; ".join(parts)
    return text + (f" ({', '.join(tail)})" if tail else "")


def _heading_year(heading: str) -> int | None:
    """The year a table row's group speaks of ("… › I Đến năm 2030 › …")."""
    m = _YEAR_MENTION.search(heading or "")
    return int(m.group(1)) if m else None


def _clip(value: str, width: int = 300) -> str:
    """A cell cut at a word boundary: an answer quotes a row, the sources show all of it."""
    if len(value) <= width:
        return value
    return value[:width].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _units(row: dict) -> tuple[list[tuple[str, int | None]], str]:
    """What can be quoted of a passage (one rendered table row, or its sentences, each with
    the year it speaks of), and the context it is scored with (a row's group path)."""
    cells = table_cells(row["text"])
    if cells:
        return [(render_row(cells, row["heading"]), _heading_year(row["heading"]))], (row["heading"] or "") + " "
    return _sentences(row["text"], row.get("lead_year")), ""


def _lead_year(kb: KnowledgeBase, row: dict) -> int | None:
    """The year a passage starts under: the last one the passage before it in the same section
    spoke of ("Đến năm 2025, …" in one passage, its list of targets in the next)."""
    before = [r for r in kb.neighbours(row["id"], before=LEAD_YEAR_PASSAGES, after=0) if r["id"] != row["id"]]
    for previous in reversed(before):  # nearest first, within the section
        if (previous.get("heading") or "") != (row["heading"] or ""):
            return None
        mentions = _YEAR_MENTION.findall(previous["text"])
        if mentions:
            return int(mentions[-1])
    return None


def _extract(q: _Query, weights: dict[str, float], cited: list[dict],
             abbreviations: Abbreviations = NO_ABBREVIATIONS) -> tuple[str, list[tuple[str, int | None]], dict]:
    """The best sentences (or table rows) of the cited passages, in document order, figures
    verbatim; the units quoted with the year each speaks of, for the answer-type check; and
    the passage the best unit comes from."""
    candidates = []
    for rank, row in enumerate(cited):
        units, context = _units(row)
        for i, (sentence, year) in enumerate(units):
            read = abbreviations.expand_passage(context + sentence)  # scored as the question is read
            score = _score_sentence(q, weights, read, year) - 0.08 * rank
            candidates.append((score, rank, i, sentence, year))
    if not candidates:
        return cited[0]["text"], [(cited[0]["text"], None)], cited[0]
    candidates.sort(key=lambda c: -c[0])
    best = candidates[0]
    row = cited[best[1]]
    # A short passage (a definition, one target) is a unit of meaning: quote it whole.
    if len(row["text"]) <= MAX_ANSWER_CHARS * 0.6 and row["kind"] == "glossary":
        return row["text"], [(row["text"], None)], row
    chosen = [best]
    total = len(best[3])
    for cand in candidates[1:]:
        # Further sentences come from the same passage, or must be nearly as good.
        bar = 0.75 if cand[1] == best[1] else 0.95
        if cand[0] < best[0] * bar or total + len(cand[3]) > MAX_ANSWER_CHARS or len(chosen) >= 3:
            continue
        chosen.append(cand)
        total += len(cand[3])
    # "Gồm mấy mô đun? Nâng cao thì cần thêm mấy?": each question of the message gets its own best unit.
    for part in _parts(q.text):
        mine = {t: w for t, w in weights.items() if t in part}
        if not mine:
            continue
        own_best = max(candidates, key=lambda c: _score_sentence(q, mine, c[3], c[4]) - 0.08 * c[1])
        if own_best not in chosen and total + len(own_best[3]) <= MAX_ANSWER_CHARS * 1.5:
            chosen.append(own_best)
            total += len(own_best[3])
    chosen.sort(key=lambda c: (c[1], c[2]))
    text = re.sub(r" {2,}", " ", " ".join(c[3] for c in chosen))
    return text, [(c[3], c[4]) for c in chosen], row


def _parts(question: str) -> list[set[str]]:
    """The folded syllables of each question of a message that asks several ("…? …?"); none for one."""
    parts = [set(fold(" ".join(syllables(p))).split()) for p in re.split(r"\?+", question)]
    parts = [p for p in parts if len(p) >= 3]
    return parts if len(parts) >= 2 else []


# "… — Điều 12, Luật 67/2006/QH11 — Các hành vi bị nghiêm cấm": a legal article's heading path.
_ARTICLE = re.compile(r"(Điều \d+[a-zđ]?, [^—]+?) — ([^—]+)$")


def _article_lead(row: dict) -> str:
    """"Theo Điều 12, Luật 67/2006/QH11 (Các hành vi bị nghiêm cấm):" before a quoted clause: the
    article's title often says what the clause means for the asker (a ban, a right, a duty)."""
    m = _ARTICLE.search(row.get("heading") or "")
    return f"Theo {m.group(1).strip()} ({m.group(2).strip()}):\n" if m else ""


_ABBREVIATION_CACHE: dict[tuple, Abbreviations] = {}


def _abbreviations(kb: KnowledgeBase, docs: list[dict]) -> Abbreviations:
    """The abbreviation list: every document of kind "abbreviations", read once per version."""
    key = tuple((d["id"], d["added_at"]) for d in docs if d["kind"] == "abbreviations")
    if not key:
        return NO_ABBREVIATIONS
    if key not in _ABBREVIATION_CACHE:
        _ABBREVIATION_CACHE.clear()
        _ABBREVIATION_CACHE[key] = Abbreviations.parse([kb.document_text(doc_id) for doc_id, _ in key])
    return _ABBREVIATION_CACHE[key]


_SPELLER_CACHE: dict[tuple, Speller] = {}


def _speller(kb: KnowledgeBase, docs: list[dict]) -> Speller:
    """The speller over the indexed vocabulary, built once per version of the documents."""
    key = (str(kb.data_dir), tuple((d["id"], d["added_at"]) for d in docs))
    if key not in _SPELLER_CACHE:
        _SPELLER_CACHE.clear()
        _SPELLER_CACHE[key] = Speller.build(*kb.vocabulary())
    return _SPELLER_CACHE[key]


_KIND_WORDS = {"quantity": "con số", "when": "thời điểm", "day": "ngày", "who": "cơ quan hay người"}


def _counts(unit: str, noun: str) -> bool:
    """Whether ``unit`` gives a figure of ``noun``: "15 văn bản", "06 mô đun", "100% hồ sơ"
    (a figure of something else beside the noun, "100% các xóm có trạm BTS", is not a count of it)."""
    words = syllables(unit) if has_diacritics(noun) else fold(" ".join(syllables(unit))).split()
    return any(any(ch.isdigit() for ch in w) and noun in words[i + 1:i + 4] for i, w in enumerate(words))


def _not_stated(q: _Query, weights: dict[str, float], top: dict, quoted: list[tuple[str, int | None]], asked: str,
                features: dict) -> Answer | None:
    """A plain "the documents do not say" when what was quoted is not an answer of the kind asked.

    The quoted sentences must hold an answer of the asked type (a figure for "bao nhiêu", a
    date for "khi nào", an agency for "ai") and speak of the question's topic: otherwise the
    engine would present the nearest sentence as the answer.
    """
    kinds = q.types & set(_KIND_WORDS)
    body = " ".join(u for u, _ in quoted)
    missing = [kind for kind in sorted(kinds) if not holds_answer(kind, body)]
    # The unit that holds the answer must also speak of the question's topic ("100% of the
    # shared databases" does not answer "what share of people use e-wallets") and of the
    # year asked (a 2030 figure does not answer a question about 2025).
    counted = q.counted if "quantity" in kinds else None
    holding = [u for u, year in quoted if all(holds_answer(kind, u) for kind in kinds)
               and (not q.years or year is None or year in q.years)
               and (counted is None or _counts(u, counted))]
    covered = max((_coverage(weights, u) for u in holding), default=0.0)
    features.update(quote_coverage=round(covered, 3), types=sorted(kinds), missing=missing)
    if not kinds:
        return None  # no type to check, and the passage-level test already passed
    if not missing and covered >= ABSTAIN.min_quote_coverage:
        return None
    label = KIND_LABELS.get(top["kind"], "Văn bản")
    where = _where(q, top)
    # Nothing quoted holds an answer of the asked kind about the thing asked: say which kind.
    if missing or not holding:
        what = _KIND_WORDS[(missing or sorted(kinds))[0]]
    else:
        what = "thông tin"  # an answer of the kind asked, but about something else
    year = f" cho năm {q.years[0]}" if q.years else ""
    text = (f"Kho dữ liệu chưa có {what} trả lời câu hỏi này. Văn bản gần nhất là {label.lower()} "
            f"«{top['title']}»{where}, nhưng văn bản không nêu {what} này{year}.")
    if quoted:
        text += f" Văn bản có nói: «{quoted[0][0][:300]}»"
    return Answer(asked, text, abstained=True, province=q.places[0].label() if q.places else None,
                  year=q.years[0] if q.years else None, features=features)


def _where(q: _Query, row: dict) -> str:
    labels = [gz.describe_former(p) for p in row["provinces"]]
    return f" của {', '.join(labels)}" if labels else ""


def _merger_note(q: _Query, top: dict, text: str) -> str:
    """Say so when a question about a new province is answered from a former one's documents,
    and name the province when the quote does not (a follow-up "thế còn Sóc Trăng?")."""
    for p in q.places:
        former = [name for name in top["provinces"] if name in p.scope and name != p.name]
        if former and not any(name == p.name for name in top["provinces"]):
            return (f"Thông tin dưới đây lấy từ văn bản về {', '.join(former)} "
                    f"(nay thuộc {gz.display(p.current)}):\n")
    named = [name for p in q.places for name in top["provinces"] if name in p.scope]
    if named and not any(fold(name) in fold(text) for name in named):
        return f"Về {', '.join(gz.describe_former(name) for name in named)}:\n"
    return ""


def _source(row: dict, q: _Query, score: float) -> Source:
    return Source(
        doc=row["source"].rsplit("/", 1)[-1], path=row["source"], doc_id=row["doc_id"], title=row["title"], kind=row["kind"],
        number=row["numbers"][0] if row["numbers"] else None, date=row["date"],
        provinces=[gz.describe_former(p) for p in row["provinces"]], passage_id=row["id"], heading=row["heading"] or "",
        score=round(float(score), 5), text=row["text"],
    )


def more_passages(kb: KnowledgeBase, passage_ids: list[int]) -> list[Source]:
    """Sources for further passages of an answer (the "more" button)."""
    rows = kb.passages(passage_ids)
    return [_source(rows[i], None, 0.0) for i in passage_ids if i in rows]


def format_plain(ans: Answer, with_sources: bool = True) -> str:
    """The answer as plain text: body, then a numbered list of sources."""
    parts = [x for x in (ans.notice, ans.reading) if x]
    parts.append(ans.text)
    if with_sources and ans.sources:
        seen, lines = set(), []
        for s in ans.sources:
            if s.doc_id in seen:
                continue
            seen.add(s.doc_id)
            lines.append(f"{len(lines) + 1}. {s.cite()}")
        parts.append("Nguồn:\n" + "\n".join(lines))
    return "\n\n".join(parts)
