"""Rollout events: one record per thing that happened, for a progress display or for machines.

Pass ``on_event=`` to :class:`~fcinfra.rollout.Rollout` (any callable, or a list of them);
:func:`json_lines` turns a text stream into such a callable writing one JSON object per line.

Kinds: ``start``, ``resume``, ``check`` (gate verdicts), ``wait``, ``weight`` (an alias write applied a
weight), ``gate`` (waiting at a manual gate), ``approved``, ``promoted``, ``rollback`` (a rollback began),
``rolled_back``, ``aborted``, ``in_progress``, ``paused``, ``error``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

__all__ = ["Event", "EventSink", "json_lines"]


@dataclass(frozen=True)
class Event:
    """``at`` is seconds since the run started, read from the rollout's clock."""

    kind: str
    at: float
    message: str
    service: str
    alias: str
    to_version: str
    weight: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: events feed JSON logs and the CLI's ``--json`` output."""
        return {
            "kind": self.kind,
            "at": round(self.at, 3),
            "message": self.message,
            "service": self.service,
            "alias": self.alias,
            "to_version": self.to_version,
            "weight": self.weight,
            **({"data": self.data} if self.data else {}),
        }

    def to_json(self) -> str:
        """One JSON line per event, for log shipping."""
        return json.dumps(self.to_dict(), sort_keys=True, default=str)


EventSink = Callable[[Event], None]


def json_lines(stream: TextIO) -> EventSink:
    """A sink writing each event as one JSON line to ``stream`` (flushed, so a tail -f sees it at once)."""

    def write(event: Event) -> None:
        stream.write(event.to_json() + "\n")
        stream.flush()

    return write
