"""The terminal chat: the conversation core, read from and printed to the terminal.

It goes through the same service as Telegram and Zalo (platform "terminal"),
so questions are logged and the saved province is kept between chats.
"""

from __future__ import annotations

import asyncio

import click

from knowledge.store import KnowledgeBase

from . import strings as S
from .core import Conversation
from .service import Service

PLATFORM, CHAT = "terminal", "local"
QUIT = ("/thoat", "/exit", "/quit")


def run_chat(kb: KnowledgeBase, province: str | None = None) -> None:
    """Read questions from the terminal until /thoat or end of input."""
    asyncio.run(_chat(kb, province))


async def _chat(kb: KnowledgeBase, province: str | None) -> None:
    # One person at the keyboard, who can read the data directory anyway: an admin, with no
    # rate limit, and one answer at a time may use every core.
    service = Service(kb, admins={PLATFORM: {CHAT}}, rate_burst=10**6, answer_slots=1)
    core = Conversation(service, PLATFORM)
    if province:
        place = service.set_province(PLATFORM, CHAT, province)
        if place is None:
            click.echo(S.PROVINCE_UNKNOWN.format(name=province))
    for reply in await core.text(CHAT, CHAT, "/start"):
        click.echo(reply.plain())
    click.echo(S.TERMINAL_HELP)
    while True:
        try:
            line = (await asyncio.to_thread(input, "\nBạn: ")).strip()
        except (EOFError, KeyboardInterrupt):
            click.echo("\n" + S.GOODBYE)
            return
        if not line:
            continue
        if line.lower() in QUIT:
            click.echo(S.GOODBYE)
            return
        for reply in await core.text(CHAT, CHAT, line):
            click.echo("\nTrợ lý: " + reply.plain())
