import pytest

from knowledge.loaders import LoaderError, load_bytes
from tests.documents import docx_file, protected_pdf, scanned_pdf, text_pdf


def test_txt_is_read_as_utf8():
    doc = load_bytes("a.txt", "Kinh tế số chiếm 20% GRDP.".encode())
    assert doc.text == "Kinh tế số chiếm 20% GRDP."


def test_md_is_marked_as_markdown():
    assert load_bytes("a.md", b"# Title\n\nBody").markdown


def test_html_keeps_the_article_and_drops_scripts_and_menus():
    html = """<html><head><title>Kế hoạch chuyển đổi số</title><script>alert('x')</script></head><body>
      <nav><a href="/">Trang chủ</a> <a href="/tin">Tin tức</a></nav>
      <article><h1>Kế hoạch chuyển đổi số</h1>
      <p>Tỉnh đặt mục tiêu 100% thủ tục hành chính đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình.</p>
      <p>Kinh tế số chiếm 20% GRDP vào năm 2025, theo kế hoạch của Ủy ban nhân dân tỉnh.</p></article>
      <script>var tracking = 'secret';</script></body></html>"""
    doc = load_bytes("page.html", html.encode())
    assert "20% GRDP" in doc.text
    assert "tracking" not in doc.text and "alert" not in doc.text
    assert doc.title == "Kế hoạch chuyển đổi số"


def test_pdf_text_is_extracted():
    doc = load_bytes("plan.pdf", text_pdf("Ke hoach chuyen doi so 2025"))
    assert "Ke hoach chuyen doi so 2025" in doc.text


def test_docx_keeps_headings_paragraphs_and_tables():
    doc = load_bytes("plan.docx", docx_file(["Mục tiêu: 100% hồ sơ xử lý trên môi trường mạng."], "Kế hoạch 313"))
    assert "# Kế hoạch 313" in doc.text
    assert "100% hồ sơ" in doc.text
    assert "| Kinh tế số | 20% GRDP |" in doc.text


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "rỗng"),
    ("blank.md", b"   \n\n ", "rỗng"),
    ("report.xlsx", b"PK\x03\x04", "chưa hỗ trợ"),
    ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "bị hỏng"),
    ("zip.pdf", b"PK\x03\x04 a zip file", "không phải tệp PDF"),
    ("page.docx", b"<html><body>HTML, not DOCX</body></html>", "không phải tệp DOCX"),
    ("locked.pdf", protected_pdf("Ke hoach chuyen doi so"), "mật khẩu"),
    ("scan.pdf", scanned_pdf(), "ảnh quét"),
    ("latin1.txt", "Kinh tế".encode("cp1258", errors="replace") + b"\xff\xfe", "UTF-8"),
    ("binary.txt", b"\x00\x01\x02binary", "nhị phân"),
])
def test_bad_files_get_an_error_naming_them(name, data, reason):
    with pytest.raises(LoaderError) as err:
        load_bytes(name, data)
    assert name in str(err.value)
    assert reason.lower() in str(err.value).lower()
