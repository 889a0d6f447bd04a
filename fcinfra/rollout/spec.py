"""Rollout strategies, compiled to an exact integer-percent plan.

Pure: no I/O, no clock. Weights stay whole percents everywhere inside fcinfra and become FC's 0-1 float
only at the API edge (``weight / 100``), so a plan never drifts to ``0.9999999999999999`` the way a
float-stepping canary does. Every strategy is validated when it is built, before anything changes.

A plan is a tuple of :class:`Stage`. Each stage sets the canary weight, then *bakes* (gates are checked
for ``bake`` seconds), then optionally *pauses* (a timed hold, or a manual gate that waits for
``promote``) before the next stage. The last stage is always 100: reaching it is the promotion itself
(the new version becomes the alias's main version), so it neither bakes nor pauses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fcinfra.errors import InvalidArgumentError

__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_WEIGHTS",
    "AllAtOnce",
    "Canary",
    "Linear",
    "Pause",
    "Stage",
    "Steps",
    "Strategy",
    "check_time_budget",
    "compile_plan",
    "default_strategy",
    "describe_plan",
    "format_duration",
    "plan_duration",
    "stage_starts",
    "to_fc_weight",
]


def _check_seconds(value: float | None, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgumentError(f"{what} must be a number of seconds, got {value!r}")
    if value < 0:
        raise InvalidArgumentError(f"{what} must be >= 0 seconds, got {value}")
    return float(value)


def _check_percent(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{what} must be a whole percent (an int within 1..100), got {value!r}")
    if not 1 <= value <= 100:
        raise InvalidArgumentError(f"{what} must be within 1..100, got {value}")
    return value


@dataclass(frozen=True)
class Pause:
    """A hold after a stage's bake: ``Pause(600)`` waits 600 s more; ``Pause()`` waits for ``promote``.

    Health gates keep running during a timed pause, so it is also a longer bake.
    """

    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.seconds is not None:
            object.__setattr__(self, "seconds", _check_seconds(self.seconds, "pause"))

    @property
    def manual(self) -> bool:
        """A manual gate waits for ``promote``; a timed pause only waits."""
        return self.seconds is None

    def describe(self) -> str:
        """The pause in words, for the dry run."""
        return "wait for promote (manual gate)" if self.seconds is None else f"hold {format_duration(self.seconds)}"


@dataclass(frozen=True)
class Stage:
    """One weight change: set ``weight`` % on the new version, bake, then maybe pause."""

    weight: int
    bake: float = 0.0
    pause: Pause | None = None

    @property
    def is_promotion(self) -> bool:
        """Weight 100 is the promotion itself: the alias then points at the new version alone."""
        return self.weight == 100

    @property
    def fc_weight(self) -> float:
        """FC's 0-1 additional-version weight; the only place a float appears."""
        return to_fc_weight(self.weight)

    @property
    def hold(self) -> float:
        """Bake plus a timed pause: how long the stage lasts before the next write (manual gates aside)."""
        timed = self.pause.seconds if self.pause is not None else None
        return self.bake + (timed or 0.0)


def to_fc_weight(percent: int) -> float:
    """A whole percent as FC's 0-1 ``additionalVersionWeight``: the one percent-to-FC conversion."""
    return percent / 100


def stage_starts(plan: Sequence[Stage]) -> list[float]:
    """Each stage's start offset in seconds from the first write (manual gates count as zero): the one
    stage-timing rule behind the dry run, ``status`` and the total duration."""
    starts, at = [], 0.0
    for stage in plan:
        starts.append(at)
        at += stage.hold
    return starts


