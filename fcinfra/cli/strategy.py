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
    weight = parse_percent(weight_text)
    return weight, (parse_duration(duration) if sep else None)


def build_strategy(
    steps: str | None,
    canary: str | None,
    linear: str | None,
    all_at_once: bool,
    interval: float,
    pauses: Sequence[str] = (),
) -> Strategy:
    """One strategy from the flags; at most one of steps/canary/linear/all_at_once may be given."""
    from fcinfra.rollout.spec import AllAtOnce, Canary, Linear, Pause, Steps

    chosen = [name for name, given in (("--steps", steps), ("--canary", canary), ("--linear", linear),
                                        ("--all-at-once", all_at_once)) if given]
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
        weights = parse_weights(steps or DEFAULT_STEPS)
    return Steps(_with_pauses(weights, pause_map), interval)


def _with_pauses(weights: list[int], pauses: dict[int, Pause]) -> list[int | Pause]:
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
