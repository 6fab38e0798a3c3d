"""Document facts: a legal instrument's number, date, issuing body, signer and entry into force.

They are read from the text itself, never from the file: an official text's header
("CHÍNH PHỦ … Số: 03/NQ-CP … Hà Nội, ngày 09 tháng 01 năm 2025"), its signature block
("TM. CHÍNH PHỦ … Nguyễn Hòa Bình"), a "Thông tin văn bản" table, a codification's source
notes ("(Điều 1 Luật số 67/2006/QH11 … ngày 29/06/2006 của Quốc hội, có hiệu lực thi hành
kể từ ngày 01/01/2007)") or the sentence of a news article that names the instrument
("ngày 24/12/2021, Ban Thường vụ Tỉnh ủy đã ban hành Nghị quyết số 08-NQ/TU").

A fact that the text does not state stays ``None``: a news article's own date is not the
date of the resolution it reports on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.text import fold, folded_words, split_sentences

from . import provinces as gz
from .metadata import NUMBER_PATTERN, document_numbers, is_kind_line, kind_names, number_kind
from .query import DOCUMENT_ASK

# What a question asks about a document, from its folded wording (general interrogatives).
_ASKS = {
    "signer": r"\b(ai ky|nguoi ky|ky boi|do ai ky|ai la nguoi ky|ky ban hanh la ai)\b",
    "issuer": r"\b((co quan|cap|to chuc|don vi) nao (da )?(ban hanh|thong qua)|(do )?ai (da )?(ban hanh|thong qua)|"
              r"ban hanh boi|noi ban hanh|(ban hanh|thong qua) boi (ai|co quan nao))\b",
    "issued": r"\b(ban hanh (vao )?(ngay|luc|khi) nao|ngay ban hanh|(thong qua|ky|ra doi) (vao )?(ngay|khi|luc) nao|"
              r"ban hanh (tu )?bao gio|ban hanh nam nao|ngay nao ban hanh)\b",
    "effective": r"\b(hieu luc)\b",
    "number": DOCUMENT_ASK,
}
_ASK_RES = {name: re.compile(p) for name, p in _ASKS.items()}

# Bodies that issue instruments, longest first ("Ban Thường vụ Tỉnh ủy" before "Tỉnh ủy").
_BODY = (r"Ban Chấp hành Đảng bộ (?:tỉnh|thành phố) [A-ZĐ][\wÀ-ỹ]*(?: [A-ZĐ][\wÀ-ỹ]*){0,3}(?: khóa [IVXLC]+)?"
         r"|Ban Chấp hành Trung ương|Ban Thường vụ (?:Tỉnh|Thành|Huyện) ủy|Bộ Chính trị|Ban Bí thư"
         r"|Ủy ban Thường vụ Quốc hội|Quốc hội|Thủ tướng Chính phủ|Chính phủ"
         r"|(?:Hội đồng nhân dân|HĐND|Ủy ban nhân dân|UBND) (?:tỉnh|thành phố|huyện)(?: [A-ZĐ][\wÀ-ỹ]*){0,3}"
         r"|(?:Tỉnh|Thành|Huyện) ủy(?: [A-ZĐ][\wÀ-ỹ]*){0,3}"
         # A ministry: capitalised parts of one or two words, joined by "và", "," or "-" ("Bộ Tài
         # chính", "Bộ Thông tin và Truyền thông", "Bộ Văn hóa, Thể thao và Du lịch").
         r"|Bộ [A-ZĐ][\wÀ-ỹ]*(?: [\wÀ-ỹ]+)?(?:(?:,| -| và) (?!Bộ\b)[A-ZĐ][\wÀ-ỹ]*(?: [\wÀ-ỹ]+)?)*"
         r"(?=[\s,.;:)]|$)")
# An office whose holder signs for a body ("Chủ tịch Ủy ban nhân dân tỉnh …").
_OFFICER = r"(?:Phó )?(?:Chủ tịch|Bí thư|Giám đốc|Bộ trưởng)"
# "ngày 27/10/2021", "ngày 09 tháng 01 năm 2025"
_DATE_PHRASE = r"[Nn]gày\s+\d{1,2}\s*(?:tháng\s+|/)\d{1,2}\s*(?:năm\s+|/)\d{4}"
_DATE_RE = re.compile(r"ngày\s+(\d{1,2})\s*(?:tháng\s+|/)(\d{1,2})\s*(?:năm\s+|/)(\d{4})", re.IGNORECASE)
_EFFECTIVE_RE = re.compile(r"(?:có )?hiệu lực(?: thi hành)?(?: kể)? từ (ngày ký(?: ban hành)?|ngày \d{1,2}\s*"
                           r"(?:tháng\s+|/)\d{1,2}\s*(?:năm\s+|/)\d{4})", re.IGNORECASE)
# "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"; or a signing title alone on its line (a council's
# resolution is signed "CHỦ TỊCH", with no "TM." above it).
_SIGNATURE_START = re.compile(r"^(?:(?:TM|KT|T/M|Q|TL|TUQ)\.?\s+[A-ZĐÀ-Ỹ]|(?:PHÓ )?(?:CHỦ TỊCH|THỦ TƯỚNG|"
                              r"BỘ TRƯỞNG|GIÁM ĐỐC|TỔNG BÍ THƯ|BÍ THƯ)\s*$)", re.MULTILINE)
_PERSON = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?: [A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")
# "Tổng Bí thư Tô Lâm đã ký", "do Phó Chủ tịch UBND tỉnh Bùi Đình Long ký" (the body a title
# belongs to, if named, is "UBND tỉnh", "Ủy ban nhân dân thành phố" …; a province named after it
# is cut from the name).
_TITLED_SIGNER = re.compile(r"((?:Phó )?(?:Tổng Bí thư|Chủ tịch(?: nước)?|Thủ tướng(?: Chính phủ)?|Bộ trưởng|Bí thư|"
                            r"Giám đốc)(?: (?:UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân|Tỉnh ủy|Thành ủy|Huyện ủy)"
                            r"(?: (?:tỉnh|thành phố|huyện))?)?)"
                            r" ((?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+ ){1,6}[A-ZĐÀ-Ỹ][a-zà-ỹđ]+),? (?:đã )?ký")
_TABLE_ROW = re.compile(r"^\|\s*\**([^|*]+?)\**\s*\|\s*([^|\n]*?)\s*\|?\s*$", re.MULTILINE)


@dataclass
class Facts:
    """What a text states about one instrument."""

    number: str
    issued: str | None = None  # dd/mm/yyyy as Vietnamese texts write it
    issuer: str | None = None
    signer: str | None = None
    effective: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # fact name -> the line it was read from

    def get(self, name: str) -> str | None:
        return self.number if name == "number" else getattr(self, name)


def asked_facts(question: str) -> list[str]:
    """The document facts a question asks for, in a fixed order: number, issuer, issued, signer, effective."""
    folded = fold(question)
    asked = [name for name in ("number", "issuer", "issued", "signer", "effective") if _ASK_RES[name].search(folded)]
    # "ban hành ngày nào" asks the date; "ngày nào" alone next to "ban hành" too.
    if "issued" not in asked and re.search(r"\bban hanh\b|\bthong qua\b", folded) and \
            re.search(r"\b(ngay nao|khi nao|bao gio|luc nao|nam nao)\b", folded):
        asked.append("issued")
    return asked


def _date(m: re.Match) -> str:
    d, mth, y = (int(g) for g in m.groups())
    try:
        date(y, mth, d)
    except ValueError:
        return m.group(0)
    return f"{d:02d}/{mth:02d}/{y}"


def _table(text: str) -> dict[str, str]:
    """A "Thông tin văn bản" table: folded attribute -> value."""
    return {fold(k.strip()): v.strip() for k, v in _TABLE_ROW.findall(text[:4000]) if v.strip()}


def _signer(text: str) -> tuple[str | None, str | None]:
    """(signer, evidence) from a signature block ("TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / … / Nguyễn Hòa Bình")
    or a sentence saying who signed ("Tổng Bí thư Tô Lâm đã ký ban hành")."""
    for m in _SIGNATURE_START.finditer(text):
        block = [l.strip(" *_") for l in text[m.start():m.start() + 400].splitlines()[:8]]
        for n, line in enumerate(block):
            if _PERSON.match(line) and line.upper() != line:
                titles = [b for b in block[:n] if b and b.upper() == b and not b.startswith("[")]
                return line, " / ".join([*titles, line])
    m = _TITLED_SIGNER.search(text[:20000])
    if m:
        named = m.group(2)
        spans = gz.mention_spans(named)
        if spans and spans[0][0] == 0:  # "UBND tỉnh Nghệ An Bùi Đình Long"
            named = named[spans[0][1]:]
        name = named.split()
        while name and name[-1][:1].islower():  # "Tô Lâm đã": the class ranges also hold lower case
            name.pop()
        if len(name) >= 2:
            return f"{m.group(1)} {' '.join(name)}", m.group(0)
    return None, None


def _header_body(head: str) -> list[str]:
    """The issuing body in capitals atop an official text, on one line or two ("ỦY BAN NHÂN DÂN"
    / "TỈNH LÂM ĐỒNG"), beside the national motto, under a title line or above the kind line."""
    lines = [l.strip("#* \t") for l in head.splitlines()]
    block: list[str] = []
    for line in [l for l in lines if re.search(r"\w", l)][:6]:  # not the "-------" rules
        left = re.split(r"\s*(?:CỘNG HÒA|ĐỘC LẬP|Độc lập)|\s{2,}", line)[0].strip()
        if is_kind_line(left):  # "KẾ HOẠCH": the header is over
            break
        if left and left.upper() == left and re.search(r"[A-ZĐÀ-Ỹ]{2}", left) and len(left) < 60 \
                and not re.search(r"\d", left):
            block.append(left)
            if len(block) == 2:
                break
        elif block:
            break
    return block


def _sentence_case(capitals: str) -> str:
    """"ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG" -> "Ủy ban nhân dân tỉnh Lâm Đồng": province names keep
    their capitals."""
    text = capitals.lower()
    text = text[:1].upper() + text[1:]
    for start, end in gz.mention_spans(text):
        text = text[:start] + text[start:end].title() + text[end:]
    return re.sub(r"\btp\b", "TP", text)


def _own(text: str, number: str) -> Facts:
    """Facts of the text's own instrument, from its header, table and signature block."""
    facts = Facts(number)
    table = _table(text)
    head = text[:1500]
    issued = _DATE_RE.search(head) or (re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", table.get("ngay ban hanh", "")))
    if issued:
        facts.issued = _date(issued)
        facts.evidence["issued"] = issued.group(0)
    issuer = table.get("noi ban hanh") or table.get("co quan ban hanh")
    if issuer:
        facts.issuer, facts.evidence["issuer"] = issuer, f"Nơi ban hành: {issuer}"
    elif block := _header_body(head):
        facts.issuer, facts.evidence["issuer"] = _sentence_case(" ".join(block)), " / ".join(block)
    signer = table.get("nguoi ky")
    evidence = f"Người ký: {signer}" if signer else None
    if not signer:
        signer, evidence = _signer(text)
    if signer:
        facts.signer = signer
        facts.evidence["signer"] = evidence
    effective = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", table.get("ngay hieu luc", ""))
    if effective:
        facts.effective = _date(effective)
        facts.evidence["effective"] = f"Ngày hiệu lực: {facts.effective}"
    else:
        m = _EFFECTIVE_RE.search(text[:30000])
        if m:
            facts.effective = _phrase_date(m.group(1))
            facts.evidence["effective"] = next((s for s in split_sentences(text[max(0, m.start() - 300):m.end() + 5])
                                                if m.group(0) in s), m.group(0))
    return facts


def _phrase_date(phrase: str) -> str:
    m = _DATE_RE.search(phrase)
    return _date(m) if m else phrase


# From a number to the date it was issued: "57-NQ/TW, ngày 22/12/2024", or past its title
# ("Nghị định số 72/2013/NĐ-CP Quản lý, cung cấp, … trên mạng ngày 15/07/2013"); never to the
# date it takes effect ("72/2013/NĐ-CP, có hiệu lực thi hành kể từ ngày 01/09/2013"), nor past
# another number, whose date it may be ("Sửa đổi … Thông tư số 17/2016/TT-BTTTT ngày 28 tháng 6 năm 2016").
_TO_ISSUE_DATE = r"(?:(?!hiệu lực|kể từ|\d+/)[^.;]){0,160}?"
# From a number to the body that issued it, past its title and date ("Thông tư số 20/2014/TT-BTTTT
# Quy định về … ngày 05/12/2014 của Bộ Thông tin và Truyền thông"), never past another number.
_TO_ISSUER = r"(?:(?!\d+(?:/\d+)*[/-][A-ZĐ])[^.;]){0,160}?"


def _mentioned(text: str, number: str) -> Facts:
    """Facts of an instrument another text cites: from the sentences that name its number,
    taking a date or a body only when it is attached to the number."""
    facts = Facts(number)
    escaped = re.escape(number)
    for sentence in split_sentences(text):
        if number not in sentence:
            continue
        # "… 07-NQ/TU, ngày 27/10/2021 của Ban Chấp hành …", "ngày 24/12/2021, Ban Thường vụ … ban hành … 08-NQ/TU"
        after = re.search(escaped + _TO_ISSUE_DATE + "(" + _DATE_PHRASE + ")", sentence)
        before = re.search(r"(" + _DATE_PHRASE + r"),?\s+(?:(" + _OFFICER + r")\s+)?(" + _BODY +
                           r")\s+(?:đã\s+)?(?:ban hành|thông qua|ký)[^.;]{0,40}?" + escaped, sentence)
        found = after or before
        if found and facts.issued is None:
            facts.issued = _phrase_date(found.group(1))
            facts.evidence["issued"] = sentence.strip()
        body = None
        if before:
            body = before.group(3)
        else:
            m = re.search(escaped + _TO_ISSUER + r"\bcủa (" + _BODY + ")", sentence)
            body = m.group(1) if m else None
        if body and facts.issuer is None:
            facts.issuer = body.strip()
            facts.evidence["issuer"] = sentence.strip()
        effective = re.search(escaped + r"[^;]{0,200}?" + _EFFECTIVE_RE.pattern, sentence, re.IGNORECASE)
        if effective and facts.effective is None:
            facts.effective = _phrase_date(effective.group(1))
            facts.evidence["effective"] = sentence.strip()
        # "… ban hành Kế hoạch số 118/KH-UBND …, do Phó Chủ tịch UBND tỉnh Bùi Đình Long ký."
        signer, _ = _signer(sentence) if facts.signer is None else (None, None)
        if not signer and before and before.group(2) and facts.signer is None:
            # "Ngày 03/02/2026, Chủ tịch Ủy ban nhân dân tỉnh An Giang ký Quyết định số …": the
            # signer is named by office only.
            signer = f"{before.group(2)} {before.group(3).strip()}"
        if signer:
            facts.signer = signer
            facts.evidence["signer"] = sentence.strip()
        facts.evidence.setdefault("number", sentence.strip())
        if facts.issued and facts.issuer and facts.effective and facts.signer:
            break
    # "Phó Chủ tịch UBND tỉnh … đã ký ban hành kế hoạch.": a later sentence names the instrument
    # by its kind alone, which is this one when the text cites no other of that kind.
    kind = number_kind(number)
    if facts.signer is None and kind and {n for n in document_numbers(text) if number_kind(n) == kind} == {number}:
        for sentence in split_sentences(text):
            signer, _ = _signer(sentence) if re.search(rf"\bký\b.*\b{kind}\b", sentence, re.IGNORECASE) else (None, None)
            if signer:
                facts.signer, facts.evidence["signer"] = signer, sentence.strip()
                break
    return facts


def instrument_facts(text: str, number: str, own: bool) -> Facts:
    """What ``text`` states about instrument ``number`` (``own``: the text is that instrument)."""
    facts = _own(text, number) if own else Facts(number)
    cited = _mentioned(text, number)
    for name in ("issued", "issuer", "signer", "effective"):
        if getattr(facts, name) is None and getattr(cited, name) is not None:
            setattr(facts, name, getattr(cited, name))
            facts.evidence[name] = cited.evidence[name]
    facts.evidence.setdefault("number", cited.evidence.get("number") or next(iter(facts.evidence.values()), ""))
    return facts


# How texts cite an instrument with its title: "Luật số 67/2006/QH11 Công nghệ thông tin ngày
# 29/06/2006", "Nghị định số 72/2013/NĐ-CP Quản lý, cung cấp, … trên mạng ngày 15/07/2013" (a
# codification's source notes), and "Luật Giao dịch điện tử số 51/2005/QH11".
_CITED_KIND = "(" + "|".join(kind_names(cited=True)) + ")"
_TITLE_AFTER = re.compile(_CITED_KIND + r" số (" + NUMBER_PATTERN + r") ([A-ZĐÀ-Ỹ][^()\n;.]{3,160}?),? ngày\b")
_TITLE_BEFORE = re.compile(_CITED_KIND + r" ([A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?: [\wÀ-ỹ]+){1,8}?) số (" + NUMBER_PATTERN + r")")


def instrument_titles(texts: list[str]) -> dict[str, str]:
    """Instruments by name, from the way texts cite them: folded "kind title" ("luat cong nghe
    thong tin") -> number ("67/2006/QH11"), the number cited most often under that name.

    A question that names an instrument by its title ("Luật Công nghệ thông tin có hiệu lực từ
    ngày nào?") is then asked about that number, as if it had been typed."""
    counts: dict[str, dict[str, int]] = {}
    for text in texts:
        found = [(m.group(1), m.group(3), m.group(2)) for m in _TITLE_AFTER.finditer(text)]
        found += [(m.group(1), m.group(2), m.group(3)) for m in _TITLE_BEFORE.finditer(text)]
        for kind, title, number in found:
            name = folded_words(f"{kind} {title}")
            # A title is capitalised ("Luật Đầu tư"; "Nghị quyết của Chính phủ số …" names none), and
            # a title of one word names nothing.
            if title[:1].isupper() and len(name.split()) >= len(kind.split()) + 2:
                held = counts.setdefault(name, {})
                held[number] = held.get(number, 0) + 1
    return {name: max(held, key=held.get) for name, held in counts.items()}


def titled_number(question: str, titles: dict[str, str]) -> str | None:
    """The number of the instrument ``question`` names by its title, the longest name first."""
    read = f" {folded_words(question)} "
    named = [name for name in titles if f" {name} " in read]
    return titles[max(named, key=len)] if named else None
