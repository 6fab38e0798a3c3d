"""Rank fusion as pure functions."""

from __future__ import annotations

from .hits import Hits

# k=60 is the constant of Cormack et al. (2009): it damps the head of each list so
# that one retriever's first place cannot outvote agreement further down.
RRF_K = 60


def reciprocal_rank_fusion(lists: list[Hits], weights: list[float] | None = None, k: int = RRF_K) -> Hits:
    """Fuse ranked lists: ``score(id) = sum_i w_i / (k + rank_i(id))``, ranks from 1.

    :param lists: ranked hits from each retriever
    :param weights: one weight per list, default 1.0 each
    """
    weights = weights or [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"got {len(weights)} weights for {len(lists)} lists; give one weight per list")
    scores: dict[int, float] = {}
    for hits, w in zip(lists, weights):
        for rank, pid in enumerate(hits.ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + w / (k + rank)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    return Hits([pid for pid, _ in ranked], [s for _, s in ranked])
