"""Pure helpers for provider properties: what changed, what is unknown in a preview, compact encodings.

No network and no client: ``diff`` and ``check`` are built from these, which keeps them pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure
from pulumi.output import Unknown

__all__ = ["UNKNOWN", "as_json", "changed", "from_json", "is_plain", "is_unknown", "known_failures", "plain"]


def is_plain(value: Any) -> bool:
    """True when ``value`` holds no Output or awaitable anywhere (plain JSON-like data)."""
    if isinstance(value, dict):
        return all(is_plain(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(is_plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def as_json(value: Any) -> Any:
    """Plain structured inputs as one canonical JSON string; anything holding Outputs is left as is.

    Pulumi turns every nested value of a dict input into its own Output; one string costs one. The
    providers accept both forms (and whole numbers survive, where Pulumi's properties make them floats).
    """
    if isinstance(value, dict | list | tuple) and is_plain(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def from_json(value: Any) -> Any:
    """The structured value of an input given as :func:`as_json` string or as data."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        return json.loads(value)
    return value


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi.runtime.rpc.UNKNOWN: a value not known until apply


def is_unknown(value: Any) -> bool:
    """True when a property value (or anything inside it) is not known yet, as in a preview."""
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def known_failures(failures: list[CheckFailure], news: Mapping[str, Any]) -> list[CheckFailure]:
    """Drop check failures about values a preview does not know yet (they are checked again at update)."""
    return [f for f in failures if not is_unknown(news.get(f.property))]


def plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """The user's properties without Pulumi's reserved ``__provider`` key."""
    return {k: v for k, v in props.items() if k != "__provider"}


def changed(olds: Mapping[str, Any], news: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    """Which of ``keys`` differ between old state and new inputs (missing and None are the same)."""
    return [k for k in keys if _norm(olds.get(k)) != _norm(news.get(k))]


def _norm(value: Any) -> Any:
    if value in ("", None, [], {}):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
