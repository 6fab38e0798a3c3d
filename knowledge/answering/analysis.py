"""Query analysis: what a question asks about (province, district, year, document number) and
what kind of answer it wants (a figure, a date, an agency, a definition)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.text import fold, folded_words, has_diacritics, is_stopword, normalize, syllables

from .. import provinces as gz
from ..metadata import document_numbers
from ..query import question_types
from .types import NEED_PROVINCE, Answer

# Subjects a digital-transformation assistant has nothing to say about, as whole phrases.
# A question typed with marks is matched with marks ("bởi ai?" is not "bói"), one typed
# without them is matched folded.
_OFF_TOPIC = (
    "thời tiết", "dự báo thời tiết", "giá vàng", "tỷ giá", "giá xăng", "giá đô", "xổ số", "kết quả xổ số",
    "bóng đá", "tỷ số", "công thức nấu", "cách nấu", "món ăn", "nấu món", "nấu ăn", "chứng khoán",
    "giá cổ phiếu", "lịch chiếu", "phim", "ca sĩ", "bói", "tử vi", "cung hoàng đạo", "giá bitcoin",
)


def off_topic(question: str, has_phrase: Callable[[list[str], bool], bool] | None = None) -> bool:
    """Whether ``question`` is about a subject listed in ``_OFF_TOPIC``.

    :param has_phrase: ``(tokens, accented) -> bool``, whether the documents hold a phrase. Typed
        without marks, a subject the documents write as other words is no sign: "boi duong" is
        "bồi dưỡng", not "bói"; "mon an toan" is "môn an toàn", not "món ăn".
    """
    words = " ".join(syllables(question))
    marked = any(has_diacritics(w) for w in words.split())
    for phrase in _OFF_TOPIC:
        target, text = (phrase, words) if marked else (fold(phrase), fold(words))
        if re.search(rf"(?<!\w){re.escape(target)}(?!\w)", text):
            if not marked and has_phrase and has_phrase(target.split(), False) and not has_phrase(phrase.split(), True):
                continue
            return True
    return False


_MY_PROVINCE = re.compile(r"\b(tinh|thanh pho|dia phuong|que) (toi|minh|chung toi|nha|em)\b")


_QUANTITY = re.compile(r"\b(bao nhieu|may|ty le|phan tram|muc tieu|chi tieu|so luong|dat)\b")


_TARGETS = re.compile(r"\b(muc tieu|chi tieu)\b")


YEAR = re.compile(r"\b(20\d\d)\b")


# Syllables that frame a question rather than name its topic ("chỉ tiêu", "mục tiêu", "tỷ lệ",
# "phần trăm", the kinds of instrument, the bound of a figure asked: "tối thiểu", "tối đa", "ít
# nhất", which "Lưu trữ tối thiểu 90 ngày" shares with "lương tối thiểu … bao nhiêu?"): followed
# by a number they name no thing ("NQ 57"), and a phrase made of them alone is no topic phrase
# (:func:`.retrieve.question_phrases`).
FRAME_WORDS = frozenset("""mục tiêu chỉ đặt ra phấn đấu đề năm tỉnh thành phố tỷ tỉ lệ
phần trăm nghị quyết định kế hoạch thông tư chương trình luật văn bản số tối thiểu đa ít nhất""".split())
FRAME_SYLLABLES = frozenset(fold(w) for w in FRAME_WORDS)


def _frame(token: str) -> bool:
    """Whether ``token`` frames a question; typed with marks, "mức" is not the "mục" of "mục tiêu"."""
    return token in FRAME_WORDS if has_diacritics(token) else fold(token) in FRAME_SYLLABLES


def named_things(text: str) -> list[tuple[str, str]]:
    """Things a text names by their number, folded: "Đề án 06 được …" -> ("an", "6"), "mức 1)".

    Not an instrument ("NQ 57": the retriever scopes it), a year, or a figure of what follows
    ("trên 1 vạn dân")."""
    tokens = syllables(text)
    named = []
    for i, (a, b) in enumerate(zip(tokens, tokens[1:])):
        following = tokens[i + 2] if i + 2 < len(tokens) else ""
        if b.isdigit() and a.isalpha() and not is_stopword(a) and not _frame(a) \
                and not YEAR.fullmatch(b) and (not following or is_stopword(following)):
            named.append((fold(a), bare_number(b)))
    return named


def bare_number(token: str) -> str:
    """"06" -> "6": documents and people pad numbers differently."""
    return token.lstrip("0") or token if token.isdigit() else token


@dataclass
class Query:
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
    things: list[tuple[str, str]] = field(default_factory=list)  # named by their number: ("muc", "1")
    about: tuple[str, str] | None = None  # "mục tiêu gì về chữ ký số": ("chu ky so", "chữ ký số")
    # What it asks of, folded: a yes/no question's predicate ("… có đòi bồi thường được không"),
    # the things a list question asks for ("do những nguyên nhân nào").
    focus: tuple[str, ...] = ()


def parse(docs: list[dict], question: str, saved_province: str | None) -> Query | Answer:
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
    return Query(
        text=question, places=places, years=[int(y) for y in YEAR.findall(question)],
        numbers=document_numbers(question, typed=True), districts=districts, others=others,
        definition="definition" in types, quantity=bool(_QUANTITY.search(folded)),
        targets=bool(_TARGETS.search(folded)), folded=words, types=types, terms=definition_terms(words),
        things=named_things(question), about=asked_about(question),
        focus=yes_no_focus(question) if "yesno" in types else listed(words) if "list" in types else (),
    )


# The particles that may close a yes/no question after its "không".
_CLOSING = frozenset("a vay nhi ha nhe ta".split())
# The modal verbs that follow the "có" of "có … không" (folded): "có phải", "có được", "có cần".
_MODAL_VERBS = frozenset("phai duoc can bat bi the nen".split())


def yes_no_focus(question: str) -> tuple[str, ...]:
    """What a yes/no question asks of, folded: the syllables between its asking "có" and the
    "không" closing it. "Bên kia đưa thông tin của mình cho người khác thì mình có đòi bồi thường
    được không?" asks whether compensation may be claimed, not about the facts told before it."""
    typed = [w.lower() for w in syllables(question)]
    words = [fold(w) for w in typed]
    while words and words[-1] in _CLOSING:
        words.pop()
    if not words or words[-1] != "khong":
        return ()
    # Typed with marks, "có" is not the "cơ" of "cơ quan"; and the "có" before a modal verb ("có
    # phải", "co duoc") is the asking one, not the verb after it ("có bắt buộc phải có chữ ký …").
    marked = has_diacritics(question)
    starts = [i for i in range(len(words) - 1) if (typed[i] == "có" if marked else words[i] == "co")]
    if not starts:
        return ()
    start = ([i for i in starts if words[i + 1] in _MODAL_VERBS] or starts)[-1]
    return tuple(words[start + 1:-1])


