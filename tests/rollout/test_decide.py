"""Table tests of the pure decide(): (plan, alias as observed, progress, verdicts, now) -> one action."""

from __future__ import annotations

import pytest

from fcinfra.errors import RolloutError
from fcinfra.rollout import Pause, Steps
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
    Wait,
    decide,
    resume_point,
)
from fcinfra.rollout.lease import Lease
from fcinfra.rollout.verdicts import Verdict

PLAN = Steps([10, 50], interval=30).plan()  # 10% bake 30, 50% bake 30, 100%
GATED = Steps([10, Pause(), 50], interval=30).plan()
TIMED = Steps([10, Pause(20), 50], interval=30).plan()

OK = Verdict("g", "pass", "ok", 20)
BAD = Verdict("g", "fail", "error rate 50.0% > 5.0%", 20)
WAIT = Verdict("g", "inconclusive", "3/20 samples", 3)

BASE = AliasView("1")
AT10 = AliasView("1", "2", 10)
AT50 = AliasView("1", "2", 50)
DONE = AliasView("2")


def prog(stage: int, started: float = 0.0, expected: AliasView | None = None, approved: bool = False) -> Progress:
    if expected is None:
        expected = {-1: BASE, 0: AT10, 1: AT50, 2: DONE}[stage]
    return Progress("1", "2", stage, started, expected, approved)


G = Policy(check_every=10, inconclusive_timeout=60, has_health=True)
NOG = Policy(check_every=10, inconclusive_timeout=60)
PRE = Policy(check_every=10, inconclusive_timeout=60, has_health=True, has_pre_traffic=True)


