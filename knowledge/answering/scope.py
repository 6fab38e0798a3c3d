"""Scoping: the documents a question may be answered from, or an answer naming the gap; and
the instrument a question about a document's facts refers to."""

from __future__ import annotations

import re

from index.text import fold

from .. import provinces as gz
from ..conversation import Resolved, topic_words
from ..facts import titled_number
from ..metadata import KIND_LABELS, NUMBER_KINDS, document_numbers, number_kind
from ..store import KnowledgeBase
from .analysis import Query
from .types import Answer

def named_documents(docs: list[dict], q: Query) -> set[int]:
    """The documents whose own number the question names ("NQ 03", "Nghị quyết 57-NQ/TW")."""
    return {d["id"] for d in docs for n in q.numbers if d["numbers"] and number_matches(n, d["numbers"][0])}


def scope(docs: list[dict], q: Query) -> tuple[set[int] | None, Answer | None]:
    """Documents the question may be answered from, or an abstention naming the gap.

    A question naming a document the knowledge base holds ("Theo NQ 03, …") is answered from it
    or from the documents citing it; a figure of another province's plan is not NQ 03's.

    A province asked about inside a document the question names that is not the province's own
    ("Trong NQ 03 có nhiệm vụ nào nhắc tỉnh tôi không?") is answered from that document, and
    ``q`` is rewritten in place: the province's names become words to find in it (``q.text``),
    and the question is about no province."""
    named = named_documents(docs, q)
    names = [name for p in q.places for name in p.scope]
    if named and names and not any(set(d["provinces"]) & set(names) for d in docs if d["id"] in named):
        q.text, q.places = f"{q.text} ({', '.join(names)})", []
        return named, None
    if q.places:
        wanted = {name for p in q.places for name in p.scope}
        ids = {d["id"] for d in docs if wanted & set(d["provinces"])}
        if not ids:  # "Đắk Nông" with no document of its own: its new province's since the merger
            ids = {d["id"] for d in docs if successor_speaks(d, q.places)}
        if not ids:
            names = ", ".join(gz.display(p.name) + (f" (gồm {', '.join(s for s in p.scope if s != p.name)} cũ)"
                                                     if len(p.scope) > 1 else
                                                     f" (nay thuộc {gz.display(p.current)})" if p.current != p.name
                                                     else "") for p in q.places)
            covered = sorted({gz.describe_former(p) for d in docs for p in d["provinces"]})
            text = f"Kho dữ liệu chưa có văn bản về {names}."
            if covered:
                text += " Hiện có dữ liệu về: " + ", ".join(covered) + "."
            return None, Answer(q.text, text, abstained=True, province=q.places[0].label())
        return ids, None
    if q.districts:
        ids = {d["id"] for d in docs if set(q.districts) & set(d["districts"])}
        return ids or None, None
    if named:  # "theo NQ 03 …": that document, or one citing it (NQ 03 carries out NQ 57), answers
        return {d["id"] for d in docs if any(number_matches(n, held) for n in q.numbers for held in d["numbers"])}, None
    return None, None


def successor_speaks(doc: dict, places: list[gz.Place]) -> bool:
    """Whether ``doc`` is a document of the new province a former one asked about merged into,
    issued since the merger: it speaks for the former province's territory too."""
    return any(p.current != p.name and p.current in doc["provinces"] and (doc.get("date") or "") >= gz.MERGED_ON
               for p in places)


# "Tỉnh có nghị quyết … không?", "đã có kế hoạch … chưa?": whether an instrument of a kind exists.
# But "có kế hoạch gì cho Phú Quốc … không?" asks what is planned, in whatever instrument: "kế
# hoạch" is also the common word for a plan ("nghị quyết gì" is still only an instrument).
_KIND_BY_FOLDED = {fold(name): name for _, name in NUMBER_KINDS}  # the kinds a number's code names
_EXISTS = re.compile(rf"\b(?:co|da co|da ban hanh)\s+({'|'.join(_KIND_BY_FOLDED)})\b(?!(?<=ke hoach) gi\b)"
                     rf"(?=.*\b(?:khong|chua)\b)")


