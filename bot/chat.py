"""The terminal chat: the shared command set, read from and printed to the terminal.

It goes through the same service as Telegram and Zalo (platform "terminal"),
so questions are logged and the saved province is kept between chats.
"""

from __future__ import annotations

import asyncio

import click

from knowledge.store import KnowledgeBase

from .commands import HINT, TextCommands
from .service import Service

PLATFORM, CHAT = "terminal", "local"
HELP = """Gõ câu hỏi rồi nhấn Enter, ví dụ:
  • Dịch vụ công trực tuyến mức độ 4 là gì?
  • Đến năm 2030 Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP?
  • muc tieu nam 2025 cua tinh toi   (gõ không dấu cũng được)
Lệnh:
  /tinh TÊN   lưu tỉnh của bạn (dùng khi hỏi "tỉnh tôi")
  /nguon      xem các đoạn văn bản đã trích cho câu trả lời vừa rồi
  /them       xem thêm các đoạn liên quan
  👍 / 👎     góp ý cho câu trả lời vừa rồi
  /help       hướng dẫn · /thoat  thoát
Quản trị: /docs [trang], /remove ID, /reindex, /stats; thêm văn bản: cdsbot ingest TỆP"""
QUIT = ("/thoat", "/exit", "/quit")


def run_chat(kb: KnowledgeBase, province: str | None = None) -> None:
    """Read questions from the terminal until /thoat or end of input."""
    asyncio.run(_chat(kb, province))


async def _chat(kb: KnowledgeBase, province: str | None) -> None:
    # One person at the keyboard, who can read the data directory anyway: an admin, with no
    # rate limit, and one answer at a time may use every core.
    service = Service(kb, admins={PLATFORM: {CHAT}}, rate_burst=10**6, answer_slots=1)
    commands = TextCommands(service, PLATFORM)
    if province:
        place = service.set_province(PLATFORM, CHAT, province)
        if place is None:
            click.echo(f"Mình chưa nhận ra tỉnh «{province}»; bạn có thể lưu sau bằng /tinh.")
    covered = service.covered_provinces()
    click.echo("Xin chào! Mình là Trợ lý Chuyển đổi số.")
    click.echo(f"Kho dữ liệu có {len(kb.documents())} văn bản"
               + (f", gồm các địa phương: {', '.join(covered)}." if covered else "."))
    click.echo(HELP)
    while True:
        try:
            line = (await asyncio.to_thread(input, "\nBạn: ")).strip()
        except (EOFError, KeyboardInterrupt):
            click.echo("\nTạm biệt!")
            return
        if not line:
            continue
        if line.lower() in QUIT:
            click.echo("Tạm biệt!")
            return
        if line.split()[0].lower() in ("/help", "/start"):
            click.echo(HELP)
            continue
        for reply in await commands.handle(CHAT, CHAT, line):
            click.echo("\nTrợ lý: " + reply.text + (f"\n\n({HINT})" if reply.buttons else ""))
