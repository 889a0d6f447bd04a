"""Log Service queries over the emulator's rows: ``search [| SQL]``, a documented subset.

Search: ``*``, ``field: value`` and ``field: "value"`` joined by ``and`` (exact match). Analytics: SQL run by
SQLite over the matched rows as the table ``log`` (an analytic statement without ``FROM`` reads it, as in
Log Service), with Log Service's ``count_if(condition)`` and ``approx_percentile(x, p)`` (computed exactly,
nearest rank). Numeric fields are typed as FC's logstore index types them; every value comes back as a
string. Anything else is refused with ``ParameterInvalid``, never guessed.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.observability.sls_rows import FIELDS, NUMERIC_FIELDS

__all__ = ["run_query", "split_query"]

_TERM = re.compile(r'\s*([A-Za-z_][\w:.]*)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))\s*')
_CLAUSE = re.compile(r"\b(where|group\s+by|having|order\s+by|limit)\b", re.IGNORECASE)


def split_query(query: str) -> tuple[str, str | None]:
    """Search part and analytic part (None without ``|``)."""
    search, bar, sql = query.partition("|")
    return search.strip() or "*", (sql.strip() if bar else None)


def _search_terms(search: str) -> list[tuple[str, str]]:
    if search == "*":
        return []
    terms = []
    for part in re.split(r"\s+and\s+", search, flags=re.IGNORECASE):
        found = _TERM.fullmatch(part)
        if not found:
            raise FakeApiError(400, "ParameterInvalid", f"unsupported search syntax: {part!r}")
        value = found.group(2) if found.group(2) is not None else found.group(3)
        terms.append((found.group(1), re.sub(r"\\(.)", r"\1", value)))
    return terms


def _top_level(sql: str) -> list[tuple[int, int]]:
    """Spans of ``sql`` outside quotes and parentheses."""
    spans, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(sql):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            if depth == 0:
                spans.append((start, i))
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                start = i + 1
    if depth == 0 and not quote:
        spans.append((start, len(sql)))
    return spans


def _with_from(sql: str) -> str:
    """Insert ``FROM log`` when the statement has no FROM of its own (Log Service's implicit table)."""
    spans = _top_level(sql)
    if any(re.search(r"\bfrom\b", sql[a:b], re.IGNORECASE) for a, b in spans):
        return sql
    for a, b in spans:
        found = _CLAUSE.search(sql, a, b)
        if found:
            return f"{sql[:found.start()]} FROM log {sql[found.start():]}"
    return f"{sql} FROM log"


class _CountIf:
    def __init__(self) -> None:
        self.n = 0

    def step(self, value: Any) -> None:
        if value:
            self.n += 1

    def finalize(self) -> int:
        return self.n


class _Percentile:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.p = 0.5

    def step(self, value: Any, p: float) -> None:
        self.p = float(p)
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        return ordered[max(1, math.ceil(self.p * len(ordered))) - 1]


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def run_query(rows: Iterable[Mapping[str, str]], query: str, start: int, end: int) -> tuple[list[dict[str, str]], bool]:
    """Rows of ``[start, end)`` (Unix seconds) matching ``query``; returns (result rows, has SQL)."""
    search, sql = split_query(query)
    terms = _search_terms(search)
    matched = [r for r in rows if start <= int(r["__time__"]) < end and all(r.get(k) == v for k, v in terms)]
    if sql is None:
        return [dict(r) for r in matched], False
    columns = sorted({k for r in matched for k in r} | {"__time__", "__topic__", "__source__"} | set(FIELDS))
    db = sqlite3.connect(":memory:")
    try:
        db.create_aggregate("count_if", 1, _CountIf)
        db.create_aggregate("approx_percentile", 2, _Percentile)  # type: ignore[arg-type]
        kinds = {c: NUMERIC_FIELDS.get(c, "INTEGER" if c == "__time__" else "TEXT") for c in columns}
        db.execute("CREATE TABLE log (" + ", ".join(f'"{c}" {kinds[c]}' for c in columns) + ")")
        db.executemany(f"INSERT INTO log VALUES ({', '.join('?' for _ in columns)})",
                       [[r.get(c) for c in columns] for r in matched])
        cursor = db.execute(_with_from(sql))
        names = [d[0] for d in cursor.description or ()]
        return [{n: _text(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()], True
    except sqlite3.Error as exc:
        raise FakeApiError(400, "ParameterInvalid", f"invalid SQL: {exc}") from exc
    finally:
        db.close()
