"""Telegram channel (python-telegram-bot v22): translates updates to the shared service.

Buttons carry ids in their callback data (question ids, document ids, page
numbers), never in-memory state, so they keep working after a restart.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from knowledge import provinces as gz
from knowledge.loaders import SUPPORTED, LoaderError

from .commands import FOLLOW_UP_HELP, NEW_TOPIC
from .format import TELEGRAM_LIMIT, answer_html, passages_html, shorten, split_message
from .retry import Backoff, retrying
from .service import NotAdmin, ReindexRunning, Service
from .settings import Settings

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
PROVINCES_PER_PAGE = 12
DOCS_PER_PAGE = 10

EXAMPLES = [
    "Dịch vụ công trực tuyến mức độ 4 là gì?",
    "Đến năm 2030 Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP?",
    "Mục tiêu năm 2025 của tỉnh tôi?",
]
USER_COMMANDS = [
    ("start", "Giới thiệu và câu hỏi mẫu"),
    ("help", "Hướng dẫn sử dụng"),
    ("tinh", "Chọn tỉnh, thành phố của bạn"),
    ("nguon", "Xem nguồn của câu trả lời gần nhất"),
    ("moi", "Bắt đầu chủ đề mới"),
]
HELP = (
    "<b>Cách dùng</b>\n"
    "Gõ câu hỏi về chuyển đổi số (có dấu hay không dấu đều được), ví dụ:\n"
    "• <i>Dịch vụ công trực tuyến toàn trình là gì?</i>\n"
    "• <i>Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?</i>\n\n"
    "/tinh <i>tên tỉnh</i> — lưu tỉnh của bạn để hỏi «tỉnh tôi»\n"
    "/nguon — xem các đoạn văn bản đã trích\n"

    "Dưới mỗi câu trả lời: 📄 Nguồn, ➕ Thêm, 👍 / 👎 để góp ý."
)
ADMIN_HELP = (
    "\n\n<b>Quản trị</b>\n"
    "/add — gửi kèm tệp (txt, md, html, pdf, docx) hoặc trả lời tin nhắn có tệp\n"
    "/docs — danh sách văn bản · /remove <i>ID</i> — xoá văn bản\n"
    "/reindex — lập lại chỉ mục · /stats — thống kê"
)


def _service(context: ContextTypes.DEFAULT_TYPE) -> Service:
    return context.application.bot_data["service"]


def _settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return context.application.bot_data["settings"]


def _ids(update: Update) -> tuple[str, str]:
    return str(update.effective_chat.id), str(update.effective_user.id)


def answer_keyboard(question_id: int, has_sources: bool) -> InlineKeyboardMarkup:
    rows = []
    if has_sources:
        rows.append([InlineKeyboardButton("📄 Nguồn", callback_data=f"src:{question_id}"),
                     InlineKeyboardButton("➕ Thêm", callback_data=f"more:{question_id}:0")])
    rows.append([InlineKeyboardButton("👍", callback_data=f"fb:{question_id}:1"),
                 InlineKeyboardButton("👎", callback_data=f"fb:{question_id}:-1")])
    return InlineKeyboardMarkup(rows)


def province_keyboard(page: int) -> InlineKeyboardMarkup:
    names = gz.CURRENT
    pages = (len(names) + PROVINCES_PER_PAGE - 1) // PROVINCES_PER_PAGE
    page = max(0, min(page, pages - 1))
    start = page * PROVINCES_PER_PAGE
    buttons = [InlineKeyboardButton(name, callback_data=f"ps:{start + i}")
               for i, name in enumerate(names[start : start + PROVINCES_PER_PAGE])]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀ Trước", callback_data=f"pv:{page - 1}"))
    nav.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=f"pv:{page}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("Sau ▶", callback_data=f"pv:{page + 1}"))
    rows.append(nav)
    return InlineKeyboardMarkup(rows)


async def _send_long(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send HTML text in pieces below Telegram's limit; buttons go under the last piece."""
    pieces = split_message(text, TELEGRAM_LIMIT)
    for i, piece in enumerate(pieces):
        await message.reply_text(piece, parse_mode=ParseMode.HTML,
                                 reply_markup=markup if i == len(pieces) - 1 else None)


