"""The terminal chat: the same engine and commands as the messaging channels."""

from __future__ import annotations

import click

from knowledge import provinces as gz
from knowledge.answer import Answer, answer, format_plain, more_passages
from knowledge.store import KnowledgeBase

HELP = """Gõ câu hỏi rồi nhấn Enter, ví dụ:
  • Dịch vụ công trực tuyến mức độ 4 là gì?
  • Đến năm 2030 Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP?
  • muc tieu nam 2025 cua tinh toi   (gõ không dấu cũng được)
Lệnh:
  /tinh TÊN   lưu tỉnh của bạn (dùng khi hỏi "tỉnh tôi")
  /nguon      xem các đoạn văn bản đã trích cho câu trả lời vừa rồi
  /them       xem thêm các đoạn liên quan
  /help       hướng dẫn · /thoat  thoát"""


def _show_sources(last: Answer | None) -> str:
    if last is None or not last.sources:
        return "Chưa có câu trả lời nào có nguồn. Hãy đặt một câu hỏi trước nhé."
    return "\n\n".join(f"[{i}] {s.cite()}\n{s.text}" for i, s in enumerate(last.sources, start=1))


def run_chat(kb: KnowledgeBase, province: str | None = None) -> None:
    """Read questions from the terminal until /thoat or end of input."""
    saved = gz.resolve(province).name if province and gz.resolve(province) else None
    covered = sorted({gz.describe_former(p) for d in kb.documents() for p in d["provinces"]})
    click.echo("Xin chào! Mình là Trợ lý Chuyển đổi số.")
    click.echo(f"Kho dữ liệu có {len(kb.documents())} văn bản" +
               (f", gồm các địa phương: {', '.join(covered)}." if covered else "."))
    click.echo(HELP)
    last: Answer | None = None
    shown_more = 0
    while True:
        try:
            line = input("\nBạn: ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo("\nTạm biệt!")
            return
        if not line:
            continue
        command, _, arg = line.partition(" ")
        command = command.lower()
        if command in ("/thoat", "/exit", "/quit"):
            click.echo("Tạm biệt!")
            return
        if command in ("/help", "/start"):
            click.echo(HELP)
        elif command == "/tinh":
            found = gz.resolve(arg) if arg.strip() else None
            if found is None:
                click.echo("Mình chưa nhận ra tỉnh này. Ví dụ: /tinh Đắk Lắk, /tinh TP HCM, /tinh hoa binh")
            else:
                saved = found.name
                click.echo(f"Đã lưu tỉnh của bạn: {found.label()}.")
        elif command == "/nguon":
            click.echo(_show_sources(last))
        elif command == "/them":
            if last is None or shown_more >= len(last.more):
                click.echo("Không còn đoạn liên quan nào khác.")
            else:
                batch = more_passages(kb, last.more[shown_more : shown_more + 3])
                shown_more += 3
                click.echo("\n\n".join(f"• {s.cite()}\n{s.text}" for s in batch))
        else:
            last, shown_more = answer(kb, line, province=saved), 0
            click.echo("\nTrợ lý: " + format_plain(last))
