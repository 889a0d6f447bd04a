"""Crash at every step boundary, then resume from another 'machine' (new client, new clock, no local state)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from fcinfra.fc import FcClient, RetryPolicy
from fcinfra.rollout import InvokeProbe, Rollout, Steps

World = Any  # tests/rollout/conftest.py::World


class Crash(BaseException):
    """The process dies: nothing in the engine may catch this (it is not an Exception)."""


class Machine:
    """A client on some machine; records each alias write it *applied* (the weight of the new version)."""

    def __init__(self, applied: list[int], crash_write: int | None = None, when: str = "after") -> None:
        self.inner = FcClient("1234567890", "cn-hangzhou", "AK", "SK", retry_policy=RetryPolicy(attempts=4),
                              sleep=lambda s: None)
        self.applied = applied
        self.crash_write = crash_write
        self.when = when
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def update_alias(self, service: str, name: str, **kw: Any) -> Any:
        self.writes += 1
        if self.writes == self.crash_write and self.when == "before":
            raise Crash("died before the write")
        alias = self.inner.update_alias(service, name, **kw)
        weights = kw.get("additional_version_weight") or {}
        self.applied.append(round(next(iter(weights.values())) * 100) if weights else
                            (100 if kw.get("version_id") == "2" else 0))
        if self.writes == self.crash_write and self.when == "after":
            raise Crash("died after the write landed, before we heard back")
        return alias


class Clock:
    def __init__(self, crash_sleep: int | None = None) -> None:
        self.now = 0.0
        self.sleeps = 0
        self.crash_sleep = crash_sleep

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        if self.sleeps == self.crash_sleep:
            raise Crash("died while baking")
        self.now += seconds


def run(client: Any, clock: Clock, later: float = 0.0) -> Any:
    """``later``: seconds after now on the wall clock (a dead rollout's lease ends at its step's bake plus grace)."""
    return Rollout(client, "svc", "prod", "2", strategy=Steps([10, 25, 50, 100], interval=30),
                   health=[InvokeProbe("fn", samples=5, mode="direct")], sleep=clock.sleep, clock=clock,
                   check_every=15, wall_clock=lambda: time.time() + later).run()


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("write", [1, 2, 3, 4])
def test_crash_around_every_write_then_resume(world: World, write: int, when: str) -> None:
    applied: list[int] = []
    with pytest.raises(Crash):
        run(Machine(applied, crash_write=write, when=when), Clock())
    if when == "after" and write < 4:  # the dead rollout's lease is still live: nobody may take over yet
        refused = run(Machine(applied), Clock())
        assert refused.status == "aborted" and "another live rollout" in refused.reason
        assert refused.alias_writes == 0
    result = run(Machine(applied), Clock(), later=3600)  # another machine, after the lease ran out
    assert result.status == "promoted", result.reason
    assert applied == [10, 25, 50, 100]  # every weight exactly once: nothing repeated, nothing skipped
    assert world.split() == ("2", {})
    crashed_at = applied[write - 1] if when == "after" else ([0, *applied][write - 1])
    if crashed_at not in (0, 100):
        assert result.resumed_from == crashed_at


def count_sleeps() -> int:
    clock = Clock()
    run(Machine([]), clock)
    return clock.sleeps


def test_crash_while_baking_at_every_sleep_then_resume(world: World) -> None:
    total = count_sleeps()
    assert total >= 6
    for crash_sleep in range(1, total + 1):
        world.client.update_alias("svc", "prod", version_id="1", additional_version_weight={})
        applied: list[int] = []
        with pytest.raises(Crash):
            run(Machine(applied), Clock(crash_sleep=crash_sleep))
        before = list(applied)
        result = run(Machine(applied), Clock(), later=3600)
        assert result.status == "promoted", (crash_sleep, result.reason)
        assert applied == [10, 25, 50, 100], (crash_sleep, before, applied)
        assert world.split() == ("2", {})


def failing(event: bytes, context: Any) -> Any:
    raise RuntimeError("boom")


@pytest.mark.parametrize("when", ["before", "after"])
def test_crash_around_the_rollback_write_then_resume_ends_rolled_back(world: World, when: str) -> None:
    world.set_version_behaviour("2", failing)
    applied: list[int] = []
    with pytest.raises(Crash):
        run(Machine(applied, crash_write=2, when=when), Clock())  # write 1 = 10 %, write 2 = the rollback
    result = run(Machine(applied), Clock(), later=3600)
    assert result.status == "rolled_back"
    assert world.split() == ("1", {})
    assert 25 not in applied  # the failing version never got more than the first step


def run_as(client: Any, clock: Clock, lease_id: str | None) -> Any:
    return Rollout(client, "svc", "prod", "2", strategy=Steps([10, 25, 50, 100], interval=30),
                   health=[InvokeProbe("fn", samples=5, mode="direct")], sleep=clock.sleep, clock=clock,
                   check_every=15, lease_id=lease_id).run()


@pytest.mark.parametrize("write", [1, 2, 3])
def test_a_stable_lease_id_resumes_its_own_live_lease_at_once(world: World, write: int) -> None:
    """A Pulumi resource names its lease: the next `pulumi up` after a kill resumes instead of waiting it out."""
    applied: list[int] = []
    with pytest.raises(Crash):
        run_as(Machine(applied, crash_write=write), Clock(), "0a1b2c3d")
    stranger = run_as(Machine(applied), Clock(), "ffffffff")  # anyone else is still refused
    assert stranger.status == "aborted" and "another live rollout 0a1b2c3d" in stranger.reason
    assert stranger.alias_writes == 0
    result = run_as(Machine(applied), Clock(), "0a1b2c3d")  # the same owner, no waiting for the expiry
    assert result.status == "promoted", result.reason
    assert applied == [10, 25, 50, 100]
    assert result.resumed_from == applied[write - 1]
    assert world.split() == ("2", {})


def test_an_old_abort_of_the_same_lease_id_does_not_end_the_next_run(world: World) -> None:
    world.client.update_alias("svc", "prod", version_id="1", additional_version_weight={},
                              description="prod [fcinfra-abort 0a1b2c3d by=ops]")
    result = run_as(Machine([]), Clock(), "0a1b2c3d")
    assert result.status == "promoted", result.reason
    assert world.client.get_alias("svc", "prod").description == "prod"


def test_a_lease_id_must_look_like_one() -> None:
    from fcinfra.errors import InvalidArgumentError
    with pytest.raises(InvalidArgumentError, match="8 lowercase hex"):
        Rollout(object(), "svc", "prod", "2", lease_id="not-hex!")
