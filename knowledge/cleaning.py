"""Remove the site furniture that real pages carry, by general rules.

News pages arrive with menus, banners, share buttons, photo captions,
"related news" lists, reader-comment headers and visitor counters around the
article. None of it is content, and some of it is dangerous: a related-news
list about a hail storm must not make the page answer questions about hail.
"""

from __future__ import annotations

import re

from index.text import normalize

# A line that opens the end matter of a page: everything from it on is dropped.
_TAIL_MARKERS = re.compile(
    r"^(các tin khác|tin khác|tin liên quan|bài viết liên quan|bài liên quan|có thể bạn quan tâm|"
    r"có thể bạn muốn đọc|tin cùng chuyên mục|các bài viết khác|đọc thêm|xem thêm|tin mới nhất|"
    r"tin đọc nhiều|ý kiến bạn đọc|ý kiến bình luận|bình luận|gửi bình luận|viết bình luận|"
    r"xem các tin đã đưa ngày)\s*:?\s*$",
    re.IGNORECASE,
)
# The words of a timestamp: a time, a date, a weekday ("Thứ Tư", "Chủ nhật"), "lúc", "(GMT+7)".
_STAMP = (r"(?:\d{1,2}:\d\d(?::\d\d)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|thứ (?:hai|ba|tư|năm|sáu|bảy|\d)|chủ nhật|"
          r"ngày|lúc|giờ|sáng|chiều|tối|\(?gmt ?[+-] ?\d{1,2}\)?|[ap]m)")
# Single lines of page furniture, dropped wherever they are.
_FURNITURE = [
    re.compile(r"^(truy cập hôm nay|truy cập trong \d+ ngày|tổng lượt truy cập|lượt truy cập|"
               r"đang (online|truy cập)|lượt xem|số lượt xem)\b", re.IGNORECASE),
    # Share buttons and icon alt texts: "zalo-icon", "Chia sẻ", "Facebook Twitter".
    re.compile(r"^((zalo|viber|facebook|twitter|email|print|share|copy[- ]?link)(-icon)?|chia sẻ|share|tweet|"
               r"in bài|gửi email|lưu bài|theo dõi|bản in|\s)+$", re.IGNORECASE),
    # Menus and banners: "Multimedia Đọc Báo in", "Logo báo điện tử ...", "Banner Ngày 26/4/2024".
    re.compile(r"^(logo|banner|trang chủ|multimedia|menu)\b", re.IGNORECASE),
    re.compile(r"^tin trong:", re.IGNORECASE),
    # Ticker items that end in their own date: "Thông báo ... ( 24/04/2024 )".
    re.compile(r"\(\s*\d{1,2}/\d{1,2}/\d{4}\s*\)\s*$"),
    # Photo credits and captions.
    re.compile(r"(^ảnh\s*:|\bảnh\s*:\s*[A-ZĐ][\w.\s]{0,30}$|\(ảnh\b|ảnh minh họa|"
               r"(thứ \w+|người thứ \w+) từ (trái|phải) sang)", re.IGNORECASE),
    # Source lines at the foot of an article: "Nguồn:baobacninh.com.vn".
    re.compile(r"^nguồn\s*:\s*\S+\s*$", re.IGNORECASE),
    # "Chia sẻ: Facebook | Zalo", "Cỡ chữ: A- A A+", "In bài | Gửi email": share and font-size buttons.
    re.compile(r"^(chia sẻ|share|cỡ chữ|font|in bài|gửi email|lưu)\s*:?\s*([|/•·,\-–]?\s*"
               r"(facebook|zalo|twitter|email|print|in bài|bản in|gửi email|in|a[+-]?|[+-]|viber|copy link|sao chép)"
               r"\s*)*$", re.IGNORECASE),
    re.compile(r"^(a[+-]?\s*){2,3}$", re.IGNORECASE),
    # The rules under an official header's two columns ("-------", "_______________").
    re.compile(r"^[-_=~*]{5,}$"),
    # "Cập nhật: 08:04, 27/04/2021", "Cập nhật lúc 14:20, Thứ Tư, 21/01/2026": when a page was last
    # edited. (A bare dateline under a headline, "Thứ Ba, 19/11/2024 16:35", is when it was
    # published: the article's own date, kept.)
    re.compile(rf"^(?:cập nhật|ngày cập nhật|updated?)\b\s*:?\s*(?=.*\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}})"
               rf"(?:{_STAMP}|[\s,|\-–:])+$", re.IGNORECASE),
    # A newspaper's or portal's name alone on a line, as its pages open: "Báo Cao Bằng điện tử".
    re.compile(r"^(?i:báo|tạp chí|cổng thông tin điện tử|trang thông tin điện tử)(?: điện tử)?(?: tỉnh| thành phố)?"
               r" [A-ZĐ]\w*(?: \w+){0,4}$"),
]
# A legal codification cross-reference, "(Điều này có nội dung liên quan đến Điều 3.4.LQ.9. …)": an
# index of other articles, not content. Indexed, it makes every article match every question.
_CROSS_REFERENCE = re.compile(r"\s*\(\s*(?:Điều|Khoản|Điểm|Mục|Chương) này có nội dung liên quan đến[^()]*"
                              r"(?:\([^()]*\)[^()]*)*\)", re.IGNORECASE)