# ----------------------------------------------------------------- user commands
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, say what the bot knows, offer example questions as buttons."""
    service = _service(context)
    covered = service.covered_provinces()
    docs = len(service.kb.documents())
    text = (f"Xin chào! Mình là <b>Trợ lý Chuyển đổi số</b>. Mình trả lời câu hỏi về chuyển đổi số dựa trên "
            f"{docs} văn bản (nghị quyết, kế hoạch, văn bản pháp luật, bài báo) và luôn ghi rõ nguồn.")
    if covered:
        text += f"\nĐịa phương đã có dữ liệu: {html.escape(', '.join(covered))}."
    text += "\n\nBạn có thể bấm thử một câu hỏi:"
    buttons = [[InlineKeyboardButton(q, callback_data=f"ask:{i}")] for i, q in enumerate(EXAMPLES)]
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML,
                                              reply_markup=InlineKeyboardMarkup(buttons))


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask, and the admin commands to admins."""
    _, user_id = _ids(update)
    service = _service(context)
    extra = ADMIN_HELP if service.is_admin(PLATFORM, user_id) else ""
    follow_up = html.escape(FOLLOW_UP_HELP.format(minutes=service.context_minutes))
    await update.effective_message.reply_text(HELP + "\n\n" + follow_up + extra, parse_mode=ParseMode.HTML)


async def moi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start a new topic: the next question does not continue the previous ones."""
    chat_id, _ = _ids(update)
    await _service(context).new_topic(PLATFORM, chat_id)
    await update.effective_message.reply_text(NEW_TOPIC)


async def tinh(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Save the asker's province, or show the province keyboard."""
    chat_id, _ = _ids(update)
    name = " ".join(context.args or []).strip()
    if not name:
        await update.effective_message.reply_text("Bạn ở tỉnh, thành phố nào?", reply_markup=province_keyboard(0))
        return
    place = await asyncio.to_thread(_service(context).set_province, PLATFORM, chat_id, name)
    if place is None:
        await update.effective_message.reply_text(
            f"Mình chưa nhận ra «{name}». Bạn chọn trong danh sách nhé:", reply_markup=province_keyboard(0))
        return
    await update.effective_message.reply_text(f"Đã lưu tỉnh của bạn: {place.label()}.")


