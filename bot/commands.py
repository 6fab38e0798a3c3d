"""The text command set: a message in, replies out, through the shared service.

Channels without buttons or uploads (Zalo Bot Platform, Zalo OA, the terminal)
use it as it is; Telegram has its own handlers with buttons for the same
service calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from knowledge import provinces as gz
from knowledge.answering import Source, format_plain

from .format import shorten
from .service import NotAdmin, ReindexRunning, Service

WELCOME = ("Xin chào! Mình là Trợ lý Chuyển đổi số. Bạn cứ gõ câu hỏi về chuyển đổi số, có dấu hay không dấu "
           "đều được, ví dụ: «Dịch vụ công trực tuyến toàn trình là gì?».\n"
           "Lệnh: /tinh <tên tỉnh> để lưu tỉnh của bạn, /nguon xem nguồn, /them xem thêm, /help hướng dẫn.")
# One line for every channel's help: how follow-up questions are read.
FOLLOW_UP_HELP = ("Bạn có thể hỏi tiếp câu trước, ví dụ «còn năm 2030 thì sao?», «ai ký văn bản đó?». "
                  "Mình nhớ ngữ cảnh {minutes} phút; gõ /moi để bắt đầu chủ đề mới.")
ASK_FIRST = "Chưa có câu trả lời nào để xem thêm. Bạn hãy đặt câu hỏi trước nhé."
NEW_TOPIC = "Đã bắt đầu chủ đề mới. Câu hỏi tiếp theo sẽ không dựa vào các câu trước."
HINT = "Gõ /nguon để xem đoạn trích, /them để xem thêm, 👍 hoặc 👎 để góp ý."
HELP = (WELCOME + "\nGõ 👍 hoặc 👎 sau một câu trả lời để góp ý.\n")
ADMIN_HELP = ("\nQuản trị: /docs [trang], /remove ID, /reindex, /stats. "
              "Thêm văn bản qua Telegram (/add) hoặc dòng lệnh (cdsbot ingest).")


def plain_passages(sources: list[Source], start: int = 1) -> str:
    return "\n\n".join(f"[{i}] {s.cite()}\n{s.text}" for i, s in enumerate(sources, start=start))


@dataclass
class Reply:
    text: str
    buttons: bool = False  # offer Nguồn / Thêm / 👍 / 👎 where the platform can
    question_id: int | None = None  # set on answers, for the logs


class TextCommands:
    """Text in, replies out: the command set for channels without buttons or uploads."""

    def __init__(self, service: Service, platform: str):
        self.service, self.platform = service, platform

    async def handle(self, chat_id: str, user_id: str, text: str) -> list[Reply]:
        text = (text or "").strip()
        command, _, arg = text.partition(" ")
        command = command.lower()
        if text in ("👍", "👎"):
            return [await self._feedback(chat_id, user_id, 1 if text == "👍" else -1)]
        if not command.startswith("/"):
            return await self._ask(chat_id, user_id, text)
        handler = {
            "/start": self._help, "/help": self._help, "/tinh": self._tinh, "/nguon": self._sources,
            "/them": self._more, "/docs": self._docs, "/remove": self._remove, "/reindex": self._reindex,
            "/stats": self._stats, "/add": self._add, "/moi": self._new_topic,
        }.get(command)
        if handler is None:
            return [Reply(f"Mình chưa biết lệnh {command}. Gõ /help để xem hướng dẫn.")]
        return await handler(chat_id, user_id, arg.strip())

    async def _ask(self, chat_id: str, user_id: str, text: str) -> list[Reply]:
        wait = self.service.rate_wait(self.platform, user_id)
        if wait > 0:
            return [Reply(f"Bạn hỏi hơi nhanh. Vui lòng đợi khoảng {max(1, round(wait))} giây rồi hỏi tiếp nhé.")]
        asked = await self.service.ask(self.platform, chat_id, user_id, text)
        ans = asked.answer
        if ans.needs_province:
            return [Reply("Bạn chưa chọn tỉnh của mình. Gõ /tinh kèm tên tỉnh (ví dụ: /tinh Đắk Lắk) rồi hỏi lại nhé.")]
        buttons = bool(ans.sources) and asked.question_id is not None
        return [Reply(format_plain(ans), buttons=buttons, question_id=asked.question_id)]

    async def _new_topic(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        await self.service.new_topic(self.platform, chat_id)
        return [Reply(NEW_TOPIC)]

    async def _help(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        extra = ADMIN_HELP if self.service.is_admin(self.platform, user_id) else ""
        return [Reply(HELP + FOLLOW_UP_HELP.format(minutes=self.service.context_minutes) + extra)]

    async def _tinh(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        if not arg:
            return [Reply("Gõ /tinh kèm tên tỉnh, thành phố của bạn, ví dụ: /tinh Đắk Lắk. Các tỉnh, thành phố: "
                          + ", ".join(gz.CURRENT) + ".")]
        place = await asyncio.to_thread(self.service.set_province, self.platform, chat_id, arg)
        if place is None:
            return [Reply(f"Mình chưa nhận ra «{arg}». Ví dụ: /tinh Đắk Lắk, /tinh TP HCM, /tinh hoa binh.")]
        return [Reply(f"Đã lưu tỉnh của bạn: {place.label()}.")]

    async def _sources(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        qid = await asyncio.to_thread(self.service.last_question_id, self.platform, chat_id)
        sources = await asyncio.to_thread(self.service.sources, qid) if qid else []
        if not sources:
            return [Reply(ASK_FIRST)]
        return [Reply(plain_passages(sources))]

    async def _more(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        # The offset lives in the database with the chat's last question: it survives a restart.
        qid, offset = await asyncio.to_thread(self.service.more_position, self.platform, chat_id)
        if qid is None:
            return [Reply(ASK_FIRST)]
        sources, nxt = await asyncio.to_thread(self.service.more, qid, offset)
        if not sources:
            return [Reply("Không còn đoạn liên quan nào khác.")]
        await asyncio.to_thread(self.service.set_more_offset, self.platform, chat_id,
                                nxt if nxt is not None else offset + len(sources))
        tail = "\n\nGõ /them để xem tiếp." if nxt is not None else ""
        return [Reply(plain_passages(sources, start=offset + 1) + tail)]

    async def _feedback(self, chat_id: str, user_id: str, value: int) -> Reply:
        qid = await asyncio.to_thread(self.service.last_question_id, self.platform, chat_id)
        ok = qid is not None and await asyncio.to_thread(self.service.feedback, qid, self.platform, user_id, value)
        return Reply("Cảm ơn bạn đã góp ý!" if ok else "Bạn hãy đặt câu hỏi trước rồi góp ý nhé.")

    # ----------------------------------------------------------------- admin
    async def _admin(self, user_id: str, action: str, detail: str = "") -> Reply | None:
        try:
            await asyncio.to_thread(self.service.require_admin, self.platform, user_id, action, detail)
        except NotAdmin:
            return Reply("Xin lỗi, lệnh này chỉ dành cho quản trị viên.")
        return None

    async def _add(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        refused = await self._admin(user_id, "add", arg)
        return [refused or Reply("Kênh này chưa nhận được tệp văn bản. Hãy thêm văn bản qua Telegram "
                                 "(/add) hoặc dòng lệnh: cdsbot ingest TỆP.")]

    async def _docs(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        refused = await self._admin(user_id, "docs")
        if refused:
            return [refused]
        wanted = int(arg) - 1 if arg.isdigit() and int(arg) > 0 else 0
        docs, page, pages, total = self.service.docs_page(wanted)
        lines = [f"Văn bản ({total}), trang {page + 1}/{pages}:"]
        for d in docs:
            where = f" — {', '.join(d['provinces'])}" if d["provinces"] else ""
            lines.append(f"{d['id']}. {shorten(d['title'], 70)}{where} ({d['source']})")
        if page + 1 < pages:
            lines.append(f"Gõ /docs {page + 2} để xem trang sau.")
        return [Reply("\n".join(lines))]

    async def _remove(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        parts = arg.split()
        refused = await self._admin(user_id, "remove-ask", arg)
        if refused:
            return [refused]
        if not parts or not parts[0].isdigit():
            return [Reply("Cách dùng: /remove ID (xem ID bằng /docs).")]
        doc_id = int(parts[0])
        doc = self.service.kb.document(doc_id)
        if doc is None:
            return [Reply(f"Không có văn bản ID {doc_id}. Xem danh sách bằng /docs.")]
        if parts[1:] != ["xacnhan"]:  # no buttons on Zalo: confirm by typing the command again
            return [Reply(f"Xoá văn bản [{doc_id}] «{doc['title']}»? Gõ /remove {doc_id} xacnhan để xác nhận.")]
        await self.service.remove_document(self.platform, user_id, doc_id)
        return [Reply(f"Đã xoá [{doc_id}] «{doc['title']}».")]

    async def _reindex(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        try:
            n = await self.service.reindex(self.platform, user_id)
        except NotAdmin:
            return [Reply("Xin lỗi, lệnh này chỉ dành cho quản trị viên.")]
        except ReindexRunning as e:
            return [Reply(f"Không thể lập lại chỉ mục: {e}.")]
        return [Reply(f"Đã lập lại chỉ mục: {n} đoạn.")]

    async def _stats(self, chat_id: str, user_id: str, arg: str) -> list[Reply]:
        refused = await self._admin(user_id, "stats")
        if refused:
            return [refused]
        s = await asyncio.to_thread(self.service.stats)
        lines = [f"Thống kê {s['days']} ngày: {s['questions']} câu hỏi, chưa trả lời được {s['abstention_rate']:.0%}, "
                 f"👍 {s['thumbs_up']}, 👎 {s['thumbs_down']}."]
        lines += [f"• {u['question'][:100]} ({u['count']})" for u in s["top_unanswered"]]
        return [Reply("\n".join(lines))]
