"""The thin runner: observe the alias, ask ``decide()``, apply the answer, repeat.

Every alias write is ``update_alias(..., if_match=etag)`` with the ETag of the last answer we saw, so a
change made by anyone else makes our write fail (412) instead of overwriting theirs; we then read the
alias once to tell "our own write landed but its answer was lost" (carry on) from "someone else changed
it" (stop without writing, status ``aborted``). Alias traffic per step: at most one read (skipped when
nothing could have changed since the last answer) and exactly one write; a rollback is one write, sent
without a read first so that traffic returns to the old version as fast as possible.

Time is read only through the injected ``clock`` and spent only through the injected ``sleep``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fcinfra.errors import (
    FcinfraError,
    InvalidArgumentError,
    PreconditionFailedError,
    RolloutError,
)
from fcinfra.fc.models import Alias, check_alias_name, check_name, check_version_id
from fcinfra.rollout import abort
from fcinfra.rollout.clock import VirtualClock, resolve_time, wall_time
from fcinfra.rollout.engine import (
    Adopt,
    AliasView,
    AwaitPromote,
    Check,
    Fail,
    Finish,
    Observe,
    Policy,
    Progress,
    Rollback,
    SetWeight,
    Signals,
    Status,
    Wait,
    decide,
    resume_point,
    target_view,
    with_stage,
)
from fcinfra.rollout.events import Event, EventSink
from fcinfra.rollout.health import Gate, GateResult, HttpProbe, InvokeProbe, Target, as_gate
from fcinfra.rollout.hooks import TrafficHook
from fcinfra.rollout.lease import Lease, is_lease_id, new_holder, render, split
from fcinfra.rollout.owner import cli_name
from fcinfra.rollout.ports import AliasApi
from fcinfra.rollout.result import Checkpoint, RolloutResult
from fcinfra.rollout.spec import (
    Stage,
    Strategy,
    check_time_budget,
    compile_plan,
    default_strategy,
    describe_plan,
    to_fc_weight,
)
from fcinfra.rollout.verdicts import FAIL, Verdict

__all__ = ["Rollout", "RolloutResult", "VirtualClock", "resolve_time"]


def _as_list(gates: Any) -> list[Any]:
    """``health=probe`` means ``health=[probe]``: a single gate is accepted as well as a list of them."""
    if isinstance(gates, Iterable) and not isinstance(gates, str | bytes):
        return list(gates)
    return [gates]


def _positive(value: float | None, what: str, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidArgumentError(f"{what} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _check_fc3_gates(function: str, gates: Sequence[Gate]) -> None:
    """On FC 3.0 the alias belongs to one function: probes must call that one; hooks are functions of their own."""
    for gate in gates:
        if isinstance(gate, TrafficHook) and gate.service:
            raise InvalidArgumentError(f"{gate.name}: on FC 3.0 a hook is a function of its own (FC 3.0 has no "
                                       "services): TrafficHook(function=...) without service")
        if isinstance(gate, InvokeProbe | HttpProbe) and gate.function != function:
            raise InvalidArgumentError(f"{type(gate).__name__}(function={gate.function!r}) cannot judge alias of "
                                       f"function {function!r}: on FC 3.0 an alias belongs to one function")


@dataclass
class _Tally:
    reads: int = 0
    writes: int = 0
    history: list[int] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)


class Rollout:
    """Walk ``alias`` from its current main version to ``to_version`` along ``strategy``.

    ``health`` gates are checked at every stage; ``pre_traffic`` gates (or ``True``: the health gates)
    are checked against the new version, invoked directly, before any traffic moves (a plan with no
    canary stage, such as ``AllAtOnce()``, always checks its health gates that way: it is never promoted
    unchecked). ``time_budget`` (seconds) ends the run early with status ``in_progress`` and a
    ``checkpoint`` to pass to the next run (bake time already observed is credited there); the run stops
    before a weight it would not have time to bake, never right after raising one. ``approve`` is polled
    at manual gates. Each write carries a lease in the alias description (:mod:`.lease`): a rollout
    refuses to start while another one holds a live lease. ``wall_clock`` (Unix seconds) dates leases.
    Construction validates everything and touches nothing; :meth:`run` does the work.
    """

    def __init__(
        self,
        client: AliasApi,
        service: str | None = None,
        alias: str | None = None,
        to_version: str | None = None,
        strategy: Strategy | Sequence[int] | None = None,
        health: Iterable[Gate | Callable[[Target], GateResult]] = (),
        *,
        function: str | None = None,
        pre_traffic: Iterable[Gate | Callable[[Target], GateResult]] | bool = (),
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        on_event: EventSink | Iterable[EventSink] | None = None,
        check_every: float = 10.0,
        inconclusive_timeout: float | None = 300.0,
        time_budget: float | None = None,
        approve: Callable[[], bool] | None = None,
        poll_every: float = 10.0,
        wait_for_promote: bool = True,
        checkpoint: Checkpoint | Mapping[str, Any] | None = None,
        wall_clock: Callable[[], float] = wall_time,
        look_every: float | None = None,
        lease_id: str | None = None,
    ) -> None:
        if (service is None) == (function is None):
            raise InvalidArgumentError("give exactly one of service= (FC 2.0: the alias's service) and function= "
                                       "(FC 3.0: the alias's function, with an Fc3Client)")
        if alias is None or to_version is None:
            raise InvalidArgumentError("alias and to_version are required")
        owner = service if service is not None else function
        assert owner is not None
        try:
            check_name(owner, "service name" if function is None else "function name")
            check_alias_name(alias)
            check_version_id(str(to_version), "to_version")
        except ValueError as exc:
            raise InvalidArgumentError(str(exc)) from None
        self.client = client
        # The alias's owner: a service on FC 2.0, the function itself on FC 3.0 (Fc3Client's alias calls take the
        # function where FcClient's take the service, so the AliasApi port is the same).
        self.service = owner
        self.function = function
        self.alias = alias
        self.to_version = str(to_version)
        self.strategy = strategy if strategy is not None else default_strategy()
        self.plan: tuple[Stage, ...] = compile_plan(self.strategy)
        self.health = [as_gate(g) for g in _as_list(health)]
        if pre_traffic is True:
            self.pre_traffic = list(self.health)
        elif pre_traffic is False:
            self.pre_traffic = []
        else:
            self.pre_traffic = [as_gate(g) for g in _as_list(pre_traffic)]
        if not self.pre_traffic and all(stage.is_promotion for stage in self.plan):
            self.pre_traffic = list(self.health)  # no canary stage to judge: judge the version before its one write
        if function is not None:
            _check_fc3_gates(function, [*self.health, *self.pre_traffic])
        self.sleep, self.clock = resolve_time(sleep, clock)
        self.wall_clock = wall_clock
        if on_event is None:
            self._sinks: list[EventSink] = []
        elif callable(on_event):
            self._sinks = [on_event]
        else:
            self._sinks = list(on_event)
        check = _positive(check_every, "check_every")
        poll = _positive(poll_every, "poll_every")
        assert check is not None and poll is not None
        if check <= 0 or poll <= 0:
            raise InvalidArgumentError("check_every and poll_every must be > 0 seconds")
        self.check_every = check
        self.poll_every = poll
        # a baking rollout re-reads its alias at a check at most this often, so an abort or rollback made
        # elsewhere ends it at its next check (None: it looks only before each write, as DESIGN's counts assume)
        self.look_every = _positive(look_every, "look_every", allow_none=True)
        self.inconclusive_timeout = _positive(inconclusive_timeout, "inconclusive_timeout", allow_none=True)
        self.time_budget = _positive(time_budget, "time_budget", allow_none=True)
        if self.time_budget is not None:
            check_time_budget(self.time_budget, self.plan)
        self.approve = approve
        self.wait_for_promote = wait_for_promote
        self.checkpoint = Checkpoint.from_mapping(checkpoint)
        # A caller with a stable identity (a Pulumi resource: its engine runs one update of a stack at a time)
        # names its lease, so a run that died holding one is resumed by the next run instead of blocking it.
        if lease_id is not None and not is_lease_id(lease_id):
            raise InvalidArgumentError(f"lease_id must be 8 lowercase hex digits, not {lease_id!r}")
        self.lease_id = lease_id

    # ------------------------------------------------------------------------------------------ public

    def dry_run(self) -> str:
        """The exact schedule and total duration; no API call."""
        head = f"rollout of version {self.to_version} on {self.service}/{self.alias} ({self.strategy!r})"
        return head + "\n" + describe_plan(self.plan)

    @property
    def schedule(self) -> list[int]:
        """The weights this rollout will apply, in order (the last one, 100, is the promotion)."""
        return [stage.weight for stage in self.plan]

    def run(self) -> RolloutResult:
        """Run (or resume) the rollout until promoted, rolled back, aborted, or out of time budget."""
        t0 = self.clock()
        tally = _Tally()
        policy = Policy(
            check_every=self.check_every,
            inconclusive_timeout=self.inconclusive_timeout,
            deadline=None if self.time_budget is None else t0 + self.time_budget,
            has_pre_traffic=bool(self.pre_traffic),
            has_health=bool(self.health),
            poll_every=self.poll_every,
            wait_for_promote=self.wait_for_promote,
        )
        alias = self._read(tally)
        observed = AliasView.from_alias(alias)
        own, lease = split(alias.description)
        foreign = lease if lease is not None and lease.live(self.wall_clock()) and lease.id != self.lease_id else None
        if foreign is not None:  # judged by decide(); resume_point would refuse a foreign split on its own terms
            progress = Progress(observed.main_version, self.to_version, -1, t0, observed)
        else:
            progress = self._apply_checkpoint(resume_point(self.plan, observed, self.to_version, t0), observed, t0)
        resumed_from = observed.weight if observed.canary_version == self.to_version and not foreign else None
        ctx = _RunContext(self, tally, t0, progress.from_version, resumed_from, own)
        if foreign is not None:
            pass
        elif resumed_from is not None:
            ctx.emit("resume", f"resuming at {observed.weight}% from the alias's state ({observed.describe()})",
                     observed.weight)
        elif observed.is_promoted(self.to_version):
            ctx.emit("start", f"nothing to do: version {self.to_version} already serves 100% of alias "
                     f"{self.alias}", 100, nothing_to_do=True)
        else:
            steps = " -> ".join(f"{w}%" for w in self.schedule)
            ctx.emit("start", f"rolling out version {self.to_version} to alias {self.alias} "
                     f"(now serving version {progress.from_version}): {steps}", observed.weight)
        return ctx.loop(alias, observed, progress, policy, foreign)

    # ------------------------------------------------------------------------------------------ plumbing

    def _apply_checkpoint(self, progress: Progress, observed: AliasView, now: float) -> Progress:
        cp = self.checkpoint
        if cp is None or progress.stage < 0:
            return progress
        if (cp.to_version, cp.from_version, cp.weight) != (self.to_version, progress.from_version, observed.weight):
            return progress
        return replace(progress, stage_started=now - cp.baked, approved=cp.approved)

    def _read(self, tally: _Tally) -> Alias:
        tally.reads += 1
        alias: Alias = self.client.get_alias(self.service, self.alias)
        return alias

    def _write(self, tally: _Tally, view: AliasView, etag: str | None, description: str) -> tuple[Alias, bool]:
        """One conditional write. Returns (alias as now seen, whether it is our intended state)."""
        if view.canary_version is None:
            weights: dict[str, float] = {}
        else:
            weights = {view.canary_version: to_fc_weight(view.weight)}
        tally.writes += 1
        try:
            alias: Alias = self.client.update_alias(
                self.service, self.alias, version_id=view.main_version, additional_version_weight=weights,
                description=description, if_match=etag,
            )
            return alias, True
        except PreconditionFailedError:
            fresh = self._read(tally)
            # Our own write may have landed with its answer lost (then a retry meets our new ETag).
            return fresh, AliasView.from_alias(fresh) == view


class _RunContext:
    """The mutable state of one run() and the code that applies actions; short-lived, never shared."""

    def __init__(self, rollout: Rollout, tally: _Tally, t0: float, from_version: str, resumed: int | None,
                 own_description: str) -> None:
        self.r = rollout
        self.tally = tally
        self.t0 = t0
        self.from_version = from_version
        self.resumed_from = resumed
        self.own_description = abort.split(own_description)[0]  # an earlier abort's mark is not the user's
        self.aborted: str | None = None
        self.last_look = t0  # when the bake last looked at the alias (see loop's Check)
        lease_id, holder = new_holder()
        self.lease = Lease(rollout.lease_id or lease_id, rollout.to_version, 0, 0, holder)
        self.holding = False

    def emit(self, kind: str, message: str, weight: int | None = None, **data: Any) -> None:
        event = Event(kind, self.r.clock() - self.t0, message, self.r.service, self.r.alias, self.r.to_version,
                      weight, data)
        for sink in self.r._sinks:
            sink(event)

    def result(self, status: Status, reason: str, **extra: Any) -> RolloutResult:
        res = RolloutResult(
            status=status,
            service=self.r.service,
            alias=self.r.alias,
            from_version=self.from_version,
            to_version=self.r.to_version,
            history=list(self.tally.history),
            reason=reason,
            resumed_from=self.resumed_from,
            alias_reads=self.tally.reads,
            alias_writes=self.tally.writes,
            duration=self.r.clock() - self.t0,
            verdicts=list(self.tally.verdicts),
            **extra,
        )
        self.emit(status, reason, None, **({"history": res.history} if res.history else {}))
        return res

    def _lease_for(self, stage: int) -> str:
        """The description of the write that applies ``stage``: the lease while weights move, none after."""
        plan = self.r.plan
        if plan[stage].is_promotion:
            self.holding = False
            return self.own_description
        # past the bake and hold, plus the time a check may still take: a live rollout never loses its lease
        grace = 2 * self.r.check_every + 30.0 + ((self.r.inconclusive_timeout or 0.0) if self.r.health else 0.0)
        self.lease = self.lease.renewed(plan[stage + 1].weight, self.r.wall_clock() + plan[stage].hold + grace)
        self.holding = True
        return render(self.own_description, self.lease)

    def seen(self, alias: Alias) -> tuple[AliasView, str | None, bool, Lease | None]:
        """A fresh read: the routing, its ETag, freshness, and another rollout's live lease if any."""
        own, _ = split(alias.description)
        own, mark = abort.split(own)  # `fcinfra abort`'s mark is not the user's text
        self.aborted = mark.describe() if mark is not None and mark.rollout_id == self.lease.id else None
        self.own_description = own  # someone may edit the description mid-rollout: keep their text
        return AliasView.from_alias(alias), alias.etag, True, self._foreign(alias)

    def _foreign(self, alias: Alias) -> Lease | None:
        _, lease = split(alias.description)
        if lease is None or lease.id == self.lease.id or not lease.live(self.r.wall_clock()):
            return None
        return lease

    def loop(self, alias: Alias, observed: AliasView, progress: Progress, policy: Policy,
             foreign: Lease | None = None) -> RolloutResult:
        etag = alias.etag
        fresh = True
        verdicts: list[Verdict] | None = None
        waiting_at_gate = False
        error: BaseException | None = None
        try:
            while True:
                now = self.r.clock()
                signals = Signals(fresh=fresh, error=None if error is None else f"{type(error).__name__}: {error}",
                                  foreign_lease=foreign, aborted=self.aborted)
                action = decide(self.r.plan, observed, progress, verdicts, now, policy, signals)
                judged, verdicts = verdicts, None
                if isinstance(action, Fail):
                    assert error is not None
                    raise error
                if isinstance(action, Rollback):
                    if error is not None:
                        self.emit("error", f"{type(error).__name__}: {error}", observed.weight)
                    return self.rollback(action.reason, observed, progress, etag, error=error)
                if isinstance(action, Finish):
                    if action.status in ("in_progress", "paused"):  # stopping early: the next run may take over
                        self.release(observed, etag)
                    return self.finish(action, observed, progress)
                try:
                    if isinstance(action, Check):
                        verdicts = self.check(progress, observed, action.pre_traffic)
                        if not action.pre_traffic and self.r.look_every is not None \
                                and self.r.clock() - self.last_look >= self.r.look_every:
                            # at most every poll_every: `fcinfra abort`/`rollback` elsewhere is seen at a check
                            self.last_look = self.r.clock()
                            alias = self.r._read(self.tally)
                            observed, etag, fresh, foreign = self.seen(alias)
                    elif isinstance(action, Wait):
                        self.emit("wait", action.reason, observed.weight, seconds=action.seconds)
                        self.r.sleep(action.seconds)
                        fresh = False
                    elif isinstance(action, Observe):
                        alias = self.r._read(self.tally)
                        observed, etag, fresh, foreign = self.seen(alias)
                        verdicts = judged  # the same tick: the gates' answer still holds for the write to come
                    elif isinstance(action, Adopt):
                        answered = action.stage == progress.stage  # moved on past this stage's own pause
                        progress = replace(with_stage(progress, action.stage, self.r.clock(), observed),
                                           approved=answered)
                        waiting_at_gate = False
                        self.emit("approved", f"moved on to {action.weight}% by `fcinfra promote`", action.weight)
                    elif isinstance(action, AwaitPromote):
                        if self.r.approve is not None and self.r.approve():
                            progress = replace(progress, approved=True)
                            self.emit("approved", f"promote given at {observed.weight}%", observed.weight)
                            continue
                        if not waiting_at_gate:
                            self.emit("gate", f"waiting at {observed.weight}% for promote", observed.weight)
                            waiting_at_gate = True
                        self.r.sleep(action.seconds)
                        alias = self.r._read(self.tally)  # someone may have run `fcinfra promote`/`rollback`
                        observed, etag, fresh, foreign = self.seen(alias)
                    else:
                        assert isinstance(action, SetWeight)
                        intended = target_view(self.from_version, self.r.to_version, action.weight)
                        alias, ours = self.r._write(self.tally, intended, etag, self._lease_for(action.stage))
                        observed, etag, fresh, foreign = self.seen(alias)
                        if not ours:
                            continue
                        waiting_at_gate = False
                        self.tally.history.append(action.weight)
                        progress = with_stage(progress, action.stage, self.r.clock(), intended)
                        if action.weight < 100:
                            self.emit("weight", f"version {self.r.to_version} now receives {action.weight}%",
                                      action.weight, stage=action.stage)
                except RolloutError:
                    raise
                except Exception as exc:  # decide() judges it: roll back if traffic moved, else stop with it
                    error = exc
        except KeyboardInterrupt:
            self.release(observed, etag)
            raise

    def release(self, observed: AliasView, etag: str | None) -> None:
        """Stopping early (interrupted, out of time, paused): end our lease with one write of the same weights,
        so the next run may take over at once. Only a run that stops early pays this write."""
        if not self.holding:
            return
        self.holding = False
        ended = render(self.own_description, replace(self.lease, until=int(self.r.wall_clock())))
        try:
            self.r._write(self.tally, observed, etag, ended)
        except Exception:  # best effort: the lease also ends by itself at its expiry
            return

    def finish(self, action: Finish, observed: AliasView, progress: Progress) -> RolloutResult:
        checkpoint = None
        if action.status in ("in_progress", "paused"):
            checkpoint = Checkpoint(self.r.to_version, self.from_version, observed.weight,
                                    max(self.r.clock() - progress.stage_started, 0.0), progress.approved)
        return self.result(action.status, action.reason, checkpoint=checkpoint)

    def check(self, progress: Progress, observed: AliasView, pre_traffic: bool) -> list[Verdict]:
        target = Target(
            client=self.r.client,
            service=self.r.service,
            alias=self.r.alias,
            main_version=self.from_version,
            canary_version=self.r.to_version,
            weight=0 if pre_traffic else observed.weight,
            stage=progress.stage,
            pre_traffic=pre_traffic,
            clock=self.r.clock,
            function_level=self.r.function is not None,
        )
        verdicts = []
        for gate in self.r.pre_traffic if pre_traffic else self.r.health:
            try:
                verdicts.append(gate.check(target))
            except Exception as exc:  # a gate that breaks fails the canary; it must not strand the alias
                verdicts.append(Verdict(getattr(gate, "name", repr(gate)), FAIL, f"{type(exc).__name__}: {exc}"))
        self.tally.verdicts = verdicts
        self.emit("check", "; ".join(f"{v.gate}: {v.status} ({v.reason})" for v in verdicts),
                  target.weight, pre_traffic=pre_traffic, verdicts=[v.to_dict() for v in verdicts])
        return verdicts

    def rollback(
        self,
        reason: str,
        observed: AliasView,
        progress: Progress,
        etag: str | None,
        error: BaseException | None = None,
    ) -> RolloutResult:
        failed_at = self.r.clock()
        baseline = target_view(self.from_version, self.r.to_version, 0)
        self.emit("rollback", reason, observed.weight)
        if observed == baseline:  # no traffic ever moved: nothing to write
            return self.result("rolled_back", reason, rollback_seconds=0.0, error=error)
        known = {observed, progress.expected}
        try:
            alias, ours = self.r._write(self.tally, baseline, etag, self.own_description)
            if not ours and AliasView.from_alias(alias) in known:  # our own lost write: once more
                alias, ours = self.r._write(self.tally, baseline, alias.etag, self.own_description)
        except FcinfraError as exc:
            raise RolloutError(
                f"rolling back failed ({type(exc).__name__}: {exc}); the alias may still be at {observed.describe()}: "
                f"run `{cli_name(self.r.function is not None)} rollback {self.r.service} {self.r.alias}`; reason "
                f"for the rollback: {reason}"
            ) from exc
        seen = AliasView.from_alias(alias)
        if not ours:
            return self.result(
                "aborted",
                f"wanted to roll back ({reason}) but the alias was changed by someone else "
                f"({seen.describe()}); left it as it is",
                error=error,
            )
        self.tally.history.append(0)
        return self.result("rolled_back", reason, rollback_seconds=self.r.clock() - failed_at, error=error)