async def nguon(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the passages quoted by the chat's last answer."""
    chat_id, _ = _ids(update)
    service = _service(context)
    qid = await asyncio.to_thread(service.last_question_id, PLATFORM, chat_id)
    sources = await asyncio.to_thread(service.sources, qid) if qid else []
    if not sources:
        await update.effective_message.reply_text("Chưa có câu trả lời nào có nguồn. Bạn hãy đặt câu hỏi trước nhé.")
        return
    await _send_long(update.effective_message, passages_html(sources))


def _addressed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The question in a message, or None when a group message is not for the bot."""
    message = update.effective_message
    text = message.text or ""
    if update.effective_chat.type == ChatType.PRIVATE:
        return text
    username = context.bot.username
    mention = f"@{username}" if username else None
    replied = message.reply_to_message and message.reply_to_message.from_user \
        and message.reply_to_message.from_user.id == context.bot.id
    if mention and mention.lower() in text.lower():
        return text.replace(mention, "").replace(mention.lower(), "").strip()
    return text if replied else None


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message is a question."""
    text = _addressed_text(update, context)
    if text is None:
        return
    await _ask(update, context, text)


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    service = _service(context)
    chat_id, user_id = _ids(update)
    group = update.effective_chat.type != ChatType.PRIVATE
    async with service.gate.turn(f"{PLATFORM}:{chat_id}", droppable=group) as admitted:
        if not admitted:
            logger.warning("telegram: group %s has more questions than it can be answered in time; "
                           "dropped one from user %s", chat_id, user_id)
            return
        await _answer_in_turn(update, context, text)


async def _typing(bot, chat_id: int) -> None:
    """Best effort: a typing indicator must never delay or cost an answer."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING, read_timeout=2, write_timeout=2)
    except Exception as e:  # noqa: BLE001 - whatever failed, the answer goes on
        logger.debug("typing indicator for chat %s skipped: %s", chat_id, e)


async def _answer_in_turn(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    service = _service(context)
    chat_id, user_id = _ids(update)
    message = update.effective_message
    wait = service.rate_wait(PLATFORM, user_id)
    if wait > 0:
        await message.reply_text(f"Bạn hỏi hơi nhanh. Vui lòng đợi khoảng {max(1, round(wait))} giây rồi hỏi tiếp nhé.")
        return
    if update.effective_chat.type == ChatType.PRIVATE:  # in a group it would spend the group's send budget
        context.application.create_task(_typing(context.bot, update.effective_chat.id))
    asked = await service.ask(PLATFORM, chat_id, user_id, text)
    if asked.answer.needs_province:
        await message.reply_text("Bạn chưa chọn tỉnh của mình. Hãy chọn tỉnh rồi hỏi lại nhé:",
                                 reply_markup=province_keyboard(0))
        return
    try:
        await _send_long(message, answer_html(asked.answer),
                         answer_keyboard(asked.question_id, bool(asked.answer.sources))
                         if asked.question_id is not None else None)
    except TelegramError as e:  # already retried; the question and its answer stay in the log
        logger.error("telegram: could not send the answer to question %s to chat %s: %s",
                     asked.question_id, chat_id, e)


# --------------------------------------------------------------------- buttons
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle every inline button; the callback data names the action and its ids."""
    query = update.callback_query
    service = _service(context)
    chat_id, user_id = _ids(update)
    kind, _, rest = (query.data or "").partition(":")
    args = rest.split(":")
    args = [{"yes": "1", "no": "0"}.get(a, a) for a in args]  # removal buttons sent before ids were numeric
    try:
        numbers = [int(a) for a in args] if rest else []  # every button carries integers only
    except ValueError:
        numbers = None
    if numbers is None or (kind in ("src", "fb", "pv", "ps", "ask", "docs") and len(numbers) < 1) \
            or (kind in ("more", "fb", "rm") and len(numbers) < 2):
        logger.warning("malformed callback data %r from user %s", query.data, user_id)
        await query.answer("Nút này không còn dùng được.")
        return
    if kind == "src":
        await query.answer()
        sources = await asyncio.to_thread(service.sources, numbers[0])
        text = passages_html(sources) if sources else "Các đoạn trích này không còn trong kho dữ liệu."
        await _send_long(query.message, text)
    elif kind == "more":
        await query.answer()
        qid, offset = numbers[0], numbers[1]
        sources, nxt = await asyncio.to_thread(service.more, qid, offset)
        if not sources:
            await query.message.reply_text("Không còn đoạn liên quan nào khác.")
            return
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("➕ Thêm", callback_data=f"more:{qid}:{nxt}")]]) \
            if nxt is not None else None
        await _send_long(query.message, passages_html(sources, start=offset + 1), markup)
    elif kind == "fb":
        ok = await asyncio.to_thread(service.feedback, numbers[0], PLATFORM, user_id, numbers[1])
        await query.answer("Cảm ơn bạn đã góp ý!" if ok else "Không tìm thấy câu trả lời này.")
    elif kind == "pv":
        await query.answer()
        await query.edit_message_reply_markup(province_keyboard(numbers[0]))
    elif kind == "ps" and 0 <= numbers[0] < len(gz.CURRENT):
        place = await asyncio.to_thread(service.set_province, PLATFORM, chat_id, gz.CURRENT[numbers[0]])
        await query.answer(f"Đã lưu: {place.label()}")
        await query.edit_message_text(f"Đã lưu tỉnh của bạn: {place.label()}. Giờ bạn có thể hỏi về «tỉnh tôi».")
    elif kind == "ask" and 0 <= numbers[0] < len(EXAMPLES):
        await query.answer()
        await _ask(update, context, EXAMPLES[numbers[0]])
    elif kind == "rm":
        await _confirm_remove(update, context, numbers[0], numbers[1] == 1)
    elif kind == "docs":
        # The document list is an admin view: a pressed or forged page button is checked too.
        if not await _require_admin(update, context, "docs", str(numbers[0])):
            return
        await query.answer()
        await query.edit_message_text(**_docs_page(service, numbers[0]))
    else:
        await query.answer("Nút này không còn dùng được.")


