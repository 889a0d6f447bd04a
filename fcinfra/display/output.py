"""Printing for people (rich) and for machines (JSON), chosen by ``--output``.

Machine output goes to stdout as JSON only; anything meant for a person in JSON mode goes to stderr, so
``fcinfra ... -o json | jq`` always works. rich is imported on first use, not at import time.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_ROLLED_BACK = 3
EXIT_UNFINISHED = 4  # a rollout stopped by its time budget at a planned weight
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT)
EXIT_TERMINATED = 143  # SIGTERM, as CI systems send on cancel: 128 + 15


def to_jsonable(value: Any) -> Any:
    """Models, dataclasses, bytes and sets as plain JSON values."""
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())  # every field, null when unset: stable keys for scripts
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value.hex()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


@dataclass
class Output:
    """Where a command prints: ``json`` mode writes JSON documents/lines to stdout."""

    mode: str = "text"
    _console: Console | None = field(default=None, repr=False)
    _err: Console | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return self.mode == "json"

    @property
    def console(self) -> Console:
        """The console for people: stdout in text mode, stderr in JSON mode."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self.json, highlight=False, soft_wrap=False)
            # piped into a CI log or a file: no line breaks at column 80 in the middle of a sentence or a path
            self._console.soft_wrap = not self._console.is_terminal
        return self._console

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True, highlight=False)
        return self._err

    def emit(self, document: Any) -> None:
        """One JSON value on one line of stdout (used for results and for event streams)."""
        sys.stdout.write(json.dumps(to_jsonable(document), sort_keys=False) + "\n")
        sys.stdout.flush()