class Strategy:
    """Base of every strategy: something that compiles to a plan of stages."""

    def plan(self) -> tuple[Stage, ...]:  # pragma: no cover - overridden
        """The stages to apply, in order; validated so the engine can trust them."""
        raise NotImplementedError

    @property
    def schedule(self) -> list[int]:
        """The weights, in order, e.g. ``[10, 25, 50, 100]``."""
        return [stage.weight for stage in self.plan()]

    @property
    def total_duration(self) -> float:
        """Seconds from the first weight change to the promotion, manual gates not counted."""
        return plan_duration(self.plan())

    def describe(self) -> str:
        """The dry run: the exact schedule and its total duration."""
        return describe_plan(self.plan())

    @staticmethod
    def from_spec(spec: Strategy | Mapping[str, Any] | Sequence[int] | None) -> Strategy:
        """The one strategy schema, shared by Python, the CLI's flags and Pulumi properties (plain data).

        ``{"type": "steps", "weights": [10, 25, 50, 100], "interval": 30, "pauses": {"25": None}}``;
        also ``{"type": "canary", "weight": 10, ...}``, ``{"type": "linear", "step": 20, ...}`` and
        ``{"type": "all_at_once"}``. ``interval`` is the bake in seconds (default 60); ``pauses`` maps a
        weight to a hold in seconds, or to None for a manual gate. ``check_every`` and
        ``inconclusive_timeout`` are allowed here too (health-check pacing, read by the runner's caller).
        A bare list of weights is a ``steps`` schedule; None is the default schedule. Whole numbers may
        arrive as floats (Pulumi sends every number as one). Anything else is an ``InvalidArgumentError``.
        """
        if spec is None:
            return default_strategy()
        if isinstance(spec, Strategy):
            return spec
        if isinstance(spec, Sequence) and not isinstance(spec, str | bytes):
            return Steps([_whole(w, "a step weight") for w in spec], interval=DEFAULT_INTERVAL)
        if not isinstance(spec, Mapping):
            raise InvalidArgumentError(f"a strategy must be a mapping like {{'type': 'steps', ...}}, got {spec!r}")
        unknown = sorted(set(map(str, spec)) - _SPEC_KEYS)
        if unknown:
            raise InvalidArgumentError(f"unknown strategy key(s) {', '.join(unknown)}; known: "
                                       f"{', '.join(sorted(_SPEC_KEYS))}")
        kind = str(spec.get("type", "steps")).lower().replace("-", "_")
        interval = DEFAULT_INTERVAL if spec.get("interval") is None else _check_seconds(spec["interval"], "interval")
        pauses = _pauses(spec.get("pauses"))
        if kind in ("all_at_once", "allatonce"):
            if pauses:
                raise InvalidArgumentError("all at once has no intermediate weight to pause at")
            return AllAtOnce()
        if kind == "canary":
            weight = _whole(spec.get("weight"), "canary weight")
            if not pauses:
                return Canary(weight, interval)
            Canary(weight, interval)  # its own checks first: 100 is AllAtOnce()
            weights = [weight, 100]
        elif kind == "linear":
            step = _whole(spec.get("step"), "linear step")
            linear = Linear(step, interval)
            if not pauses:
                return linear
            weights = linear.schedule
        elif kind == "steps":
            given = spec.get("weights", spec.get("steps"))
            if not isinstance(given, Sequence) or isinstance(given, str | bytes):
                raise InvalidArgumentError("a 'steps' strategy needs 'weights': a list of whole percents")
            weights = [_whole(w, "a step weight") for w in given]
        else:
            raise InvalidArgumentError(f"unknown strategy type {kind!r}: use steps, canary, linear or all_at_once")
        return Steps(_with_pauses(weights, pauses), interval)


def _build(weights: Sequence[int], interval: float, pauses: dict[int, Pause]) -> tuple[Stage, ...]:
    stages = []
    for i, weight in enumerate(weights):
        last = i == len(weights) - 1
        stages.append(Stage(weight=weight, bake=0.0 if last else interval, pause=None if last else pauses.get(i)))
    return tuple(stages)