# "những nguyên nhân nào", "các điều kiện gì", "những loại dịch vụ nào": the things a list
# question asks for, named between "những"/"các" and "nào"/"gì" (folded).
_LISTED = re.compile(r"\b(?:nhung|cac) ((?:\w+ ){0,2}\w+) (?:nao|gi)\b")


def listed(words: list[str]) -> tuple[str, ...]:
    """The things a list question asks for ("do những nguyên nhân nào" -> ("nguyen", "nhan")), folded."""
    found = _LISTED.findall(" ".join(words))
    return tuple(found[-1].split()) if found else ()


# "mục tiêu gì về X", "nhiệm vụ nào về X", "đánh giá thế nào về X", "có nói về X không", "có
# đề cập đến X không", "có chỉ tiêu về X không": what the question is about.
_ABOUT = re.compile(r"\b(?:(?:gi|nao|noi|co (?:chi tieu|muc tieu|nhiem vu|quy dinh|chinh sach)) ve|"
                    r"(?:de cap|nhac|noi) (?:den|toi)) ")
# Words that end X: a particle, a question word, a place or time, a possessive. Typed with
# marks, they are matched with them ("đô thị" goes on past "thị", not "thì").
_ABOUT_END = frozenset("không chưa vậy ạ nhỉ nhé nha thế như ra bao mấy cho của ở tại trong theo đến năm từ "
                       "là được thì và hay hoặc mà".split())
_FOLDED_ABOUT_END = frozenset(map(fold, _ABOUT_END))
MAX_ABOUT_SYLLABLES = 6