# Markdown escapes ("1\\.", "R\\&D", "\\*") are syntax, never text a reader should see.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{}~])")  # CommonMark: any ASCII punctuation, but "|" stays for tables
# Markdown emphasis ("**Điều 2.**", "*Nơi nhận:*"; trafilatura writes a page's <b> and <i> so):
# formatting, never text a reader should see. Escaped asterisks ("\\*") are left to _MD_ESCAPE.
_MD_STRONG = re.compile(r"(?<![\\*])(\*\*)(?=\S)(.+?)(?<=[^\s\\])\*\*")
_MD_EM = re.compile(r"(?<![\\*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s\\])\*(?![*\w])")
# "50 m2tại": an area or volume whose superscript was lost in conversion, glued to the next word.
# Apart, "50 m2" is a figure of square metres and "tại" a word again.
_GLUED_UNIT = re.compile(r"(\d\s?[kcdh]?m[23²³])(?=[^\W\d_])")
_SENTENCE_END = (".", "!", "?", ":", ";", "…", '"', "”", ")")
# "… quyền liên quan.Điều 3.3.TL.1.5. Trách nhiệm của …": an article's heading glued to the end of
# the clause before it (50 times in the IT codification). Apart, the article is an article again,
# not more of the one before (whose heading its clauses would be cited under).
_GLUED_ARTICLE = re.compile(rf"(?<=[{re.escape(''.join(_SENTENCE_END))}])(?=Điều \d+[a-zđ]?(?:\.[\wĐ]+)*\.\s)")


def _is_hard_wrapped(lines: list[str]) -> bool:
    """True for text wrapped at a fixed width, with line breaks inside sentences."""
    lengths = [len(line) for line in lines if line.strip()]
    if len(lengths) < 10:
        return False
    in_band = sum(45 <= n <= 100 for n in lengths)
    blank = sum(1 for line in lines if not line.strip())
    return in_band / len(lengths) > 0.6 and blank < len(lengths) / 4


def _unwrap(lines: list[str]) -> list[str]:
    """Join wrapped lines; a line that ends a sentence ends its paragraph."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = line.strip()
        if not line:
            if current:
                out += [current, ""]
                current = ""
            continue
        current = f"{current} {line}" if current else line
        if line.endswith(_SENTENCE_END):
            out += [current, ""]
            current = ""
    if current:
        out.append(current)
    return out


def _is_furniture(line: str) -> bool:
    return any(p.search(line) for p in _FURNITURE)


# A photo credit ending a caption ("… huyện Trần Đề (Sóc Trăng). Ảnh: C.B") and a position note
# ("(thứ 3 từ trái sang)"): the caption's own words may still be facts.
_CREDIT = re.compile(r"\s*\.?\s*\(?\bảnh\s*:\s*[\w.\s/-]{0,30}\)?\s*$", re.IGNORECASE)
_POSITION = re.compile(r"\s*\((?:người )?(?:thứ \w+|giữa)(?: từ (?:trái|phải) sang)?\)", re.IGNORECASE)
KEEP = "\x00"  # marks a caption kept for its facts, so the isolated-caption rule leaves it


def _informative_caption(line: str) -> str | None:
    """The facts of a credited photo caption: what and where, naming people or places
    ("Đoàn công tác khảo sát … tại Công an thị trấn Lịch Hội Thượng, huyện Trần Đề"); None for
    a generic one ("Các ngân hàng tích cực ứng dụng công nghệ") or a bare credit."""
    if not _CREDIT.search(line):
        return None
    text = _POSITION.sub("", _CREDIT.sub("", line)).strip()
    words = text.split()
    names = sum(1 for w in words[1:] if w[:1].isupper())
    return text.rstrip(".") + "." if len(words) >= 8 and names >= 2 else None


def _drop_machine_index(lines: list[str]) -> list[str]:
    """Drop markdown sections headed by machine ids ("### 0300300000...") and their
    container heading: exported legal codes append such an index, which repeats every
    article a second time in a flattened form."""
    out, skipping = [], False
    for i, line in enumerate(lines):
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if heading:
            title = heading.group(1).strip()
            is_id = bool(re.fullmatch(r"\d{10,}", title))
            nxt = next((l for l in lines[i + 1 : i + 4] if l.strip()), "")
            is_container = bool(re.match(r"^#{1,6}\s+\d{10,}\s*$", nxt))
            if is_id or is_container:
                skipping = True
                continue
            skipping = False
        if not skipping:
            out.append(line)
    return out


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a YAML-style front matter block ("---\\nkey: value\\n---") off the text."""
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[m.end() :]