class Steps(Strategy):
    """An explicit schedule: ``Steps([10, 25, 50, 100], interval=30)``.

    Weights are whole percents, strictly increasing, within 1..100; if the last is not 100, a final 100
    (the promotion) is appended. ``interval`` is the bake time in seconds after every weight change
    but the promotion. A :class:`Pause` placed after a weight holds the rollout there:
    ``Steps([10, Pause(), 50, 100])`` waits for ``promote`` at 10 %.
    """

    def __init__(self, weights: Sequence[int | Pause], interval: float = 60.0) -> None:
        if isinstance(weights, str | bytes) or not isinstance(weights, Sequence):
            raise InvalidArgumentError(f"Steps needs a list of whole percents, got {weights!r}")
        self.interval = _check_seconds(interval, "interval")
        parsed: list[int] = []
        pauses: dict[int, Pause] = {}
        for item in weights:
            if isinstance(item, Pause):
                if not parsed:
                    raise InvalidArgumentError("a Pause must follow a weight: traffic has not moved yet")
                if len(parsed) - 1 in pauses:
                    raise InvalidArgumentError(f"two pauses in a row after {parsed[-1]}%")
                pauses[len(parsed) - 1] = item
                continue
            weight = _check_percent(item, "a step weight")
            if parsed and weight <= parsed[-1]:
                raise InvalidArgumentError(
                    f"step weights must be strictly increasing: {weight} follows {parsed[-1]} in {list(weights)!r}"
                )
            parsed.append(weight)
        if not parsed:
            raise InvalidArgumentError("Steps needs at least one weight")
        if parsed[-1] != 100:
            parsed.append(100)
        if len(parsed) - 1 in pauses:
            raise InvalidArgumentError("a Pause after 100% has nothing to hold: 100% is the promotion")
        self._plan = _build(parsed, self.interval, pauses)

    def plan(self) -> tuple[Stage, ...]:
        """One stage per given weight, each baked for ``interval`` except the promotion."""
        return self._plan

    def __repr__(self) -> str:
        return f"Steps({self.schedule!r}, interval={self.interval:g})"


class Canary(Strategy):
    """``weight`` % for ``interval`` seconds, then 100 %: CodeDeploy's Canary10Percent5Minutes is
    ``Canary(10, 300)``. ``pause`` holds at ``weight`` % after the bake (``Pause()`` = wait for promote)."""

    def __init__(self, weight: int, interval: float = 300.0, pause: Pause | None = None) -> None:
        self.weight = _check_percent(weight, "canary weight")
        if self.weight == 100:
            raise InvalidArgumentError("a canary weight of 100 is AllAtOnce(); use 1..99")
        self.interval = _check_seconds(interval, "interval")
        self.pause = pause
        self._plan = _build([self.weight, 100], self.interval, {0: pause} if pause else {})

    def plan(self) -> tuple[Stage, ...]:
        """One canary weight, baked for ``interval``, then the promotion."""
        return self._plan

    def __repr__(self) -> str:
        return f"Canary({self.weight}, interval={self.interval:g})"


class Linear(Strategy):
    """``+step`` % every ``interval`` seconds until 100 %: ``Linear(10, 60)`` is 10, 20, ..., 100.

    Whole-percent arithmetic, so the last step is exactly 100 (a step that does not divide 100 ends with
    a shorter final step, e.g. ``Linear(30, ...)`` is 30, 60, 90, 100). ``pause`` holds before the
    promotion.
    """

    def __init__(self, step: int, interval: float = 60.0, pause: Pause | None = None) -> None:
        self.step = _check_percent(step, "linear step")
        self.interval = _check_seconds(interval, "interval")
        self.pause = pause
        weights = [*range(self.step, 100, self.step), 100]
        self._plan = _build(weights, self.interval, {len(weights) - 2: pause} if pause and len(weights) > 1 else {})

    def plan(self) -> tuple[Stage, ...]:
        """Equal increments up to 100, each baked for ``interval``."""
        return self._plan

    def __repr__(self) -> str:
        return f"Linear({self.step}, interval={self.interval:g})"


class AllAtOnce(Strategy):
    """Straight to 100 %: one alias write, no canary phase (gates can still run as a pre-traffic check)."""

    def plan(self) -> tuple[Stage, ...]:
        """The promotion alone (gates still run before traffic moves)."""
        return (Stage(weight=100),)

    def __repr__(self) -> str:
        return "AllAtOnce()"


_SPEC_KEYS = {"type", "weights", "steps", "weight", "step", "interval", "pauses", "check_every",
              "inconclusive_timeout"}


