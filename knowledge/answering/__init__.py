"""The answer pipeline: question (and conversation context) -> grounded answer with sources."""

from .candidates import render_row
from .compose import format_plain, more_passages
from .pipeline import ABSTAIN, AbstainRule, answer
from .types import Answer, Source

__all__ = ["ABSTAIN", "AbstainRule", "Answer", "Source", "answer", "format_plain", "more_passages", "render_row"]
