"""FC list pagination: ``limit`` (default 20, max 100), ``prefix``, ``startKey`` (inclusive), opaque ``nextToken``.

Two halves: the query parameters become a typed page request (:func:`name_page`, :func:`version_page`, called by
the handlers), and pure functions cut one page out of the items (called by the backend). The token encodes the
key of the first item of the next page, so pages stay correct when items are added or removed between calls.
A page of versions costs O(log n + limit): the backend keeps version numbers sorted, and the page is found by
bisection, never by sorting or filtering them all.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from fcinfra.fake.exceptions import invalid

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class PageResult(Generic[T]):
    """One page of a List* answer and the token for the next one (None on the last page)."""
    items: list[T]
    next_token: str | None


@dataclass(frozen=True)
class NamePage:
    """A page of a list ordered by name: names starting with ``prefix``, from ``lower`` (inclusive) on."""
    limit: int = DEFAULT_LIMIT
    prefix: str = ""
    lower: str = ""


@dataclass(frozen=True)
class VersionPage:
    """A page of versions: newest first when ``backward``, from ``bound`` (inclusive) when given."""
    limit: int = DEFAULT_LIMIT
    backward: bool = True
    bound: int | None = None

    @property
    def direction(self) -> str:
        return "BACKWARD" if self.backward else "FORWARD"


def parse_limit(raw: str | None) -> int:
    """FC's ``limit`` query parameter: default when absent, InvalidArgument when not a number in range."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise invalid(f"limit {raw!r} is invalid: expected an integer between 1 and {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(f"limit {limit} is invalid: expected an integer between 1 and {MAX_LIMIT}")
    return limit


def encode_token(key: str) -> str:
    return base64.urlsafe_b64encode(f"fake1:{key}".encode()).decode("ascii")


def decode_token(token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith("fake1:"):
        raise invalid(f"nextToken {token!r} is invalid: pass back the nextToken of a previous answer unchanged")
    return text[len("fake1:"):]


def name_page(query: Mapping[str, str]) -> NamePage:
    """The query of a by-name listing; ``startKey`` and the token are inclusive lower bounds (the larger wins)."""
    start = query.get("startKey") or ""
    token = query.get("nextToken")
    return NamePage(parse_limit(query.get("limit")), query.get("prefix") or "",
                    max(start, decode_token(token)) if token else start)


def version_page(query: Mapping[str, str]) -> VersionPage:
    """The query of ListServiceVersions: ``direction`` BACKWARD (default) or FORWARD, ``startKey``, token."""
    limit = parse_limit(query.get("limit"))
    direction = (query.get("direction") or "BACKWARD").upper()
    if direction not in ("BACKWARD", "FORWARD"):
        raise invalid(f"direction {query.get('direction')!r} is invalid: use BACKWARD or FORWARD")
    bounds: list[int] = []
    if query.get("startKey"):
        bounds.append(_version_number(query["startKey"], "startKey"))
    token = query.get("nextToken")
    if token:
        bounds.append(_version_number(decode_token(token), "nextToken"))
    backward = direction == "BACKWARD"
    bound = (min(bounds) if backward else max(bounds)) if bounds else None
    return VersionPage(limit, backward, bound)


def page_by_name(items: Sequence[T], name_of: Callable[[T], str], page: NamePage) -> PageResult[T]:
    """Items ordered by name, from ``page.lower`` on, keeping those that start with ``page.prefix``."""
    selected = [item for item in sorted(items, key=name_of)
                if name_of(item).startswith(page.prefix) and name_of(item) >= page.lower]
    if len(selected) > page.limit:
        return PageResult(selected[:page.limit], encode_token(name_of(selected[page.limit])))
    return PageResult(selected, None)


def page_versions(numbers: Sequence[int], page: VersionPage) -> PageResult[int]:
    """One page of version numbers out of ``numbers`` (ascending): found by bisection, O(log n + limit)."""
    if page.backward:
        end = len(numbers) if page.bound is None else bisect_right(numbers, page.bound)
        chunk = list(reversed(numbers[max(0, end - page.limit - 1):end]))
    else:
        start = 0 if page.bound is None else bisect_left(numbers, page.bound)
        chunk = list(numbers[start:start + page.limit + 1])
    if len(chunk) > page.limit:
        return PageResult(chunk[:page.limit], encode_token(str(chunk[page.limit])))
    return PageResult(chunk, None)


def _version_number(raw: str, what: str) -> int:
    if not raw.isdigit():
        raise invalid(f"{what} {raw!r} is invalid: expected a version number")
    return int(raw)
