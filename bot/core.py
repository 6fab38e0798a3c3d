"""The conversation core: one command set for every channel.

A channel hands in what arrived — a text, a button press or an uploaded file — with who sent it
and where; the core returns :class:`Reply` objects made of plain text and abstract
:class:`Action` objects (show sources, more, feedback, pick a province, confirm a removal, a
page of documents, an example question). Channels only render and deliver them: Telegram as
inline keyboards, Zalo OA as ``oa.query.show`` buttons, Zalo Bot and the terminal as a short
typed hint. Every id and offset an action needs travels in the action, or lives in the
database (a chat's last question and its "more" offset), so any button or typed command works
after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from index.text import fold
from knowledge import provinces as gz
from knowledge.answering import Answer, Source, format_plain
from knowledge.loaders import SUPPORTED, LoaderError

from . import strings as S
from .format import shorten
from .service import NotAdmin, ReindexRunning, Service

logger = logging.getLogger(__name__)

EXAMPLES = S.EXAMPLES
PROVINCES_PER_PAGE = 12
DOCS_PER_PAGE = 10
# What each action kind carries: the number of integers after its name in the action's data.
# The names are those of the callback data of buttons already sent, so they keep working.
ACTION_ARGS = {"src": 1, "more": 2, "fb": 2, "pv": 1, "ps": 1, "ask": 1, "rm": 2, "docs": 1}
# A message that is only a greeting, thanks, an acknowledgement or a goodbye (folded), with the
# words that address someone around it ("chào bạn nhé", "cảm ơn ad nhiều"): small talk, answered
# as such, never searched for and never the topic a follow-up continues. "Bạn là ai?" is the
# welcome's question.
_SMALL_TALK = {
    "hello": r"xin chao|chao|hello|hi|alo|helo",
    "thanks": r"cam on|cam on nhieu|thanks|thank you|thank|tks|thanks nhieu",
    "ok": r"ok|oke|okay|okie|vang|da|u|uh|duoc roi|hieu roi|ro roi",
    "bye": r"tam biet|bye|bai bai|hen gap lai",
    "who": r"ban la ai|ban lam duoc gi|ban giup duoc gi|ban biet gi",
}
_ADDRESS = r"ban|ad|admin|bot|oi|a|nhe|nha|nhieu|nhi|moi nguoi|em|anh|chi|minh|ca nha|tro ly"
_SMALL_TALK_RE = {kind: re.compile(rf"^(?:(?:{_ADDRESS}) )*(?:{words})(?: (?:{_ADDRESS}))*$")
                  for kind, words in _SMALL_TALK.items()}
# "cụ thể hơn", "còn gì nữa": the same as /them.
_MORE_WORDS = re.compile(r"^(?:cu the hon|chi tiet hon|con gi nua|con gi khac|them nua|xem them)(?: (?:di|nua|a|nhe|nhi))*$")
_CONFIRM = "xacnhan"


@dataclass(frozen=True)
class Action:
    """What a button does, with the ids it carries.

    :param kind: one of :data:`ACTION_ARGS`
    :param args: its integers (question id, offset, page, document id…)
    :param label: the button's text
    :param typed: the same action as a user would type it on a channel without buttons
        ("/nguon", "/docs 3"), or "" when there is none
    """

    kind: str
    args: tuple[int, ...]
    label: str
    typed: str = ""

    @property
    def data(self) -> str:
        """The action as a short string (Telegram callback data): "more:12:3"."""
        return ":".join([self.kind, *map(str, self.args)])

    @staticmethod
    def parse(data: str) -> tuple[str, tuple[int, ...]] | None:
        """(kind, args) of an action's data, or None when it is not one (forged, or from an old version)."""
        kind, _, rest = (data or "").partition(":")
        parts = [{"yes": "1", "no": "0"}.get(p, p) for p in rest.split(":")] if rest else []  # old removal buttons
        if kind not in ACTION_ARGS or len(parts) < ACTION_ARGS[kind]:
            return None
        try:
            return kind, tuple(int(p) for p in parts[:ACTION_ARGS[kind]])
        except ValueError:
            return None


