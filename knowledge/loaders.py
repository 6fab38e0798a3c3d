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
        raise LoaderError(f"{name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED)}")
    if not data.strip():
        raise LoaderError(f"{name}: the file is empty")
    reader = {".txt": _text, ".md": _text, ".html": _html, ".htm": _html, ".pdf": _pdf, ".docx": _docx}[suffix]
    doc = reader(name, data)
    if not doc.text.strip():
        raise LoaderError(f"{name}: no text found in the file")
    return doc


def load_file(path: Path | str) -> RawDocument:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoaderError(f"{path}: cannot read the file ({e.strerror})") from e
    return load_bytes(path.name, data)


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise LoaderError(f"{name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoaderError(f"{name}: not valid UTF-8 text (byte {e.start}); save it as UTF-8") from e


def _text(name: str, data: bytes) -> RawDocument:
    return RawDocument(name, _decode(name, data), markdown=name.lower().endswith(".md"))


def _html(name: str, data: bytes) -> RawDocument:
    import trafilatura

    html = _decode(name, data)
    if "<" not in html:
        raise LoaderError(f"{name}: does not look like HTML")
    # trafilatura finds the main text and drops menus, scripts, comments and related-links lists.
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True,
                               output_format="markdown")
    if not text:
        raise LoaderError(f"{name}: no main text found in the HTML page")
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta and meta.title else None
    return RawDocument(name, text, title=title, markdown=True)


def _pdf(name: str, data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise LoaderError(f"{name}: not a PDF file (wrong content for a .pdf name)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(f"{name}: the PDF is password-protected; send an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoaderError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as e:
        raise LoaderError(f"{name}: corrupt PDF ({e})") from e
    text = "\n\n".join(p.strip() for p in pages)
    if not text.strip():
        raise LoaderError(f"{name}: no text found in the PDF (scanned images?); send a PDF with a text layer")
    return RawDocument(name, text)


def _docx(name: str, data: bytes) -> RawDocument:
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoaderError(f"{name}: not a DOCX file (wrong content for a .docx name)")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile... for broken packages
        raise LoaderError(f"{name}: corrupt DOCX ({e})") from e
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
