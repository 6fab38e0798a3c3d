"""Gazetteer of Vietnam's provinces before and after the 2025 merger.

Nghị quyết 202/2025/QH15 (in force 12/6/2025; new units from 1/7/2025) turned
63 provincial units into 34. Documents are tagged with the names they use;
a question naming a new province reaches the documents of its former ones.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from index.text import fold, has_diacritics, normalize

# The day the new units began (ISO date, as documents' dates are stored): a document of a new unit
# issued since speaks for all of its territory, former units included.
MERGED_ON = "2025-07-01"

# New unit -> the former units it absorbed (the new name first where it was one).
MERGERS: dict[str, list[str]] = {
    "Tuyên Quang": ["Tuyên Quang", "Hà Giang"],
    "Lào Cai": ["Lào Cai", "Yên Bái"],
    "Thái Nguyên": ["Thái Nguyên", "Bắc Kạn"],
    "Phú Thọ": ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"],
    "Bắc Ninh": ["Bắc Ninh", "Bắc Giang"],
    "Hưng Yên": ["Hưng Yên", "Thái Bình"],
    "Hải Phòng": ["Hải Phòng", "Hải Dương"],
    "Ninh Bình": ["Ninh Bình", "Hà Nam", "Nam Định"],
    "Quảng Trị": ["Quảng Trị", "Quảng Bình"],
    "Đà Nẵng": ["Đà Nẵng", "Quảng Nam"],
    "Quảng Ngãi": ["Quảng Ngãi", "Kon Tum"],
    "Gia Lai": ["Gia Lai", "Bình Định"],
    "Khánh Hòa": ["Khánh Hòa", "Ninh Thuận"],
    "Lâm Đồng": ["Lâm Đồng", "Đắk Nông", "Bình Thuận"],
    "Đắk Lắk": ["Đắk Lắk", "Phú Yên"],
    "Hồ Chí Minh": ["Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"],
    "Đồng Nai": ["Đồng Nai", "Bình Phước"],
    "Tây Ninh": ["Tây Ninh", "Long An"],
    "Cần Thơ": ["Cần Thơ", "Sóc Trăng", "Hậu Giang"],
    "Vĩnh Long": ["Vĩnh Long", "Bến Tre", "Trà Vinh"],
    "Đồng Tháp": ["Đồng Tháp", "Tiền Giang"],
    "Cà Mau": ["Cà Mau", "Bạc Liêu"],
    "An Giang": ["An Giang", "Kiên Giang"],
    "Hà Nội": ["Hà Nội"],
    "Huế": ["Thừa Thiên Huế"],
    "Lai Châu": ["Lai Châu"],
    "Điện Biên": ["Điện Biên"],
    "Sơn La": ["Sơn La"],
    "Lạng Sơn": ["Lạng Sơn"],
    "Quảng Ninh": ["Quảng Ninh"],
    "Thanh Hóa": ["Thanh Hóa"],
    "Nghệ An": ["Nghệ An"],
    "Hà Tĩnh": ["Hà Tĩnh"],
    "Cao Bằng": ["Cao Bằng"],
}
# Centrally-run cities, before and after the merger ("thành phố", not "tỉnh").
CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}

# Other ways people write a unit, besides its name without diacritics.
_ALIASES: dict[str, list[str]] = {
    "Hồ Chí Minh": ["TP HCM", "TP.HCM", "TPHCM", "HCM", "Sài Gòn", "Thành phố Hồ Chí Minh"],
    "Hà Nội": ["TP Hà Nội", "Thành phố Hà Nội"],
    "Đắk Lắk": ["Daklak", "Dak Lak", "Đắc Lắc", "Đăk Lăk"],
    "Đắk Nông": ["Daknong", "Đắc Nông", "Đăk Nông"],
    "Bà Rịa - Vũng Tàu": ["Bà Rịa Vũng Tàu", "Bà Rịa–Vũng Tàu", "BRVT", "Vũng Tàu"],
    "Thừa Thiên Huế": ["Thừa Thiên - Huế", "TT Huế"],
    "Huế": ["TP Huế", "Thành phố Huế"],
    "Bắc Kạn": ["Bắc Cạn"],
    "Kon Tum": ["Kontum"],
    "Hòa Bình": ["Hoà Bình"],
    "Khánh Hòa": ["Khánh Hoà"],
    "Thanh Hóa": ["Thanh Hoá"],
}

OLD_TO_NEW: dict[str, str] = {old: new for new, olds in MERGERS.items() for old in olds}
FORMER = sorted(OLD_TO_NEW)  # the 63 units before 1/7/2025
CURRENT = sorted(MERGERS)  # the 34 units since


def display(name: str) -> str:
    """'TP Hồ Chí Minh', 'tỉnh Phú Thọ': the name as a sentence would say it."""
    return f"TP {name}" if name in CITIES else f"tỉnh {name}"


@dataclass(frozen=True)
class Place:
    """A province named in a text.

    :param name: the name as the gazetteer writes it (former or current unit)
    :param current: the unit it belongs to since 1/7/2025
    :param scope: former units whose documents answer for it
    """

    name: str
    current: str
    scope: tuple[str, ...]

    def label(self) -> str:
        """'Hòa Bình (nay thuộc tỉnh Phú Thọ)' for a former unit, else the name."""
        if self.name != self.current and self.current:
            return f"{self.name} (nay thuộc {display(self.current)})"
        return self.name


def place(name: str) -> Place:
    """The Place for a canonical gazetteer name."""
    if name in MERGERS:  # a current unit covers all its former ones
        return Place(name, name, tuple(MERGERS[name]))
    return Place(name, OLD_TO_NEW[name], (name,))


def describe_former(name: str) -> str:
    """Label for a document tagged with a former unit: 'Hòa Bình (nay thuộc tỉnh Phú Thọ)'."""
    new = OLD_TO_NEW.get(name)
    if new and new != name and not (name == "Thừa Thiên Huế" and new == "Huế"):
        return f"{name} (nay thuộc {display(new)})"
    return name


def describe_all(names: list[str]) -> list[str]:
    """Labels for a document's provinces; a former unit is left out when its new unit is there
    too (an article on Tuyên Quang's plan names Hà Giang, which merged into it)."""
    return [describe_former(n) for n in names if OLD_TO_NEW.get(n, n) == n or OLD_TO_NEW[n] not in names]


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str, frozenset[str], str]]:
    names = set(OLD_TO_NEW) | set(MERGERS)
    table = []
    for name in names:
        spellings = {normalize(name), *(normalize(a) for a in _ALIASES.get(name, []))}
        folded = {fold(s) for s in spellings}
        folded |= {f.replace(" ", "") for f in folded if len(f.split()) > 1}
        folded |= {f.replace("-", " ").replace("–", " ") for f in folded}
        accented = frozenset(s.lower() for s in spellings)
        for f in folded:
            parts = [part for part in re.split(r"[\s\-–]+", f) if part]
            body = r"[\s\-–.]*".join(re.escape(part) for part in parts)
            table.append((re.compile(rf"(?<![\w]){body}(?![\w])"), name, accented, parts[0]))
    # Longest first, so "Bà Rịa - Vũng Tàu" wins over "Vũng Tàu" and "Thừa Thiên Huế" over "Huế".
    table.sort(key=lambda t: -len(t[0].pattern))
    return table


