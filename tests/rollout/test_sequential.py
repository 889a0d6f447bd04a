"""The sequential verdict: states, boundaries, the minimum sample, the give-up wait and its error bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout.sequential import Counts, SequentialTest, State, as_verdict, log_likelihood_ratio


def by_hand(nc: int, xc: int, nb: int, xb: int, r0: float, r1: float) -> float:
    """The SPRT statistic written out independently (binomial likelihood of 'the failure was the canary's')."""
    s = nc / (nc + nb)
    p0 = s * r0 / (s * r0 + 1 - s)
    p1 = s * r1 / (s * r1 + 1 - s)
    like1 = p1**xc * (1 - p1) ** xb
    like0 = p0**xc * (1 - p0) ** xb
    return math.log(like1 / like0)


@pytest.mark.parametrize(("nc", "xc", "nb", "xb", "r0", "r1"), [
    (30, 6, 270, 3, 1.0, 10.0),
    (50, 0, 50, 9, 1.0, 5.0),
    (10, 4, 990, 30, 1.5, 20.0),
])
def test_statistic_matches_the_likelihood_ratio(nc: int, xc: int, nb: int, xb: int, r0: float, r1: float) -> None:
    assert log_likelihood_ratio(nc, xc, nb, xb, r0, r1) == pytest.approx(by_hand(nc, xc, nb, xb, r0, r1))


def test_statistic_is_zero_without_traffic_on_one_side() -> None:
    assert log_likelihood_ratio(0, 0, 100, 5) == 0.0
    assert log_likelihood_ratio(100, 5, 0, 0) == 0.0


def test_arrays_and_numbers_agree() -> None:
    nc = np.array([30, 50, 0, 20])
    xc = np.array([6, 0, 0, 20])
    nb = np.array([270, 50, 10, 180])
    xb = np.array([3, 9, 1, 0])
    many = log_likelihood_ratio(nc, xc, nb, xb)
    one_by_one = [log_likelihood_ratio(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(nc, xc, nb, xb,
                                                                                          strict=True)]
    assert many.tolist() == pytest.approx(one_by_one)
    test = SequentialTest()
    assert test.rolls_back(nc, xc, nb, xb).tolist() == [
        test.judge(Counts(int(a), int(b), int(c), int(d))).state == State.ROLL_BACK
        for a, b, c, d in zip(nc, xc, nb, xb, strict=True)
    ]


def test_states() -> None:
    test = SequentialTest()  # alpha 0.0003: roll back at LLR >= log(1/0.0003) = 8.11
    assert test.judge(Counts(30, 6, 270, 3)).state == State.ROLL_BACK  # LLR 8.4
    assert test.judge(Counts(30, 5, 270, 3)).state == State.BAKING  # LLR 6.5: one failure short
    assert test.judge(Counts(30, 3, 270, 27)).state == State.HEALTHY  # same rate on both sides
    assert test.judge(Counts(30, 0, 270, 0)).state == State.BAKING  # no failure anywhere: no evidence either way


def test_never_before_the_minimum_sample() -> None:
    test = SequentialTest(min_canary_requests=20, min_baseline_requests=20)
    early = test.judge(Counts(19, 19, 500, 0))
    assert early.state == State.WAITING
    assert early.llr >= test.upper  # the evidence would suffice; the minimum sample holds it back
    assert "19/20 canary" in early.reason
    assert test.judge(Counts(20, 19, 19, 0)).state == State.WAITING  # the baseline needs its share too
    assert test.judge(Counts(20, 19, 20, 0)).state == State.ROLL_BACK


def test_give_up_wait() -> None:
    test = SequentialTest(give_up_after=120)
    assert test.judge(Counts(3, 0, 40, 0), waited=119.9).state == State.WAITING
    gave_up = test.judge(Counts(3, 0, 40, 0), waited=120)
    assert gave_up.state == State.NO_TRAFFIC
    assert "traffic never came" in gave_up.reason
    assert SequentialTest(give_up_after=None).judge(Counts(0, 0, 0, 0), waited=1e9).state == State.WAITING
    # enough traffic: the wait no longer matters
    assert test.judge(Counts(30, 0, 300, 3), waited=1e9).state in (State.BAKING, State.HEALTHY)


def test_as_verdict() -> None:
    test = SequentialTest()
    cases = {
        Counts(30, 6, 270, 3): "fail",
        Counts(30, 5, 270, 3): "pass",
        Counts(30, 3, 270, 27): "pass",
        Counts(5, 0, 45, 0): "inconclusive",
    }
    for counts, status in cases.items():
        verdict = as_verdict("sls", test.judge(counts))
        assert verdict.status == status, counts
        assert verdict.samples == counts.canary_requests
        assert verdict.details["canary_failures"] == counts.canary_failures
    assert as_verdict("sls", test.judge(Counts(5, 0, 45, 0), waited=301)).status == "fail"
    assert as_verdict("sls", test.judge(Counts(30, 5, 270, 3)), require_evidence=True).status == "inconclusive"
    assert as_verdict("sls", test.judge(Counts(30, 3, 270, 27)), require_evidence=True).status == "pass"


@pytest.mark.parametrize("kwargs", [
    {"alpha": 0}, {"alpha": 0.5}, {"beta": 1}, {"alpha": True}, {"null_ratio": 0}, {"alt_ratio": 1.0},
    {"null_ratio": 2.0, "alt_ratio": 1.5}, {"min_canary_requests": 0}, {"min_baseline_requests": 2.5},
    {"give_up_after": -1},
])
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidArgumentError):
        SequentialTest(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("counts", [(-1, 0, 1, 0), (1, 2, 1, 0), (1, 0, 1, 2), (1.5, 0, 1, 0), (True, 0, 1, 0)])
def test_bad_counts_are_refused(counts: tuple[int, int, int, int]) -> None:
    with pytest.raises(InvalidArgumentError):
        Counts(*counts)


def simulate(rng: np.random.Generator, runs: int, seconds: int, canary_rate: float, baseline_rate: float,
             test: SequentialTest, rps: int = 20, weight: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Per-second weighted routing; returns (rolled back?, canary requests when it did) per run."""
    nc = rng.binomial(rps, weight, size=(runs, seconds))
    xc = rng.binomial(nc, canary_rate)
    nb = rps - nc
    xb = rng.binomial(nb, baseline_rate)
    cnc, cxc, cnb, cxb = (a.cumsum(axis=1) for a in (nc, xc, nb, xb))
    hits = test.rolls_back(cnc, cxc, cnb, cxb)
    rolled = hits.any(axis=1)
    at = cnc[np.arange(runs), hits.argmax(axis=1)]
    return rolled, at


@pytest.mark.parametrize("baseline_rate", [0.001, 0.01, 0.05])
def test_false_rollbacks_stay_under_alpha(baseline_rate: float) -> None:
    # A loose alpha so that a wrong statistic (say, a sign error or a wrong share) shows up in 2,000 runs.
    test = SequentialTest(alpha=0.02)
    rolled, _ = simulate(np.random.default_rng(7), 2000, 300, baseline_rate, baseline_rate, test)
    assert rolled.mean() <= test.alpha


def test_a_bad_canary_is_caught_quickly() -> None:
    test = SequentialTest()
    rolled, at = simulate(np.random.default_rng(8), 2000, 120, 0.20, 0.01, test)
    assert rolled.mean() > 0.999
    assert np.median(at[rolled]) <= 30
    assert np.median(at[rolled]) >= test.min_canary_requests


def test_the_defaults_keep_their_bound_at_every_baseline_rate() -> None:
    """The documented defaults: false rollbacks of a healthy canary under alpha (0.03 %) at 0.1, 1 and 5 %."""
    test = SequentialTest()
    assert (test.alpha, test.alt_ratio) == (0.0003, 20.0)
    for seed, rate in enumerate((0.001, 0.01, 0.05)):
        rolled, _ = simulate(np.random.default_rng(100 + seed), 20_000, 300, rate, rate, test)
        assert rolled.mean() <= test.alpha, rate
