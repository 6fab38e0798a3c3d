"""Test documents built in memory: PDFs (with text, scanned, password-protected) and DOCX."""

from __future__ import annotations

import io

import docx
import pypdf


def _pdf(page_resources: bytes, content: bytes, extra: list[bytes]) -> bytes:
    """A one-page PDF written by hand (offsets computed); ``extra`` objects are numbered from 5."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources " + page_resources + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
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


def docx_file(paragraphs: list[str], heading: str) -> bytes:
    """A DOCX with a heading, paragraphs and a two-row table."""
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
