"""Strategies compile to exact integer-percent plans; invalid schedules are refused up front."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout import AllAtOnce, Canary, Linear, Pause, Stage, Steps, Strategy
from fcinfra.rollout.spec import compile_plan, format_duration


@pytest.mark.parametrize(
    ("strategy", "schedule", "total"),
    [
        (Steps([10, 25, 50, 100], interval=30), [10, 25, 50, 100], 90),
        (Steps([10, 25, 50], interval=30), [10, 25, 50, 100], 90),  # 100 appended: reaching it promotes
        (Steps([100], interval=30), [100], 0),
        (Steps([1, 2, 3], interval=0), [1, 2, 3, 100], 0),
        (Canary(10, 300), [10, 100], 300),
        (Canary(5, 0.5), [5, 100], 0.5),
        (Linear(10, 60), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 540),
        (Linear(30, 60), [30, 60, 90, 100], 180),
        (Linear(100, 60), [100], 0),
        (Linear(1, 1), list(range(1, 101)), 99),
        (AllAtOnce(), [100], 0),
        (Steps([10, Pause(600), 50], interval=30), [10, 50, 100], 660),
        (Steps([10, Pause(), 50], interval=30), [10, 50, 100], 60),
        (Canary(10, 60, pause=Pause()), [10, 100], 60),
    ],
)
def test_schedule_and_duration(strategy, schedule, total):
    assert strategy.schedule == schedule
    assert strategy.total_duration == total
    plan = strategy.plan()
    assert plan[-1].weight == 100 and plan[-1].bake == 0 and plan[-1].pause is None


def test_linear_weights_are_exact_integers_no_float_drift():
    plan = Linear(10, 60).plan()
    assert all(isinstance(s.weight, int) for s in plan)
    assert [s.fc_weight for s in plan] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert len(plan) == 10  # fc-canary's float stepping produces 11 jobs, one at 0.9999999999999999


@pytest.mark.parametrize(
    "build",
    [
        lambda: Steps([]),
        lambda: Steps([10, 10, 50]),
        lambda: Steps([50, 25]),
        lambda: Steps([0, 50]),
        lambda: Steps([10, 101]),
        lambda: Steps([-5, 50]),
        lambda: Steps([10.5, 50]),
        lambda: Steps([True, 50]),
        lambda: Steps(["10", 50]),
        lambda: Steps("10,50"),
        lambda: Steps([10, 50], interval=-1),
        lambda: Steps([10, 50], interval=float("nan")),
        lambda: Steps([Pause(), 10]),
        lambda: Steps([10, Pause(), Pause(), 50]),
        lambda: Steps([10, 100, Pause()]),
        lambda: Canary(0, 10),
        lambda: Canary(100, 10),
        lambda: Canary(10, -1),
        lambda: Linear(0, 10),
        lambda: Linear(101, 10),
        lambda: Linear(10, -0.1),
        lambda: Pause(-1),
    ],
)
def test_invalid_schedules_raise_typed_error(build):
    with pytest.raises(InvalidArgumentError):
        build()


def test_invalid_argument_is_also_value_error():
    with pytest.raises(ValueError):
        Steps([50, 10])


def test_dry_run_shows_exact_schedule_and_total():
    text = Steps([10, 25, 50, 100], interval=30).describe()
    assert text.splitlines() == [
        "step 1: t+0s  10% on the new version, bake 30s",
        "step 2: t+30s  25% on the new version, bake 30s",
        "step 3: t+1m  50% on the new version, bake 30s",
        "step 4: t+1m30s  100% -> promote (new version becomes main)",
        "total: 1m30s; 4 alias write(s), 1 more to roll back",
    ]


def test_dry_run_mentions_manual_gate():
    text = Steps([10, Pause(), 50], interval=60).describe()
    assert "wait for promote (manual gate)" in text
    assert "plus the time until promote is given" in text


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59, "59s"), (90, "1m30s"), (3600, "1h"), (3661, "1h1m1s"),
                                               (0.25, "0.25s")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_bare_list_compiles_as_steps_without_bake():
    assert [s.weight for s in compile_plan([20, 60])] == [20, 60, 100]
    assert all(s.bake == 0 for s in compile_plan([20, 60]))


# ------------------------------------------------------------------------------- the one strategy schema


@pytest.mark.parametrize(("spec", "schedule", "bakes", "pauses"), [
    (None, [10, 25, 50, 100], [60, 60, 60, 0], [None] * 4),
    ([10.0, 50], [10, 50, 100], [60, 60, 0], [None] * 3),
    ({"type": "steps", "weights": [20, 60], "interval": 5}, [20, 60, 100], [5, 5, 0], [None] * 3),
    ({"type": "Canary", "weight": 10.0, "interval": 300}, [10, 100], [300, 0], [None, None]),
    ({"type": "linear", "step": 40, "interval": 1, "check_every": 2}, [40, 80, 100], [1, 1, 0], [None] * 3),
    ({"type": "all-at-once"}, [100], [0], [None]),
    ({"type": "steps", "weights": [10, 50], "interval": 1, "pauses": {"10": None, "50": 30}}, [10, 50, 100],
     [1, 1, 0], ["manual", 30.0, None]),
    ({"type": "canary", "weight": 5, "interval": 2, "pauses": {"5": 10}}, [5, 100], [2, 0], [10.0, None]),
])
def test_from_spec_is_the_one_schema(spec: Any, schedule: list[int], bakes: list[float], pauses: list[Any]) -> None:
    plan = Strategy.from_spec(spec).plan()
    assert [s.weight for s in plan] == schedule
    assert [s.bake for s in plan] == bakes
    assert [None if s.pause is None else ("manual" if s.pause.manual else s.pause.seconds) for s in plan] == pauses


@pytest.mark.parametrize(("spec", "message"), [
    ({"type": "steps", "weights": [10.5]}, "whole number"),
    ({"type": "steps"}, "needs 'weights'"),
    ({"type": "wave"}, "unknown strategy type"),
    ({"type": "steps", "weights": [10], "intervall": 5}, "unknown strategy key(s) intervall"),
    ({"type": "steps", "weights": [10, 50], "pauses": {"20": None}}, "no step at 20%"),
    ({"type": "steps", "weights": [10, 50], "pauses": {"100": None}}, "100% is the promotion"),
    ({"type": "all_at_once", "pauses": {"10": None}}, "no intermediate weight"),
    ("steps", "must be a mapping"),
])
def test_from_spec_refuses_bad_specs(spec: Any, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=re.escape(message)):
        Strategy.from_spec(spec)


def test_cli_and_pulumi_build_their_strategies_through_from_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    from fcinfra.cli.strategy import build_strategy as from_flags
    from fcinfra.providers._rollout import build_strategy as from_properties

    seen: list[Any] = []
    real = Strategy.from_spec
    monkeypatch.setattr(Strategy, "from_spec", staticmethod(lambda spec: seen.append(spec) or real(spec)))
    assert from_flags(None, "10", None, False, 300, ["10:1m"]).schedule == [10, 100]
    assert from_properties({"type": "canary", "weight": 10.0, "interval": 300}).schedule == [10, 100]
    assert [s["type"] for s in seen] == ["canary", "canary"]


def test_stage_timing_and_weight_conversion_have_one_home() -> None:
    from fcinfra.rollout.spec import stage_starts, to_fc_weight

    plan = Steps([10, Pause(20), 50, Pause(), 100], interval=30).plan()
    assert stage_starts(plan) == [0, 50, 80]
    assert [s.hold for s in plan] == [50, 30, 0]
    assert to_fc_weight(29) == 0.29 and Stage(weight=29).fc_weight == 0.29
