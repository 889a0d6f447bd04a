"""FC list pagination: ``limit`` (default 20, max 100), ``prefix``, ``startKey`` (inclusive), opaque ``nextToken``.

Pure functions over an already-sorted list; the token encodes the key of the first item of the next page, so
pages stay correct when items are added or removed between calls.
"""

from __future__ import annotations

import base64
import binascii
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


def paginate_by_name(items: Sequence[T], name_of: Callable[[T], str], query: Mapping[str, str]) -> PageResult[T]:
    """Items ordered by name; ``startKey`` and the token are inclusive lower bounds."""
    limit = parse_limit(query.get("limit"))
    prefix = query.get("prefix") or ""
    start = query.get("startKey") or ""
    token = query.get("nextToken")
    lower = max(start, decode_token(token)) if token else start
    selected = [item for item in sorted(items, key=name_of)
                if name_of(item).startswith(prefix) and name_of(item) >= lower]
    if len(selected) > limit:
        return PageResult(selected[:limit], encode_token(name_of(selected[limit])))
    return PageResult(selected, None)


def paginate_versions(items: Sequence[T], number_of: Callable[[T], int], query: Mapping[str, str]) -> PageResult[T]:
    """Versions by number: BACKWARD (default, newest first) or FORWARD; ``startKey`` inclusive."""
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
    ordered = sorted(items, key=number_of, reverse=backward)
    if bounds:
        bound = min(bounds) if backward else max(bounds)
        ordered = [v for v in ordered if (number_of(v) <= bound if backward else number_of(v) >= bound)]
    if len(ordered) > limit:
        return PageResult(ordered[:limit], encode_token(str(number_of(ordered[limit]))))
    return PageResult(ordered, None)


def _version_number(raw: str, what: str) -> int:
    if not raw.isdigit():
        raise invalid(f"{what} {raw!r} is invalid: expected a version number")
    return int(raw)
