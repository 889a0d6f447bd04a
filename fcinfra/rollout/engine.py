"""The rollout's brain: a pure ``decide()`` from (plan, alias as observed, progress, verdicts, now) to one action.

No I/O and no clock here: the runner (:mod:`fcinfra.rollout.runner`) observes the alias, runs the gates,
reads its injected clock, asks ``decide()`` what to do, and applies the answer. Everything the rollout
needs to know survives in the alias itself (main version, additional version, weight), which is why a
crashed rollout resumes from any machine: :func:`resume_point` rebuilds the progress from the alias.

Statuses a rollout ends with:

* ``promoted``    the new version is the alias's main version, with no additional version;
* ``rolled_back`` the old main version serves alone again (a refused pre-traffic check also ends here);
* ``aborted``     someone else changed the alias mid-rollout; we stopped without writing;
* ``in_progress`` the time budget ran out; the alias is left at a planned, consistent weight;
* ``paused``      waiting at a manual gate when the run ended (run ``promote`` to go on).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from fcinfra.errors import RolloutError
from fcinfra.rollout.lease import Lease
from fcinfra.rollout.spec import Stage
from fcinfra.rollout.verdicts import FAIL, INCONCLUSIVE, Verdict, combine

__all__ = [
    "Action",
    "Adopt",
    "AliasView",
    "AwaitPromote",
    "Check",
    "Fail",
    "Finish",
    "Observe",
    "Policy",
    "Progress",
    "Rollback",
    "SetWeight",
    "Signals",
    "Status",
    "Wait",
    "decide",
    "resume_point",
]

Status = Literal["promoted", "rolled_back", "aborted", "in_progress", "paused"]
TERMINAL_STATUSES: tuple[str, ...] = ("promoted", "rolled_back", "aborted", "in_progress", "paused")


class _AliasLike(Protocol):
    version_id: str
    additional_version_weight: dict[str, float]


@dataclass(frozen=True)
class AliasView:
    """An alias's routing reduced to what the engine reasons about: integer percents, no floats."""

    main_version: str
    canary_version: str | None = None
    weight: int = 0  # percent of traffic on canary_version
    exact: bool = True  # False when FC's float was not a whole percent (set by hand, not by us)

    @classmethod
    def from_alias(cls, alias: _AliasLike) -> AliasView:
        """Read FC's float weight as a whole percent, remembering when it was not one (set by someone else)."""
        for version, raw in (alias.additional_version_weight or {}).items():
            percent = raw * 100
            rounded = round(percent)
            if raw == 0:
                return cls(str(alias.version_id))
            return cls(str(alias.version_id), str(version), rounded, math.isclose(percent, rounded, abs_tol=1e-6))
        return cls(str(alias.version_id))

    def is_promoted(self, to_version: str) -> bool:
        """All traffic on ``to_version``: the rollout's goal is reached (also when resuming after a crash)."""
        return self.main_version == to_version and self.canary_version is None

    def is_baseline(self, from_version: str) -> bool:
        """All traffic on ``from_version``: nothing moved yet, or a rollback completed."""
        return self.main_version == from_version and self.canary_version is None

    def describe(self) -> str:
        """The routing in words, for reasons, logs and the progress display."""
        if self.canary_version is None:
            return f"version {self.main_version} alone"
        return (
            f"version {self.main_version} {100 - self.weight}% + version {self.canary_version} {self.weight}%"
            + ("" if self.exact else " (not a whole percent)")
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for events and checkpoints."""
        return {"main_version": self.main_version, "canary_version": self.canary_version, "weight": self.weight}


def target_view(from_version: str, to_version: str, weight: int) -> AliasView:
    """The alias as it looks after we applied ``weight`` (100 = promoted, 0 = rolled back)."""
    if weight >= 100:
        return AliasView(to_version)
    if weight <= 0:
        return AliasView(from_version)
    return AliasView(from_version, to_version, weight)


@dataclass(frozen=True)
class Progress:
    """The runner's memory within one run; rebuilt from the alias on resume.

    ``stage`` is the index of the last stage applied (-1: no traffic moved yet, pre-traffic phase);
    ``stage_started`` is when it was applied (or the run began); ``expected`` is how the alias should look
    (None: not yet known, nothing to compare).
    """

    from_version: str
    to_version: str
    stage: int = -1
    stage_started: float = 0.0
    expected: AliasView | None = None
    approved: bool = False


@dataclass(frozen=True)
class Policy:
    """Knobs of the decision, fixed for one run."""

    check_every: float = 10.0  # seconds between gate checks during a bake
    inconclusive_timeout: float | None = 300.0  # after the bake, how long to wait for enough evidence
    deadline: float | None = None  # time budget end (clock value); None = no budget
    has_pre_traffic: bool = False
    has_health: bool = False
    poll_every: float = 10.0  # manual gate: how often to look for promote
    wait_for_promote: bool = True  # manual gate: wait (True) or end the run with "paused" (False)


@dataclass(frozen=True)
class Signals:
    """What the runner noticed besides the alias and the verdicts; decide() judges it, the loop does not.

    ``fresh``: the alias was read or written since the last wait (a write needs a fresh ETag);
    ``error``: the last action raised this (an FC call, the display); ``foreign_lease``: another rollout
    holds a live lease on the alias (see :mod:`fcinfra.rollout.lease`); ``aborted``: the alias carries
    ``fcinfra abort``'s mark for this rollout.
    """

    fresh: bool = True
    error: str | None = None
    foreign_lease: Lease | None = None
    aborted: str | None = None  # `fcinfra abort` stopped this very rollout (see rollout/abort.py): by whom


# ---------------------------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Check:
    """Run the current phase's gates, then call decide() again with their verdicts."""

    pre_traffic: bool


@dataclass(frozen=True)
class Wait:
    """Let ``seconds`` pass on the injected clock (bake time, or waiting for more samples), then decide again."""

    seconds: float
    reason: str


@dataclass(frozen=True)
class SetWeight:
    """Apply plan stage ``stage`` (one alias write); weight 100 is the promotion."""

    stage: int
    weight: int


@dataclass(frozen=True)
class Rollback:
    """One alias write back to the main version alone (none if no traffic ever moved)."""

    reason: str


@dataclass(frozen=True)
class AwaitPromote:
    """Manual gate: wait ``seconds``, then look again for approval (or an external promote)."""

    seconds: float
    weight: int


@dataclass(frozen=True)
class Finish:
    """The run is over with ``status``; ``reason`` says why, for the result and the operator."""

    status: Status
    reason: str


@dataclass(frozen=True)
class Observe:
    """Read the alias (its ETag is stale after a wait), then decide again."""


@dataclass(frozen=True)
class Adopt:
    """Someone (``fcinfra promote``) moved the alias further on: carry on from stage ``stage`` at ``weight``,
    baking it afresh (a manual gate of that same stage counts as answered)."""

    stage: int
    weight: int


@dataclass(frozen=True)
class Fail:
    """Stop and raise the error: nothing moved, so there is nothing to roll back."""

    reason: str


Action = Check | Wait | Observe | SetWeight | Adopt | Rollback | AwaitPromote | Fail | Finish


def _clip(seconds: float, now: float, policy: Policy) -> float:
    if policy.deadline is not None:
        seconds = min(seconds, policy.deadline - now)
    return max(seconds, 0.0)


def decide(
    plan: Sequence[Stage],
    observed: AliasView,
    progress: Progress,
    verdicts: Sequence[Verdict] | None,
    now: float,
    policy: Policy | None = None,
    signals: Signals | None = None,
) -> Action:
    """The next action. Pure: same inputs, same answer.

    ``verdicts`` is None when the gates of the current phase have not been run for this tick;
    decide() then asks for a :class:`Check` if the phase has gates.
    """
    policy = policy or Policy()
    signals = signals or Signals()
    to, frm = progress.to_version, progress.from_version
    last = len(plan) - 1

    # 0. Another live rollout holds the alias: touch nothing, probe nothing.
    if signals.foreign_lease is not None:
        return Finish("aborted", f"alias is being moved by another live {signals.foreign_lease.describe()}; "
                                 "nothing was probed or written. Wait for it, or stop it with `fcinfra rollback`")

    # 1. An error: roll back if traffic moved, else stop with it.
    if signals.error is not None:
        if observed.is_baseline(frm) or observed.is_promoted(to):
            return Fail(signals.error)
        return Rollback(f"error at {observed.weight}%: {signals.error}")

    # 2. What the alias says overrides everything: done, moved on by promote, or changed under our feet.
    if observed.is_promoted(to):
        if progress.stage == last:
            return Finish("promoted", f"version {to} serves 100% as the main version")
        return Finish("promoted", f"version {to} was promoted by someone else (e.g. `fcinfra promote`)")
    if progress.expected is not None and observed != progress.expected:
        if progress.stage >= 0 and observed.is_baseline(frm):
            if signals.aborted is not None:
                return Finish("aborted", f"{signals.aborted}: {observed.describe()}")
            return Finish("rolled_back", f"rolled back by someone else: {observed.describe()}")
        ahead = _later_stage(plan, observed, progress, _at_manual_gate(plan, progress, now))
        if ahead is not None:
            return Adopt(ahead, observed.weight)
        return Finish(
            "aborted",
            f"alias changed by someone else: expected {progress.expected.describe()}, found {observed.describe()}; "
            "stopped without writing",
        )

    pre = progress.stage < 0
    out_of_time = policy.deadline is not None and now >= policy.deadline
    if out_of_time and pre:
        return Finish("in_progress", f"time budget used up before any traffic moved; alias left at "
                                     f"{observed.describe()}")

    # 3. Gates of the current phase (also at the deadline: a weight is never left without its last check).
    has_gates = policy.has_pre_traffic if pre else policy.has_health
    if has_gates and verdicts is None:
        return Check(pre_traffic=pre)
    verdicts = verdicts or ()
    overall = combine(verdicts)
    if overall == FAIL:
        failed = "; ".join(f"{v.gate}: {v.reason}" for v in verdicts if v.status == FAIL)
        return Rollback(("pre-traffic check failed: " if pre else f"gate failed at {observed.weight}%: ") + failed)

    # 4. Time budget: stop at a consistent, planned weight (we only ever stop between actions).
    if out_of_time:
        if _at_manual_gate(plan, progress, now):
            return Finish("paused", f"waiting at {observed.weight}% for promote (manual gate); time budget used up")
        return Finish("in_progress", f"time budget used up; alias left at {observed.describe()}")
    elapsed = now - progress.stage_started

    if pre:
        if overall == INCONCLUSIVE:
            if policy.inconclusive_timeout is not None and elapsed >= policy.inconclusive_timeout:
                return Rollback(f"pre-traffic check inconclusive for {elapsed:g}s: " + _pending(verdicts))
            return Wait(_clip(policy.check_every, now, policy), "pre-traffic check: " + _pending(verdicts))
        return _advance(plan, 0, observed, now, policy, signals)

    stage = plan[progress.stage]
    hold = stage.hold
    if overall == INCONCLUSIVE:
        if policy.inconclusive_timeout is not None and elapsed >= hold + policy.inconclusive_timeout:
            return Rollback(f"not enough evidence at {observed.weight}% after {elapsed:g}s: " + _pending(verdicts))
        return Wait(_clip(policy.check_every, now, policy), f"at {observed.weight}%: " + _pending(verdicts))
    if elapsed < hold - TIME_EPSILON:
        step = hold - elapsed if not has_gates else min(policy.check_every, hold - elapsed)
        what = "bake" if elapsed < stage.bake else "hold"
        return Wait(_clip(step, now, policy), f"{what} at {observed.weight}%: {hold - elapsed:g}s left")
    if stage.pause is not None and stage.pause.manual and not progress.approved:
        if not policy.wait_for_promote:
            return Finish("paused", f"waiting at {observed.weight}% for promote (manual gate)")
        return AwaitPromote(_clip(policy.poll_every, now, policy), observed.weight)
    return _advance(plan, progress.stage + 1, observed, now, policy, signals)


def _advance(plan: Sequence[Stage], nxt: int, observed: AliasView, now: float, policy: Policy,
             signals: Signals) -> Action:
    """The next write, if it is safe: a fresh ETag first, and time left to bake what it raises."""
    stage = plan[nxt]
    if policy.deadline is not None and not stage.is_promotion and now + stage.bake > policy.deadline + TIME_EPSILON:
        left = max(policy.deadline - now, 0.0)
        return Finish("in_progress", f"time budget: {left:g}s left, not enough to bake {stage.weight}% for "
                                     f"{stage.bake:g}s; alias left at {observed.describe()}")
    if not signals.fresh:
        return Observe()
    return SetWeight(nxt, stage.weight)


def _later_stage(plan: Sequence[Stage], observed: AliasView, progress: Progress, at_gate: bool) -> int | None:
    """Our rollout moved further on by someone else (``fcinfra promote``): the planned stage it now stands at.

    Any higher weight answers a manual gate we wait at; otherwise only one of our planned weights is ours
    to adopt (anything else is someone else's change). The stage is the last non-promotion stage at or
    below the new weight; the next write then goes above it.
    """
    if (observed.main_version, observed.canary_version) != (progress.from_version, progress.to_version):
        return None
    if not observed.exact or progress.expected is None or observed.weight <= progress.expected.weight:
        return None
    if not at_gate and observed.weight not in {s.weight for s in plan}:
        return None
    stage = progress.stage
    for i in range(max(progress.stage, 0), len(plan)):
        if plan[i].weight <= observed.weight and not plan[i].is_promotion:
            stage = i
    return stage if stage >= 0 else None


# Float time sums (10.0 + 0.2 - 10.0) leave remainders like 7e-16; waiting for one would never advance a
# virtual clock (10.2 + 7e-16 == 10.2). A microsecond is far below any interval a rollout can be given.
TIME_EPSILON = 1e-6


def _at_manual_gate(plan: Sequence[Stage], progress: Progress, now: float) -> bool:
    if progress.stage < 0 or progress.approved:
        return False
    stage = plan[progress.stage]
    return stage.pause is not None and stage.pause.manual and now - progress.stage_started >= stage.bake


def _pending(verdicts: Sequence[Verdict]) -> str:
    return "; ".join(f"{v.gate}: {v.reason}" for v in verdicts if v.status == INCONCLUSIVE) or "waiting"


def resume_point(plan: Sequence[Stage], observed: AliasView, to_version: str, now: float) -> Progress:
    """Where a rollout of ``to_version`` stands, judged from the alias alone (no local state).

    Main version X alone: start fresh from X. X plus ``to_version`` at w %: resume after the last
    planned stage at or below w (its bake starts again: the evidence before the crash is gone). The new
    version already main: nothing to do. Any other split belongs to someone else's rollout: refuse.
    """
    if observed.is_promoted(to_version):
        return Progress(observed.main_version, to_version, len(plan) - 1, now, observed)
    if observed.main_version == to_version:
        raise RolloutError(
            f"version {to_version} is already the main version but {observed.describe()}; "
            "finish or undo that split first (`fcinfra promote` / `fcinfra rollback`)"
        )
    if observed.canary_version is None:
        return Progress(observed.main_version, to_version, -1, now, observed)
    if observed.canary_version != to_version:
        raise RolloutError(
            f"the alias is in the middle of another rollout ({observed.describe()}); "
            f"promote or roll it back before rolling out version {to_version}"
        )
    stage = -1
    for i, planned in enumerate(plan):
        if planned.weight <= observed.weight and not planned.is_promotion:
            stage = i
    return Progress(observed.main_version, to_version, stage, now, observed)


def with_stage(progress: Progress, stage: int, now: float, expected: AliasView) -> Progress:
    """Progress after applying ``stage``: its clock restarts and any manual approval is used up."""
    return replace(progress, stage=stage, stage_started=now, expected=expected, approved=False)
