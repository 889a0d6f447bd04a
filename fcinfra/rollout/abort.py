"""The abort mark: how ``fcinfra abort`` tells a running rollout "you were stopped on purpose", in the alias.

The abort is one alias write (all traffic back to the main version) whose description carries, after the
user's own text, ``[fcinfra-abort ID by=WHO]`` where ID is the id of the lease it found (so it names the one
rollout it stops; a later rollout, with another id, ignores a stale mark). The running rollout sees the
rollback at its next look and, finding its own id in the mark, ends ``aborted`` instead of ``rolled_back``.
Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARK = re.compile(r"\s*\[fcinfra-abort (?P<id>[0-9a-f]{8})(?: by=(?P<by>[^\]]{0,40}))?\]\s*$")


@dataclass(frozen=True)
class AbortMark:
    rollout_id: str
    by: str = ""

    def text(self) -> str:
        by = f" by={self.by[:40]}" if self.by else ""
        return f"[fcinfra-abort {self.rollout_id}{by}]"

    def describe(self) -> str:
        return "aborted" + (f" by {self.by}" if self.by else "") + " (`fcinfra abort`)"


def split(own: str) -> tuple[str, AbortMark | None]:
    """A description (lease already removed) as (the user's own text, the abort mark in it if any)."""
    found = _MARK.search(own)
    if found is None:
        return own, None
    return own[: found.start()], AbortMark(found["id"], found["by"] or "")


def render(own: str, mark: AbortMark, limit: int = 256) -> str:
    """The abort write's description: the user's text (cut to fit FC's 256 characters), then the mark."""
    text = mark.text()
    room = limit - len(text) - 1
    kept = own if len(own) <= room else own[: max(room, 0)]
    return f"{kept} {text}" if kept else text