# ----------------------------------------------------------------------- admin
async def _require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, detail: str = "") -> bool:
    _, user_id = _ids(update)
    try:
        await asyncio.to_thread(_service(context).require_admin, PLATFORM, user_id, action, detail)
        return True
    except NotAdmin:
        if update.callback_query:
            await update.callback_query.answer("Xin lỗi, chỉ quản trị viên mới dùng được chức năng này.")
        else:
            await update.effective_message.reply_text("Xin lỗi, lệnh này chỉ dành cho quản trị viên.")
        return False


async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ingest the document sent with /add (as its caption, or replied to)."""
    message = update.effective_message
    document = message.document or (message.reply_to_message.document if message.reply_to_message else None)
    name = document.file_name if document and document.file_name else "(không có tệp)"
    if not await _require_admin(update, context, "add", name):
        return
    if document is None:
        await message.reply_text("Hãy gửi tệp kèm chú thích /add, hoặc trả lời tin nhắn có tệp bằng /add.")
        return
    settings = _settings(context)
    if document.file_size and document.file_size > settings.max_upload_bytes:
        await message.reply_text(f"Tệp quá lớn ({document.file_size // (1024 * 1024)} MB); "
                                 f"giới hạn là {settings.max_upload_mb} MB.")
        return
    if not name.lower().endswith(SUPPORTED):
        await message.reply_text(f"Chưa hỗ trợ loại tệp này. Hãy gửi: {', '.join(SUPPORTED)}.")
        return
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_DOCUMENT)
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if len(data) > settings.max_upload_bytes:
        await message.reply_text(f"Tệp quá lớn; giới hạn là {settings.max_upload_mb} MB.")
        return
    _, user_id = _ids(update)
    try:
        result = await _service(context).add_document(PLATFORM, user_id, name, data)
    except LoaderError as e:
        await message.reply_text(f"Không thêm được tệp: {e}")
        return
    status = {"added": "Đã thêm", "replaced": "Đã cập nhật", "unchanged": "Không có gì thay đổi"}[result.status]
    where = ", ".join(gz.describe_former(p) for p in result.provinces) or "toàn quốc / không rõ"
    await message.reply_text(f"{status} [{result.doc_id}] «{result.title}»\n"
                             f"{result.passages} đoạn · địa phương: {where}.\nCó thể hỏi về văn bản này ngay.")


def _docs_page(service: Service, page: int) -> dict:
    docs, page, pages, total = service.docs_page(page, DOCS_PER_PAGE)
    lines = [f"<b>Văn bản ({total})</b> — trang {page + 1}/{pages}"]
    for d in docs:
        where = f" — {', '.join(d['provinces'])}" if d["provinces"] else ""
        lines.append(f"<code>{d['id']}</code> {html.escape(shorten(d['title'], 70))}{html.escape(where)} "
                     f"<i>({html.escape(d['source'])}, {d['passages']} đoạn)</i>")
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀ Trước", callback_data=f"docs:{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("Sau ▶", callback_data=f"docs:{page + 1}"))
    return {"text": "\n".join(lines), "parse_mode": ParseMode.HTML,
            "reply_markup": InlineKeyboardMarkup([nav]) if nav else None}


async def docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List documents with their ids, a page at a time."""
    if await _require_admin(update, context, "docs"):
        await update.effective_message.reply_text(**_docs_page(_service(context), 0))


