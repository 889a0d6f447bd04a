"""One-shot alias operations for humans and the CLI: promote now, roll back now, and status.

Each is at most one read and one conditional write (``if_match``), so it is safe to run while a rollout
is running elsewhere: that rollout sees the change at its next look and stops (a promotion is reported
as ``promoted``, a rollback as ``rolled_back``), instead of fighting over the alias.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fcinfra.errors import (
    AliasChangedError,
    InvalidArgumentError,
    PreconditionFailedError,
    ReleaseCheckError,
    RolloutError,
)
from fcinfra.fc.models import Alias, check_version_id
from fcinfra.rollout.engine import AliasView, resume_point
from fcinfra.rollout.lease import split
from fcinfra.rollout.owner import cli_name
from fcinfra.rollout.ports import AliasApi
from fcinfra.rollout.result import RolloutResult
from fcinfra.rollout.spec import Strategy, compile_plan, format_duration, plan_duration, to_fc_weight

__all__ = ["AliasStatus", "promote", "rollback", "status"]


def _write(client: AliasApi, service: str, alias: Alias, main: str, canary: tuple[str, int] | None = None) -> Alias:
    own, lease = split(alias.description)
    # the lease stays while the rollout goes on (one step ahead); a finished or undone split drops it
    description = None if lease is None else (alias.description if canary is not None else own)
    weights = {} if canary is None else {canary[0]: to_fc_weight(canary[1])}
    try:
        written = client.update_alias(service, alias.alias_name, version_id=main, additional_version_weight=weights,
                                      description=description, if_match=alias.etag)
    except PreconditionFailedError as exc:
        raise AliasChangedError(
            f"alias {service}/{alias.alias_name} changed while we were updating it; nothing was written. "
            "Look at `fcinfra status` and try again"
        ) from exc
    return written


def _result(status: Any, service: str, alias: str, frm: str, to: str, history: list[int], reason: str,
            writes: int) -> RolloutResult:
    return RolloutResult(status=status, service=service, alias=alias, from_version=frm, to_version=to,
                         history=history, reason=reason, alias_reads=1, alias_writes=writes)


def promote(client: AliasApi, service: str, alias: str, to_version: str | None = None,
            full: bool = False, *, function_level: bool = False) -> RolloutResult:
    """Move a rollout on: to its next planned weight (the answer to a manual pause), or with ``full`` (or when
    the next step is the last, or the split is not a rollout's) to 100 %, the canary becoming the main version.

    ``to_version`` switches straight to that version; an older one than the main version is refused
    (that is a rollback: :func:`rollback` with ``to_version``). One read, at most one write. ``function_level``
    (FC 3.0) only changes the wording of refusals.
    """
    current = client.get_alias(service, alias)
    view = AliasView.from_alias(current)
    target = view.canary_version if to_version is None else _version(to_version)
    if target is None:
        raise RolloutError(f"nothing to promote: {service}/{alias} sends all traffic to version "
                           f"{view.main_version} and has no canary; name the version to promote")
    if view.is_promoted(target):
        return _result("promoted", service, alias, view.main_version, target, [], "already promoted", 0)
    if _older(target, view.main_version):
        raise ReleaseCheckError(f"version {target} is older than version {view.main_version}, the main version of "
                                f"{service}/{alias}: promoting it would be a rollback; use "
                                f"`{cli_name(function_level)} rollback {service} {alias} --to-version {target}`")
    _, lease = split(current.description)
    step = lease.next_weight if lease is not None and lease.to_version == target else 100
    if not full and target == view.canary_version and view.weight < step < 100:
        _write(client, service, current, view.main_version, (target, step))
        return _result("in_progress", service, alias, view.main_version, target, [step],
                       f"version {target} now receives {step}% on {service}/{alias}, the rollout's next step "
                       "(`--full` promotes at once)", 1)
    _write(client, service, current, target)
    return _result("promoted", service, alias, view.main_version, target, [100],
                   f"version {target} is now the main version of {service}/{alias}", 1)


def rollback(client: AliasApi, service: str, alias: str, to_version: str | None = None, *,
             function_level: bool = False) -> RolloutResult:
    """Send all traffic back to the main version alone (or to ``to_version``, an older version, e.g. to undo a
    promotion): one write. An alias already there has nothing to undo: no write, status ``rolled_back``.
    ``function_level`` (FC 3.0) only changes the wording of refusals."""
    current = client.get_alias(service, alias)
    view = AliasView.from_alias(current)
    target = view.main_version if to_version is None else _version(to_version)
    canary = view.canary_version or view.main_version
    if view.is_baseline(target):
        return _result("rolled_back", service, alias, target, canary, [],
                       f"nothing to do: {service}/{alias} already sends all traffic to version {target}", 0)
    if _older(view.main_version, target):
        cli = cli_name(function_level)
        raise ReleaseCheckError(f"version {target} is newer than version {view.main_version}, the main version of "
                                f"{service}/{alias}: moving to it is a release; use `{cli} rollout` or "
                                f"`{cli} promote {service} {alias} --version {target}`")
    _write(client, service, current, target)
    return _result("rolled_back", service, alias, target, canary, [0],
                   f"{service}/{alias} now sends all traffic to version {target}", 1)


def _older(version: str, than: str) -> bool:
    """Published versions are numbered in order; LATEST is newer than every one."""
    return version.isdigit() and (not than.isdigit() or int(version) < int(than))


def _version(value: str) -> str:
    try:
        return check_version_id(str(value), "version id")
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None


@dataclass(frozen=True)
class AliasStatus:
    """The alias's split and what a rollout in progress is doing, as far as the alias itself tells."""

    service: str
    alias: str
    main_version: str
    canary_version: str | None
    canary_weight: int  # whole percent
    raw_weight: float | None  # FC's own float, for the curious
    state: str  # "stable" | "rollout_in_progress"
    description: str
    next_weights: list[int] | None = None
    remaining_seconds: float | None = None
    etag: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``fcinfra status --json``."""
        return {
            "service": self.service,
            "alias": self.alias,
            "main_version": self.main_version,
            "canary_version": self.canary_version,
            "canary_weight": self.canary_weight,
            "raw_weight": self.raw_weight,
            "state": self.state,
            "description": self.description,
            "next_weights": self.next_weights,
            "remaining_seconds": self.remaining_seconds,
        }


def status(client: AliasApi, service: str, alias: str, strategy: Strategy | None = None,
           wall_now: float | None = None) -> AliasStatus:
    """One read. With ``strategy``, also the weights still to come and the minimum time they take.

    ``wall_now`` (Unix seconds) tells a live rollout's lease from an ended one; None: not judged.
    """
    current = client.get_alias(service, alias)
    _, lease = split(current.description)
    holder = f"; {lease.describe()} is moving it now" if lease and wall_now and lease.live(wall_now) else ""
    view = AliasView.from_alias(current)
    raw = next(iter(current.additional_version_weight.values()), None)
    if view.canary_version is None:
        return AliasStatus(service, alias, view.main_version, None, 0, raw, "stable",
                           f"all traffic to version {view.main_version}; no rollout in progress", etag=current.etag)
    text = (
        f"{view.describe()}: a rollout of version {view.canary_version} is in progress or was interrupted. "
        f"Continue it with `fcinfra rollout` (it resumes at {view.weight}%), finish it with `fcinfra promote`, "
        "or undo it with `fcinfra rollback`"
    ) + holder
    next_weights = remaining = None
    if strategy is not None:
        plan = compile_plan(strategy)
        progress = resume_point(plan, view, view.canary_version, 0.0)
        rest = plan[progress.stage + 1:]
        next_weights = [s.weight for s in rest]
        remaining = plan_duration(plan[max(progress.stage, 0):]) if progress.stage >= 0 else plan_duration(plan)
        text += f"; still to come: {next_weights} (at least {format_duration(remaining)})"
    return AliasStatus(service, alias, view.main_version, view.canary_version, view.weight, raw,
                       "rollout_in_progress", text, next_weights, remaining, current.etag)
