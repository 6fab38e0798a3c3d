"""Turn a file into plain text. Each format has a well-kept library behind it.

Every reader is bounded by :class:`Limits`, checked while the file is read: a
small upload can expand enormously (a 459 KB .docx of 52 million empty
paragraphs, a PDF stream that inflates to gigabytes), so the compressed size
alone says nothing about the time and memory a file will cost.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

logger = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
_MB = 1024 * 1024


class LoaderError(Exception):
    """A file could not be read as a document; the message names the file and why."""


class LimitError(LoaderError):
    """A file expands past one of the ingestion limits; the message names the limit."""


@dataclass(frozen=True)
class Limits:
    """What one document may expand to. The defaults fit the largest real text we know
    (the 2.2 MB IT-law codification: 1.9 M characters, 2,800 passages) with room to spare,
    and stop a 20 MB upload from becoming 40,000 passages and an hour of embedding.

    :param max_mb: size of the file itself
    :param max_chars: characters of extracted text
    :param max_paragraphs: paragraphs (non-empty lines) of extracted text
    :param max_passages: passages after chunking; each one costs an embedding (~50 ms)
    """

    max_mb: float = 20
    max_chars: int = 4_000_000
    max_paragraphs: int = 100_000
    max_passages: int = 6_000

    def __post_init__(self):
        for name in ("max_mb", "max_chars", "max_paragraphs", "max_passages"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be greater than 0. Currently, the {name} is {getattr(self, name)}")

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * _MB)

    @property
    def max_unpacked_bytes(self) -> int:
        """Decompressed size of a .docx package: its XML is verbose, ~20 bytes per character of text."""
        return max(self.max_bytes, 20 * self.max_chars)

    def scaled_to(self, max_mb: float) -> "Limits":
        """The limits for a trusted admin's ``--max-mb``: every limit grows with the file size."""
        factor = max(1.0, max_mb / self.max_mb)
        return replace(self, max_mb=max_mb, max_chars=int(self.max_chars * factor),
                       max_paragraphs=int(self.max_paragraphs * factor),
                       max_passages=int(self.max_passages * factor))

    # Checks, each failing with the limit it enforces.
    def check_bytes(self, name: str, size: int) -> None:
        if size > self.max_bytes:
            raise LimitError(f"{name}: tệp quá lớn ({size / _MB:.1f} MB); giới hạn là {self.max_mb:g} MB "
                             "(CDSBOT_MAX_UPLOAD_MB, hoặc --max-mb với cdsbot ingest)")

    def check_chars(self, name: str, chars: int) -> None:
        if chars > self.max_chars:
            raise LimitError(f"{name}: nội dung quá dài (hơn {self.max_chars:,} ký tự); giới hạn là "
                             f"{self.max_chars:,} ký tự (CDSBOT_MAX_TEXT_CHARS)".replace(",", "."))

    def check_paragraphs(self, name: str, paragraphs: int) -> None:
        if paragraphs > self.max_paragraphs:
            raise LimitError(f"{name}: quá nhiều đoạn văn (hơn {self.max_paragraphs:,}); giới hạn là "
                             f"{self.max_paragraphs:,} đoạn văn (CDSBOT_MAX_PARAGRAPHS)".replace(",", "."))

    def check_passages(self, name: str, passages: int) -> None:
        if passages > self.max_passages:
            raise LimitError(f"{name}: văn bản tách ra {passages:,} đoạn, quá giới hạn {self.max_passages:,} đoạn "
                             "(CDSBOT_MAX_PASSAGES); hãy chia nhỏ văn bản".replace(",", "."))


def clean_name(name: str) -> str:
    """A file name safe to store and show: NFC, no control, format or bidi characters,
    no folder part beyond what the caller gave, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    # Line breaks become spaces; other control characters (ANSI escapes) and format
    # characters (bidi overrides, zero-width) are dropped.
    name = "".join(" " if ch in "\t\n\r" or unicodedata.category(ch) in ("Zl", "Zp") else ch for ch in name
                   if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\t\n\r")
    name = re.sub(r"\s+", " ", name).strip().strip("/")
    name = "/".join(part for part in name.split("/") if part not in ("", ".", ".."))
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 190] + "…." + suffix) if dot and len(suffix) <= 8 else name[:200]
    return name or "(không tên)"


@dataclass
class RawDocument:
    source: str  # file name, as users and the evaluation refer to it
    text: str
    title: str | None = None  # when the format carries one (HTML <title>, DOCX core properties)
    markdown: bool = False  # headings and tables are in markdown syntax


def load_bytes(name: str, data: bytes, limits: Limits = Limits()) -> RawDocument:
    """Read ``data`` as the format its file ``name`` announces, within ``limits``.

    :raises LoaderError: unsupported type, empty, corrupt or misnamed file
    :raises LimitError: the file, or what it expands to, is over a limit
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise LoaderError(f"{name}: chưa hỗ trợ loại tệp {suffix or '(không có đuôi)'}; "
                          f"hãy dùng {', '.join(SUPPORTED)}")
    limits.check_bytes(name, len(data))
    if not data.strip():
        raise LoaderError(f"{name}: tệp rỗng")
    reader = {".txt": _text, ".md": _text, ".html": _html, ".htm": _html, ".pdf": _pdf, ".docx": _docx}[suffix]
    doc = reader(name, data, limits)
    if not doc.text.strip():
        raise LoaderError(f"{name}: không tìm thấy chữ trong tệp")
    limits.check_chars(name, len(doc.text))
    limits.check_paragraphs(name, sum(1 for line in doc.text.splitlines() if line.strip()))
    return doc