async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before removing a document."""
    if not await _require_admin(update, context, "remove-ask", " ".join(context.args or [])):
        return
    try:
        doc_id = int((context.args or [""])[0])
    except ValueError:
        await update.effective_message.reply_text("Cách dùng: /remove ID (xem ID bằng /docs).")
        return
    doc = _service(context).kb.document(doc_id)
    if doc is None:
        await update.effective_message.reply_text(f"Không có văn bản ID {doc_id}. Xem danh sách bằng /docs.")
        return
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("🗑 Xoá", callback_data=f"rm:{doc_id}:1"),
                                     InlineKeyboardButton("Huỷ", callback_data=f"rm:{doc_id}:0")]])
    await update.effective_message.reply_text(f"Xoá văn bản [{doc_id}] «{doc['title']}»?", reply_markup=buttons)


async def _confirm_remove(update: Update, context: ContextTypes.DEFAULT_TYPE, doc_id: int, yes: bool) -> None:
    query = update.callback_query
    if not yes:
        await query.answer("Đã huỷ")
        await query.edit_message_text("Đã huỷ, không xoá gì.")
        return
    _, user_id = _ids(update)
    try:
        doc = await _service(context).remove_document(PLATFORM, user_id, doc_id)
    except NotAdmin:
        await query.answer("Xin lỗi, chỉ quản trị viên mới dùng được chức năng này.")
        return
    await query.answer()
    await query.edit_message_text(f"Đã xoá [{doc_id}] «{doc['title']}»." if doc else f"Văn bản {doc_id} không còn.")


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rebuild the indexes, editing one message with the progress."""
    if not await _require_admin(update, context, "reindex-ask"):
        return
    status = await update.effective_message.reply_text("Đang lập lại chỉ mục…")
    loop = asyncio.get_running_loop()
    last = [0.0]

    def progress(done: int, total: int, what: str) -> None:
        # Called from the worker thread; edit at most every 2 s (Telegram limits edits).
        if time.monotonic() - last[0] >= 2 or done == total:
            last[0] = time.monotonic()
            # Only passages missing from the embedding cache are embedded: say so, or
            # "400/400" would not match the final count of every passage.
            text = f"Đang lập lại chỉ mục… đã nhúng {done}/{total} đoạn mới"
            asyncio.run_coroutine_threadsafe(_edit_quietly(status, text), loop)

    _, user_id = _ids(update)
    try:
        n = await _service(context).reindex(PLATFORM, user_id, progress)
    except ReindexRunning as e:
        await _edit_quietly(status, f"Không thể lập lại chỉ mục: {e}.")
        return
    await _edit_quietly(status, f"✅ Đã lập lại chỉ mục: {n} đoạn trong kho.")


async def _edit_quietly(message: Message, text: str) -> None:
    try:
        await message.edit_text(text)
    except TelegramError as e:  # "message is not modified" and the like are harmless here
        logger.debug("progress edit skipped: %s", e)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Questions per day, abstention rate, feedback, top unanswered questions."""
    if not await _require_admin(update, context, "stats"):
        return
    s = await asyncio.to_thread(_service(context).stats)
    lines = [f"<b>Thống kê {s['days']} ngày</b>",
             f"Câu hỏi: {s['questions']} · chưa trả lời được: {s['abstention_rate']:.0%}",
             f"👍 {s['thumbs_up']} · 👎 {s['thumbs_down']}"]
    lines += [f"{d['day']}: {d['questions']} câu ({d['abstained']} chưa trả lời)" for d in s["per_day"]]
    if s["top_unanswered"]:
        lines.append("<b>Câu hỏi chưa trả lời được nhiều nhất</b> (nên bổ sung văn bản):")
        lines += [f"• {html.escape(u['question'][:120])} ({u['count']})" for u in s["top_unanswered"]]
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user something went wrong, without details."""
    logger.error("error while handling an update", exc_info=context.error)
    try:
        message = update.effective_message if isinstance(update, Update) else None
        if message is not None:
            await message.reply_text("Xin lỗi, đã có lỗi khi xử lý. Bạn thử lại sau ít phút nhé.")
    except Exception as e:  # the error handler must never fail in turn
        logger.warning("could not tell the user about the error: %s", e)


