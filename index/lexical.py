"""BM25 over Vietnamese syllables with SQLite FTS5.

Each passage is stored twice: its syllables as written and folded without
diacritics. A query syllable typed with marks is matched against the first
column, one typed without against the second, so "muc tieu kinh te so dak lak"
finds "mục tiêu kinh tế số Đắk Lắk" while "mức" does not match "mục". Adjacent
syllables are also searched as phrases: most Vietnamese words have two
syllables, and phrase matches make BM25 see "kinh tế" rather than "kinh" and "tế".
FTS5 is incremental and shares the database's transactions.
"""

from __future__ import annotations

import sqlite3

from .hits import Hits
from .text import fold, has_diacritics, is_stopword, iy_twin, syllables

# A 10,000-character question must not turn into a 10,000-term query.
MAX_QUERY_SYLLABLES = 48


def _phrase(tokens: list[str]) -> str:
    # Tokens are letters and digits only, so quoting makes any input a literal:
    # "OR", "NEAR(", "*" and quotes in a question can never become FTS5 syntax.
    return '"' + " ".join(tokens) + '"'


def _spellings(token: str) -> list[str]:
    """The token, and its other spelling if its vowel is a lone i or y ("kí", "ký")."""
    twin = iy_twin(token)
    return [token, twin] if twin else [token]


def build_match(query: str) -> str | None:
    """FTS5 MATCH expression for a free-text question, or None if nothing is searchable."""
    tokens = syllables(query)[:MAX_QUERY_SYLLABLES]
    clauses = []
    for tok in tokens:
        if not is_stopword(tok):
            for form in _spellings(tok):  # "tỉ" finds "tỷ" too
                clauses.append(("accented" if has_diacritics(form) else "folded", [form]))
    for a, b in zip(tokens, tokens[1:]):
        if is_stopword(a) and is_stopword(b):
            continue
        for x in _spellings(a):
            for y in _spellings(b):
                if has_diacritics(x) and has_diacritics(y):
                    clauses.append(("accented", [x, y]))
                else:
                    clauses.append(("folded", [fold(x), fold(y)]))
    if not clauses:
        return None
    seen, parts = set(), []
    for column, toks in clauses:
        toks = toks if column == "accented" else [fold(t) for t in toks]
        key = (column, tuple(toks))
        if key not in seen:
            seen.add(key)
            parts.append(f"{column} : {_phrase(toks)}")
    return " OR ".join(parts)


class LexicalIndex:
    """An FTS5 table of passage ids and texts inside an existing SQLite database.

    Writes go through the caller's connection, so they commit or roll back with
    the rest of the caller's transaction.

    :param conn: an open ``sqlite3`` connection
    :param table: name of the FTS5 table
    :param create: create the tables if missing (False for read-only connections)
    """

    def __init__(self, conn: sqlite3.Connection, table: str = "passages_fts", create: bool = True):
        if not table.isidentifier():
            raise ValueError(f"table must be a plain identifier. Currently, the table is {table!r}")
        self.conn, self.table = conn, table
        if not create:
            return
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            "accented, folded, tokenize = 'unicode61 remove_diacritics 0')"
        )
        # Per-term document counts, read straight from the FTS5 index.
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_vocab USING fts5vocab({table}, 'col')")

    def count(self) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0]

    def doc_freqs(self, folded_terms: list[str]) -> dict[str, int]:
        """How many passages contain each folded syllable."""
        terms = sorted(set(folded_terms))
        if not terms:
            return {}
        rows = self.conn.execute(
            f"SELECT term, doc FROM {self.table}_vocab WHERE col = 'folded' AND term IN "
            f"({','.join('?' * len(terms))})", terms)
        found = dict(rows.fetchall())
        return {t: found.get(t, 0) for t in terms}

    def vocabulary(self, column: str) -> dict[str, int]:
        """Every syllable of ``column`` ("accented" or "folded") with how many passages hold it."""
        if column not in ("accented", "folded"):
            raise ValueError(f"column must be accented or folded. Currently, the column is {column!r}")
        return dict(self.conn.execute(f"SELECT term, doc FROM {self.table}_vocab WHERE col = ?", (column,)))

    def has_phrase(self, column: str, tokens: list[str]) -> bool:
        """Whether some passage holds ``tokens`` consecutively in ``column``."""
        if column not in ("accented", "folded") or not tokens or not all(t.isalnum() for t in tokens):
            return False
        found = self.conn.execute(f"SELECT 1 FROM {self.table} WHERE {self.table} MATCH ? LIMIT 1",
                                  (f"{column} : {_phrase(tokens)}",)).fetchone()
        return found is not None

    def add(self, ids: list[int], texts: list[str]) -> None:
        rows = []
        for pid, text in zip(ids, texts, strict=True):
            accented = " ".join(syllables(text))
            rows.append((pid, accented, fold(accented)))
        self.conn.executemany(f"INSERT INTO {self.table}(rowid, accented, folded) VALUES (?, ?, ?)", rows)

    def remove(self, ids: list[int]) -> None:
        self.conn.executemany(f"DELETE FROM {self.table} WHERE rowid = ?", [(i,) for i in ids])

    def clear(self) -> None:
        self.conn.execute(f"DELETE FROM {self.table}")

    def optimize(self) -> None:
        """Merge the index's segments. After a rebuild or a large batch, deleted rows leave
        segments that slowed every search threefold (63 ms -> 23 ms per question on the bundled corpus)."""
        self.conn.execute(f"INSERT INTO {self.table}({self.table}) VALUES('optimize')")

    def ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute(f"SELECT rowid FROM {self.table}")}

    def search(self, query: str, k: int, allowed: set[int] | None = None) -> Hits:
        """Top ``k`` passage ids by BM25 (higher score is better)."""
        if k <= 0:
            raise ValueError(f"k must be greater than 0. Currently, the k is {k}")
        return self._run(build_match(query), k, allowed)

    def search_near(self, first: list[str], second: list[str], distance: int, k: int,
                    allowed: set[int] | None = None) -> Hits:
        """Top ``k`` ids by BM25 among the passages holding the folded phrases ``first`` and
        ``second`` at most ``distance`` tokens apart ("mang xa hoi" (social network) "la")."""
        tokens = [*first, *second]
        if not first or not second or not all(t.isalnum() for t in tokens):
            return Hits.empty()
        return self._run(f"folded : NEAR({_phrase([fold(t) for t in first])} "
                         f"{_phrase([fold(t) for t in second])}, {int(distance)})", k, allowed)

    def _run(self, match: str | None, k: int, allowed: set[int] | None) -> Hits:
        if match is None or (allowed is not None and not allowed):
            return Hits.empty()
        sql = (f"SELECT rowid, -bm25({self.table}) FROM {self.table} WHERE {self.table} MATCH ? "
               f"ORDER BY bm25({self.table})")
        if allowed is None:
            rows = self.conn.execute(sql + " LIMIT ?", (match, k)).fetchall()
            return Hits([r[0] for r in rows], [r[1] for r in rows])
        # Filter here, not with "AND rowid IN (...)": FTS5 answers that by re-running
        # the MATCH once per id, which took seconds where the full query takes 20 ms.
        ids, scores = [], []
        for rowid, score in self.conn.execute(sql, (match,)):
            if rowid in allowed:
                ids.append(rowid)
                scores.append(score)
                if len(ids) == k:
                    break
        return Hits(ids, scores)