CASES = [
    # id, plan, observed, progress, verdicts, now, policy, expected action
    ("fresh start, no gates -> first weight", PLAN, BASE, prog(-1), None, 0, NOG, SetWeight(0, 10)),
    ("fresh start with pre-traffic gates -> check first", PLAN, BASE, prog(-1), None, 0, PRE, Check(True)),
    ("pre-traffic passes -> first weight", PLAN, BASE, prog(-1), [OK], 0, PRE, SetWeight(0, 10)),
    ("pre-traffic fails -> rolled back", PLAN, BASE, prog(-1), [BAD], 0, PRE,
     Rollback("pre-traffic check failed: g: error rate 50.0% > 5.0%")),
    ("pre-traffic inconclusive -> wait", PLAN, BASE, prog(-1), [WAIT], 5, PRE,
     Wait(10, "pre-traffic check: g: 3/20 samples")),
    ("pre-traffic inconclusive too long -> roll back", PLAN, BASE, prog(-1), [WAIT], 60, PRE,
     Rollback("pre-traffic check inconclusive for 60s: g: 3/20 samples")),
    ("stage with gates, no verdicts yet -> check", PLAN, AT10, prog(0), None, 5, G, Check(False)),
    ("gate fails mid-bake -> rollback at once", PLAN, AT10, prog(0), [BAD], 5, G,
     Rollback("gate failed at 10%: g: error rate 50.0% > 5.0%")),
    ("gate passes mid-bake -> keep baking", PLAN, AT10, prog(0), [OK], 5, G, Wait(10, "bake at 10%: 25s left")),
    ("last bake chunk is shorter than check_every", PLAN, AT10, prog(0), [OK], 25, G,
     Wait(5, "bake at 10%: 5s left")),
    ("no gates -> one wait for the whole bake", PLAN, AT10, prog(0), None, 0, NOG, Wait(30, "bake at 10%: 30s left")),
    ("bake done and healthy -> next weight", PLAN, AT10, prog(0), [OK], 30, G, SetWeight(1, 50)),
    ("bake done on the last canary stage -> promotion", PLAN, AT50, prog(1, 30), [OK], 60, G, SetWeight(2, 100)),
    ("too few samples after bake -> waits, does not pass", PLAN, AT10, prog(0), [WAIT], 30, G,
     Wait(10, "at 10%: g: 3/20 samples")),
    ("too few samples for too long -> rollback", PLAN, AT10, prog(0), [WAIT], 90, G,
     Rollback("not enough evidence at 10% after 90s: g: 3/20 samples")),
    ("one pass one inconclusive -> wait", PLAN, AT10, prog(0), [OK, WAIT], 30, G, Wait(10, "at 10%: g: 3/20 samples")),
    ("one pass one fail -> rollback", PLAN, AT10, prog(0), [OK, BAD], 1, G,
     Rollback("gate failed at 10%: g: error rate 50.0% > 5.0%")),
    ("observed promoted after our 100 write", PLAN, DONE, prog(2), None, 61, G,
     Finish("promoted", "version 2 serves 100% as the main version")),
    ("promoted by someone else mid-rollout", PLAN, DONE, prog(0), None, 5, G,
     Finish("promoted", "version 2 was promoted by someone else (e.g. `fcinfra promote`)")),
    ("rolled back by someone else", PLAN, BASE, prog(0), None, 5, G,
     Finish("rolled_back", "rolled back by someone else: version 1 alone")),
    ("alias moved to another weight by someone else", PLAN, AliasView("1", "2", 33), prog(0), None, 5, G,
     Finish("aborted", "alias changed by someone else: expected version 1 90% + version 2 10%, found version 1 67% "
            "+ version 2 33%; stopped without writing")),
    ("alias moved to another version", PLAN, AliasView("7"), prog(0), [OK], 5, G,
     Finish("aborted", "alias changed by someone else: expected version 1 90% + version 2 10%, found version 7 alone;"
            " stopped without writing")),
    ("budget ends -> in_progress, no write", PLAN, AT10, prog(0), None, 100, Policy(deadline=100),
     Finish("in_progress", "time budget used up; alias left at version 1 90% + version 2 10%")),
    ("waits are clipped to the budget", PLAN, AT10, prog(0, 80), None, 95, Policy(deadline=100),
     Wait(5, "bake at 10%: 15s left")),
    ("timed pause after bake -> hold", TIMED, AT10, prog(0), [OK], 30, G, Wait(10, "hold at 10%: 20s left")),
    ("timed pause over -> next weight", TIMED, AT10, prog(0), [OK], 50, G, SetWeight(1, 50)),
    ("manual gate -> await promote", GATED, AT10, prog(0), [OK], 30, G, AwaitPromote(10, 10)),
    ("manual gate approved -> next weight", GATED, AT10, prog(0, approved=True), [OK], 31, G, SetWeight(1, 50)),
    ("manual gate, not waiting -> paused", GATED, AT10, prog(0), [OK], 30,
     Policy(has_health=True, wait_for_promote=False), Finish("paused", "waiting at 10% for promote (manual gate)")),
    ("manual gate, budget ends -> paused", GATED, AT10, prog(0), None, 40, Policy(deadline=40),
     Finish("paused", "waiting at 10% for promote (manual gate); time budget used up")),
    ("gate still fails while waiting at manual gate", GATED, AT10, prog(0), [BAD], 300, G,
     Rollback("gate failed at 10%: g: error rate 50.0% > 5.0%")),
]


OTHER = Lease("0badc0de", "2", 50, 2_000_000_000, "ci@runner")
STALE = Signals(fresh=False)
BOOM = Signals(error="FcConnectionError: reset")
IN_BUDGET = Policy(check_every=10, inconclusive_timeout=60, has_health=True, deadline=100)

