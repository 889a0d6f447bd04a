"""Strategy flags (--steps / --canary / --linear / --all-at-once, --interval, --pause-at) -> a rollout strategy.

Pure: it only builds ``fcinfra.rollout.spec`` objects, which validate the schedule before anything changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from fcinfra.cli.parsing import parse_duration, parse_percent, parse_weights

if TYPE_CHECKING:
    from fcinfra.rollout.spec import Strategy



def parse_pause(value: str) -> tuple[int, float | None]:
    """``25`` -> (25, None) (wait for promote); ``25:10m`` -> (25, 600.0) (hold 10 more minutes)."""
    weight_text, sep, duration = value.partition(":")
    try:
        weight = parse_percent(weight_text)
        return weight, (parse_duration(duration) if sep else None)
    except click.BadParameter as exc:
        exc.param_hint = "--pause-at"
        raise


def build_strategy(
    steps: str | None,
    canary: str | None,
    linear: str | None,
    all_at_once: bool,
    interval: float,
    pauses: Sequence[str] = (),
) -> Strategy:
    """One strategy from the flags; at most one of steps/canary/linear/all_at_once may be given.

    A schedule the engine refuses (``50,10``, ``0``, ``101``) is a usage error naming the flag, like a value
    that does not parse, so both exit with status 2 before anything is read or changed.
    """
    from fcinfra.errors import InvalidArgumentError

    flag = "--canary" if canary is not None else "--linear" if linear is not None else "--steps"
    try:
        return _build(steps, canary, linear, all_at_once, interval, pauses)
    except click.BadParameter as exc:
        if exc.param_hint is None and exc.param is None:
            exc.param_hint = flag
        raise
    except InvalidArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint=flag) from exc


def _build(
    steps: str | None,
    canary: str | None,
    linear: str | None,
    all_at_once: bool,
    interval: float,
    pauses: Sequence[str],
) -> Strategy:
    """The flags as the one strategy schema (``Strategy.from_spec``), with the flag-only checks first."""
    from fcinfra.errors import InvalidArgumentError
    from fcinfra.rollout.spec import DEFAULT_WEIGHTS, Strategy

    chosen = [name for name, given in (("--steps", steps), ("--canary", canary), ("--linear", linear),
                                        ("--all-at-once", all_at_once)) if given not in (None, False)]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one strategy, not {' and '.join(chosen)}")
    held: dict[str, float | None] = {}
    for text in pauses:
        weight, seconds = parse_pause(text)
        if str(weight) in held:
            raise click.BadParameter(f"two pauses at {weight}%", param_hint="--pause-at")
        held[str(weight)] = seconds
    spec: dict[str, Any] = {"interval": interval, "pauses": held or None}
    if all_at_once:
        if held:
            raise click.BadParameter("--all-at-once has no intermediate weight to pause at", param_hint="--pause-at")
        spec["type"] = "all_at_once"
    elif canary is not None:
        weight = parse_percent(canary)
        if not 1 <= weight <= 99:
            raise click.BadParameter(f"a canary takes 1..99 percent, not {weight}"
                                     + ("; to switch at once use --all-at-once" if weight == 100 else ""))
        spec.update(type="canary", weight=weight)
    elif linear is not None:
        spec.update(type="linear", step=parse_percent(linear))
    else:
        spec.update(type="steps", weights=parse_weights(steps) if steps is not None else list(DEFAULT_WEIGHTS))
    try:
        return Strategy.from_spec(spec)
    except InvalidArgumentError as exc:
        if held and ("pause" in str(exc) or "promotion: there is nothing to hold" in str(exc)):
            raise click.BadParameter(str(exc), param_hint="--pause-at") from None
        raise


def schedule_document(strategy: Strategy) -> dict[str, object]:
    """The dry run as data: each stage's weight, bake and pause, start offset, and the total duration."""
    from fcinfra.rollout.spec import stage_starts

    plan = strategy.plan()
    stages = []
    for stage, at in zip(plan, stage_starts(plan), strict=True):
        pause = None
        if stage.pause is not None:
            pause = "manual" if stage.pause.seconds is None else stage.pause.seconds
        stages.append({"weight": stage.weight, "starts_at": at, "bake": stage.bake, "pause": pause})
    return {"strategy": repr(strategy), "schedule": strategy.schedule, "stages": stages,
            "total_duration": strategy.total_duration,
            "manual_gates": sum(1 for s in stages if s["pause"] == "manual")}
