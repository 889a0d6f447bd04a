"""Scenario tests: the runner against mock_fc with a fake clock (no real waiting anywhere)."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest

from fcinfra.errors import InvalidArgumentError, RolloutError
from fcinfra.fc import FcClient
from fcinfra.rollout import InvokeProbe, Pause, Rollout, Steps, json_lines, promote, rollback

World = Any  # tests/rollout/conftest.py::World (conftest modules are not importable in importlib mode)


def failing(event: bytes, context: Any) -> Any:
    raise RuntimeError("boom")


def rollout(world: World, to: str = "2", **kw: Any) -> Rollout:
    kw.setdefault("strategy", Steps([10, 25, 50, 100], interval=30))
    kw.setdefault("health", [InvokeProbe(function="fn", samples=20, max_error_rate=0.05)])
    kw.setdefault("check_every", 10)
    return Rollout(world.client, service="svc", alias="prod", to_version=to, sleep=world.clock.sleep,
                   clock=world.clock, **kw)


def test_healthy_promotion(world: World) -> None:
    stream = io.StringIO()
    start = world.clock()
    result = rollout(world, on_event=json_lines(stream)).run()
    assert result.status == "promoted", result.reason
    assert result.history == [10, 25, 50, 100]
    assert world.split() == ("2", {})  # new version is main, no additional version left behind
    assert world.ops("UpdateAlias") == 4  # one alias write per weight change, 100 is the promotion itself
    assert world.ops("GetAlias") - 1 <= 4  # at most one alias read per step (the -1: our own check above)
    assert world.clock() - start >= 90  # three 30 s bakes really were waited for, on the fake clock
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert events[0]["kind"] == "start" and events[-1]["kind"] == "promoted"
    assert [e["weight"] for e in events if e["kind"] == "weight"] == [10, 25, 50]
    assert any(e["kind"] == "check" for e in events)


def test_probe_attributes_results_to_the_resolved_version(world: World) -> None:
    world.set_version_behaviour("1", failing)  # the OLD version fails; the canary is healthy
    result = rollout(world).run()
    assert result.status == "promoted"
    canary = result.verdicts[0].details["canary"]
    assert canary["errors"] == 0 and canary["count"] >= 20


def test_failing_canary_rolled_back_at_first_failed_gate(world: World) -> None:
    world.set_version_behaviour("2", failing)
    stream = io.StringIO()
    result = rollout(world, on_event=json_lines(stream)).run()
    assert result.status == "rolled_back"
    assert result.history == [10, 0]  # never went past the first step
    assert world.split() == ("1", {})
    assert world.ops("UpdateAlias") == 2  # one step, one write to roll back: the lease rode in them, no more
    assert world.alias().description in ("", None)  # the rollback wrote the description back without the lease
    assert "error rate" in result.reason
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    first_fail = next(i for i, e in enumerate(events) if e["kind"] == "check" and "fail" in e["message"])
    assert events[first_fail + 1]["kind"] == "rollback"  # nothing else happened in between
    assert result.rollback_seconds == 0.0  # fake clock: no wait between the verdict and the restore


def test_failing_canary_latency_gate(world: World) -> None:
    def slow(event: bytes, context: Any) -> Any:
        world.clock.now += 0.5  # 500 ms on the rollout's clock
        return "ok"

    world.set_version_behaviour("2", slow)
    result = rollout(world, health=[InvokeProbe("fn", samples=10, max_latency_ms=200, mode="direct")]).run()
    assert result.status == "rolled_back"
    assert "latency" in result.reason


def test_relative_gate_compares_with_main(world: World) -> None:
    def slow(ms: float) -> Any:
        def handler(event: bytes, context: Any) -> Any:
            world.clock.now += ms / 1000
            return "ok"
        return handler

    world.set_version_behaviour("1", slow(100))
    world.set_version_behaviour("2", slow(130))  # 30 % slower: within +50 %
    ok = rollout(world, health=[InvokeProbe("fn", samples=10, max_latency_increase=0.5, mode="direct")]).run()
    assert ok.status == "promoted"
    assert ok.verdicts[0].details["main"]["count"] >= 10


def test_relative_gate_fails_when_canary_much_worse(world: World) -> None:
    calls = {"n": 0}

    def flaky(event: bytes, context: Any) -> Any:  # every other call fails: 50 % vs main's 0 %
        calls["n"] += 1
        if calls["n"] % 2:
            raise ValueError("flaky")
        return "ok"

    world.set_version_behaviour("2", flaky)
    result = rollout(world, health=[InvokeProbe("fn", samples=20, max_error_rate_increase=0.1, mode="direct")]).run()
    assert result.status == "rolled_back"
    assert "vs main" in result.reason


def test_too_few_samples_waits_and_does_not_pass(world: World) -> None:
    probe = InvokeProbe("fn", samples=1000, per_check=5, mode="direct")  # 5 calls per check, 1000 needed
    result = rollout(world, health=[probe], inconclusive_timeout=None, time_budget=600).run()
    assert result.status == "in_progress"
    assert result.history == [10]  # it waited at 10 %, it did not move on without evidence
    assert world.split() == ("1", {"2": 0.1})
    assert result.verdicts[0].status == "inconclusive"


def test_too_few_samples_for_too_long_rolls_back(world: World) -> None:
    probe = InvokeProbe("fn", samples=1000, per_check=5, mode="direct")
    result = rollout(world, health=[probe], inconclusive_timeout=60).run()
    assert result.status == "rolled_back"
    assert "not enough evidence" in result.reason
    assert world.split() == ("1", {})


def test_pre_traffic_check_refuses_before_any_traffic_moves(world: World) -> None:
    world.set_version_behaviour("2", failing)
    result = rollout(world, pre_traffic=[InvokeProbe("fn", samples=3, mode="direct")]).run()
    assert result.status == "rolled_back"
    assert result.history == []
    assert world.ops("UpdateAlias") == 0
    assert "pre-traffic" in result.reason


def test_pre_traffic_true_reuses_health_gates_directly(world: World) -> None:
    result = rollout(world, pre_traffic=True).run()
    assert result.status == "promoted"
    assert world.ops("InvokeFunction") > 0


def test_custom_sleep_without_clock_runs_instantly_on_virtual_time(world: World) -> None:
    t = time.monotonic()
    r = Rollout(world.client, "svc", "prod", "2", strategy=Steps([10, 25, 50, 100], interval=3600),
                sleep=lambda s: None)
    result = r.run()
    assert result.status == "promoted" and result.history == [10, 25, 50, 100]
    assert result.duration == 3 * 3600  # the virtual clock advanced by exactly what was slept
    assert time.monotonic() - t < 5


def test_thirty_percent_throttling_on_alias_writes(world: World) -> None:
    world.fake.faults.set("UpdateAlias", throttle=0.3)
    result = rollout(world).run()
    assert result.status == "promoted" and result.history == [10, 25, 50, 100]
    applied = world.ops("UpdateAlias", ok_only=True)
    assert applied == 4  # still exactly one applied write per step
    assert world.ops("UpdateAlias") > applied  # the client did meet (and retry) throttling
    assert any(op == "UpdateAlias" for op, _ in world.fake.faults.injected)


def test_throttled_rollback_still_one_applied_write(world: World) -> None:
    world.set_version_behaviour("2", failing)
    world.fake.faults.set("UpdateAlias", throttle=0.3)
    result = rollout(world).run()
    assert result.status == "rolled_back" and world.split() == ("1", {})
    assert world.ops("UpdateAlias", ok_only=True) == 2


def test_lost_write_answer_is_recognised_as_our_own(world: World) -> None:
    # The write runs but its answer is lost; the client's retry then meets our own new ETag (412).
    world.fake.faults.set("UpdateAlias", drop_after=1.0, times=1)
    result = rollout(world).run()
    assert result.status == "promoted", result.reason
    assert result.history == [10, 25, 50, 100]


def test_external_change_between_steps_stops_without_writing(world: World) -> None:
    other = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
    calls = {"n": 0}

    def meddler(target: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 2:  # mid-bake at 10 %: a colleague sets 33 % by hand
            other.update_alias("svc", "prod", version_id="1", additional_version_weight={"2": 0.33})
        return True

    result = rollout(world, health=[meddler]).run()
    assert result.status == "aborted"
    assert "changed by someone else" in result.reason
    assert world.split() == ("1", {"2": 0.33})  # their change is kept
    assert result.history == [10]
    assert world.ops("UpdateAlias") == 1  # we never wrote after noticing
    with pytest.raises(RolloutError):
        result.raise_for_status()


def test_external_change_between_our_read_and_write_is_caught_by_etag(world: World) -> None:
    real_get = world.client.get_alias
    other = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
    state = {"reads": 0}

    def racy_get(service: str, name: str) -> Any:
        alias = real_get(service, name)
        state["reads"] += 1
        if state["reads"] == 2:  # right after our pre-write read, someone else writes
            other.update_alias(service, name, version_id="3", additional_version_weight={})
        return alias

    world.client.get_alias = racy_get  # type: ignore[method-assign]
    result = rollout(world).run()
    assert result.status == "aborted"
    assert world.ops("UpdateAlias", ok_only=True) == 1  # the 412 write did not apply
    assert any(e.operation == "UpdateAlias" and e.status == 412 for e in world.wire)
    assert world.split() == ("3", {})


def test_change_that_leaves_routing_alone_is_not_a_conflict(world: World) -> None:
    # Someone edits only the description: the 412 is resolved by one read, the routing we own is intact.
    other = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
    done = {"x": False}

    def describer(target: Any) -> bool:
        if target.weight == 25 and not done["x"]:
            other.update_alias("svc", "prod", description="edited by hand")
            done["x"] = True
        return True

    result = rollout(world, health=[describer]).run()
    assert result.status == "promoted"
    assert world.alias().description == "edited by hand"


def test_external_promote_during_rollout_is_reported_as_promoted(world: World) -> None:
    def promoter(target: Any) -> bool:
        if target.weight == 25 and world.split()[1]:
            promote(FcClient("1234567890", "cn-hangzhou", "AK", "SK"), "svc", "prod", full=True)
        return True

    result = rollout(world, health=[promoter]).run()
    assert result.status == "promoted" and "someone else" in result.reason
    assert result.history == [10, 25]
    assert world.split() == ("2", {})


def test_external_rollback_during_rollout_is_reported(world: World) -> None:
    def undo(target: Any) -> bool:
        if target.weight == 25 and world.split()[1]:
            rollback(FcClient("1234567890", "cn-hangzhou", "AK", "SK"), "svc", "prod")
        return True

    result = rollout(world, health=[undo]).run()
    assert result.status == "rolled_back" and "someone else" in result.reason
    assert world.split() == ("1", {})


def test_error_mid_rollout_rolls_back_with_one_write(world: World) -> None:
    def break_reads(target: Any) -> bool:
        world.fake.faults.set("GetAlias", error=1.0)  # FC keeps failing reads: the client gives up
        return True

    result = rollout(world, health=[break_reads]).run()
    assert result.status == "rolled_back"
    assert result.error is not None and "error at 10%" in result.reason
    world.fake.faults.clear()
    assert world.split() == ("1", {})
    assert world.ops("UpdateAlias", ok_only=True) == 2


def test_gate_that_raises_fails_the_canary(world: World) -> None:
    def broken(target: Any) -> bool:
        raise KeyError("metrics backend down")

    result = rollout(world, health=[broken]).run()
    assert result.status == "rolled_back" and "KeyError" in result.reason


def test_time_budget_leaves_consistent_state_and_checkpoint_credits_bake(world: World) -> None:
    first = rollout(world, time_budget=45).run()
    assert first.status == "in_progress"
    assert first.history == [10]  # 25 % would need 30 s of bake; only 15 s were left: not raised
    assert world.split() == ("1", {"2": 0.1})
    assert first.checkpoint is not None and first.checkpoint.baked == 30
    assert "not enough to bake 25%" in first.reason
    before = world.clock()
    second = rollout(world, checkpoint=json.loads(json.dumps(first.to_dict()["checkpoint"]))).run()
    assert second.status == "promoted" and second.resumed_from == 10
    assert second.history == [25, 50, 100]
    assert world.clock() - before == 30 + 30  # the 10 % bake is credited: straight to 25 %


@pytest.mark.parametrize("budget", [30, 45, 59, 60, 75, 89, 90, 120])
def test_time_budget_never_stops_right_after_raising_a_weight(world: World, budget: float) -> None:
    applied: list[float] = []
    result = rollout(world, time_budget=budget, health=[lambda target: True], check_every=10,
                     on_event=lambda e: applied.append(e.at) if e.kind == "weight" else None).run()
    assert result.status in ("in_progress", "promoted")
    assert applied, "the first weight fits in every budget given"
    assert result.duration - applied[-1] >= 30  # the last raised weight was baked (and checked) to the end
    assert result.duration <= budget


def test_a_time_budget_shorter_than_one_bake_is_refused_before_anything_runs(world: World) -> None:
    with pytest.raises(InvalidArgumentError, match="cannot bake a 30s step"):
        rollout(world, time_budget=29)
    assert world.ops("UpdateAlias") == world.ops("GetAlias") == 0


def test_manual_gate_waits_for_approve(world: World) -> None:
    answers = iter([False, False, True])
    r = rollout(world, strategy=Steps([10, Pause(), 50], interval=30), approve=lambda: next(answers),
                poll_every=5)
    result = r.run()
    assert result.status == "promoted" and result.history == [10, 50, 100]


def test_manual_gate_answered_by_promote_from_elsewhere(world: World) -> None:
    polls = {"n": 0}

    def sleep(seconds: float) -> None:
        world.clock.sleep(seconds)
        if world.split()[1] == {"2": 0.1} and world.clock() > 1030:
            polls["n"] += 1
            if polls["n"] == 3:
                promote(FcClient("1234567890", "cn-hangzhou", "AK", "SK"), "svc", "prod")

    r = Rollout(world.client, "svc", "prod", "2", strategy=Steps([10, Pause(), 50], interval=30), sleep=sleep,
                clock=world.clock, poll_every=5)
    events: list[str] = []
    r._sinks.append(lambda e: events.append(e.message) if e.kind == "approved" else None)
    result = r.run()
    assert result.status == "promoted" and result.history == [10, 100]  # promote moved it to 50, we went on
    assert events == ["moved on to 50% by `fcinfra promote`"]
    assert world.split() == ("2", {})


def test_manual_gate_without_waiting_pauses(world: World) -> None:
    r = rollout(world, strategy=Steps([10, Pause(), 50], interval=30), wait_for_promote=False)
    result = r.run()
    assert result.status == "paused" and world.split() == ("1", {"2": 0.1})


def test_already_promoted_is_a_no_op(world: World) -> None:
    assert rollout(world, health=[]).run().status == "promoted"
    world.wire.clear()
    again = rollout(world).run()
    assert again.status == "promoted" and again.history == []
    assert world.ops("UpdateAlias") == 0


def test_refuses_when_another_rollout_is_in_progress(world: World) -> None:
    world.client.update_alias("svc", "prod", additional_version_weight={"3": 0.2})
    with pytest.raises(RolloutError, match="another rollout"):
        rollout(world, to="2").run()
    assert world.ops("UpdateAlias", ok_only=True) == 1  # only our setup write


def test_invalid_input_raises_before_any_request(world: World) -> None:
    with pytest.raises(InvalidArgumentError):
        Rollout(world.client, "svc", "prod", "2", strategy=Steps([50, 10]))
    with pytest.raises(InvalidArgumentError):
        Rollout(world.client, "svc", "prod", "not-a-version")
    with pytest.raises(InvalidArgumentError):
        Rollout(world.client, "svc", "LATEST", "2")
    with pytest.raises(InvalidArgumentError):
        Rollout(world.client, "svc", "prod", "2", check_every=0)
    assert world.wire == []


def test_weights_reach_fc_as_exact_fractions(world: World) -> None:
    seen = []

    def spy(target: Any) -> bool:
        seen.append(world.split()[1])
        return True

    rollout(world, strategy=Steps([10, 20, 30, 70], interval=0), health=[spy]).run()
    assert seen == [{"2": 0.1}, {"2": 0.2}, {"2": 0.3}, {"2": 0.7}]


def test_probe_load_drops_to_a_quarter_once_it_has_a_verdict(world: World) -> None:
    probe = InvokeProbe("fn", samples=20, mode="direct")
    result = rollout(world, health=[probe]).run()  # 3 bakes of 30 s, checks every 10 s: 4 checks per step
    assert result.status == "promoted"
    assert world.ops("InvokeFunction") == 3 * (20 + 3 * 5)


def test_reads_time_only_through_the_injected_clock(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import fcinfra.rollout.clock as clock_mod
    import fcinfra.rollout.health as health_mod

    def forbidden(*a: Any) -> Any:
        raise AssertionError("the rollout read the real clock or slept for real")

    no_time = types.SimpleNamespace(time=forbidden, monotonic=forbidden, perf_counter=forbidden, sleep=forbidden)
    monkeypatch.setattr(clock_mod, "time", no_time)  # the FC client's own timing is not the rollout's
    monkeypatch.setattr(health_mod, "time", no_time)
    leases: list[Any] = []
    real_update = world.client.update_alias

    def update(*args: Any, **kw: Any) -> Any:
        from fcinfra.rollout.lease import split

        leases.append(split(kw.get("description"))[1])
        return real_update(*args, **kw)

    monkeypatch.setattr(world.client, "update_alias", update)
    wall = 1_795_000_000.0  # the lease's wall clock is injected too (Unix seconds, comparable across machines)
    result = rollout(world, health=[InvokeProbe(function="fn", samples=20, max_error_rate=0.05)],
                     wall_clock=lambda: wall + world.clock()).run()
    assert result.status == "promoted" and result.duration == 90
    assert [lease.until > wall + world.clock() - 90 for lease in leases[:3]] == [True] * 3
    assert leases[3] is None  # the promotion writes the description back without a lease


def test_resume_between_planned_weights_continues_with_the_next_one(world: World) -> None:
    world.client.update_alias("svc", "prod", additional_version_weight={"2": 0.3})  # a crash left 30 %
    result = rollout(world).run()
    assert result.status == "promoted" and result.resumed_from == 30
    assert result.history == [50, 100]


def test_dry_run_touches_nothing(world: World) -> None:
    text = rollout(world).dry_run()
    assert "rollout of version 2 on svc/prod" in text and "total: 1m30s" in text
    assert world.wire == []


def test_start_message_names_the_alias_the_serving_version_and_the_schedule(world: World) -> None:
    stream = io.StringIO()
    rollout(world, on_event=json_lines(stream)).run()
    start = json.loads(stream.getvalue().splitlines()[0])
    assert start["kind"] == "start"
    assert start["message"] == ("rolling out version 2 to alias prod (now serving version 1): "
                                "10% -> 25% -> 50% -> 100%")


def test_start_message_says_there_is_nothing_to_do_when_the_version_already_serves_all(world: World) -> None:
    rollout(world).run()
    stream = io.StringIO()
    result = rollout(world, on_event=json_lines(stream)).run()
    start = json.loads(stream.getvalue().splitlines()[0])
    assert result.status == "promoted" and result.alias_writes == 0
    assert start["kind"] == "start"
    assert start["message"] == "nothing to do: version 2 already serves 100% of alias prod"