# The signals decide() judges (staleness, errors, leases, the time budget): the loop only applies the answer.
SIGNAL_CASES = [
    ("another live rollout holds the alias -> refuse, no check", PLAN, BASE, prog(-1), None, 0, PRE,
     Signals(foreign_lease=OTHER),
     Finish("aborted", "alias is being moved by another live rollout 0badc0de of version 2 by ci@runner (lease "
                       "until 2033-05-18T03:33:20Z); nothing was probed or written. Wait for it, or stop it with "
                       "`fcinfra rollback`")),
    ("stale ETag before a write -> observe first", PLAN, AT10, prog(0), [OK], 30, G, STALE, Observe()),
    ("stale ETag while baking -> no read needed", PLAN, AT10, prog(0), [OK], 5, G, STALE,
     Wait(10, "bake at 10%: 25s left")),
    ("error after traffic moved -> roll back", PLAN, AT10, prog(0), None, 5, G, BOOM,
     Rollback("error at 10%: FcConnectionError: reset")),
    ("error before traffic moved -> fail, nothing to undo", PLAN, BASE, prog(-1), None, 0, G, BOOM,
     Fail("FcConnectionError: reset")),
    ("promote moved us one step on -> adopt it", GATED, AT50, prog(0), None, 40, G, Signals(), Adopt(1, 50)),
    ("not enough budget to bake the next weight -> stop before writing", PLAN, AT10, prog(0), [OK], 75, IN_BUDGET,
     Signals(), Finish("in_progress", "time budget: 25s left, not enough to bake 50% for 30s; alias left at "
                                      "version 1 90% + version 2 10%")),
    ("exactly enough budget to bake the next weight -> write", PLAN, AT10, prog(0), [OK], 70, IN_BUDGET, Signals(),
     SetWeight(1, 50)),
    ("the promotion needs no bake -> written at the budget's edge", PLAN, AT50, prog(1, 30), [OK], 99, IN_BUDGET,
     Signals(), SetWeight(2, 100)),
    ("budget ends mid-check -> the last check runs first", PLAN, AT10, prog(0), None, 100, IN_BUDGET, Signals(),
     Check(False)),
    ("budget ends and the last check fails -> roll back, not leave it", PLAN, AT10, prog(0), [BAD], 100, IN_BUDGET,
     Signals(), Rollback("gate failed at 10%: g: error rate 50.0% > 5.0%")),
    ("first weight does not fit the budget -> stop before any traffic moves", PLAN, BASE, prog(-1), None, 80,
     Policy(deadline=100), Signals(), Finish("in_progress", "time budget: 20s left, not enough to bake 10% for 30s;"
                                             " alias left at version 1 alone")),
]


@pytest.mark.parametrize(("plan", "observed", "progress", "verdicts", "now", "policy", "signals", "expected"),
                         [c[1:] for c in SIGNAL_CASES], ids=[c[0] for c in SIGNAL_CASES])
def test_decide_judges_the_signals(plan, observed, progress, verdicts, now, policy, signals, expected):
    assert decide(plan, observed, progress, verdicts, now, policy, signals) == expected


@pytest.mark.parametrize(("plan", "observed", "progress", "verdicts", "now", "policy", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decide(plan, observed, progress, verdicts, now, policy, expected):
    assert decide(plan, observed, progress, verdicts, now, policy) == expected


def test_decide_is_pure_same_inputs_same_answer():
    args = (PLAN, AT10, prog(0), [OK], 12.0, G)
    assert decide(*args) == decide(*args)


@pytest.mark.parametrize(
    ("observed", "stage", "expected_from"),
    [
        (BASE, -1, "1"),
        (AliasView("1", "2", 10), 0, "1"),
        (AliasView("1", "2", 25), 0, "1"),  # between planned weights: continue after 10 (next write is 50)
        (AliasView("1", "2", 50), 1, "1"),
        (AliasView("1", "2", 5), -1, "1"),  # below the first step: its next write is the first step
        (AliasView("2"), 2, "2"),  # already promoted
    ],
)
def test_resume_point_from_the_alias_alone(observed, stage, expected_from):
    p = resume_point(PLAN, observed, "2", 7.0)
    assert (p.stage, p.from_version, p.expected, p.stage_started) == (stage, expected_from, observed, 7.0)


def test_resume_after_crash_at_25_continues_with_next_step():
    plan = Steps([10, 25, 50, 100], interval=30).plan()
    p = resume_point(plan, AliasView("1", "3", 25), "3", 0.0)
    assert decide(plan, AliasView("1", "3", 25), p, None, 30.0, NOG) == SetWeight(2, 50)


@pytest.mark.parametrize("observed", [AliasView("1", "9", 10), AliasView("2", "9", 10)])
def test_resume_refuses_someone_elses_split(observed):
    with pytest.raises(RolloutError):
        resume_point(PLAN, observed, "2", 0.0)


@pytest.mark.parametrize(
    ("weights", "view"),
    [({}, AliasView("1")), ({"2": 0.1}, AliasView("1", "2", 10)), ({"2": 0.0}, AliasView("1")),
     ({"2": 0.29}, AliasView("1", "2", 29)), ({"2": 0.123}, AliasView("1", "2", 12, exact=False)),
     ({"2": 1.0}, AliasView("1", "2", 100))],
)
def test_alias_view_integer_percent(weights, view):
    class A:
        version_id = "1"
        additional_version_weight = weights

    assert AliasView.from_alias(A()) == view
