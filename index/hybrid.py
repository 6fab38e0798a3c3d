"""The one hybrid retriever: lexical and dense search over the same ids, fused.

The bot's answer pipeline and the retrieval benchmark (``cdsbot eval-retrieval``) both search
through it, so the figures the README reports are those of the retriever users get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .fusion import HYBRID_WEIGHTS, convex_fusion
from .hits import Hits


class HybridHits(NamedTuple):
    """What a hybrid search found: the fused ranking, the dense side alone (its scores are
    cosines, which the answer pipeline reads as closeness in meaning), and the query vector."""

    fused: Hits
    dense: Hits
    vector: np.ndarray


class HybridRetriever:
    """Lexical (BM25) and dense (cosine) search, fused by a convex combination.

    :param lexical: ``(query, k, allowed ids) -> Hits``
    :param dense: ``(query vector, k, allowed ids) -> Hits``
    :param encode: ``query -> vector``
    :param top_k: ids taken from each side before fusion
    :param weights: (lexical, dense) weights of the fusion
    """

    def __init__(self, lexical: Callable[[str, int, set[int] | None], Hits],
                 dense: Callable[[np.ndarray, int, set[int] | None], Hits], encode: Callable[[str], np.ndarray],
                 top_k: int = 40, weights: tuple[float, float] = HYBRID_WEIGHTS):
        if top_k <= 0:
            raise ValueError(f"top_k must be greater than 0. Currently, the top_k is {top_k}")
        if len(weights) != 2:
            raise ValueError(f"weights must be (lexical, dense). Currently, the weights are {weights!r}")
        self._lexical, self._dense, self._encode = lexical, dense, encode
        self.top_k, self.weights = top_k, tuple(weights)

    def run(self, query: str, allowed: set[int] | None = None, top_k: int | None = None,
            lexical_query: str | None = None) -> HybridHits:
        """Search ``query`` among ``allowed`` ids (all when None).

        :param lexical_query: what the lexical side searches instead, when it differs (more words)
        """
        k = top_k or self.top_k
        lexical = self._lexical(lexical_query or query, k, allowed)
        vector = self._encode(query)
        dense = self._dense(vector, k, allowed)
        return HybridHits(convex_fusion([lexical, dense], list(self.weights)), dense, vector)