def asked_about(question: str) -> tuple[str, str] | None:
    """The topic a question names after "gì về", "nào về", "nói về", "đề cập đến" (folded, and as
    typed), which an answer must speak of: "Tỉnh tôi có mục tiêu gì về chữ ký số không?" is not
    answered by the province's other targets. None when the question names none."""
    typed = syllables(question)
    words = [fold(t) for t in typed]
    m = _ABOUT.search(" ".join(words) + " ")
    if not m:
        return None
    start = len(" ".join(words)[:m.end()].split())
    end = start
    while end < len(words) and end - start < MAX_ABOUT_SYLLABLES and not typed[end].isdigit() \
            and not (typed[end] in _ABOUT_END if has_diacritics(typed[end]) else words[end] in _FOLDED_ABOUT_END):
        end += 1
    if all(is_stopword(t) for t in typed[start:end]):  # nothing named ("gì về?", "gì về về")
        return None
    return " ".join(words[start:end]), " ".join(typed[start:end])


# "Tỉnh ủy Phú Yên", "UBND tỉnh Hòa Bình": an organ of the province named right after it.
_ORGAN = re.compile(r"\b(tinh uy|thanh uy|ubnd|hdnd|uy ban nhan dan|hoi dong nhan dan|dang bo)\s*(?:tinh|thanh pho|tp)?\s*$")


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
        # One province under its old and new names: all its documents answer, unless an organ of
        # the former one is named ("Tỉnh ủy Phú Yên", before it merged into Đắk Lắk): its own then.
        own = [p for (name, at), p in zip(mentions, places) if p.name != p.current and _ORGAN.search(fold(text[:at]))]
        return (own[:1] or places), []
    compared = {name for name, at in mentions if _COMPARED.search(fold(text[:at]))}
    asked = next((p for p in places if p.name not in compared), places[0])
    return [asked], [gz.describe_former(p.name) for p in places if p is not asked and p.name not in asked.scope]


# "số hóa là gì", "X được hiểu như thế nào", "khái niệm X": where the asked term ends.
_DEFINITION_MARK = re.compile(r"\b(la gi|nghia la gi|nghia la|duoc hieu|hieu the nao|hieu nhu the nao|la sao|khac gi|khac nhau|"
                              r"duoc dinh nghia)\b")


_TRAILING = frozenset("a a vay nhi khong the nao nhu sao".split())  # particles that end a question


# "khái niệm X", "định nghĩa X" name the term after them, up to the first word that is not part
# of it ("khái niệm kinh tế số và xã hội số được nêu trong …").
_LEAD_MARK = re.compile(r"\b(khai niem|dinh nghia)\b")
# What a definition may open with before its term: "Khái niệm X là", "Thuật ngữ X là".
_TERM_LEADS = frozenset("niem nghia ngu".split())
# A preposition before the term makes it the object in a longer phrase, the subject of "là"
# ("tư duy đúng về chuyển đổi số là điều kiện …"). Not "của": a term may be "X của Y"
# ("dữ liệu mở của cơ quan nhà nước là …"), of which the question may name Y.
_PREPOSITIONS = frozenset("ve voi cho trong".split())
_TERM_END = frozenset("duoc la trong theo cua nao o tai thi co gi nhu ra sao khac do nam".split())


# The words that ask for a definition ("định nghĩa", "khái niệm", "nghĩa là", "được hiểu"), as
# the "definition" question type of :mod:`..query` reads them: they frame the question, they
# are no topic ("nghĩa vụ" is not asked).
_DEFINITION_FRAMES = (("dinh", "nghia"), ("khai", "niem"), ("nghia", "la"), ("duoc", "hieu"))


def definition_frame(folded: list[str]) -> set[int]:
    """Positions of the words asking for a definition, in a question's folded syllables."""
    return {i + k for i, pair in enumerate(zip(folded, folded[1:])) if pair in _DEFINITION_FRAMES for k in (0, 1)}


