"""Conversation context: reading a follow-up question with what the chat asked just before.

People ask one thing, then "còn năm 2030 thì sao?", "thế còn Sóc Trăng?", "ai ký văn bản đó?".
A :class:`Context` keeps what the last question was about (its topic, province, year and the
passage that answered it). :func:`resolve` completes a message from it only when the message
cannot stand alone; a new standalone question never inherits anything.

Pure functions over plain data: the context is stored by the caller (the bot's database, a
batch file's session) as JSON.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

from index.text import STOPWORDS, fold, folded_words, has_diacritics, is_stopword, syllables

from . import provinces as gz
from .query import question_types

# A message with at most this many content syllables of its own ("ai ký?", "còn cấp xã thì
# bao nhiêu", "còn 2030?") names no topic of its own: it is read as a follow-up.
MAX_FOLLOW_UP_WORDS = 3
# The topic carried from turn to turn, in syllables: enough for a task name or a target,
# short enough that an old topic cannot outweigh the new message.
MAX_TOPIC_WORDS = 24
DEFAULT_TTL_SECONDS = 30 * 60

# Openings that continue the previous question: "còn …", "thế còn …", "vậy còn …", "cụ thể hơn",
# "ngoài … thì còn … nữa". (Folded, at the start of the message.)
_CONTINUES = re.compile(r"^(?:(?:a|ua|the|vay|the thi|vay thi|con nhu) )?(?:con|cu the hon|chi tiet hon|ngoai)\b"
                        r"|\bcon (?:gi|nhung gi|\w+ nao) nua\b|\bthi sao\b|\bthe nao\b\s*$")
# Words that point back at what was just said. With marks they are unambiguous; typed without,
# "do" (đó) is only read so after a noun that names a document, a figure or a topic, or opening
# "trong do" ("trong đó ngân sách tỉnh …": of the sum just given). "cả / toàn bộ" before such a
# noun means the whole of the one just spoken of ("kinh phí cả chương trình là bao nhiêu").
_ANAPHORS = re.compile(r"(?<!\w)(đó|này|ấy|nó|trên|kể trên|nêu trên)(?!\w)")
_FOLDED_ANAPHOR = re.compile(r"\b(van ban|nghi quyet|quyet dinh|nghi dinh|luat|thong tu|ke hoach|chi tieu|muc tieu|"
                             r"nhiem vu|dinh nghia|khai niem|quy dinh|giai doan|chuong trinh|de an|tinh|huyen|"
                             r"mo hinh|so lieu|con so) (do|nay|ay)\b|^no\b|^trong do\b|"
                             r"\b(?:ca|toan bo) (?:van ban|nghi quyet|quyet dinh|ke hoach|chuong trinh|de an)\b")
# Words of the message that are about the conversation, not about its topic: as typed with
# marks, and folded for a word typed without them ("hoi" may be "hỏi"; "Hội" is a topic).
_MARKED_CHAT_WORDS = frozenset("""
còn thế vậy thì sao à ạ a ủa nhỉ nhé đi ơi ad hả cụ thể hơn chi tiết nữa ngoài nào gì làm
đó này ấy nó trên kể nêu hỏi cho mình em anh chị xin
""".split())
_CHAT_WORDS = frozenset(fold(w) for w in _MARKED_CHAT_WORDS)
# The share of a message's syllables with marks above which it is typed with marks: questions
# typed with them have 40 % or more, questions typed without have none but a name or two.
_MARKED_SHARE = 0.3
# Function words as typed without marks (là, của, được, không, những, nào, gì, nhiều, thì,
# với, về, có, mấy, thế): no one typing with marks writes them so.
_BARE_FUNCTION_WORDS = frozenset("la cua duoc khong nhung nao gi nhieu thi voi ve co may the".split())


@dataclass
class Context:
    """What the chat's last question was about."""

    topic: str = ""  # its topic words, as the user typed them
    provinces: list[str] = field(default_factory=list)  # gazetteer names asked about
    years: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  # what it asked for: quantity, who, definition…
    passage_id: int | None = None  # the passage that answered (and so its document)
    at: float = 0.0  # when it was asked (epoch seconds)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "Context | None":
        if not isinstance(data, dict):
            return None
        try:
            return cls(topic=str(data.get("topic", "")), provinces=[str(p) for p in data.get("provinces", [])],
                       years=[int(y) for y in data.get("years", [])], types=[str(t) for t in data.get("types", [])],
                       passage_id=data.get("passage_id"), at=float(data.get("at", 0)))
        except (TypeError, ValueError):
            return None

    def expired(self, now: float | None = None, ttl: float = DEFAULT_TTL_SECONDS) -> bool:
        return (now if now is not None else time.time()) - self.at > ttl


@dataclass
class Resolved:
    """A message as the engine reads it."""

    text: str  # what is searched: the message, completed from the context when it is a follow-up
    own: list[str]  # the message's own topic words, as typed: they weigh more than inherited ones
    follow_up: bool = False
    context: Context | None = None  # the context it was completed from
    reading: str | None = None  # "Hiểu là: …", shown with the answer


