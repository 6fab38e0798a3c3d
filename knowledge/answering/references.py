"""Cross-references of legal text: a clause that says "theo quy định tại khoản 8 Điều 36 Nghị
định này" holds its rule in the clause it names. When the quote needs that clause to answer (the
figure or date asked sits there), the clause is looked up and quoted with it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..store import KnowledgeBase

_INSTRUMENTS = r"Luật|Nghị định|Thông tư|Quyết định"
# "(theo) quy định tại điểm a khoản 8 Điều 36 (của) Nghị định này" / "… Nghị định số 72/2013/NĐ-CP".
# A reference to a whole article (hundreds of words) is not followed: only a clause is quotable.
REFERENCE = re.compile(
    rf"(?:quy định tại|theo)\s+(?:điểm\s+([a-zđ])\s+)?khoản\s+(\d+)\s+Điều\s+(\d+[a-zđ]?)\s+(?:của\s+)?"
    rf"({_INSTRUMENTS})\s+(này|(?:số\s+)?\d+/\d{{4}}/[\w-]+)", re.IGNORECASE)
# The instrument a passage of a codification belongs to: "… — Điều 9, Nghị định 72/2013/NĐ-CP — …".
_HEADED = re.compile(rf"Điều\s+\d+[a-zđ]?,\s+((?:{_INSTRUMENTS})\s+\d+/\d{{4}}/[\w-]+)")


@dataclass(frozen=True)
class Reference:
    """A clause named by another: khoản ``clause`` (điểm ``point``) of Điều ``article`` of ``instrument``."""

    article: str
    clause: str
    point: str | None
    instrument: str  # "Nghị định 72/2013/NĐ-CP"

    @property
    def heading(self) -> str:
        """How the article's passages are headed: "Điều 36, Nghị định 72/2013/NĐ-CP"."""
        return f"Điều {self.article}, {self.instrument}"

    @property
    def label(self) -> str:
        point = f"điểm {self.point} " if self.point else ""
        return f"{point}khoản {self.clause} Điều {self.article}, {self.instrument}"


def references(text: str, heading: str) -> list[Reference]:
    """The clauses ``text`` refers to; "… này" is the instrument of its own ``heading``."""
    own = _HEADED.search(heading or "")
    out = []
    for m in REFERENCE.finditer(text):
        point, clause, article, kind, which = m.groups()
        if which.lower() == "này":
            if not own or not own.group(1).lower().startswith(kind.lower()):
                continue  # "Nghị định này" in a passage whose instrument is unknown, or another kind
            instrument = own.group(1)
        else:
            number = re.sub(r"^số\s+", "", which, flags=re.IGNORECASE)
            instrument = f"{kind[:1].upper()}{kind[1:].lower()} {number}"
        ref = Reference(article, clause, point.lower() if point else None, instrument)
        if ref not in out:
            out.append(ref)
    return out


def clause_text(article: str, ref: Reference) -> str | None:
    """Khoản ``ref.clause`` (or its điểm ``ref.point``) of an article's text, else None.

    A clause runs from the line opening "8." to the next numbered line; a point from the line
    opening "a)" to the next point or clause.
    """
    lines = article.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(rf"\s*{ref.clause}\s*\.", line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\d+\s*\.", lines[i])), len(lines))
    clause = lines[start:end]
    if ref.point:
        first = next((i for i, line in enumerate(clause) if re.match(rf"\s*{ref.point}\s*\)", line)), None)
        if first is None:
            return None
        last = next((i for i in range(first + 1, len(clause)) if re.match(r"\s*[a-zđ]\s*\)", clause[i])), len(clause))
        clause = clause[first:last]
    # The number or letter that opens it is said by the label.
    text = re.sub(r"^\s*(?:\d+\s*\.|[a-zđ]\s*\))\s*", "", " ".join(line.strip() for line in clause))
    return text.rstrip(" ;") or None


def followed(kb: KnowledgeBase, units: list[tuple[dict, str]]) -> tuple[dict, str, Reference, str, dict] | None:
    """The first of ``units`` (passage, one of its sentences; best first) that refers to a clause:
    the passage, the sentence, the reference, the clause's text and the passage holding it."""
    for row, unit in units:
        for ref in references(unit, row.get("heading") or ""):
            article = kb.passages_headed(row["doc_id"], ref.heading)
            text = clause_text("\n".join(r["text"] for r in article), ref)
            if text:
                holder = next((r for r in article if text[:60] in " ".join(r["text"].split())), article[0])
                return row, unit, ref, text, holder
    return None
