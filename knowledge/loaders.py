"""Turn a file into plain text. Each format has a well-kept library behind it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class LoaderError(Exception):
    """A file could not be read as a document; the message names the file and why."""


@dataclass
class RawDocument:
    source: str  # file name, as users and the evaluation refer to it
    text: str
    title: str | None = None  # when the format carries one (HTML <title>, DOCX core properties)
    markdown: bool = False  # headings and tables are in markdown syntax


def load_bytes(name: str, data: bytes) -> RawDocument:
    """Read ``data`` as the format its file ``name`` announces.

    :raises LoaderError: unsupported type, empty, corrupt or misnamed file
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise LoaderError(f"{name}: chưa hỗ trợ loại tệp {suffix or '(không có đuôi)'}; "
                          f"hãy dùng {', '.join(SUPPORTED)}")
    if not data.strip():
        raise LoaderError(f"{name}: tệp rỗng")
    reader = {".txt": _text, ".md": _text, ".html": _html, ".htm": _html, ".pdf": _pdf, ".docx": _docx}[suffix]
    doc = reader(name, data)
    if not doc.text.strip():
        raise LoaderError(f"{name}: không tìm thấy chữ trong tệp")
    return doc


def load_file(path: Path | str) -> RawDocument:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoaderError(f"{path}: không đọc được tệp ({e.strerror})") from e
    return load_bytes(path.name, data)


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise LoaderError(f"{name}: là tệp nhị phân, không phải văn bản")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoaderError(f"{name}: không phải văn bản UTF-8 (byte {e.start}); hãy lưu lại dạng UTF-8") from e


def _text(name: str, data: bytes) -> RawDocument:
    return RawDocument(name, _decode(name, data), markdown=name.lower().endswith(".md"))


def _html(name: str, data: bytes) -> RawDocument:
    import trafilatura

    html = _decode(name, data)
    if "<" not in html:
        raise LoaderError(f"{name}: không phải trang HTML")
    # trafilatura finds the main text and drops menus, scripts, comments and related-links lists.
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True,
                               output_format="markdown")
    if not text:
        raise LoaderError(f"{name}: không tìm thấy nội dung chính trong trang HTML")
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta and meta.title else None
    return RawDocument(name, text, title=title, markdown=True)


def _pdf(name: str, data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise LoaderError(f"{name}: không phải tệp PDF (nội dung không khớp đuôi .pdf)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(f"{name}: PDF có mật khẩu; hãy gửi bản không đặt mật khẩu")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoaderError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as e:
        raise LoaderError(f"{name}: tệp PDF bị hỏng ({e})") from e
    text = "\n\n".join(p.strip() for p in pages)
    if not text.strip():
        raise LoaderError(f"{name}: không tìm thấy chữ trong PDF (có thể là ảnh quét); "
                          "hãy gửi PDF có lớp chữ hoặc đã nhận dạng ký tự (OCR)")
    return RawDocument(name, text)


def _docx(name: str, data: bytes) -> RawDocument:
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoaderError(f"{name}: không phải tệp DOCX (nội dung không khớp đuôi .docx)")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile... for broken packages
        raise LoaderError(f"{name}: tệp DOCX bị hỏng ({e})") from e
    lines = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = docx.text.paragraph.Paragraph(block, document)
            text = para.text.strip()
            style = (para.style.name or "") if para.style is not None else ""
            if text and style.startswith(("Heading", "Title")):
                level = int(style[-1]) if style[-1].isdigit() else 1
                lines += ["#" * level + " " + text, ""]
            elif text:
                lines += [text, ""]
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            for i, row in enumerate(table.rows):
                cells = [c.text.strip().replace("\n", " ").replace("|", "/") for c in row.cells]
                lines.append("| " + " | ".join(cells) + " |")
                if i == 0:
                    lines.append("|" + "---|" * len(cells))
            lines.append("")
    title = document.core_properties.title or None
    return RawDocument(name, "\n".join(lines), title=title, markdown=True)
