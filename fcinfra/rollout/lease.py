"""The rollout lease: who is moving an alias, until when, and what it applies next, kept in the alias itself.

A live rollout must be told from an interrupted one without a second store and without extra alias
writes, so the lease rides in the description of each step's own ``If-Match`` write:

    "production traffic [fcinfra-rollout 3fa9c2d1 to=4 next=50 until=1795000000 by=ci@runner-7]"

``until`` (Unix seconds, wall clock) lies past the step's bake, so a rollout that is baking or checking
holds a live lease, and one that died stops holding it once that time passes. ``next`` is the weight
the rollout applies after this step, which is what ``fcinfra promote`` moves a manual pause to. The
promotion and the rollback write the user's own description back, without the lease. Pure: no I/O.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

__all__ = ["DESCRIPTION_LIMIT", "Lease", "is_lease_id", "new_holder", "render", "split", "stable_lease_id"]

DESCRIPTION_LIMIT = 256  # FC: an alias description is 0-256 characters
_MARK = re.compile(
    r"\s*\[fcinfra-rollout (?P<id>[0-9a-f]{8}) to=(?P<to>\d+) next=(?P<next>\d+) until=(?P<until>\d+)"
    r"(?: by=(?P<by>[^\]]{0,40}))?\]\s*$"
)


@dataclass(frozen=True)
class Lease:
    """One rollout's claim on an alias: ``until`` is wall-clock Unix seconds."""

    id: str
    to_version: str
    next_weight: int
    until: int
    holder: str = ""

    def live(self, wall_now: float) -> bool:
        """Still held: the rollout that wrote it may be baking or checking right now."""
        return wall_now < self.until

    def renewed(self, next_weight: int, until: float) -> Lease:
        """The same rollout's lease for its next step."""
        return replace(self, next_weight=next_weight, until=int(until) + 1)

    def describe(self) -> str:
        """For refusals: which rollout, of what, until when."""
        when = datetime.fromtimestamp(self.until, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        by = f" by {self.holder}" if self.holder else ""
        return f"rollout {self.id} of version {self.to_version}{by} (lease until {when})"

    def text(self) -> str:
        """The marker appended to the description."""
        by = f" by={self.holder}" if self.holder else ""
        return f"[fcinfra-rollout {self.id} to={self.to_version} next={self.next_weight} until={self.until}{by}]"


def split(description: str | None) -> tuple[str, Lease | None]:
    """An alias description as (the user's own text, the lease in it if any)."""
    text = description or ""
    match = _MARK.search(text)
    if match is None:
        return text, None
    lease = Lease(match["id"], match["to"], int(match["next"]), int(match["until"]), match["by"] or "")
    return text[: match.start()], lease


def render(own: str, lease: Lease | None) -> str:
    """The description to write: the user's text, then the lease (the user's text cut to fit FC's limit)."""
    if lease is None:
        return own
    mark = lease.text()
    room = DESCRIPTION_LIMIT - len(mark) - 1
    kept = own if len(own) <= room else own[: max(room, 0)]
    return f"{kept} {mark}" if kept else mark


def is_lease_id(value: str) -> bool:
    """The form a lease id takes in the marker: 8 lowercase hex digits."""
    return re.fullmatch(r"[0-9a-f]{8}", value) is not None


def stable_lease_id(*identity: str) -> str:
    """The same lease id for every run of one owner (e.g. a Pulumi resource), so a run resumes its own lease."""
    return hashlib.sha256("\0".join(identity).encode()).hexdigest()[:8]


def new_holder() -> tuple[str, str]:
    """A fresh lease id and a short ``user@host`` naming who holds it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    holder = re.sub(r"[^A-Za-z0-9_.@-]", "", f"{user}@{socket.gethostname()}")[:40]
    return uuid.uuid4().hex[:8], holder
