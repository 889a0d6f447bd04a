"""Run an ``fcinfra.rollout`` canary from plain Pulumi properties, within a time budget.

Strategies and health gates reach a provider as plain data (Pulumi properties; numbers arrive as
floats): ``{"type": "steps", "weights": [10, 25, 50, 100], "interval": 30}`` and
``[{"type": "invoke", "function": "fn", "samples": 20, "max_error_rate": 0.05}]``. This module turns
them into rollout objects (validated, typed errors) and runs the rollout with a time budget: past it
the rollout stops between steps (``in_progress``), the alias keeps its real state, and the next
``pulumi up`` resumes from there (with the checkpoint, bake time already observed is credited).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fcinfra.errors import InvalidArgumentError
from fcinfra.providers._props import from_json

if TYPE_CHECKING:
    from fcinfra.rollout.spec import Strategy

__all__ = ["DEFAULT_STRATEGY", "RolloutOutcome", "build_health", "build_strategy", "run_rollout"]


def _default_spec() -> dict[str, Any]:
    from fcinfra.rollout.spec import DEFAULT_INTERVAL, DEFAULT_WEIGHTS

    return {"type": "steps", "weights": list(DEFAULT_WEIGHTS), "interval": int(DEFAULT_INTERVAL)}


# the one default schedule as plain data, for a CanaryRelease without a strategy (same values as ever: no diff)
DEFAULT_STRATEGY: dict[str, Any] = _default_spec()


def _kwargs(spec: Mapping[str, Any], skip: tuple[str, ...] = ("type",)) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key in skip or value is None:
            continue
        out[key] = int(value) if isinstance(value, float) and value.is_integer() and key != "max_error_rate" else value
    return out


def build_strategy(spec: Mapping[str, Any] | Sequence[int] | None) -> Strategy:
    """A plain strategy spec -> an ``fcinfra.rollout`` strategy: ``Strategy.from_spec``, the one schema."""
    from fcinfra.rollout.spec import Strategy

    return Strategy.from_spec(from_json(spec))


def build_health(specs: Sequence[Mapping[str, Any]] | None, credentials: Any = None) -> list[Any]:
    """Plain health-gate specs -> ``fcinfra.rollout`` gates.

    Traffic gates (``sls``, ``cms``, ``prometheus``: docs/gates.md) query with ``credentials`` (a
    ``GateCredentials``); without them (validation in ``check``) they are built with placeholder keys.
    """
    specs = from_json(specs)
    if not specs:
        return []  # no gates: a preview's check does not import the probes and traffic gates
    import fcinfra.rollout as rollout
    from fcinfra.rollout.traffic.specs import GATE_TYPES, GateCredentials, gate_from_spec

    gates: list[Any] = []
    kinds = {"invoke": "InvokeProbe", "http": "HttpProbe"}
    for spec in specs or []:
        if not isinstance(spec, Mapping):
            raise InvalidArgumentError(f"a health gate must be a mapping like {{'type': 'invoke', ...}}, got {spec!r}")
        kind = str(spec.get("type", "invoke")).lower()
        if kind in GATE_TYPES:  # issue 14: gates on real traffic
            gates.append(gate_from_spec(spec, credentials or GateCredentials("cn-hangzhou", "validation-only",
                                                                             "validation-only")))
            continue
        cls_name = kinds.get(kind)
        cls = getattr(rollout, cls_name, None) if cls_name else None
        if cls is None:
            raise InvalidArgumentError(f"unknown health gate type {kind!r}: use {', '.join([*kinds, *GATE_TYPES])}")
        try:
            gates.append(cls(**_kwargs(spec)))
        except TypeError as exc:
            raise InvalidArgumentError(f"bad {kind} health gate {dict(spec)!r}: {exc}") from None
    return gates


def _gate_credentials(client: Any, specs: Any) -> Any:
    """The FC client's access key for traffic gates that query Log Service or CloudMonitor (only if one does)."""
    from fcinfra.rollout.traffic.specs import credentials_from_client

    wanted = any(isinstance(s, Mapping) and str(s.get("type", "")).lower() in ("sls", "cms")
                 for s in from_json(specs) or [])
    return credentials_from_client(client) if wanted else None


def rollout_timing(spec: Any) -> dict[str, float]:
    """Optional health-check pacing in a strategy spec: ``check_every`` and ``inconclusive_timeout`` (seconds)."""
    spec = from_json(spec)
    if not isinstance(spec, Mapping):
        return {}
    timing: dict[str, float] = {}
    for key in ("check_every", "inconclusive_timeout"):
        value = spec.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise InvalidArgumentError(f"strategy {key} must be a positive number of seconds, got {value!r}")
        timing[key] = float(value)
    return timing


