"""Pure parsers for command-line values (durations, step lists, payloads, AK:SK pairs).

They raise ``click.BadParameter`` so that click reports a bad value as a usage error naming the option.
Kept free of I/O except :func:`read_payload`, which may read a file the user named.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(value: str | float | int) -> float:
    """``30`` / ``30s`` / ``2m`` / ``1.5h`` / ``250ms`` -> seconds (float, never negative)."""
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise click.BadParameter(f"{value!r} is not a duration; use e.g. 30, 30s, 2m, 1h or 250ms")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 0:
        raise click.BadParameter(f"duration {value!r} is negative")
    return seconds


class DurationType(click.ParamType):
    """A click type for durations, so a bad one is reported as "Invalid value for '--interval'"."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_duration(value if isinstance(value, str | int) else str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


DURATION = DurationType()


def parse_weights(value: str) -> list[int]:
    """``10,25,50,100`` -> ``[10, 25, 50, 100]`` (integer percent; the engine validates the schedule)."""
    parts = [p.strip().rstrip("%") for p in value.split(",") if p.strip()]
    if not parts:
        raise click.BadParameter("give at least one weight, e.g. 10,25,50,100")
    weights = []
    for part in parts:
        if not part.isdigit():
            raise click.BadParameter(f"{part!r} is not a whole percentage; weights look like 10,25,50,100")
        weights.append(int(part))
    return weights


def parse_percent(value: str) -> int:
    """``10`` or ``10%`` -> 10."""
    text = value.strip().rstrip("%")
    if not text.isdigit():
        raise click.BadParameter(f"{value!r} is not a whole percentage (1..100)")
    return int(text)


def parse_access_key(value: str) -> tuple[str, str]:
    """``AK:SK`` -> ``("AK", "SK")``."""
    key_id, sep, secret = value.partition(":")
    if not sep or not key_id or not secret:
        raise click.BadParameter("use the form ACCESS_KEY_ID:ACCESS_KEY_SECRET", param_hint="--access-key")
    return key_id, secret


def read_payload(value: str | None) -> bytes:
    """The event bytes: literal text, ``@path`` for a file's content, ``-`` for standard input."""
    if value is None:
        return b""
    if value == "-":
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            return path.read_bytes()
        except OSError as exc:
            raise click.BadParameter(f"cannot read payload file {path}: {exc.strerror}",
                                     param_hint="--payload") from exc
    return value.encode()
