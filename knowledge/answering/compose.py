"""Composition: the answer's text around its quote (the article it comes from, the province it
speaks of), its sources, document-fact answers, and the plain-text rendering."""

from __future__ import annotations

from index.text import fold

from .. import provinces as gz
from ..conversation import Resolved, next_context
from ..facts import Facts, instrument_facts
from ..metadata import number_kind
from ..store import KnowledgeBase
from .analysis import Query
from .candidates import clip
from .scope import successor_speaks
from .types import Answer, Source

def concluded(ans: Answer, resolved: Resolved, q: Query, passage_id: int | None = None,
               types: frozenset[str] | None = None) -> Answer:
    """``ans`` with how its message was read and what the next message may refer to."""
    ans.reading = resolved.reading
    ans.context = next_context(resolved, q.types if types is None else types, [p.name for p in q.places], q.years,
                               passage_id)
    return ans


# ----------------------------------------------------------------- document facts
_FACT_NAMES = {"number": "số hiệu", "issuer": "cơ quan ban hành", "issued": "ngày ban hành", "signer": "người ký",
               "effective": "ngày có hiệu lực"}


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


def fact_answer(kb: KnowledgeBase, q: Query, asked: str, wanted: list[str], resolved: Resolved,
                 doc: dict, number: str, own: bool) -> Answer:
    """"Nghị quyết số 07-NQ/TU của …, ban hành ngày 27/10/2021", quoted from the text; a plain
    "not stated" for each fact asked that the text does not give."""
    facts = _facts(kb, doc, number, own)
    label = number_kind(number) or "Văn bản"
    text = successor_note(q, doc) + f"{label} số {number}"
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
        text += f"\nVăn bản ghi: «{clip(quote, 300)}»"
    abstained = len(missing) == len(wanted)
    pid = kb.passage_mentioning(doc["id"], number)
    rows = kb.passages([pid]) if pid else {}
    sources = [source(rows[pid], 1.0)] if pid in rows else []
    features = {"facts": wanted, "missing": missing}
    return concluded(Answer(asked, text, sources=sources, abstained=abstained, features=features,
                             province=", ".join(gz.describe_all(doc["provinces"])) or None),
                      resolved, q, pid, q.types | {"who"})


def where(q: Query, row: dict) -> str:
    labels = gz.describe_all(row["provinces"])
    return f" của {', '.join(labels)}" if labels else ""


def successor_note(q: Query, doc: dict) -> str:
    """"Đắk Nông nay thuộc tỉnh Lâm Đồng; …" when a former province is answered from a document of
    the province it merged into (see :func:`.scope.successor_speaks`)."""
    if any(set(p.scope) & set(doc["provinces"]) for p in q.places):  # a province asked is the document's own
        return ""
    p = next((p for p in q.places if successor_speaks(doc, [p])), None)
    return (f"{p.name} nay thuộc {gz.display(p.current)}; thông tin dưới đây lấy từ văn bản của "
            f"{gz.display(p.current)}, ban hành sau khi hợp nhất:\n") if p else ""


def merger_note(q: Query, top: dict, text: str) -> str:
    """Say so when a question about a new province is answered from a former one's documents (or
    one about a former province from its new province's),
    and name the province when the quote does not (a follow-up "thế còn Sóc Trăng?", or a
    question naming none answered from a provincial document)."""
    if successor := successor_note(q, top):
        return successor
    for p in q.places:
        former = [name for name in top["provinces"] if name in p.scope and name != p.name]
        if former and not any(name == p.name for name in top["provinces"]):
            return (f"Thông tin dưới đây lấy từ văn bản về {', '.join(former)} "
                    f"(nay thuộc {gz.display(p.current)}):\n")
    # A former province asked about and answered from its own document: what it belongs to now.
    for p in q.places:
        if p.current != p.name and p.name in top["provinces"] and fold(p.current) not in fold(text):
            return f"Về {p.label()}:\n"
    # A question naming no province may still be answered from one province's document: a
    # figure is that province's, and the answer says whose it is.
    named = [name for p in q.places for name in top["provinces"] if name in p.scope] if q.places \
        else list(top["provinces"])
    if named and not any(fold(name) in fold(text) for name in named):
        return f"Về {', '.join(gz.describe_all(named))}:\n"
    return ""


def source(row: dict, score: float) -> Source:
    """The citation of one passage."""
    return Source(
        doc=row["source"].rsplit("/", 1)[-1], path=row["source"], doc_id=row["doc_id"], title=row["title"], kind=row["kind"],
        number=row["numbers"][0] if row["numbers"] else None, date=row["date"],
        provinces=gz.describe_all(row["provinces"]), passage_id=row["id"], heading=row["heading"] or "",
        score=round(float(score), 5), text=row["text"],
    )


def more_passages(kb: KnowledgeBase, passage_ids: list[int]) -> list[Source]:
    """Sources for further passages of an answer (the "more" button)."""
    rows = kb.passages(passage_ids)
    return [source(rows[i], 0.0) for i in passage_ids if i in rows]


def format_plain(ans: Answer, with_sources: bool = True) -> str:
    """The answer as plain text: body, then a numbered list of sources."""
    parts = [x for x in (ans.notice, ans.reading) if x]
    parts.append(ans.text)
    if with_sources and ans.sources:
        parts.append("Nguồn:\n" + "\n".join(f"{i}. {line}" for i, line in enumerate(ans.citations(), start=1)))
    return "\n\n".join(parts)
