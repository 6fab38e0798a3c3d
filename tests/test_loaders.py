import io

import docx
import pytest

from knowledge.loaders import LoaderError, load_bytes


def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in a standard font, written by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _docx(paragraphs: list[str], heading: str) -> bytes:
    document = docx.Document()
    document.add_heading(heading, level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Chỉ tiêu", "Kết quả"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Kinh tế số", "20% GRDP"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


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
    doc = load_bytes("plan.pdf", _pdf("Ke hoach chuyen doi so 2025"))
    assert "Ke hoach chuyen doi so 2025" in doc.text


def test_docx_keeps_headings_paragraphs_and_tables():
    doc = load_bytes("plan.docx", _docx(["Mục tiêu: 100% hồ sơ xử lý trên môi trường mạng."], "Kế hoạch 313"))
    assert "# Kế hoạch 313" in doc.text
    assert "100% hồ sơ" in doc.text
    assert "| Kinh tế số | 20% GRDP |" in doc.text


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"   \n\n ", "empty"),
    ("report.xlsx", b"PK\x03\x04", "unsupported"),
    ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "corrupt"),
    ("zip.pdf", b"PK\x03\x04 a zip file", "not a PDF"),
    ("page.docx", b"<html><body>HTML, not DOCX</body></html>", "not a DOCX"),
    ("latin1.txt", "Kinh tế".encode("cp1258", errors="replace") + b"\xff\xfe", "UTF-8"),
    ("binary.txt", b"\x00\x01\x02binary", "binary"),
])
def test_bad_files_get_an_error_naming_them(name, data, reason):
    with pytest.raises(LoaderError) as err:
        load_bytes(name, data)
    assert name in str(err.value)
    assert reason.lower() in str(err.value).lower()