# -------------------------------------------------------------- reliability
class RetryingRateLimiter(AIORateLimiter):
    """PTB's rate limiter (it waits out HTTP 429 ``retry_after``) plus retries of 5xx and timeouts."""

    def __init__(self, backoff: Backoff):
        super().__init__(max_retries=3)
        self.backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        limited = super().process_request
        return await retrying(lambda: limited(callback, args, kwargs, endpoint, data, rate_limit_args),
                              self.backoff, _transient, f"telegram {endpoint} (chat {data.get('chat_id', '-')})")


def _transient(error: BaseException) -> float | None:
    """Server errors, timeouts and broken connections are retried; a bad request is final."""
    return 0.0 if isinstance(error, NetworkError) and not isinstance(error, BadRequest) else None


class InboxQueue(asyncio.Queue):
    """The application's update queue, writing each update to the inbox before queueing it.

    PTB's poller puts a batch here before it confirms the batch to Telegram (with the
    next getUpdates offset), so an update is stored durably before Telegram forgets it:
    a process killed at any point loses nothing. Updates seen before are dropped.
    Webhook updates come through the same queue.
    """

    def __init__(self, service: Service, token: str):
        super().__init__()
        self.service, self.token = service, token

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await asyncio.to_thread(
                self.service.inbox.receive, PLATFORM, inbox_key(self.token, item), item.to_dict()):
            return
        await super().put(item)


def inbox_key(token: str, update: Update) -> str:
    """Update ids count per bot: the key carries the bot's id (the public part of its token)."""
    return f"{token.partition(':')[0]}:{update.update_id}"


async def _guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first: an update without a sender or a chat (a channel post, a forged body) has no one
    to answer; it is marked done and goes no further."""
    if update.effective_user is None or update.effective_chat is None:
        await _finish(update, context)
        raise ApplicationHandlerStop


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs last for every update: its replies are sent, never answer it again."""
    await asyncio.to_thread(_service(context).inbox.done, PLATFORM, inbox_key(context.bot.token, update))


async def replay_unfinished(app: Application, service: Service) -> None:
    """Queue the updates a previous run received but did not finish answering."""
    for payload in await asyncio.to_thread(service.inbox.unfinished, PLATFORM):
        await app.update_queue.put(Update.de_json(payload, app.bot))


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in USER_COMMANDS])


def build_application(settings: Settings, service: Service, webhook: bool = False) -> Application:
    """Wire handlers into a PTB Application (no updater in webhook mode: our server feeds it)."""
    builder = (Application.builder().token(settings.telegram_token)
               .base_url(settings.telegram_base_url).base_file_url(settings.telegram_base_file_url)
               .rate_limiter(RetryingRateLimiter(settings.backoff))
               .connect_timeout(settings.api_timeout_s).read_timeout(settings.api_timeout_s)
               .write_timeout(settings.api_timeout_s)
               .concurrent_updates(True).update_queue(InboxQueue(service, settings.telegram_token)).post_init(_post_init))
    if webhook:
        builder = builder.updater(None)
    app = builder.build()
    app.bot_data.update(service=service, settings=settings)
    app.add_handler(TypeHandler(Update, _guard), group=-1)
    app.add_handler(TypeHandler(Update, _finish), group=1)
    for name, handler in (("start", start), ("help", help_), ("tinh", tinh), ("nguon", nguon), ("moi", moi), ("add", add),
                          ("docs", docs), ("remove", remove), ("reindex", reindex), ("stats", stats)):
        app.add_handler(CommandHandler(name, handler))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/add(@\w+)?\b"), add))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
    return app
