"""Telegram channel (python-telegram-bot v22): updates in, the conversation core's replies out.

Commands, messages, button presses and uploaded files go to ``bot.core.Conversation``; this
module only parses updates, renders replies (HTML, actions as inline keyboards whose callback
data carries the action's ids) and delivers them, with PTB's wiring, retries and inbox.
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

from . import strings as S
from .core import Action, Conversation, Reply
from .format import TELEGRAM_LIMIT, answer_html, passages_html, split_message
from .retry import Backoff, retrying
from .service import Service
from .settings import Settings

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
# The command menu Telegram shows beside the input box.
USER_COMMANDS = [("start", "Giới thiệu và câu hỏi mẫu"), ("help", "Hướng dẫn sử dụng"),
                 ("tinh", "Chọn tỉnh, thành phố của bạn"), ("nguon", "Xem nguồn của câu trả lời gần nhất"),
                 ("moi", "Bắt đầu chủ đề mới")]
COMMANDS = ("start", "help", "tinh", "nguon", "them", "moi", "docs", "remove", "reindex", "stats")
PROGRESS_EVERY_S = 2.0  # Telegram limits how often one message may be edited


def _core(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    return context.application.bot_data["core"]


def _ids(update: Update) -> tuple[str, str]:
    return str(update.effective_chat.id), str(update.effective_user.id)


def _group(update: Update) -> bool:
    return update.effective_chat.type != ChatType.PRIVATE


# ------------------------------------------------------------------ rendering
def keyboard(actions: list[list[Action]]) -> InlineKeyboardMarkup | None:
    """Actions as an inline keyboard; the callback data is the action's own data."""
    rows = [[InlineKeyboardButton(a.label, callback_data=a.data) for a in row] for row in actions if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _html(reply: Reply) -> str:
    if reply.answer is not None:
        return answer_html(reply.answer)
    if reply.passages:
        return passages_html(reply.passages, start=reply.start)
    return html.escape(reply.text)


async def _send_long(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send HTML text in pieces below Telegram's limit; buttons go under the last piece."""
    pieces = split_message(text, TELEGRAM_LIMIT)
    for i, piece in enumerate(pieces):
        await message.reply_text(piece, parse_mode=ParseMode.HTML,
                                 reply_markup=markup if i == len(pieces) - 1 else None)


async def _deliver(update: Update, replies: list[Reply]) -> None:
    """Send the core's replies. A pressed button is answered exactly once (with the first
    notice); a reply that replaces the pressed message edits it, the others are sent anew."""
    query = update.callback_query
    if query is not None:
        await query.answer(next((r.notice for r in replies if r.notice), None))
    message = query.message if query is not None else update.effective_message
    for reply in replies:
        if not (reply.text or reply.answer or reply.passages) or message is None:
            continue
        markup = keyboard(reply.actions)
        try:
            if reply.replace and query is not None:
                if reply.text == (message.text or ""):  # the same text: only the buttons change
                    await query.edit_message_reply_markup(markup)
                else:
                    await query.edit_message_text(_html(reply), parse_mode=ParseMode.HTML, reply_markup=markup)
            else:
                await _send_long(message, _html(reply), markup)
        except TelegramError as e:  # already retried; the question and its answer stay in the log
            logger.error("telegram: could not send the answer to question %s to chat %s: %s",
                         reply.question_id, update.effective_chat.id, e)


# ------------------------------------------------------------------- handlers
async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command goes to the conversation core as typed."""
    chat_id, user_id = _ids(update)
    message = update.effective_message
    progress, status = _progress(message)
    replies = await _core(context).text(chat_id, user_id, message.text or "", group=_group(update),
                                        progress=progress)
    if status and len(replies) == 1 and status[0] is not None:  # the final word replaces the progress
        await _edit_quietly(status[0], replies[0].text)
        return
    await _deliver(update, replies)


def _progress(message: Message) -> tuple:
    """A progress callback for long admin commands: the first text is sent, later ones edit it
    (at most every PROGRESS_EVERY_S). It may be called from a worker thread."""
    loop = asyncio.get_running_loop()
    status: list = [None]
    last = [0.0]
    started = [False]

    async def show(text: str) -> None:
        if status[0] is None:
            status[0] = await message.reply_text(text)
        else:
            await _edit_quietly(status[0], text)

    def progress(text: str) -> None:
        now = time.monotonic()
        if started[0] and (status[0] is None or now - last[0] < PROGRESS_EVERY_S):
            return
        started[0], last[0] = True, now
        asyncio.run_coroutine_threadsafe(show(text), loop)

    return progress, status


async def _edit_quietly(message: Message, text: str) -> None:
    try:
        await message.edit_text(text)
    except TelegramError as e:  # "message is not modified" and the like are harmless here
        logger.debug("progress edit skipped: %s", e)


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


def _typing(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """A typing indicator for private chats, as a background task (in a group it would spend the
    group's send budget)."""
    if _group(update):
        return None
    chat = update.effective_chat.id

    async def send() -> None:
        try:
            await context.bot.send_chat_action(chat, ChatAction.TYPING, read_timeout=2, write_timeout=2)
        except Exception as e:  # noqa: BLE001 - best effort: the answer goes on whatever failed
            logger.debug("typing indicator for chat %s skipped: %s", chat, e)

    return lambda: context.application.create_task(send())


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message is a question (in a group, only when it is for the bot)."""
    text = _addressed_text(update, context)
    if text is None:
        return
    chat_id, user_id = _ids(update)
    await _deliver(update, await _core(context).text(chat_id, user_id, text, group=_group(update),
                                                     typing=_typing(update, context)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every inline button: its callback data is an action of the core."""
    chat_id, user_id = _ids(update)
    await _deliver(update, await _core(context).press(chat_id, user_id, update.callback_query.data or "",
                                                      group=_group(update), typing=_typing(update, context)))


async def add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ingest the document sent with /add (as its caption, or replied to)."""
    message = update.effective_message
    document = message.document or (message.reply_to_message.document if message.reply_to_message else None)
    chat_id, user_id = _ids(update)
    core = _core(context)
    if document is None:
        await _deliver(update, await core.upload_help(user_id))
        return
    name = document.file_name or "tai-lieu"
    refused = await core.check_upload(user_id, name, document.file_size)
    if refused:
        await _deliver(update, [refused])
        return
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_DOCUMENT)
    data = bytes(await (await document.get_file()).download_as_bytearray())
    await _deliver(update, await core.upload(chat_id, user_id, name, data))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user something went wrong, without details."""
    logger.error("error while handling an update", exc_info=context.error)
    try:
        message = update.effective_message if isinstance(update, Update) else None
        if message is not None:
            await message.reply_text(S.ERROR)
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
    await asyncio.to_thread(context.application.bot_data["service"].inbox.done, PLATFORM, inbox_key(context.bot.token, update))


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
    app.bot_data.update(service=service, settings=settings,
                        core=Conversation(service, PLATFORM, settings.max_upload_bytes))
    app.add_handler(TypeHandler(Update, _guard), group=-1)
    app.add_handler(TypeHandler(Update, _finish), group=1)
    app.add_handler(CommandHandler(COMMANDS, on_command))
    app.add_handler(CommandHandler("add", add))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/add(@\w+)?\b"), add))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
    return app