@dataclass
class Reply:
    """One message back to the user.

    :param text: plain text (Telegram escapes it; rich renderings use ``answer``/``passages``)
    :param actions: rows of actions (buttons)
    :param hint: the actions in words, for channels without buttons ("Gõ /nguon …")
    :param answer: the answer this reply carries, for a channel's own rendering
    :param passages: the passages this reply shows, numbered from ``start``
    :param replace: a reply to a button may replace the message the button was on
    :param notice: a short notice for a pressed button (Telegram shows it over the chat)
    """

    text: str
    actions: list[list[Action]] = field(default_factory=list)
    hint: str = ""
    answer: Answer | None = None
    passages: list[Source] = field(default_factory=list)
    start: int = 1
    question_id: int | None = None
    replace: bool = False
    notice: str | None = None

    def plain(self) -> str:
        """The reply for a text-only channel: its text, then its hint."""
        return self.text + (f"\n\n{self.hint}" if self.hint and self.text else self.hint)


def plain_passages(sources: list[Source], start: int = 1) -> str:
    return "\n\n".join(f"[{i}] {s.cite()}\n{s.text}" for i, s in enumerate(sources, start=start))


def _hint(*parts: str) -> str:
    return "Gõ " + ", ".join(parts) + "." if parts else ""


def answer_actions(question_id: int, has_sources: bool) -> list[list[Action]]:
    rows = []
    if has_sources:
        rows.append([Action("src", (question_id,), S.LABELS["sources"], "/nguon"),
                     Action("more", (question_id, 0), S.LABELS["more"], "/them")])
    rows.append([Action("fb", (question_id, 1), S.LABELS["up"], "👍"),
                 Action("fb", (question_id, -1), S.LABELS["down"], "👎")])
    return rows


def province_actions(page: int) -> list[list[Action]]:
    """A page of the province picker: the current provinces, three a row, then the page buttons."""
    names = gz.CURRENT
    pages = (len(names) + PROVINCES_PER_PAGE - 1) // PROVINCES_PER_PAGE
    page = max(0, min(page, pages - 1))
    first = page * PROVINCES_PER_PAGE
    buttons = [Action("ps", (first + i,), name, f"/tinh {name}")
               for i, name in enumerate(names[first:first + PROVINCES_PER_PAGE])]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    nav = [Action("pv", (page - 1,), S.LABELS["previous"])] if page > 0 else []
    nav.append(Action("pv", (page,), f"{page + 1}/{pages}"))
    if page < pages - 1:
        nav.append(Action("pv", (page + 1,), S.LABELS["next"]))
    return rows + [nav]


