import json

import pytest
from click.testing import CliRunner

from bot.cli import cli

pytestmark = pytest.mark.integration


def _run(data_dir, *args, input=None):
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], obj={}, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_ask_prints_answer_and_sources(full_data_dir):
    out = _run(full_data_dir, "ask", "GRDP là gì?")
    assert "tổng sản phẩm" in out and "Nguồn:" in out


def test_ask_json_is_structured(full_data_dir):
    data = json.loads(_run(full_data_dir, "ask", "Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản "
                                                  "thanh toán điện tử?", "--json"))
    assert data["abstained"] is False
    assert data["sources"][0]["doc"] == "002_30858e28ea88c176.txt"
    assert "80%" in data["text"]


def test_ask_batch_writes_one_line_per_question(full_data_dir, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "a", "q": "GRDP là gì?"}\n{"id": "b", "q": "Mục tiêu 2025 của tỉnh tôi?", '
                     '"province": "Daklak"}\n', encoding="utf-8")
    lines = [json.loads(x) for x in _run(full_data_dir, "ask", "--batch", str(batch)).splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    assert lines[1]["sources"][0]["doc"] == "001_dc04054d930ad9da.txt"
    assert {"doc", "title", "score"} <= set(lines[0]["sources"][0])


def test_ask_batch_answers_each_session_as_a_conversation(full_data_dir, tmp_path):
    batch = tmp_path / "q.jsonl"
    rows = [{"id": "1", "session": "s", "q": "Đắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP vào năm 2025?"},
            {"id": "x", "q": "còn năm 2030 thì sao?"},  # no session: independent
            {"id": "2", "session": "s", "q": "còn năm 2030 thì sao?"}]
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    lines = {x["id"]: x for x in map(json.loads, _run(full_data_dir, "ask", "--batch", str(batch)).splitlines())}
    assert "30% GRDP" in lines["2"]["answer"] and "Đắk Lắk" in lines["2"]["reading"]
    assert lines["x"]["reading"] is None


def test_eval_reports_the_metrics(full_data_dir, tmp_path):
    qs = tmp_path / "dev.jsonl"
    qs.write_text('{"id": "1", "q": "GRDP là gì?", "doc": "grdp-dinh-danh-chu-ky-so.md", "must": [["tổng sản phẩm"]]}\n'
                  '{"id": "2", "q": "Giá vàng hôm nay?", "abstain": true}\n', encoding="utf-8")
    report = json.loads(_run(full_data_dir, "eval", str(qs), "--json"))
    assert report["accuracy"] == 1.0 and report["source@1"] == 1.0 and report["abstain_recall"] == 1.0
    assert report["latency_p95_ms"] > 0
    plain = json.loads(_run(full_data_dir, "eval", str(qs), "--without-marks", "--json", "--details"))
    assert [d["q"] for d in plain["details"]] == ["grdp la gi?", "gia vang hom nay?"]
    assert plain["accuracy"] == 1.0


def test_ingest_docs_remove_reindex_round_trip(model_cache, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").symlink_to(model_cache / "models", target_is_directory=True)
    from knowledge.store import KnowledgeBase
    kb = KnowledgeBase(data)  # skip the bundled corpus: this test adds its own document
    kb._meta_set("default_corpus_loaded", "test")
    kb.close()
    doc = tmp_path / "ke-hoach-thai-nguyen.md"
    doc.write_text("# Kế hoạch 99/KH-UBND về chuyển đổi số tỉnh Thái Nguyên\n\nNgày 05/03/2025.\n\n"
                   "Tỉnh Thái Nguyên phấn đấu đến năm 2025 có 95% hồ sơ thủ tục hành chính được số hóa. "
                   "Thái Nguyên xây dựng trung tâm điều hành thông minh IOC.\n", encoding="utf-8")
    out = _run(data, "ingest", str(doc), "--silent")
    assert "đã thêm" in out and "Thái Nguyên" in out
    docs = json.loads(_run(data, "docs", "--json"))
    assert docs[0]["numbers"][0] == "99/KH-UBND" and docs[0]["kind"] == "plan"
    assert "95%" in _run(data, "ask", "Thái Nguyên số hóa bao nhiêu phần trăm hồ sơ thủ tục hành chính?")
    assert "Đã lập lại chỉ mục" in _run(data, "reindex", "--silent")
    assert "Đã xoá" in _run(data, "remove", str(docs[0]["id"]))
    assert "95%" not in _run(data, "ask", "Thái Nguyên số hóa bao nhiêu phần trăm hồ sơ thủ tục hành chính?")


def test_unknown_document_id_is_a_clear_error(full_data_dir):
    result = CliRunner().invoke(cli, ["--data-dir", str(full_data_dir), "remove", "99999"], obj={})
    assert result.exit_code != 0 and "cdsbot docs" in result.output


def test_eval_retrieval_scores_a_beir_dataset(model_cache, tmp_path):
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"_id": "d1", "title": "Luật A - Điều 1", "text": "Chữ ký số là chữ ký điện tử sử dụng thuật toán khóa."},
        {"_id": "d2", "title": "Luật B - Điều 2", "text": "Người nghiện ma túy phải cai nghiện bắt buộc."},
    ]), encoding="utf-8")
    (beir / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "chu ky so la gi"}) + "\n", encoding="utf-8")
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n", encoding="utf-8")
    run = tmp_path / "run.trec"
    out = _run(model_cache, "eval-retrieval", str(beir), "--run-file", str(run), "--silent")
    assert "nDCG@10" in out and "1.0000" in out
    assert run.read_text().splitlines()[0].split()[:4] == ["q1", "Q0", "d1", "1"]


def test_chat_answers_and_quits(full_data_dir):
    out = _run(full_data_dir, "chat", input="/tinh daklak\nmuc tieu 2025 cua tinh toi ve dich vu cong truc tuyen\n"
                                           "/nguon\n👍\n/docs\n/thoat\n")
    assert "Đã lưu tỉnh của bạn: Đắk Lắk" in out
    assert "mức độ 4" in out
    assert "Cảm ơn bạn đã góp ý" in out
    assert "Văn bản (12), trang 1/2" in out  # the person at the terminal is an admin
    assert "Tạm biệt" in out


def test_chat_follow_up_continues_the_previous_question(full_data_dir):
    out = _run(full_data_dir, "chat", input="/moi\nĐắk Lắk muốn kinh tế số chiếm bao nhiêu GRDP vào năm 2025?\n"
                                           "còn năm 2030 thì sao?\n/moi\n/thoat\n")
    assert "Hiểu là:" in out and "30% GRDP" in out and "chủ đề mới" in out


def test_run_without_a_channel_falls_back_to_the_terminal_chat(full_data_dir, monkeypatch):
    monkeypatch.delenv("CDSBOT_TELEGRAM_TOKEN", raising=False)
    out = _run(full_data_dir, "run", input="GRDP là gì?\n/thoat\n")
    assert "Chưa cấu hình kênh nào" in out and "tổng sản phẩm" in out