def missing_instrument(docs: list[dict], q: Query, own: str, allowed: set[int] | None) -> Answer | None:
    """"Thanh Hóa có nghị quyết chuyển đổi số không?" asked of a province whose documents neither
    are nor cite one (a plan is no resolution): say so, and what its documents are."""
    m = _EXISTS.search(fold(own))
    if not (m and q.places and allowed):
        return None
    kind = _KIND_BY_FOLDED[m.group(1)]
    held = [d for d in docs if d["id"] in allowed]
    if any(number_kind(n) == kind for d in held for n in d["numbers"]):
        return None
    place = q.places[0].label()
    listed = "; ".join(f"{KIND_LABELS.get(d['kind'], 'Văn bản').lower()} «{d['title']}»"
                       + (f" (số {d['numbers'][0]})" if d["numbers"] else "") for d in held[:3])
    return Answer(q.text, f"Kho dữ liệu chưa có {kind.lower()} nào của {place}: các văn bản về {place} không "
                          f"nêu {kind.lower()} nào. Hiện có: {listed}.", abstained=True, province=place)


def _kind_name(question: str) -> str | None:
    """The kind of instrument a question names ("nghị định nào" -> "Nghị định"), if any."""
    folded = fold(question)
    return next((name for _, name in NUMBER_KINDS if re.search(rf"\b{fold(name)}\b", folded)), None)


# A number as documents write it: "57-NQ/TW", "03/NQ-CP", "67/2006/QH11" (number, year, codes).
_FULL_NUMBER = re.compile(r"0*(\d+)(?:/(\d{4}))?[/-](.+)")
# A number typed after its kind, without its codes: "Nghị quyết 57", "Nghị định 13/2023".
_NAMED_NUMBER = re.compile(r"(\D+) 0*(\d+)(?:/(\d{4}))?")


def number_matches(asked: str, number: str) -> bool:
    """"57-NQ/TW" matches "57-NQ/TW", "57/NQ-TW" (its separators typed the other way round),
    "Nghị quyết 57" (a number typed without its codes) and "Nghị định 13/2023" ("13/2023/NĐ-CP")."""
    if fold(asked) == fold(number):  # the same number in any letter case: "QĐ-TTg" typed "qđ-ttg"
        return True
    full = _FULL_NUMBER.fullmatch(number)
    if not full:
        return False
    head, year, codes = full.groups()
    named = _NAMED_NUMBER.fullmatch(asked)
    if named:
        kind, n, y = named.groups()
        return (n == head and (y is None or year is None or y == year)
                and (number_kind(number) or "").lower() in (kind.lower(), ""))
    typed = _FULL_NUMBER.fullmatch(asked)
    return bool(typed) and typed.group(1) == head and typed.group(2) == year \
        and re.split(r"[/-]", fold(typed.group(3))) == re.split(r"[/-]", fold(codes))


def unknown_instrument(q: Query, known: frozenset[str]) -> Answer | None:
    """"Nghị định 13/2023/NĐ-CP có hiệu lực từ ngày nào?" when no document is that instrument
    or cites it (``known``: every number the documents hold): the knowledge base does not have
    it, and an article of another instrument ("Nghị định 43/2021/NĐ-CP, có hiệu lực thi hành kể
    từ ngày 01/06/2021") is no answer."""
    for asked in q.numbers:
        named = _NAMED_NUMBER.fullmatch(asked)
        if named and not named.group(3) and re.fullmatch(r"(?:19|20)\d\d", named.group(2)):
            continue  # "kế hoạch 2025 của tỉnh": a year, not a number
        if any(number_matches(asked, n) or number_matches(n, asked) for n in known):
            continue
        kind = number_kind(asked)
        label = asked if named or not kind else f"{kind} số {asked}"
        return Answer(q.text, f"Kho dữ liệu chưa có {label}, và cũng chưa văn bản nào trong kho nhắc đến "
                              f"văn bản này, nên mình chưa trả lời được câu hỏi về nó.", abstained=True)
    return None


