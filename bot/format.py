"""Per-platform formatting of answers, and splitting of long messages."""

from __future__ import annotations

import html

from knowledge.answering import Answer, Source

TELEGRAM_LIMIT = 4096  # characters per Telegram message


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, preferring paragraph
    boundaries, then line breaks, then spaces; nothing is lost."""
    if limit <= 0:
        raise ValueError(f"limit must be greater than 0. Currently, the limit is {limit}")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = -1
        if len(rest) <= 2 * limit:
            # The last two pieces: cut near the middle, so the second is not a stub of a few words.
            middle = max(len(rest) // 2, len(rest) - limit)
            for sep in ("\n\n", "\n", " "):
                cut = rest[: middle + 1].rfind(sep)
                if cut >= len(rest) - limit and cut > middle // 2:
                    break
            else:
                cut = -1
        if cut <= 0:
            window = rest[:limit]
            for sep in ("\n\n", "\n", " "):
                cut = window.rfind(sep)
                if cut > limit // 3:  # a boundary too near the start would make tiny pieces
                    break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def shorten(text: str, width: int = 90) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters, marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


def answer_html(ans: Answer) -> str:
    """Telegram HTML: the answer, then its sources in a short numbered list."""
    parts = []
    parts += [f"<i>{html.escape(x)}</i>" for x in (ans.notice, ans.reading) if x]
    parts.append(html.escape(ans.text))
    citations = ans.citations()
    if citations:
        lines = [f"{i}. {html.escape(line)}" for i, line in enumerate(citations, start=1)]
        parts.append("<b>Nguồn:</b>\n" + "\n".join(lines))
    return "\n\n".join(parts)


def passages_html(sources: list[Source], start: int = 1) -> str:
    """Quoted passages, each under the line that names its document."""
    blocks = [f"<b>[{i}] {html.escape(s.cite())}</b>\n{html.escape(s.text)}"
              for i, s in enumerate(sources, start=start)]
    return "\n\n".join(blocks)
