"""Ingestion an admin can trust: every format, bounded expansion, safe names, per-file results."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cli import cli
from index.embedder import Embedder
from knowledge.loaders import Limits, LimitError, LoaderError, clean_name, load_bytes
from knowledge.store import (BUNDLED_VECTORS, KnowledgeBase, bundled_corpus, bundled_files, expand_paths,
                             load_vector_table, prepare_document)
from tests.documents import QUANG_NINH_DECISION, docx_file, docx_with_body, flate_bomb_pdf, html_page, text_pdf

ARTICLE = ("Tỉnh Lạng Sơn đặt mục tiêu đến năm 2025 có 80% hồ sơ thủ tục hành chính được xử lý "
           "trực tuyến và 100% cơ quan nhà nước dùng chữ ký số.")


@pytest.mark.parametrize("name,data,expected", [
    ("a.txt", ARTICLE.encode(), "80% hồ sơ"),
    ("a.md", f"# Kế hoạch\n\n{ARTICLE}".encode(), "80% hồ sơ"),
    ("a.html", html_page("Kế hoạch chuyển đổi số Lạng Sơn", ARTICLE), "80% hồ sơ"),
    ("a.htm", html_page("Kế hoạch chuyển đổi số Lạng Sơn", ARTICLE), "80% hồ sơ"),
    ("a.pdf", text_pdf("Lang Son dat muc tieu 80% ho so truc tuyen"), "80% ho so"),
    ("a.docx", docx_file([ARTICLE], "Kế hoạch chuyển đổi số"), "80% hồ sơ"),
])
def test_every_supported_format_loads_through_the_installed_libraries(name, data, expected):
    assert expected in load_bytes(name, data).text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(encoding):
    data = ARTICLE.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert load_bytes("a.txt", data).text == ARTICLE


def test_a_docx_of_millions_of_empty_paragraphs_fails_on_the_paragraph_limit():
    bomb = docx_with_body(b"<w:p/>" * 200_000)
    with pytest.raises(LimitError, match="đoạn văn") as err:
        load_bytes("bomb.docx", bomb, Limits(max_paragraphs=1000))
    assert "bomb.docx" in str(err.value) and "1.000" in str(err.value)


def test_a_docx_that_unpacks_to_far_more_than_its_size_is_refused():
    bomb = docx_with_body(b"<w:p><w:r><w:t>" + b" " * 5_000_000 + b"</w:t></w:r></w:p>")
    assert len(bomb) < 100_000
    with pytest.raises(LimitError, match="giải nén"):
        load_bytes("spaces.docx", bomb, Limits(max_mb=1, max_chars=10_000))


def test_text_over_the_character_limit_names_the_limit():
    with pytest.raises(LimitError, match="CDSBOT_MAX_TEXT_CHARS"):
        load_bytes("long.txt", ("chuyển đổi số " * 1000).encode(), Limits(max_chars=5000))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(LimitError, match="1 MB"):
        load_bytes("big.txt", b"a" * (1024 * 1024 + 1), Limits(max_mb=1))


def test_passage_limit_is_checked_before_embedding():
    text = "\n\n".join(f"Đoạn {i}: tỉnh đặt mục tiêu {i}% hồ sơ được xử lý trực tuyến trên môi trường mạng "
                       f"với nhiều nội dung khác nhau để tách đoạn." * 3 for i in range(40))
    with pytest.raises(LimitError, match="CDSBOT_MAX_PASSAGES"):
        prepare_document("many.txt", text.encode(), Limits(max_passages=10))


def test_a_pdf_stream_that_inflates_to_gigabytes_fails_fast():
    with pytest.raises(LimitError, match="quá lớn"):
        load_bytes("bomb.pdf", flate_bomb_pdf(90))


def test_a_pdf_that_is_not_a_pdf_inside_fails_with_a_reason():
    with pytest.raises(LoaderError, match="bị hỏng"):
        load_bytes("x.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF")


@pytest.mark.parametrize("raw,shown", [
    ("ke\u202ehoach.pdf", "kehoach.pdf"),  # right-to-left override
    ("a\nb.txt", "a b.txt"),
    ("\x1b[31mred\x1b[0m.md", "[31mred[0m.md"),
    ("../../etc/passwd.txt", "etc/passwd.txt"),
    ("hoà.txt", "hoà.txt"),
])
def test_file_names_are_cleaned_of_control_and_bidi_characters(raw, shown):
    assert clean_name(raw) == shown


def test_a_title_line_is_not_glued_to_the_first_sentence():
    text = "Lạng Sơn đẩy mạnh chuyển đổi số năm 2025\n\n08:04, 27/04/2025\n\n" + ARTICLE
    doc = prepare_document("tin.txt", text.encode())
    assert doc.meta.title == "Lạng Sơn đẩy mạnh chuyển đổi số năm 2025"
    assert doc.meta.date == "2025-04-27"
    assert doc.passages[0].text.startswith("Tỉnh Lạng Sơn")


def test_a_news_pages_masthead_and_update_stamp_are_neither_its_title_its_date_nor_its_text():
    text = ("Báo Lạng Sơn điện tử\nCập nhật lúc 14:20, Thứ Tư, 21/01/2026\nChia sẻ: Facebook | Zalo\n\n"
            "Lạng Sơn đẩy mạnh chuyển đổi số năm 2026\n\nNgày 16/01/2026, " + ARTICLE)
    doc = prepare_document("tin.txt", text.encode())
    assert doc.meta.title == "Lạng Sơn đẩy mạnh chuyển đổi số năm 2026"
    assert doc.meta.date == "2026-01-16"
    assert not any("Cập nhật" in p.text or "Báo Lạng Sơn" in p.text for p in doc.passages)


def test_a_page_without_a_headline_gets_a_title_not_a_cut_sentence():
    doc = prepare_document("tin.txt", ("(LSO) - " + ARTICLE + " Kế hoạch 12/KH-UBND nêu rõ lộ trình. "
                                       "Lạng Sơn giao Sở Khoa học và Công nghệ chủ trì.").encode())
    assert doc.meta.title == "Bài báo về Kế hoạch 12/KH-UBND (Lạng Sơn)"


def test_a_plain_text_decision_is_titled_by_its_kind_line_and_its_chapters_head_its_articles():
    doc = prepare_document("qd-1234.txt", QUANG_NINH_DECISION.encode())
    assert doc.meta.kind == "decision" and doc.meta.numbers[0] == "1234/QĐ-UBND"
    assert doc.meta.title == ("Quyết định: Ban hành Quy chế vận hành Hệ thống thông tin giải quyết thủ tục "
                              "hành chính tỉnh Quảng Ninh")  # not "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"
    headings = [p.heading for p in doc.passages]
    assert "Chương I. QUY ĐỊNH CHUNG — Điều 1. Cơ quan vận hành" in headings


def test_the_province_a_title_names_is_the_documents_first_however_often_others_are_named():
    text = ("# Tuyên Quang ban hành Kế hoạch chuyển đổi số năm 2026\n\nKế hoạch đầu tiên của tỉnh sau khi hợp nhất "
            "với tỉnh Hà Giang. 60 thôn của Hà Giang cũ được phủ sóng. Dữ liệu của Hà Giang cũ được chuyển về tỉnh.\n")
    assert prepare_document("tq.md", text.encode()).meta.provinces == ["Tuyên Quang", "Hà Giang"]


def test_a_decision_whose_body_has_headings_is_titled_by_its_kind_line():
    text = ("ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH\n\nSố: 2150/QĐ-UBND\n\nQUYẾT ĐỊNH\n\nPhê duyệt Đề án phát triển "
            "chính quyền số tỉnh Quảng Bình\n\n# I. MỤC TIÊU\n\n## 1. Mục tiêu chung\n\nXây dựng chính quyền số.\n")
    doc = prepare_document("qd-2150.md", text.encode())
    assert doc.meta.title == "Quyết định: Phê duyệt Đề án phát triển chính quyền số tỉnh Quảng Bình"  # not "I. mục tiêu: …"
    assert doc.meta.kind == "decision"


def test_same_named_files_from_different_folders_are_two_keys(tmp_path):
    for sub in ("ha-noi", "hue"):
        (tmp_path / "docs" / sub).mkdir(parents=True)
        (tmp_path / "docs" / sub / "ke-hoach.txt").write_text(ARTICLE.replace("Lạng Sơn", sub))
    (tmp_path / "one.md").write_text(ARTICLE)
    keys = [key for _, key in expand_paths([tmp_path / "docs", tmp_path / "one.md"])]
    assert keys == ["ha-noi/ke-hoach.txt", "hue/ke-hoach.txt", "one.md"]


def test_shipped_vectors_cover_every_bundled_passage():
    """Fails when chunking or the bundled corpus changed: run `make vectors` to ship new vectors."""
    table = load_vector_table(BUNDLED_VECTORS, Embedder().name)
    assert table, f"{BUNDLED_VECTORS} is missing or made by another model; run `make vectors`"
    for path, key in bundled_files():
        missing = set(prepare_document(key, path.read_bytes()).hashes) - set(table)
        assert not missing, f"{key}: {len(missing)} passages have no shipped vector; run `make vectors`"


@pytest.mark.integration
def test_shipped_vectors_are_what_the_model_produces(model_cache):
    table = load_vector_table(BUNDLED_VECTORS, Embedder().name)
    doc = prepare_document("000.txt", (bundled_corpus() / "seeds" / "000_bc48ced55e259a1c.txt").read_bytes())
    sample = [(h, c) for h, c in zip(doc.hashes, doc.contexts)][:6]
    fresh = Embedder(cache_dir=model_cache).encode_passages([c for _, c in sample])
    cosines = [float(np.dot(table[h], v)) for (h, _), v in zip(sample, fresh)]
    assert min(cosines) >= 0.999, cosines


@pytest.mark.integration
def test_read_only_commands_do_not_load_the_model(empty_kb, tmp_path):
    kb = empty_kb
    kb._meta_set("default_corpus_loaded", "test")
    kb.ingest_bytes("tin.txt", ARTICLE.encode())  # its passage has no shipped vector: embeds (model loads)
    kb.close()
    kb = KnowledgeBase(kb.data_dir)
    assert [d["source"] for d in kb.documents()] == ["tin.txt"]
    assert kb.remove(kb.documents()[0]["id"])
    assert kb.embedder._st is None  # listing and removing never loaded the model
    kb.close()


@pytest.mark.integration
def test_cli_ingest_reports_each_file_and_fails_only_the_bad_ones(model_cache, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").symlink_to(model_cache / "models", target_is_directory=True)
    kb = KnowledgeBase(data)
    kb._meta_set("default_corpus_loaded", "test")
    kb.close()
    folder = tmp_path / "tai-lieu"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "ke-hoach.txt").write_text("Kế hoạch chuyển đổi số Lạng Sơn\n\n" + ARTICLE)
    (folder / "b" / "ke-hoach.txt").write_text("Kế hoạch chuyển đổi số Cao Bằng\n\n" + ARTICLE.replace("Lạng Sơn", "Cao Bằng"))
    (folder / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    (folder / "trang.html").write_bytes(html_page("Tin Lạng Sơn", ARTICLE.replace("80%", "85%")))
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "ingest", str(folder), "--silent"], obj={})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1] == "Tổng: 4 tệp — 3 đã thêm, 0 đã cập nhật, 0 không đổi, 1 lỗi"
    assert any(line.startswith("✗ hong.pdf") and "bị hỏng" in line for line in lines)
    assert "Traceback" not in result.output and "Error" not in result.output
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "ingest", str(folder), "--json"], obj={})
    files = json.loads(result.output)["files"]
    assert [(f["source"], f["status"]) for f in files] == [
        ("a/ke-hoach.txt", "unchanged"), ("b/ke-hoach.txt", "unchanged"), ("hong.pdf", "failed"),
        ("trang.html", "unchanged")]
    docs = CliRunner().invoke(cli, ["--data-dir", str(data), "docs", "--json"], obj={})
    assert len(json.loads(docs.output)) == 3


def test_cli_errors_are_in_vietnamese(tmp_path):
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "ask"], obj={})
    assert result.exit_code != 0 and result.output.startswith("Lỗi: hãy gõ câu hỏi")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "ingest", str(tmp_path / "khong-co")],
                                obj={})
    assert result.exit_code == 1 and "không có tệp hay thư mục này" in result.output
