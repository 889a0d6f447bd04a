"""Strategies compile to exact integer-percent plans; invalid schedules are refused up front."""

from __future__ import annotations

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout import AllAtOnce, Canary, Linear, Pause, Steps
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