def instrument(kb: KnowledgeBase, docs: list[dict], q: Query, own: str, resolved: Resolved,
                allowed_docs: set[int] | None, titles: dict[str, str] | None = None) -> tuple[dict, str, bool] | None:
    """The instrument a question about a document's facts refers to: (document, number, is its own text).

    In order: a number the question names, or a title (``titles``: :func:`..facts.instrument_titles`,
    "Luật Công nghệ thông tin" for 67/2006/QH11); the passage that answered the previous question
    (its article's instrument, of the kind asked: "nghị định nào"); the document of the
    province asked about."""
    def own_text(doc: dict, number: str) -> bool:
        return doc["kind"] not in ("news", "glossary") and bool(doc["numbers"]) and doc["numbers"][0] == number

    named = titled_number(own, titles or {})
    for asked_number in document_numbers(own, typed=True) + ([named] if named else []):
        found = [(d, n) for d in docs for n in d["numbers"] if number_matches(asked_number, n)]
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
        # "… của Kiên Giang năm 2024": not a 2026 decision; a plan "năm 2026" may be dated 2025.
        scoped = [d for d in scoped if not q.years or any(str(y) in f"{d['date']} {d['title']}" for y in q.years)]
        scoped.sort(key=lambda d: d["kind"] == "news")
        if scoped:
            return scoped[0], scoped[0]["numbers"][0], own_text(scoped[0], scoped[0]["numbers"][0])
    return None


# "Phú Yên cũ giờ thuộc tỉnh nào?", "Bắc Giang sáp nhập vào đâu?", "Phú Thọ mới gồm những tỉnh
# nào?": where a province is since the 2025 merger, from the gazetteer (Nghị quyết 202/2025/QH15).
_ASKS_MERGER = re.compile(r"\b(?:thuoc (?:tinh|thanh pho|tp) nao|(?:sap nhap|nhap|hop nhat) (?:vao|voi) "
                          r"(?:dau|tinh nao|thanh pho nao|tp nao)|(?:gio|nay) la (?:tinh|thanh pho|tp) nao|"
                          r"gom (?:nhung |cac )?tinh nao)\b")
# The words such a question is made of besides its province: asking nothing else.
_MERGER_WORDS = frozenset(fold(w) for w in """sáp nhập hợp nhất thuộc tỉnh thành phố tp cũ mới giờ nay rồi gồm
vào với đâu nào là những các đã được bây""".split())


def merger_answer(q: Query, own: str, docs: list[dict]) -> Answer | None:
    """The answer to a question asking only which province a place belongs to since the merger
    (or what a new province is made of): the gazetteer's, not a document's."""
    if not q.places or not _ASKS_MERGER.search(fold(own)):
        return None
    if any(fold(w) not in _MERGER_WORDS for w in topic_words(own)):
        return None  # "… thuộc tỉnh nào, có nghị quyết chuyển đổi số không?" asks more
    lines = []
    for p in q.places:
        if p.current != p.name:
            lines.append(f"Tỉnh {p.name} đã hợp nhất vào {gz.display(p.current)} từ ngày 01/07/2025.")
        elif len(p.scope) > 1:
            lines.append(f"Từ ngày 01/07/2025, {gz.display(p.name)} gồm {', '.join(p.scope)} cũ.")
        else:
            unit = gz.display(p.name)
            lines.append(f"{unit[0].upper()}{unit[1:]} giữ nguyên, không hợp nhất với tỉnh nào trong đợt sắp "
                         f"xếp năm 2025.")
    text = " ".join(lines) + (" (Theo Nghị quyết 202/2025/QH15 của Quốc hội về sắp xếp đơn vị hành chính "
                              "cấp tỉnh.)")
    held = {name for d in docs for name in d["provinces"]}
    missing = [p.name for p in q.places if not ({p.name, *p.scope} & held)]
    if missing:
        text += f" Kho dữ liệu chưa có văn bản về {', '.join(missing)}."
    return Answer(q.text, text, abstained=False, province=q.places[0].label())