def clean(text: str, markdown: bool = False) -> tuple[str, dict[str, str]]:
    """Normalise ``text`` and strip page furniture.

    :returns: the cleaned text (paragraphs separated by blank lines) and any front matter
    """
    meta, text = _front_matter(normalize(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = _CROSS_REFERENCE.sub("", text)
    text = _GLUED_UNIT.sub(r"\1 ", text)
    text = _GLUED_ARTICLE.sub("\n\n", text)
    if markdown:
        text = _MD_EM.sub(r"\1", _MD_STRONG.sub(r"\2", text))
        text = _MD_ESCAPE.sub(r"\1", text)
    lines = [line.rstrip() for line in text.split("\n")]
    if markdown:
        lines = _drop_machine_index(lines)
    elif _is_hard_wrapped(lines):
        lines = _unwrap(lines)
    total = sum(len(line) for line in lines) or 1
    kept: list[str] = []
    seen_chars = 0
    previous = ""
    dropped = False
    for line in lines:
        stripped = line.strip()
        seen_chars += len(line)
        # End matter only counts as such once the article is under way.
        if _TAIL_MARKERS.match(stripped) and seen_chars > total * 0.3:
            break
        caption = _informative_caption(stripped) if stripped and not markdown else None
        if caption:
            kept.append(KEEP + caption)
            previous = caption
            continue
        if stripped and _is_furniture(stripped):
            dropped = True
            continue
        if not stripped and dropped and kept and not kept[-1].strip():
            continue  # a dropped line must not leave a wide gap: gaps mark photo captions below
        dropped = False
        # A photo caption is often printed twice, the second time with a full stop.
        if stripped and previous and stripped.rstrip(".") == previous.rstrip("."):
            continue
        kept.append(stripped if not markdown else line)
        if stripped:
            previous = stripped
    # Captions sit alone between wide gaps: a short paragraph after two blank lines or more.
    if not markdown:
        kept = _drop_byline(_drop_isolated_captions(kept))
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept).replace(KEEP, "")).strip()
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned)
    return cleaned, meta


def _is_name(line: str) -> bool:
    """A person's name alone on a line: two to four capitalised words, nothing else."""
    words = line.split()
    return 2 <= len(words) <= 4 and all(w[0].isupper() and (w[1:].islower() or len(w) == 1) and w.isalpha()
                                        for w in words)


def _drop_byline(lines: list[str]) -> list[str]:
    """Drop the author's name that closes a news article ("Thúy Hồng"): it is not content.

    Only after a paragraph of prose: a signer's name under "THỦ TƯỚNG" or "KT. CHỦ TỊCH" stays.
    """
    filled = [i for i, line in enumerate(lines) if line]
    if len(filled) >= 2 and _is_name(lines[filled[-1]]) and len(lines[filled[-2]]) > 80:
        return lines[: filled[-1]]
    return lines


def _drop_isolated_captions(lines: list[str]) -> list[str]:
    out, blanks = [], 0
    for i, line in enumerate(lines):
        if not line:
            blanks += 1
            out.append(line)
            continue
        following_blank = i + 1 >= len(lines) or not lines[i + 1]
        if blanks >= 2 and not line.startswith(KEEP) and following_blank and len(line.split()) <= 25 and out and any(out):
            blanks = 0
            continue
        blanks = 0
        out.append(line)
    return out
