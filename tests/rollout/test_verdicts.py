"""The pure verdict arithmetic: min samples, absolute and relative gates, combining gates."""

from __future__ import annotations

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout.health import CallableGate, Target, as_gate
from fcinfra.rollout.verdicts import Thresholds, Verdict, VersionStats, assess, combine


def stats(n: int, errors: int = 0, latency: float = 10.0) -> VersionStats:
    s = VersionStats()
    for i in range(n):
        s.add(i >= errors, latency)
    return s


CASES = [
    ("too few canary samples", stats(19), None, Thresholds(max_error_rate=0.05), "inconclusive"),
    ("enough, healthy", stats(20), None, Thresholds(max_error_rate=0.05), "pass"),
    ("exactly at the limit passes", stats(20, 1), None, Thresholds(max_error_rate=0.05), "pass"),
    ("over the limit fails", stats(20, 2), None, Thresholds(max_error_rate=0.05), "fail"),
    ("zero tolerance", stats(20, 1), None, Thresholds(max_error_rate=0.0), "fail"),
    ("latency over", stats(20, latency=300), None, Thresholds(max_latency_ms=200), "fail"),
    ("latency under", stats(20, latency=150), None, Thresholds(max_latency_ms=200), "pass"),
    ("relative without main samples waits", stats(20), stats(3), Thresholds(max_error_rate_increase=0.1),
     "inconclusive"),
    ("relative within", stats(20, 2), stats(20, 1), Thresholds(max_error_rate_increase=0.1), "pass"),
    ("relative worse", stats(20, 6), stats(20, 1), Thresholds(max_error_rate_increase=0.1), "fail"),
    ("relative latency within", stats(20, latency=140), stats(20, latency=100), Thresholds(max_latency_increase=0.5),
     "pass"),
    ("relative latency worse", stats(20, latency=160), stats(20, latency=100), Thresholds(max_latency_increase=0.5),
     "fail"),
    ("main failing does not excuse canary's absolute gate", stats(20, 10), stats(20, 20),
     Thresholds(max_error_rate=0.05, max_error_rate_increase=0.1), "fail"),
]


@pytest.mark.parametrize(("canary", "main", "thresholds", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_assess(canary, main, thresholds, expected):
    assert assess("g", canary, main, thresholds, min_samples=20).status == expected


def test_percentile_nearest_rank():
    s = VersionStats()
    for ms in range(1, 101):
        s.add(True, float(ms))
    assert s.percentile(95) == 95 and s.percentile(50) == 50 and s.percentile(100) == 100


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], "pass"), (["pass"], "pass"), (["pass", "inconclusive"], "inconclusive"),
    (["inconclusive", "fail"], "fail"), (["pass", "fail"], "fail"),
])
def test_combine(statuses, expected):
    assert combine([Verdict("g", s) for s in statuses]) == expected


@pytest.mark.parametrize("bad", [dict(max_error_rate=1.5), dict(max_error_rate=-0.1), dict(max_latency_ms=-1),
                                 dict(latency_percentile=0), dict(max_error_rate_increase=True)])
def test_thresholds_validate(bad):
    with pytest.raises(InvalidArgumentError):
        Thresholds(**bad)


TARGET = Target(client=None, service="s", alias="a", main_version="1", canary_version="2", weight=10, stage=0)


@pytest.mark.parametrize(("answer", "status"), [(True, "pass"), (False, "fail"), (None, "inconclusive"),
                                                ("pass", "pass"), ("fail", "fail"), ("inconclusive", "inconclusive"),
                                                (42, "fail")])
def test_callable_gate_answers(answer, status):
    assert CallableGate(lambda t: answer).check(TARGET).status == status


def test_callable_gate_exception_is_a_fail_and_names_it():
    def metrics_gate(t):
        raise RuntimeError("no data")

    v = as_gate(metrics_gate).check(TARGET)
    assert v.status == "fail" and v.gate == "metrics_gate" and "no data" in v.reason


def test_as_gate_rejects_non_gates():
    with pytest.raises(InvalidArgumentError):
        as_gate(42)  # type: ignore[arg-type]
