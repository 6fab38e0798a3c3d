"""Fusion of ranked lists as pure functions."""

from __future__ import annotations

from .hits import Hits

# k=60 is the constant of Cormack et al. (2009): it damps the head of each list so
# that one retriever's first place cannot outvote agreement further down.
RRF_K = 60
# (lexical, dense) weights of the convex combination the bot uses. Syllable BM25
# with phrases is the stronger retriever on Vietnamese legal text; the dense side
# adds paraphrase recall. On ALQAC 2024 every lexical weight from 0.5 to 0.8 beats
# both retrievers alone; 0.7 is the best of them (see README, Benchmarks).
HYBRID_WEIGHTS = (0.7, 0.3)


def reciprocal_rank_fusion(lists: list[Hits], weights: list[float] | None = None, k: int = RRF_K) -> Hits:
    """Fuse ranked lists: ``score(id) = sum_i w_i / (k + rank_i(id))``, ranks from 1.

    :param lists: ranked hits from each retriever
    :param weights: one weight per list, default 1.0 each
    """
    weights = _check_weights(lists, weights)
    scores: dict[int, float] = {}
    for hits, w in zip(lists, weights):
        for rank, pid in enumerate(hits.ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + w / (k + rank)
    return _ranked(scores)


def convex_fusion(lists: list[Hits], weights: list[float] | None = None) -> Hits:
    """Fuse by a weighted sum of min-max normalised scores; an id missing from a list gets 0 there.

    Unlike RRF this keeps each retriever's margins: a BM25 winner far ahead of the
    rest stays ahead (Bruch et al., 2022, found it beats RRF for hybrid retrieval).

    :param lists: hits with higher-is-better scores
    :param weights: one weight per list, default equal
    """
    weights = _check_weights(lists, weights)
    scores: dict[int, float] = {}
    for hits, w in zip(lists, weights):
        if not hits.ids:
            continue
        lo, hi = min(hits.scores), max(hits.scores)
        span = hi - lo
        for pid, s in zip(hits.ids, hits.scores):
            # A list whose scores are all equal gives every id full marks.
            norm = (s - lo) / span if span > 0 else 1.0
            scores[pid] = scores.get(pid, 0.0) + w * norm
    return _ranked(scores)


def _check_weights(lists: list[Hits], weights: list[float] | None) -> list[float]:
    weights = list(weights) if weights is not None else [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"got {len(weights)} weights for {len(lists)} lists; give one weight per list")
    return weights


def _ranked(scores: dict[int, float]) -> Hits:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return Hits([pid for pid, _ in ranked], [s for _, s in ranked])