def definition_terms(words: list[str]) -> tuple[str, ...]:
    """The terms a definition question asks about, from its folded syllables: the syllables
    before "là gì" (after the last "thì" or "về"; with a "của", both the phrase before it and
    the one after it: "cổng thông tin điện tử của cơ quan nhà nước", "khái niệm của số hóa");
    for "X khác gì Y", Y too; the words after "khái niệm", "định nghĩa" when no "là gì" ends
    the term; and each side of "X và Y"."""
    folded = " ".join(words)
    m = _DEFINITION_MARK.search(folded)
    if not m:
        lead = _LEAD_MARK.search(folded)
        if not lead:
            return ()
        term: list[str] = []
        for word in folded[lead.end():].split():
            if word in _TERM_END or len(term) == 8:
                break
            term.append(word)
        return _and_split([" ".join(term)]) if term else ()
    before = folded[: m.start()].split()
    # "theo luật công nghệ thông tin thì số hóa": the term follows the last "thì"/"về"/"niệm".
    for cut in ("thi", "ve", "niem"):
        if cut in before[:-1]:
            before = before[len(before) - 1 - before[::-1].index(cut) + 1:]
    if before[:1] == ["cua"]:
        before = before[1:]
    # "số hóa theo luật đó là gì", "dữ liệu mở trong nghị quyết là gì": what follows is where.
    for where in ("theo", "trong"):
        if where in before[1:]:
            before = before[:before.index(where, 1)]
    tail = before[-4:]
    # "kinh tế số và xã hội số là gì", "mã nguồn với mã máy khác nhau": both terms, whole.
    for joiner in ("va", "voi"):
        if joiner in before[-8:-1]:
            at = len(before) - 1 - before[::-1].index(joiner)
            tail = before[max(0, at - 4):]
            break
    terms = [" ".join(tail)]
    if "cua" in before[1:-1]:
        at = before.index("cua")
        # "ba trụ cột của chuyển đổi số", "dữ liệu mở của cơ quan nhà nước": the term is what comes
        # before "của", or the whole phrase; never what follows it alone (a passage defining
        # "chuyển đổi số" does not say what its pillars are).
        terms = [" ".join(before[max(0, at - 6):at]), " ".join(before[max(0, at - 6):])]
    if m.group(1) == "khac gi":
        after = folded[m.end():].split()[:6]
        while after and after[-1] in _TRAILING:
            after.pop()
        terms.append(" ".join(after))
    return _and_split(terms)


def _and_split(terms: list[str]) -> tuple[str, ...]:
    """The terms, and each side of a term that joins two with "và" or "với" ("kinh tế số và xã hội số")."""
    out = []
    for term in terms:
        out.append(term)
        sides = [t.strip() for t in re.split(r" (?:va|voi) ", f" {term} ")]
        if len(sides) > 1:
            out += [t for t in sides if t]
    return tuple(t for t in dict.fromkeys(out) if t)


_ALIAS = re.compile(r"\s*\([^()\n]{1,40}\)")


def defines(q: Query, text: str) -> int:
    """How many of the asked terms ``text`` defines: "Số hóa là việc …", "2. Dữ liệu mở là …"
    ("X khác gì Y" is answered by the passage that defines both)."""
    if not q.terms:
        return 0
    # "Mạng xã hội (social network) là …": a term's alias in brackets stands between it and "là".
    read = folded_words(_ALIAS.sub("", text))
    asked = set(q.folded)

    def defined(term: str) -> bool:
        for m in re.finditer(rf"(?:^|\s){re.escape(term)}\s+(la|duoc hieu la|bao gom)(?:\s|$)", read):
            # The word before the term: a list mark ("3."), a function word or a word of the
            # question; not another noun, which makes a longer term ("Dự án phần mềm ứng dụng
            # là …" defines a project, not "phần mềm ứng dụng").
            before = read[:m.start()].split()[-1:]
            if before and before[0] in _PREPOSITIONS:  # "tư duy đúng về chuyển đổi số là điều kiện …"
                continue
            # "3. Tin nhắn rác bao gồm các loại sau: …" defines by its kinds, as an item of a list
            # of terms (or a sentence) opening with the term; in passing it only lists parts.
            if m.group(1) == "bao gom" and before and not before[0].isdigit():
                continue
            if not before or before[0] in asked or before[0] in _TERM_LEADS or is_stopword(before[0]) \
                    or before[0].isdigit() or len(before[0]) == 1:
                return True
        return False

    return sum(defined(term) for term in q.terms)
