import pytest

from knowledge.answering import answer
from knowledge.loaders import LoaderError
from knowledge.store import KnowledgeBase

pytestmark = pytest.mark.integration


HA_TINH = ("Hà Tĩnh đặt mục tiêu năm 2026 có 90% hồ sơ trực tuyến toàn trình. "
           "Tỉnh xây dựng 120 điểm hỗ trợ người dân dùng dịch vụ công.").encode()


def _count(kb, table):
    return kb.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_ingest_reports_title_passages_and_provinces(empty_kb, seed_copy):
    result = empty_kb.ingest_path(seed_copy("001_dc04054d930ad9da.txt"))
    assert result.status == "added"
    assert result.passages > 3
    assert result.provinces == ["Đắk Lắk"]
    assert result.title == "Chuyển đổi số - cơ hội để bứt phá (kỳ 2)"


def test_same_content_again_does_no_work(empty_kb, seed_copy):
    path = seed_copy("003_1ed7c0f61383bb33.txt")
    empty_kb.ingest_path(path)
    embeddings = _count(empty_kb, "embeddings")
    again = empty_kb.ingest_path(path)
    assert again.status == "unchanged"
    assert _count(empty_kb, "embeddings") == embeddings
    assert len(empty_kb.documents()) == 1


def test_changed_file_replaces_its_old_version(empty_kb, seed_copy):
    path = seed_copy("003_1ed7c0f61383bb33.txt")
    first = empty_kb.ingest_path(path)
    path.write_text(path.read_text() + "\nBắc Ninh đặt mục tiêu 95% người dân dùng định danh điện tử.\n")
    second = empty_kb.ingest_path(path)
    assert second.status == "replaced"
    assert [d["id"] for d in empty_kb.documents()] == [second.doc_id] != [first.doc_id]
    assert len(empty_kb.dense) == _count(empty_kb, "passages")


def test_a_broken_file_stores_nothing(empty_kb, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(LoaderError, match="bad.pdf"):
        empty_kb.ingest_path(bad)
    assert empty_kb.documents() == []
    assert _count(empty_kb, "passages") == 0


def test_removed_document_never_appears_in_an_answer(small_kb_copy):
    question = "VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?"
    before = answer(small_kb_copy, question)
    assert before.sources[0].doc == "004_8f396a99f2f370ab.txt"
    assert small_kb_copy.remove(before.sources[0].doc_id)
    after = answer(small_kb_copy, question)
    assert all(s.doc != "004_8f396a99f2f370ab.txt" for s in after.sources)
    assert "39 trạm" not in after.text


def test_missing_dense_index_is_rebuilt_from_the_database(small_kb_copy):
    data_dir = small_kb_copy.data_dir
    n = len(small_kb_copy.dense)
    small_kb_copy.close()
    (data_dir / KnowledgeBase.INDEX_NAME).unlink()
    kb = KnowledgeBase(data_dir)
    kb.warm_up()
    assert len(kb.dense) == n
    assert answer(kb, "GRDP là gì?").sources[0].doc == "grdp-dinh-danh-chu-ky-so.md"
    kb.close()


def test_stale_dense_index_is_repaired(small_kb_copy):
    """A crash after the database commit but before the index save leaves the index behind."""
    data_dir = small_kb_copy.data_dir
    stale = (data_dir / KnowledgeBase.INDEX_NAME).read_bytes()
    # New bytes: the seeds are stored already, and the same bytes under another name add nothing.
    added = small_kb_copy.ingest_bytes("ha-tinh.txt", HA_TINH)
    assert added.status == "added"
    small_kb_copy.close()
    (data_dir / KnowledgeBase.INDEX_NAME).write_bytes(stale)  # as if the save never happened
    kb = KnowledgeBase(data_dir)
    kb.warm_up()
    assert kb.dense.ids() == {r[0] for r in kb.db.conn.execute("SELECT id FROM passages")}
    kb.close()


def test_a_document_added_by_the_cli_joins_the_index_without_a_warning(small_kb_copy, caplog):
    """`cdsbot ingest` stores passages without loading the index; the next process adds them
    from the embedding cache, which is the usual path and no fault to warn an admin about."""
    data_dir = small_kb_copy.data_dir
    small_kb_copy.close()  # its index is saved
    cli = KnowledgeBase(data_dir)  # no warm_up: as the CLI ingests
    added = cli.ingest_bytes("ha-tinh.txt", HA_TINH)
    assert added.status == "added"
    cli.close()
    kb = KnowledgeBase(data_dir)
    with caplog.at_level("INFO", logger="knowledge.store"):
        kb.warm_up()
    assert kb.dense.ids() == {r[0] for r in kb.db.conn.execute("SELECT id FROM passages")}
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    kb.close()


def test_index_from_another_model_is_rebuilt(small_kb_copy):
    from index.dense import DenseIndex

    data_dir = small_kb_copy.data_dir
    DenseIndex(small_kb_copy.embedder.dim, "some-other-model").save(data_dir / KnowledgeBase.INDEX_NAME)
    small_kb_copy.close()
    kb = KnowledgeBase(data_dir)
    kb.warm_up()
    assert len(kb.dense) == _count(kb, "passages") > 0
    kb.close()


def test_reindex_keeps_every_passage_searchable(small_kb_copy):
    n = small_kb_copy.reindex()
    assert n == _count(small_kb_copy, "passages") == len(small_kb_copy.dense)
    assert answer(small_kb_copy, "Bắc Ninh xây dựng chuyển đổi số dựa trên mấy trụ cột?").sources[0].doc == \
        "003_1ed7c0f61383bb33.txt"