def find_places(text: str, strict_case: bool = False) -> list[tuple[str, int]]:
    """Gazetteer names mentioned in ``text`` with their mention counts, most first.

    Spellings without diacritics are accepted ("dak lak", "Daklak"); a span
    typed with diacritics must match a known spelling, so "hài lòng an toàn"
    is not Long An. With ``strict_case`` (for documents) a mention must be
    capitalised: "hòa bình" is peace, "Hòa Bình" the province.
    """
    found = _mentions(text, strict_case)
    return sorted(((name, len(spans)) for name, spans in found.items()), key=lambda kv: -kv[1])


def mentioned_in_order(text: str) -> list[tuple[str, int]]:
    """Gazetteer names of ``text`` with the offset of their first mention, in reading order."""
    return sorted(((name, min(spans)[0]) for name, spans in _mentions(text, False).items()), key=lambda kv: kv[1])


def mention_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names a province (offsets into its NFC form)."""
    return sorted(span for spans in _mentions(text, False).values() for span in spans)


def _mentions(text: str, strict_case: bool) -> dict[str, list[tuple[int, int]]]:
    """Gazetteer name -> (start, end) of its mentions in ``text``."""
    text = normalize(text)
    folded = fold(text)
    if len(folded) != len(text):  # a character that folds to several; fall back to no offsets check
        folded = fold(text)[: len(text)]
    taken = [False] * len(text)
    found: dict[str, list[tuple[int, int]]] = {}
    doubtful: set[tuple[str, tuple[int, int]]] = set()
    # Names can only start where a word starts with their first syllable: matching each name
    # there, instead of scanning the whole text once per name (160 scans), made metadata
    # extraction of the 2 MB IT-law text take a fraction of a second instead of 6 s.
    starts: dict[str, list[int]] = {}
    for w in re.finditer(r"\w+", folded):
        starts.setdefault(w.group(), []).append(w.start())
    words = sorted(starts)
    for pattern, name, accented, first in _patterns():
        candidates = []
        for word in words[bisect.bisect_left(words, first):]:  # the words that begin with ``first``
            if not word.startswith(first):
                break
            candidates += starts[word]
        for m in filter(None, (pattern.match(folded, pos) for pos in sorted(candidates))):
            s, e = m.span()
            if any(taken[s:e]):
                continue
            span = text[s:e]
            if has_diacritics(span) and not _spelled_as(span, accented):
                continue
            if strict_case and not span[:1].isupper():
                continue
            for i in range(s, e):
                taken[i] = True
            found.setdefault(name, []).append((s, e))
            # Typed without marks, "nam" before a year may be "năm": "Lâm Đồng … cap quang nam 2026".
            if not has_diacritics(span) and _YEAR_AFTER_NAM.match(folded, e - 3):
                doubtful.add((name, (s, e)))
    # Such a name is taken for a province only when the text names no other one.
    if doubtful and any(any((name, span) not in doubtful for span in spans) for name, spans in found.items()):
        for name, span in doubtful:
            found[name].remove(span)
            if not found[name]:
                del found[name]
    return found


_YEAR_AFTER_NAM = re.compile(r"nam\s+(?:19|20)\d\d\b")


def _spelled_as(span: str, accented: frozenset[str]) -> bool:
    span = re.sub(r"[\s\-–.]+", " ", span.lower()).strip()
    return any(re.sub(r"[\s\-–.]+", " ", a).strip() == span for a in accented)


def resolve(name: str) -> Place | None:
    """A Place for a user-typed province name ("hoa binh", "TP HCM", "Daklak"), or None."""
    found = find_places(name)
    return place(found[0][0]) if found else None
