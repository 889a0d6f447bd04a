"""FC's naming rules (names, version ids, qualifiers, trigger types) in plain Python.

:mod:`fcinfra.fc.models` applies them to the wire models and re-exports them; they live here, without
pydantic, so that the Pulumi providers' ``check`` (run in the dynamic-provider process of every
``pulumi preview``) validates inputs without loading the wire models.
"""

from __future__ import annotations

import re

__all__ = ["LATEST", "NAME_MAX", "NAME_PATTERN", "TRIGGER_TYPES", "VERSION_ID_PATTERN", "check_name", "check_qualifier"]

LATEST = "LATEST"

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
NAME_MAX = 128
VERSION_ID_PATTERN = re.compile(r"^[1-9][0-9]*$")
TRIGGER_TYPES = ("oss", "log", "timer", "http", "tablestore", "cdn_events", "mns_topic", "eventbridge")


def check_name(value: str, what: str, max_length: int = NAME_MAX) -> str:
    """FC names: 1-128 (FC 3.0 functions: 1-64) letters, digits, ``_`` and ``-``, not starting with a digit or ``-``."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    if len(value) > max_length:
        raise ValueError(f"{what} {value[:20]!r}... is {len(value)} characters long; at most {max_length} are allowed")
    if not NAME_PATTERN.match(value):
        raise ValueError(
            f"{what} {value!r} is invalid: use letters, digits, '_' and '-', and start with a letter or '_'"
        )
    return value


def check_qualifier(value: str) -> str:
    """A qualifier is LATEST, a version id, or an alias name."""
    if not isinstance(value, str):
        raise ValueError(f"qualifier must be a string (LATEST, a version id or an alias name), got {value!r}")
    if value == LATEST or VERSION_ID_PATTERN.match(value):
        return value
    return check_name(value, "qualifier")
