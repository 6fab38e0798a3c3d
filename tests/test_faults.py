"""Faults: a process killed with SIGKILL in the middle of an ingest or a reindex."""

import os
import signal
import subprocess
import sys
import time

import pytest

from knowledge.answering import answer
from knowledge.store import KnowledgeBase, bundled_corpus

pytestmark = pytest.mark.integration

BIG = bundled_corpus() / "national" / "nq-03-NQ-CP-2025.md"  # 270 passages: seconds of embedding


def _consistent(data_dir) -> KnowledgeBase:
    """Reopen the knowledge base and check that nothing is half present."""
    kb = KnowledgeBase(data_dir)
    conn = kb.reader()
    passages = {r[0] for r in conn.execute("SELECT id FROM passages")}
    assert {r[0] for r in conn.execute("SELECT rowid FROM passages_fts")} == passages
    assert conn.execute("SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)").fetchone()[0] == 0
    for doc_id, n in conn.execute("SELECT id, passages FROM documents"):
        assert conn.execute("SELECT count(*) FROM passages WHERE doc_id = ?", (doc_id,)).fetchone()[0] == n
    kb.warm_up()  # checks the dense index against the database and repairs it
    assert kb.dense.ids() == passages
    return kb


def _kill_after(args, data_dir, seconds: float) -> bool:
    """Run ``cdsbot ARGS`` and SIGKILL it after ``seconds``; True if it was still working then."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": os.getcwd(), "CDSBOT_BUNDLED_VECTORS": "off"})
    time.sleep(seconds)
    running = proc.poll() is None
    if running:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return running


@pytest.mark.parametrize("seconds", [4.0, 9.0])
def test_killed_ingest_leaves_the_knowledge_base_consistent(small_data_dir, tmp_path, seconds):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data, symlinks=True)
    # A title of its own changes every passage's context, so no shipped vector fits: it must embed.
    big = tmp_path / BIG.name
    big.write_text("---\ntitle: Bản thử nghiệm của Nghị quyết 03/NQ-CP\n---\n" + BIG.read_text(encoding="utf-8"),
                   encoding="utf-8")
    assert _kill_after(["ingest", "--silent", str(big)], data, seconds), "ingest finished before the kill"
    kb = _consistent(data)
    sources = [d["source"] for d in kb.documents()]
    assert sources.count(big.name) <= 1  # all of it or none of it
    ans = answer(kb, "VNPT có bao nhiêu trạm phát sóng ở huyện Bảo Lâm?")
    assert "39" in ans.text and ans.sources[0].doc == "004_8f396a99f2f370ab.txt"
    kb.close()


@pytest.mark.parametrize("seconds", [3.5, 6.0])
def test_killed_reindex_leaves_the_knowledge_base_consistent(small_data_dir, tmp_path, seconds):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data, symlinks=True)
    # Without cached vectors the reindex must embed every passage again: long enough to be killed.
    kb = KnowledgeBase(data)
    with kb.transaction() as conn:
        conn.execute("DELETE FROM embeddings")
    kb.close()
    assert _kill_after(["reindex", "--silent"], data, seconds), "reindex finished before the kill"
    kb = _consistent(data)
    ans = answer(kb, "Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?")
    assert "80%" in ans.text
    kb.close()
