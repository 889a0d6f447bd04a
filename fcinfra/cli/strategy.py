"""Strategy flags (--steps / --canary / --linear / --all-at-once, --interval, --pause-at) -> a rollout strategy.

Pure: it only builds ``fcinfra.rollout.spec`` objects, which validate the schedule before anything changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from fcinfra.cli.parsing import parse_duration, parse_percent, parse_weights

if TYPE_CHECKING:
    from fcinfra.rollout.spec import Pause, Strategy

DEFAULT_STEPS = "10,25,50,100"


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
    from fcinfra.rollout.spec import AllAtOnce, Canary, Linear, Pause, Steps

    chosen = [name for name, given in (("--steps", steps), ("--canary", canary), ("--linear", linear),
                                        ("--all-at-once", all_at_once)) if given not in (None, False)]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one strategy, not {' and '.join(chosen)}")
    pause_map: dict[int, Pause] = {}
    for text in pauses:
        weight, seconds = parse_pause(text)
        if weight in pause_map:
            raise click.BadParameter(f"two pauses at {weight}%", param_hint="--pause-at")
        pause_map[weight] = Pause(seconds)

    if all_at_once:
        if pause_map:
            raise click.BadParameter("--all-at-once has no intermediate weight to pause at", param_hint="--pause-at")
        return AllAtOnce()
    if canary is not None:
        weight = parse_percent(canary)
        if not 1 <= weight <= 99:
            raise click.BadParameter(f"a canary takes 1..99 percent, not {weight}"
                                     + ("; to switch at once use --all-at-once" if weight == 100 else ""))
        if not pause_map:
            return Canary(weight, interval)
        weights = [weight, 100]
    elif linear is not None:
        step = parse_percent(linear)
        if not pause_map:
            return Linear(step, interval)
        if not 1 <= step <= 100:
            return Linear(step, interval)  # let the spec explain the bad step
        weights = [*range(step, 100, step), 100]
    else:
        weights = parse_weights(DEFAULT_STEPS if steps is None else steps)
    return Steps(_with_pauses(weights, pause_map), interval)


def _with_pauses(weights: list[int], pauses: dict[int, Pause]) -> list[int | Pause]:
    if 100 in pauses:
        raise click.BadParameter("100% is the promotion: there is nothing to hold after it; pause at an earlier "
                                 f"step of {weights}", param_hint="--pause-at")
    unknown = sorted(set(pauses) - set(weights))
    if unknown:
        raise click.BadParameter(
            f"no step at {', '.join(f'{w}%' for w in unknown)}; the schedule is {weights}", param_hint="--pause-at"
        )
    items: list[int | Pause] = []
    for weight in weights:
        items.append(weight)
        if weight in pauses:
            items.append(pauses[weight])
    return items


def schedule_document(strategy: Strategy) -> dict[str, object]:
    """The dry run as data: each stage's weight, bake and pause, start offset, and the total duration."""
    stages = []
    at = 0.0
    for stage in strategy.plan():
        pause = None
        if stage.pause is not None:
            pause = "manual" if stage.pause.seconds is None else stage.pause.seconds
        stages.append({"weight": stage.weight, "starts_at": at, "bake": stage.bake, "pause": pause})
        at += stage.bake + ((stage.pause.seconds or 0.0) if stage.pause is not None else 0.0)
    return {"strategy": repr(strategy), "schedule": strategy.schedule, "stages": stages,
            "total_duration": strategy.total_duration,
            "manual_gates": sum(1 for s in stages if s["pause"] == "manual")}