def read_file(path: Path | str, limits: Limits = Limits()) -> bytes:
    """The bytes of ``path``, refused before reading when the file is over the size limit.

    :raises LoaderError: the file cannot be read
    :raises LimitError: it is larger than ``limits`` allow (a 200 MB file is never read into memory)
    """
    path = Path(path)
    try:
        limits.check_bytes(clean_name(path.name), path.stat().st_size)
        return path.read_bytes()
    except OSError as e:
        raise LoaderError(f"{clean_name(str(path))}: không đọc được tệp ({e.strerror})") from e


def load_file(path: Path | str, limits: Limits = Limits()) -> RawDocument:
    path = Path(path)
    return load_bytes(path.name, read_file(path, limits), limits)


# Byte-order marks, longest first: UTF-32 LE starts with the UTF-16 LE mark.
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decode(name: str, data: bytes, limits: Limits) -> str:
    # UTF-8 takes at least one byte per character, UTF-16 two: a file this large cannot fit.
    limits.check_chars(name, len(data) // 4)
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data[:4096]:
        raise LoaderError(f"{name}: là tệp nhị phân, không phải văn bản")
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoaderError(f"{name}: không phải văn bản {(encoding or 'UTF-8').upper().replace('-SIG', '')} "
                          f"(byte {e.start}); hãy lưu lại dạng UTF-8") from e
    limits.check_chars(name, len(text))
    return text


def _text(name: str, data: bytes, limits: Limits) -> RawDocument:
    return RawDocument(name, _decode(name, data, limits), markdown=name.lower().endswith(".md"))


def _html(name: str, data: bytes, limits: Limits) -> RawDocument:
    import trafilatura

    html = _decode(name, data, limits)
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


def _pdf(name: str, data: bytes, limits: Limits) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    if not data.lstrip().startswith(b"%PDF"):
        raise LoaderError(f"{name}: không phải tệp PDF (nội dung không khớp đuôi .pdf)")
    pages, chars = [], 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(f"{name}: PDF có mật khẩu; hãy gửi bản không đặt mật khẩu")
        for page in reader.pages:
            pages.append((page.extract_text() or "").strip())
            chars += len(pages[-1])
            limits.check_chars(name, chars)  # stop at the page that goes over, not after the last
    except LoaderError:
        raise
    except LimitReachedError as e:  # pypdf's own guard against decompression bombs
        raise LimitError(f"{name}: PDF chứa luồng dữ liệu giải nén ra quá lớn (có thể là tệp độc hại); "
                         "không đọc tiếp") from e
    except RecursionError as e:
        raise LoaderError(f"{name}: tệp PDF có cấu trúc lồng nhau quá sâu, không đọc được") from e
    except Exception as e:  # pypdf raises many kinds (PdfReadError, ValueError, KeyError, ...) for broken files
        logger.info("%s: pypdf could not read it: %s: %s", name, type(e).__name__, e)
        raise LoaderError(f"{name}: tệp PDF bị hỏng, không đọc được; hãy xuất lại PDF rồi gửi lại") from e
    text = "\n\n".join(pages)
    if not text.strip():
        raise LoaderError(f"{name}: không tìm thấy chữ trong PDF (có thể là ảnh quét); "
                          "hãy gửi PDF có lớp chữ hoặc đã nhận dạng ký tự (OCR)")
    return RawDocument(name, text)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_docx_package(name: str, data: bytes, limits: Limits) -> None:
    """Bound a .docx before python-docx parses it whole.

    zipfile never inflates a member past its declared size, so the declared sizes bound
    the memory; the body is then streamed once, counting paragraphs and characters, so
    a package of millions of empty paragraphs fails after the first hundred thousand.
    """
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            if unpacked > limits.max_unpacked_bytes:
                raise LimitError(f"{name}: tệp DOCX giải nén ra {unpacked / _MB:.0f} MB, quá giới hạn "
                                 f"{limits.max_unpacked_bytes / _MB:.0f} MB (có thể là tệp độc hại)")
            if "word/document.xml" not in package.namelist():
                raise LoaderError(f"{name}: tệp DOCX bị hỏng (thiếu word/document.xml)")
            paragraphs = chars = 0
            with package.open("word/document.xml") as body:
                parser = etree.iterparse(body, events=("end",), tag=(f"{_W}p", f"{_W}t"), huge_tree=False,
                                         resolve_entities=False, no_network=True)
                for _, element in parser:
                    if element.tag == f"{_W}t":
                        chars += len(element.text or "")
                        continue
                    paragraphs += 1
                    if paragraphs % 1000 == 0:
                        limits.check_paragraphs(name, paragraphs)
                        limits.check_chars(name, chars)
                    element.clear(keep_tail=False)
                    while element.getprevious() is not None:  # free what has been counted
                        del element.getparent()[0]
            limits.check_paragraphs(name, paragraphs)
            limits.check_chars(name, chars)
    except LoaderError:
        raise
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError, EOFError) as e:
        logger.info("%s: unreadable .docx package: %s: %s", name, type(e).__name__, e)
        raise LoaderError(f"{name}: tệp DOCX bị hỏng, không đọc được; hãy lưu lại bằng Word rồi gửi lại") from e


def _docx(name: str, data: bytes, limits: Limits) -> RawDocument:
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoaderError(f"{name}: không phải tệp DOCX (nội dung không khớp đuôi .docx)")
    _check_docx_package(name, data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError, ValueError, BadZipFile... for broken packages
        logger.info("%s: python-docx could not read it: %s: %s", name, type(e).__name__, e)
        raise LoaderError(f"{name}: tệp DOCX bị hỏng, không đọc được; hãy lưu lại bằng Word rồi gửi lại") from e
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