def _whole(value: Any, what: str) -> int:
    """Whole percents; Pulumi sends every number as a float, so 10.0 is 10 (10.5 is refused)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{what} must be a whole number, got {value!r}")
    return value


def _pauses(value: Any) -> dict[int, Pause]:
    """``{"25": None, "50": 600}`` (JSON keys are strings) as weight -> Pause."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"pauses must map a weight to seconds (or None: wait for promote), got {value!r}")
    out: dict[int, Pause] = {}
    for key, seconds in value.items():
        try:
            weight = _whole(float(key) if isinstance(key, str) else key, "a pause weight")
        except ValueError:
            raise InvalidArgumentError(f"a pause weight must be a whole percent, got {key!r}") from None
        out[weight] = Pause(None if seconds is None else _check_seconds(seconds, "pause"))
    return out


def _with_pauses(weights: list[int], pauses: Mapping[int, Pause]) -> list[int | Pause]:
    if 100 in pauses:
        raise InvalidArgumentError(f"100% is the promotion: there is nothing to hold after it; pause at an earlier "
                                   f"step of {weights}")
    unknown = sorted(set(pauses) - set(weights))
    if unknown:
        raise InvalidArgumentError(f"no step at {', '.join(f'{w}%' for w in unknown)} to pause at; the schedule is "
                                   f"{weights}")
    items: list[int | Pause] = []
    for weight in weights:
        items.append(weight)
        if weight in pauses:
            items.append(pauses[weight])
    return items


DEFAULT_WEIGHTS: tuple[int, ...] = (10, 25, 50, 100)
DEFAULT_INTERVAL = 60.0


def default_strategy() -> Steps:
    """The one default schedule (Python, CLI and Pulumi): 10 -> 25 -> 50 -> 100 %, a minute's bake each."""
    return Steps(list(DEFAULT_WEIGHTS), interval=DEFAULT_INTERVAL)


def compile_plan(strategy: Strategy | Sequence[int]) -> tuple[Stage, ...]:
    """Any strategy (or a bare list of weights, read as ``Steps(weights, interval=0)``) to its plan."""
    if isinstance(strategy, Strategy):
        return strategy.plan()
    return Steps(strategy, interval=0).plan()


def plan_duration(plan: Sequence[Stage]) -> float:
    """Bake and timed pauses summed; manual gates count as zero (they wait for a human)."""
    return sum(stage.hold for stage in plan)


def format_duration(seconds: float) -> str:
    """``90`` -> ``1m30s``; ``3600`` -> ``1h``; ``0`` -> ``0s``; fractions kept to the millisecond."""
    if seconds != int(seconds):
        return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"
    rest = int(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"


def describe_plan(plan: Sequence[Stage]) -> str:
    """Human dry run: one line per stage with its start offset, then the total duration."""
    lines = []
    manual = False
    for i, (stage, at) in enumerate(zip(plan, stage_starts(plan), strict=True), start=1):
        if stage.is_promotion:
            lines.append(f"step {i}: t+{format_duration(at)}  100% -> promote (new version becomes main)")
            break
        what = (
            f"step {i}: t+{format_duration(at)}  {stage.weight}% on the new version, "
            f"bake {format_duration(stage.bake)}"
        )
        if stage.pause is not None:
            what += f", then {stage.pause.describe()}"
            manual = manual or stage.pause.manual
        lines.append(what)
    total = f"total: {format_duration(plan_duration(plan))}"
    if manual:
        total += " plus the time until promote is given at the manual gate"
    lines.append(f"{total}; {len(plan)} alias write(s), 1 more to roll back")
    return "\n".join(lines)


def check_time_budget(budget: float, plan: Sequence[Stage]) -> None:
    """A budget shorter than a stage's bake could never raise that weight: refuse it before anything runs."""
    longest = max((stage.bake for stage in plan if not stage.is_promotion), default=0.0)
    if budget < longest:
        raise InvalidArgumentError(
            f"a time budget of {budget:g}s cannot bake a {longest:g}s step: the rollout would stop before every "
            "write it cannot watch to the end. Give more time or a shorter interval"
        )