class Conversation:
    """Every command, button and question of one platform, over the shared :class:`Service`.

    :param platform: the name the service keys users and logs by ("telegram", "zalo", …)
    :param max_upload_bytes: the largest file an admin may upload
    """

    def __init__(self, service: Service, platform: str, max_upload_bytes: int = 20 * 1024 * 1024):
        self.service, self.platform, self.max_upload_bytes = service, platform, max_upload_bytes
        self._commands: dict[str, Callable[..., Awaitable[list[Reply]]]] = {
            "/start": self._start, "/help": self._help, "/tinh": self._province, "/nguon": self._last_sources,
            "/them": self._more_typed, "/moi": self._new_topic, "/add": self._add, "/docs": self._docs,
            "/remove": self._remove_typed, "/reindex": self._reindex, "/stats": self._stats,
        }

    # ------------------------------------------------------------- ways in
    async def text(self, chat: str, user: str, text: str, *, group: bool = False,
                   typing: Callable[[], None] | None = None,
                   progress: Callable[[str], None] | None = None) -> list[Reply]:
        """A typed message: a command ("/tinh Huế"), feedback ("👍"), or a question.

        :param group: the chat is a group: a question that waits too long may be dropped
        :param typing: called once when a question is about to be answered (a typing indicator)
        :param progress: called with progress texts of a long admin command (re-indexing)
        """
        text = (text or "").strip()
        if text in ("👍", "👎"):
            return await self._feedback_last(chat, user, 1 if text == "👍" else -1)
        command, _, arg = text.partition(" ")
        command = command.lower().split("@", 1)[0]  # "/help@cds_bot" in a group
        if command.startswith("/"):
            handler = self._commands.get(command)
            if handler is None:
                return [Reply(S.UNKNOWN_COMMAND.format(command=command))]
            if command == "/reindex":
                return await self._reindex(chat, user, arg.strip(), progress)
            return await handler(chat, user, arg.strip())
        words = " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())
        if _MORE_WORDS.fullmatch(words):
            return await self._more_typed(chat, user, "")
        talk = next((kind for kind, pattern in _SMALL_TALK_RE.items() if pattern.fullmatch(words)), None)
        if talk == "who":
            return await self._start(chat, user, "")
        if talk:
            return [Reply(S.SMALL_TALK[talk])]
        return await self._ask(chat, user, text, group, typing)

    async def press(self, chat: str, user: str, data: str, *, group: bool = False,
                    typing: Callable[[], None] | None = None) -> list[Reply]:
        """A pressed button, by its action data."""
        parsed = Action.parse(data)
        if parsed is None:
            logger.warning("%s: malformed action %r from user %s", self.platform, data, user)
            return [Reply("", notice=S.BUTTON_GONE)]
        kind, args = parsed
        if kind == "src":
            sources = await asyncio.to_thread(self.service.sources, args[0])
            return [Reply(plain_passages(sources), passages=sources) if sources else Reply(S.SOURCES_GONE)]
        if kind == "more":
            return await self._more(args[0], args[1])
        if kind == "fb":
            ok = await asyncio.to_thread(self.service.feedback, args[0], self.platform, user, 1 if args[1] > 0 else -1)
            return [Reply("", notice=S.THANKS if ok else S.FEEDBACK_FIRST)]
        if kind == "pv":
            return [Reply(S.PICK_PROVINCE, province_actions(args[0]), replace=True)]
        if kind == "ps" and 0 <= args[0] < len(gz.CURRENT):
            return await self._province(chat, user, gz.CURRENT[args[0]], replace=True)
        if kind == "ask" and 0 <= args[0] < len(EXAMPLES):
            return await self._ask(chat, user, EXAMPLES[args[0]], group, typing)
        if kind == "rm":
            return await self._remove(user, args[0], confirmed=args[1] == 1, replace=True)
        if kind == "docs":
            return await self._docs(chat, user, str(args[0] + 1), replace=True)
        return [Reply("", notice=S.BUTTON_GONE)]

    async def check_upload(self, user: str, name: str, size: int | None) -> Reply | None:
        """Why a file may not be uploaded, before it is downloaded: not an admin, its type, its size."""
        refused = await self._admin(user, "add", name)
        if refused:
            return refused[0]
        if not name.lower().endswith(SUPPORTED):
            return Reply(S.FILE_TYPE.format(types=", ".join(SUPPORTED)))
        if size is not None and size > self.max_upload_bytes:
            return Reply(S.FILE_TOO_LARGE.format(size=size // (1024 * 1024), limit=self.max_upload_bytes // (1024 * 1024)))
        return None

    async def upload(self, chat: str, user: str, name: str, data: bytes) -> list[Reply]:
        """An uploaded file, to be added to the knowledge base by an admin."""
        refused = await self.check_upload(user, name, len(data))
        if refused:
            return [refused]
        try:
            result = await self.service.add_document(self.platform, user, name, data)
        except LoaderError as e:
            return [Reply(S.FILE_FAILED.format(reason=e))]
        where = ", ".join(gz.describe_former(p) for p in result.provinces) or S.NATIONWIDE
        return [Reply(S.FILE_DONE.format(status=S.FILE_STATUS[result.status], id=result.doc_id, title=result.title,
                                         passages=result.passages, provinces=where))]

    # ------------------------------------------------------------- questions
    async def _ask(self, chat: str, user: str, text: str, group: bool,
                   typing: Callable[[], None] | None) -> list[Reply]:
        async with self.service.gate.turn(f"{self.platform}:{chat}", droppable=group) as admitted:
            if not admitted:
                logger.warning("%s: group %s has more questions than it can be answered in time; "
                               "dropped one from user %s", self.platform, chat, user)
                return []
            wait = self.service.rate_wait(self.platform, user)
            if wait > 0:
                return [Reply(S.TOO_FAST.format(seconds=max(1, round(wait))))]
            if typing:
                typing()
            asked = await self.service.ask(self.platform, chat, user, text)
        ans = asked.answer
        if ans.needs_province:
            return [Reply(S.NEED_PROVINCE, province_actions(0), hint=_hint(S.HINTS["province"]))]
        if asked.question_id is None:
            return [Reply(format_plain(ans), answer=ans)]
        hints = ([S.HINTS["sources"], S.HINTS["more"]] if ans.sources else []) + [S.HINTS["feedback"]]
        return [Reply(format_plain(ans), answer_actions(asked.question_id, bool(ans.sources)), _hint(*hints),
                      answer=ans, question_id=asked.question_id)]

    async def _more(self, question_id: int, offset: int) -> list[Reply]:
        sources, nxt = await asyncio.to_thread(self.service.more, question_id, offset)
        if not sources:
            return [Reply(S.NO_MORE)]
        actions = [[Action("more", (question_id, nxt), S.LABELS["more"], "/them")]] if nxt is not None else []
        return [Reply(plain_passages(sources, start=offset + 1), actions, _hint(S.HINTS["more"]) if actions else "",
                      passages=sources, start=offset + 1)]

    async def _more_typed(self, chat: str, user: str, arg: str) -> list[Reply]:
        # Typed, the offset lives in the database with the chat's last question: it survives a restart.
        qid, offset = await asyncio.to_thread(self.service.more_position, self.platform, chat)
        if qid is None:
            return [Reply(S.ASK_FIRST)]
        replies = await self._more(qid, offset)
        if replies[0].passages:
            await asyncio.to_thread(self.service.set_more_offset, self.platform, chat,
                                    offset + len(replies[0].passages))
        return replies

    async def _last_sources(self, chat: str, user: str, arg: str) -> list[Reply]:
        qid = await asyncio.to_thread(self.service.last_question_id, self.platform, chat)
        sources = await asyncio.to_thread(self.service.sources, qid) if qid else []
        if not sources:
            return [Reply(S.ASK_FIRST)]
        return [Reply(plain_passages(sources), passages=sources)]

    async def _feedback_last(self, chat: str, user: str, value: int) -> list[Reply]:
        qid = await asyncio.to_thread(self.service.last_question_id, self.platform, chat)
        ok = qid is not None and await asyncio.to_thread(self.service.feedback, qid, self.platform, user, value)
        return [Reply(S.THANKS if ok else S.FEEDBACK_FIRST)]

    async def _new_topic(self, chat: str, user: str, arg: str) -> list[Reply]:
        await self.service.new_topic(self.platform, chat)
        return [Reply(S.NEW_TOPIC)]

    async def _start(self, chat: str, user: str, arg: str) -> list[Reply]:
        documents, covered = await asyncio.to_thread(lambda: (self.service.document_count(),
                                                             self.service.covered_provinces()))
        text = S.WELCOME.format(documents=documents)
        if covered:
            text += "\n" + S.COVERED.format(provinces=", ".join(covered))
        text += "\n\n" + S.TRY_EXAMPLE
        actions = [[Action("ask", (i,), q, q)] for i, q in enumerate(EXAMPLES)]
        return [Reply(text, actions, "\n".join(f"• {q}" for q in EXAMPLES))]

    async def _help(self, chat: str, user: str, arg: str) -> list[Reply]:
        text = S.HELP + "\n\n" + S.FOLLOW_UP_HELP.format(minutes=self.service.context_minutes)
        if self.service.is_admin(self.platform, user):
            text += "\n\n" + S.ADMIN_HELP
        return [Reply(text)]

    async def _province(self, chat: str, user: str, arg: str, replace: bool = False) -> list[Reply]:
        if not arg:
            return [Reply(S.PICK_PROVINCE, province_actions(0),
                          _hint(S.HINTS["province"]) + " " + S.PROVINCES.format(names=", ".join(gz.CURRENT)))]
        place = await asyncio.to_thread(self.service.set_province, self.platform, chat, arg)
        if place is None:
            return [Reply(S.PROVINCE_UNKNOWN.format(name=arg), province_actions(0))]
        return [Reply(S.PROVINCE_SAVED.format(province=place.label()), replace=replace,
                      notice=place.label() if replace else None)]

    # ----------------------------------------------------------------- admin
    async def _admin(self, user: str, action: str, detail: str = "", pressed: bool = False) -> list[Reply]:
        """[] if ``user`` is an admin (the attempt is audited either way), else the refusal: for a
        pressed button only a notice, so the message it was on stays as it was."""
        try:
            await asyncio.to_thread(self.service.require_admin, self.platform, user, action, detail)
        except NotAdmin:
            return [Reply("" if pressed else S.NOT_ADMIN, notice=S.NOT_ADMIN)]
        return []

    async def upload_help(self, user: str) -> list[Reply]:
        """/add without a file, on a channel that takes files."""
        return await self._admin(user, "add") or [Reply(S.ADD_HOW)]

    async def _add(self, chat: str, user: str, arg: str) -> list[Reply]:
        return await self._admin(user, "add", arg) or [Reply(S.ADD_NO_FILES)]

    async def _docs(self, chat: str, user: str, arg: str, replace: bool = False) -> list[Reply]:
        refused = await self._admin(user, "docs", arg, pressed=replace)
        if refused:
            return refused
        wanted = int(arg) - 1 if arg.isdigit() and int(arg) > 0 else 0
        docs, page, pages, total = await asyncio.to_thread(self.service.docs_page, wanted, DOCS_PER_PAGE)
        lines = [S.DOCS_TITLE.format(total=total, page=page + 1, pages=pages)]
        for d in docs:
            where = f" — {', '.join(d['provinces'])}" if d["provinces"] else ""
            lines.append(f"{d['id']}. {shorten(d['title'], 70)}{where} ({d['source']}, {d['passages']} đoạn)")
        nav, hints = [], []
        if page > 0:
            nav.append(Action("docs", (page - 1,), S.LABELS["previous"], f"/docs {page}"))
            hints.append(S.HINTS["docs"].format(page=page))
        if page + 1 < pages:
            nav.append(Action("docs", (page + 1,), S.LABELS["next"], f"/docs {page + 2}"))
            hints.append(S.HINTS["docs"].format(page=page + 2))
        return [Reply("\n".join(lines), [nav] if nav else [], _hint(*hints), replace=replace)]

    async def _remove_typed(self, chat: str, user: str, arg: str) -> list[Reply]:
        parts = arg.split()
        refused = await self._admin(user, "remove-ask", arg)
        if refused:
            return refused
        if not parts or not parts[0].isdigit():
            return [Reply(S.REMOVE_HOW)]
        return await self._remove(user, int(parts[0]), confirmed=parts[1:] == [_CONFIRM])

    async def _remove(self, user: str, doc_id: int, confirmed: bool, replace: bool = False) -> list[Reply]:
        """Removal is always asked first: by buttons, or by typing the command again with "xacnhan"."""
        if confirmed:
            try:  # the service checks and audits the admin itself, for buttons pressed by anyone
                removed = await self.service.remove_document(self.platform, user, doc_id)
            except NotAdmin:
                return [Reply("" if replace else S.NOT_ADMIN, notice=S.NOT_ADMIN)]
            if removed is None:
                return [Reply(S.NO_DOCUMENT.format(id=doc_id), replace=replace)]
            return [Reply(S.REMOVED.format(id=doc_id, title=removed["title"]), replace=replace)]
        if replace:
            return [Reply(S.REMOVE_CANCELLED, replace=True, notice=S.REMOVE_CANCELLED)]
        doc = await asyncio.to_thread(self.service.document, doc_id)
        if doc is None:
            return [Reply(S.NO_DOCUMENT.format(id=doc_id))]
        actions = [[Action("rm", (doc_id, 1), S.LABELS["remove"], f"/remove {doc_id} {_CONFIRM}"),
                    Action("rm", (doc_id, 0), S.LABELS["cancel"])]]
        return [Reply(S.REMOVE_ASK.format(id=doc_id, title=doc["title"]), actions,
                      _hint(S.HINTS["confirm_remove"].format(id=doc_id)))]

    async def _reindex(self, chat: str, user: str, arg: str,
                       progress: Callable[[str], None] | None = None) -> list[Reply]:
        refused = await self._admin(user, "reindex-ask")
        if refused:
            return refused

        def embedded(done: int, total: int, what: str) -> None:
            # Only passages missing from the embedding cache are embedded: say so, or "400/400"
            # would not match the final count of every passage.
            if progress:
                progress(S.REINDEX_PROGRESS.format(done=done, total=total))

        if progress:
            progress(S.REINDEXING)
        try:
            n = await self.service.reindex(self.platform, user, embedded)
        except NotAdmin:
            return [Reply(S.NOT_ADMIN)]
        except ReindexRunning as e:
            return [Reply(S.REINDEX_REFUSED.format(reason=e))]
        return [Reply(S.REINDEXED.format(passages=n))]

    async def _stats(self, chat: str, user: str, arg: str) -> list[Reply]:
        refused = await self._admin(user, "stats")
        if refused:
            return refused
        s = await asyncio.to_thread(self.service.stats)
        lines = [S.STATS.format(days=s["days"], questions=s["questions"], rate=s["abstention_rate"],
                                up=s["thumbs_up"], down=s["thumbs_down"])]
        lines += [S.STATS_DAY.format(**d) for d in s["per_day"]]
        if s["top_unanswered"]:
            lines.append(S.STATS_UNANSWERED)
            lines += [f"• {u['question'][:120]} ({u['count']})" for u in s["top_unanswered"]]
        return [Reply("\n".join(lines))]
