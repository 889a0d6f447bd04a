"""How a rollout run ended: plain data a CI job can print, serialize or turn into an exception."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fcinfra.errors import AliasChangedError, RolloutError
from fcinfra.rollout.engine import Status
from fcinfra.rollout.verdicts import Verdict

__all__ = ["Checkpoint", "RolloutResult"]


@dataclass(frozen=True)
class Checkpoint:
    """Where a run that stopped early (time budget, manual gate) stood, to credit the next run with it.

    It travels as plain data (Pulumi state, JSON), so :meth:`to_dict` / :meth:`from_mapping` convert it;
    a checkpoint for another rollout, weight or version is ignored by the next run, never trusted.
    """

    to_version: str
    from_version: str
    weight: int
    baked: float = 0.0
    approved: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON, Pulumi state)."""
        return {"to_version": self.to_version, "from_version": self.from_version, "weight": self.weight,
                "baked": self.baked, "approved": self.approved}

    @classmethod
    def from_mapping(cls, data: Checkpoint | Mapping[str, Any] | None) -> Checkpoint | None:
        """Back from plain data; anything malformed is no checkpoint (the run then re-bakes, which is safe)."""
        if data is None or isinstance(data, Checkpoint):
            return data
        try:
            weight = data["weight"]
            return cls(str(data["to_version"]), str(data["from_version"]),
                       int(weight) if float(weight).is_integer() else -1, max(float(data.get("baked", 0.0)), 0.0),
                       bool(data.get("approved", False)))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class RolloutResult:
    """How a run ended. ``history`` is every weight this run applied, in order, one per alias write
    (100 = the promotion, 0 = the rollback); ``resumed_from`` is the weight found when it resumed."""

    status: Status
    service: str
    alias: str
    from_version: str
    to_version: str
    history: list[int] = field(default_factory=list)
    reason: str = ""
    resumed_from: int | None = None
    alias_reads: int = 0
    alias_writes: int = 0
    duration: float = 0.0
    rollback_seconds: float | None = None  # from the failed verdict to the alias restored
    verdicts: list[Verdict] = field(default_factory=list)
    checkpoint: Checkpoint | None = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True only when promoted: a rollback or an abort is a failed release."""
        return self.status == "promoted"

    def raise_for_status(self) -> RolloutResult:
        """Raise unless promoted (or stopped in a consistent state by the time budget / a manual gate)."""
        if self.status == "aborted":
            raise AliasChangedError(self.reason)
        if self.status == "rolled_back":
            raise RolloutError(f"rolled back: {self.reason}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and CI logs (the error object itself is left out)."""
        return {
            "status": self.status,
            "service": self.service,
            "alias": self.alias,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "history": list(self.history),
            "reason": self.reason,
            "resumed_from": self.resumed_from,
            "alias_reads": self.alias_reads,
            "alias_writes": self.alias_writes,
            "duration": round(self.duration, 3),
            "rollback_seconds": self.rollback_seconds,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "checkpoint": None if self.checkpoint is None else self.checkpoint.to_dict(),
            "error": None if self.error is None else f"{type(self.error).__name__}: {self.error}",
        }