def _years(text: str) -> list[int]:
    return [int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", text)]


# Interrogatives of two syllables, one of which is a content word elsewhere ("khi nào": when;
# "bao giờ": when; "ra sao": how), as folded pairs.
_ASKING_PAIRS = frozenset({("khi", "nao"), ("luc", "nao"), ("bao", "gio"), ("ra", "sao")})


def topic_words(text: str) -> list[str]:
    """The syllables of ``text`` that say what it is about: no places, years, question or chat words."""
    place_words = {w for name, _ in gz.find_places(text) for n in (name, *gz.place(name).scope)
                   for w in fold(n).split()}
    tokens = syllables(text)
    folded_tokens = [fold(t) for t in tokens]
    # In a message typed with marks, a syllable without them is spelled so ("ban hành", "thông
    # minh"), not "bạn", "mình" typed bare. Place names, often typed with marks alone, do not count.
    # A bare function word ("la", "cua", "nhung") shows the user's own words are typed without
    # marks, whatever the abbreviations read into them ("CNTT": "công nghệ thông tin").
    letters = [t for t, f in zip(tokens, folded_tokens) if t.isalpha() and f not in place_words]
    marked = sum(map(has_diacritics, letters)) >= _MARKED_SHARE * max(1, len(letters)) \
        and not _BARE_FUNCTION_WORDS & set(letters)
    asking = {i + k for i, pair in enumerate(zip(folded_tokens, folded_tokens[1:])) if pair in _ASKING_PAIRS
              for k in (0, 1)}
    out = []
    for i, (token, folded) in enumerate(zip(tokens, folded_tokens)):
        literal = marked or has_diacritics(token)
        chat = token.lower() in _MARKED_CHAT_WORDS if literal else folded in _CHAT_WORDS
        stop = token.lower() in STOPWORDS if literal else is_stopword(token)
        if i in asking or stop or chat or folded in place_words \
                or re.fullmatch(r"\d{4}", folded):
            continue
        if folded == "nam" and re.fullmatch(r"\d{4}", (folded_tokens[i + 1:] or [""])[0]):  # "nam 2026": năm
            continue
        out.append(token)
    return out


def _points_back(text: str) -> tuple[bool, bool]:
    """(continues: "còn …", "thế còn …", "cụ thể hơn"; refers: "văn bản đó", "chỉ tiêu này")."""
    folded = folded_words(text)
    return bool(_CONTINUES.search(folded)), bool(_ANAPHORS.search(text.lower()) or _FOLDED_ANAPHOR.search(folded))


def resolve(text: str, context: Context | None, now: float | None = None,
            ttl: float = DEFAULT_TTL_SECONDS, fields: frozenset[str] = frozenset()) -> Resolved:
    """Read ``text`` on its own, or, when it cannot stand alone, with the previous question's
    topic, province and year (each replaced by the message's own when it names one).

    :param fields: the folded words of the column headers of the table row the previous answer
        quoted; a message naming only those ("phối hợp với cơ quan nào?", "kết quả là gì?") asks
        for another column of the same row
    """
    own = topic_words(text)
    if context is None or context.expired(now, ttl):
        return Resolved(text, own)
    continues, refers = _points_back(text)
    refers = refers or bool(own and fields and {fold(t) for t in own} <= fields)
    short = len(own) <= MAX_FOLLOW_UP_WORDS
    # A follow-up continues or points back, or names no topic of its own; a definition
    # question ("GRDP là gì?") names its own topic, however short.
    if not (continues or refers or (short and not (own and "definition" in question_types(text)))):
        return Resolved(text, own)
    folded_own = {fold(t) for t in own}
    places = [name for name, _ in gz.find_places(text)]
    years = _years(text)
    if places and not (short or continues or refers):
        return Resolved(text, own)  # "tỉnh X thì người đứng đầu phải làm gì": a new question
    parts = [text.strip().rstrip("?.! ")]
    kept = []
    # A message with a topic of its own ("còn hạ tầng cáp quang thì sao?") keeps only the
    # province and year; one without ("còn cấp xã?", "ai ký?") or pointing back at it
    # ("chỉ tiêu này") also keeps the topic.
    old_topic = [w for w in context.topic.split() if fold(w) not in folded_own] if short or refers else []
    if old_topic:
        parts.append(" ".join(old_topic))
        kept.append(f"về «{context.topic}»")
    if not places and context.provinces:
        parts.append(", ".join(context.provinces))
        kept.append(", ".join(gz.display(p) for p in context.provinces))
    if not years and context.years:
        parts.append(" ".join(f"năm {y}" for y in context.years))
        kept.append(" ".join(f"năm {y}" for y in context.years))
    if short and not question_types(text) and context.types:
        # "thế còn Sóc Trăng?" asks what the previous question asked: a figure, an agency…
        parts.append(_TYPE_WORDS.get(context.types[0], ""))
    reading = None
    if kept:
        reading = f"Hiểu là: {text.strip().rstrip('?.! ')} ({'; '.join(kept)})"
    return Resolved(" ".join(p for p in parts if p) + "?", own, True, context, reading)


# How a carried question type is asked again ("bao nhiêu" for a figure).
_TYPE_WORDS = {"quantity": "bao nhiêu", "when": "khi nào", "often": "bao lâu một lần", "day": "ngày nào",
               "who": "cơ quan nào", "person": "ai", "where": "ở đâu", "definition": "là gì"}


def next_context(resolved: Resolved, types: set[str], provinces: list[str], years: list[int],
                 passage_id: int | None, now: float | None = None) -> Context:
    """The context after answering ``resolved``: its own topic first, then what it inherited."""
    words = list(resolved.own)
    if resolved.follow_up and resolved.context:
        mine = {fold(w) for w in words}
        words += [w for w in resolved.context.topic.split() if fold(w) not in mine]
    return Context(topic=" ".join(words[:MAX_TOPIC_WORDS]), provinces=provinces, years=years,
                   types=sorted(types), passage_id=passage_id, at=now if now is not None else time.time())
