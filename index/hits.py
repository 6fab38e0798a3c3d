from __future__ import annotations

from typing import NamedTuple


class Hits(NamedTuple):
    """Search results, best first: passage ids and their scores."""

    ids: list[int]
    scores: list[float]

    @classmethod
    def empty(cls) -> "Hits":
        return cls([], [])