@dataclass
class RolloutOutcome:
    """What a (possibly partial) rollout did, in plain data for the resource's outputs."""

    status: str  # "promoted" | "rolled_back" | "in_progress" | "paused" | "aborted"
    history: list[int] = field(default_factory=list)
    reason: str = ""
    checkpoint: dict[str, Any] | None = None


def run_rollout(
    client: Any,
    *,
    service: str,
    alias: str,
    to_version: str,
    strategy: Mapping[str, Any] | Sequence[int] | None,
    health: Sequence[Mapping[str, Any]] | None,
    budget: float | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    checkpoint: Mapping[str, Any] | None = None,
    hooks: Mapping[str, Any] | None = None,
    notifications: Sequence[Mapping[str, Any]] | None = None,
    warn: Callable[[str], None] | None = None,
    fc3: bool = False,
) -> RolloutOutcome:
    """Walk the alias to ``to_version``, resuming from its live state; stop at the time budget.

    ``hooks`` and ``notifications`` are :mod:`fcinfra.providers._operator`'s plain properties; the post-traffic
    hook runs after the promotion (and its bake), before the outcome is reported; the release's end is recorded
    in the service's (FC 3.0: the function's) history tags (:func:`fcinfra.history.record_result`, as the CLI
    does)."""
    from fcinfra.providers._operator import build_hooks, build_notifier, run_post_traffic
    from fcinfra.rollout import Rollout
    from fcinfra.rollout.lease import stable_lease_id

    timing: dict[str, Any] = dict(rollout_timing(strategy))
    extra: dict[str, Any] = {}
    plan_strategy = build_strategy(strategy)
    gates = build_health(health, _gate_credentials(client, health))
    hook = build_hooks(hooks, function_level=fc3)  # FC 3.0: each hook is an FC 3.0 function
    if hook.pre is not None:  # one more pre-traffic gate; a plan without a canary stage keeps its health check
        whole = all(stage.is_promotion for stage in plan_strategy.plan())
        extra["pre_traffic"] = [*(gates if whole else []), hook.pre]
    notifier = build_notifier(notifications, warn=warn)
    from fcinfra.gate_board import GateBoard  # the latest verdicts, for `fcinfra status --watch` elsewhere

    # the service's tags; on FC 3.0 (``service`` is the function) the function's
    sinks: list[Any] = [GateBoard(client, service, alias, every=max(float(timing.get("check_every", 10.0)), 5.0))]
    if notifier is not None:
        sinks.append(notifier)  # a failing notification never changes the outcome
    rollout = Rollout(
        client,
        service=None if fc3 else service,
        function=service if fc3 else None,  # FC 3.0: the alias's owner is a function
        alias=alias,
        to_version=to_version,
        strategy=plan_strategy,
        health=gates,
        on_event=sinks,
        sleep=sleep,
        clock=clock,
        time_budget=budget,
        wait_for_promote=False,
        checkpoint=checkpoint or None,
        # one lease id per alias for Pulumi: a `pulumi up` killed mid-canary is resumed by the next one, not
        # blocked by its own lease until it expires (Pulumi runs one update of a stack at a time)
        lease_id=stable_lease_id("pulumi", "fc3" if fc3 else "fc2", service, alias),
        **timing,  # only what the spec sets: the engine's own defaults otherwise
        **extra,
    )
    try:
        result = rollout.run()
        if hook.post is not None:
            result = run_post_traffic(client, result, hook, sleep, [] if notifier is None else [notifier])
    finally:
        for failure in notifier.close() if notifier is not None else []:
            if warn is not None:
                warn(failure)
    _record(client, result, warn)  # the service's (FC 3.0: the function's) history tags, as the CLI does
    if result.error is not None and result.status not in ("rolled_back", "aborted"):
        raise result.error
    checkpoint = None if result.checkpoint is None else result.checkpoint.to_dict()
    return RolloutOutcome(str(result.status), [int(w) for w in result.history], result.reason or "",
                          _plain(checkpoint))


def _record(client: Any, result: Any, warn: Callable[[str], None] | None) -> None:
    from fcinfra.history import record_result

    try:
        by = client.credentials.get().access_key_id
    except Exception:  # who did it is nice to know, never worth failing a release
        by = None
    why = record_result(client, result, by=by)
    if why and warn is not None:
        warn(why)


def _plain(value: Any) -> Any:
    """Checkpoints travel through Pulumi state: keep them to JSON-able plain data."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
