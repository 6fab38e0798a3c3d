"""Test documents built in memory: PDFs (with text, scanned, password-protected) and DOCX."""

from __future__ import annotations

import io

import docx
import pypdf


def _pdf(page_resources: bytes, content: bytes, extra: list[bytes], content_filter: bytes = b"") -> bytes:
    """A one-page PDF written by hand (offsets computed); ``extra`` objects are numbered from 5."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources " + page_resources + b" >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), content_filter) + content + b"\nendstream",
        *extra,
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


def text_pdf(text: str) -> bytes:
    """A PDF with ``text`` (ASCII) in a standard font."""
    return _pdf(b"<< /Font << /F1 5 0 R >> >>", f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode(),
                [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def scanned_pdf() -> bytes:
    """A PDF whose page is only an image, as a scanner makes it: no text layer."""
    pixels = bytes(range(0, 256, 16)) * 16  # 16 x 16 grey gradient
    image = (b"<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream")
    return _pdf(b"<< /XObject << /Im1 5 0 R >> >>", b"q 400 0 0 400 100 300 cm /Im1 Do Q", [image])


def protected_pdf(text: str, password: str = "mat-khau") -> bytes:
    """A text PDF that opens only with ``password``."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(text_pdf(text)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_file(paragraphs: list[str], heading: str, table: list[list[str]] | None = None) -> bytes:
    """A DOCX with a heading, paragraphs and a table (by default, of two rows)."""
    document = docx.Document()
    document.add_heading(heading, level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    rows = table or [["Chỉ tiêu", "Kết quả"], ["Kinh tế số", "20% GRDP"]]
    grid = document.add_table(rows=len(rows), cols=len(rows[0]))
    for cells, values in zip(grid.rows, rows):
        for cell, value in zip(cells.cells, values):
            cell.text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def html_page(title: str, body: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><nav>Trang chủ</nav><article><h1>{title}</h1>"
            f"<p>{body}</p></article></body></html>").encode()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_with_body(body_xml: bytes) -> bytes:
    """A real .docx package whose word/document.xml body is ``body_xml`` (for hostile documents)."""
    import zipfile

    base = io.BytesIO()
    docx.Document().save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "word/document.xml":
                dst.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {_W}><w:body>'.encode()
                             + body_xml + b"</w:body></w:document>")
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def flate_bomb_pdf(megabytes: int = 90) -> bytes:
    """A small PDF whose one text stream inflates to ``megabytes`` MB (a decompression bomb)."""
    import zlib

    line = b"BT /F1 12 Tf 72 720 Td (chuyen doi so) Tj ET\n"
    stream = zlib.compress(line * (megabytes * 1024 * 1024 // len(line)), 9)
    return _pdf(b"<< /Font << /F1 5 0 R >> >>", stream, [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"],
                b" /Filter /FlateDecode")


# A provincial decision typed as plain text: issuing body, number, place and date, the kind line
# and its subject, articles, a signature block, then the regulation it issues with its chapters.
QUANG_NINH_DECISION = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH

Số: 1234/QĐ-UBND

Quảng Ninh, ngày 05 tháng 8 năm 2025

QUYẾT ĐỊNH
Ban hành Quy chế vận hành Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh

Điều 1. Ban hành kèm theo Quyết định này Quy chế vận hành Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh.

Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày 15 tháng 8 năm 2025.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Hải

QUY CHẾ
Vận hành Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Quảng Ninh

Chương I
QUY ĐỊNH CHUNG

Điều 1. Cơ quan vận hành
Sở Khoa học và Công nghệ là cơ quan vận hành Hệ thống.

Điều 2. Sao lưu dữ liệu
Dữ liệu của Hệ thống được sao lưu hằng ngày; bản sao lưu được lưu trữ tối thiểu 12 tháng.
"""
