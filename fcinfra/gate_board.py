"""The running rollout's latest gate verdicts, in one tag on the service (FC 3.0: the function), for
``fcinfra status --watch`` elsewhere.

A rollout's alias says where traffic goes but not what its gates last said, and writing verdicts into the
alias would cost an alias write per check (and a new ETag that races the rollout's own If-Match writes). So
the :class:`GateBoard` event sink keeps them in one tag of the alias's owner, ``fcinfra-gates-{alias}`` (FC's limits:
64-character keys, 128-character values, 20 tags per resource; a long alias name is hashed in the key):
``1;<unix seconds>;<alias>;<weight>;<gate>=<status>,...`` (gate names shortened, URLs cut). It is written
at most every ``every`` seconds, removed when the rollout ends, and never fails the rollout: a refused tag
call is remembered in ``failures`` and the board goes quiet.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fcinfra.fc.tagging import MAX_KEY_LENGTH, MAX_VALUE_LENGTH
from fcinfra.history import FunctionTagApi, TagApi, tags_of
from fcinfra.rollout.events import Event

KEY_PREFIX = "fcinfra-gates-"
_FORMAT = "1"
_ENDS = frozenset({"promoted", "rolled_back", "aborted", "in_progress", "paused"})


def key_for(alias: str) -> str:
    """The tag key for ``alias``'s board (within FC's 64 characters)."""
    key = KEY_PREFIX + alias
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return KEY_PREFIX + hashlib.sha256(alias.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Board:
    """What a rollout's gates said last: when (unix seconds), at which weight, and each gate's status."""

    at: int
    alias: str
    weight: int
    verdicts: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "weight": self.weight,
                "verdicts": [{"gate": g, "status": s} for g, s in self.verdicts]}


def encode(board: Board) -> str:
    """The tag value (at most 128 characters: the last gates are dropped with ``...`` if they do not fit)."""
    head = ";".join([_FORMAT, str(board.at), board.alias, str(board.weight), ""])
    parts = []
    for gate, status in board.verdicts:
        name = re.sub(r"https?://\S*", "<url>", gate).replace("://", ":")
        parts.append(f"{re.sub(r'[=,;]', ' ', name)[:40]}={status}")
    body = ",".join(parts)
    room = MAX_VALUE_LENGTH - len(head)
    if len(body) > room:
        body = body[:max(room - 3, 0)] + "..."[:max(room, 0)]
    return (head + body)[:MAX_VALUE_LENGTH]


def decode(value: str) -> Board | None:
    """Back from a tag value; anything else is ignored (None)."""
    parts = value.split(";", 4)
    if len(parts) != 5 or parts[0] != _FORMAT or not parts[1].isdigit() or not parts[3].lstrip("-").isdigit():
        return None
    verdicts = tuple((g, s) for g, _, s in (p.rpartition("=") for p in parts[4].split(",") if "=" in p))
    return Board(int(parts[1]), parts[2], int(parts[3]), verdicts)


def read(client: TagApi | FunctionTagApi, service: str) -> dict[str, Board]:
    """Every alias's board on the service (FC 3.0: the function), by alias name."""
    boards = {}
    for key, value in tags_of(client).service_tags(service).items():
        if key.startswith(KEY_PREFIX) and (board := decode(value)) is not None:
            boards[board.alias] = board
    return boards


class GateBoard:
    """Event sink: publishes each ``check`` event's verdicts to the board tag; clears it at the rollout's end."""

    def __init__(self, client: TagApi | FunctionTagApi, service: str, alias: str, every: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.service, self.alias = tags_of(client), service, alias
        self.every = every
        self._clock = clock
        self._last: float | None = None
        self._written = False
        self.failures: list[str] = []

    def __call__(self, event: Event) -> None:
        if self.failures:
            return  # FC refused once (no ARN, no room): stay quiet rather than retry every check
        if event.kind in _ENDS:
            if self._written:
                self._call(lambda: self.client.untag_service(self.service, [key_for(self.alias)]))
                self._written = False
            return
        verdicts = event.data.get("verdicts") if event.kind == "check" else None
        if not verdicts or event.data.get("pre_traffic"):
            return
        now = self._clock()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        board = Board(int(now), self.alias, int(event.weight or 0),
                      tuple((str(v.get("gate", "")), str(v.get("status", ""))) for v in verdicts))
        if self._call(lambda: self.client.tag_service(self.service, {key_for(self.alias): encode(board)})):
            self._written = True

    def _call(self, call: Callable[[], Any]) -> bool:
        try:
            call()
            return True
        except Exception as exc:  # the board is a convenience: never the rollout's outcome
            self.failures.append(f"gate verdicts not published for status --watch: {type(exc).__name__}: {exc}")
            return False
