"""DESIGN.md contract for ``fcinfra.lifecycle`` and ``fcinfra.rollout``."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from fcinfra.errors import FcinfraError, InvalidArgumentError, VersionInUseError
from fcinfra.fc import FcClient
from fcinfra.lifecycle import delete_version_safely, prune_versions
from fcinfra.rollout import AllAtOnce, Canary, InvokeProbe, Linear, Rollout, Steps
from tests.contract.conftest import Wire, publish_changed

# ---------------------------------------------------------------------------------------- lifecycle


@pytest.fixture
def versions(client: FcClient, svc: str) -> list[str]:
    ids = [client.publish_version(svc).version_id]
    ids += [publish_changed(client, svc, f"v{i}") for i in range(2, 8)]
    assert ids == ["1", "2", "3", "4", "5", "6", "7"]
    return ids


def test_delete_version_safely_deletes_an_unreferenced_version(client: FcClient, versions: list[str]) -> None:
    delete_version_safely(client, "svc", "3")
    assert "3" not in [v.version_id for v in client.list_versions("svc")]


@pytest.mark.parametrize("how", ["alias main", "alias additional", "trigger direct", "trigger via alias"])
def test_delete_version_safely_refuses_a_referenced_version(client: FcClient, versions: list[str],
                                                            how: str) -> None:
    if how == "alias main":
        client.create_alias("svc", "prod", "2")
    elif how == "alias additional":
        client.create_alias("svc", "prod", "1", additional_version_weight={"2": 0.1})
    elif how == "trigger direct":
        client.create_trigger("svc", "fn", "tick", "timer", {"cronExpression": "@every 1m", "enable": True},
                              qualifier="2")
    else:
        client.create_alias("svc", "prod", "2")
        client.create_trigger("svc", "fn", "tick", "timer", {"cronExpression": "@every 1m", "enable": True},
                              qualifier="prod")
    with pytest.raises(VersionInUseError) as info:
        delete_version_safely(client, "svc", "2")
    err = info.value
    assert isinstance(err, FcinfraError)
    assert err.referrers and all(isinstance(r, str) for r in err.referrers)
    if how.startswith("alias") or how == "trigger via alias":
        assert any("prod" in r for r in err.referrers)
    if how.startswith("trigger"):
        assert any("tick" in r for r in err.referrers)
    assert "2" in [v.version_id for v in client.list_versions("svc")]


def test_delete_version_safely_never_deletes_latest(client: FcClient, versions: list[str]) -> None:
    with pytest.raises(InvalidArgumentError):
        delete_version_safely(client, "svc", "LATEST")


def test_prune_keeps_the_newest_and_every_referenced_version(client: FcClient, versions: list[str]) -> None:
    client.create_alias("svc", "prod", "2", additional_version_weight={"3": 0.2})
    client.create_trigger("svc", "fn", "tick", "timer", {"cronExpression": "@every 1m", "enable": True},
                          qualifier="1")
    wire = Wire(client)
    planned = prune_versions(client, "svc", keep_last=2, dry_run=True)
    assert planned == ["4", "5"] or sorted(planned, key=int) == ["4", "5"]
    assert all(isinstance(v, str) for v in planned)
    assert wire.count("DELETE", "/versions/") == 0
    assert len(client.list_versions("svc")) == 7
    deleted = prune_versions(client, "svc", keep_last=2)
    assert sorted(deleted, key=int) == ["4", "5"]
    assert [v.version_id for v in client.list_versions("svc")] == ["7", "6", "3", "2", "1"]
    assert prune_versions(client, "svc", keep_last=2) == []


def test_prune_default_keeps_five(client: FcClient, versions: list[str]) -> None:
    assert sorted(prune_versions(client, "svc"), key=int) == ["1", "2"]
    assert [v.version_id for v in client.list_versions("svc")] == ["7", "6", "5", "4", "3"]


@pytest.mark.parametrize("keep", [-1, "2", 1.5])
def test_prune_bad_keep_last(client: FcClient, versions: list[str], keep: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        prune_versions(client, "svc", keep_last=keep)


# ------------------------------------------------------------------------------------------ rollout


@pytest.fixture
def release(client: FcClient, svc: str, fake: Any) -> FcClient:
    """prod -> version 1; version 2 published; both healthy."""
    client.publish_version(svc)
    publish_changed(client, svc, "v2")
    client.create_alias(svc, "prod", "1")
    return client


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def alias_writes(wire: Wire) -> int:
    return wire.count("PUT", "/aliases/prod")


def test_rollout_as_in_the_snippet_promotes(release: FcClient) -> None:
    t = FakeTime()
    wire = Wire(release)
    r = Rollout(release, service="svc", alias="prod", to_version="2",
                strategy=Steps([10, 25, 50, 100], interval=30),
                health=[InvokeProbe(function="fn", samples=20, max_error_rate=0.05)],
                sleep=t.sleep, clock=t.clock)
    result = r.run()
    assert result.status == "promoted"
    assert result.history == [10, 25, 50, 100]
    assert alias_writes(wire) == 4
    alias = release.get_alias("svc", "prod")
    assert alias.version_id == "2" and alias.additional_version_weight == {}
    assert sum(t.slept) >= 90  # three bakes of 30 s, in virtual time


def test_custom_sleep_without_clock_runs_instantly(release: FcClient) -> None:
    slept: list[float] = []
    started = time.monotonic()
    result = Rollout(release, service="svc", alias="prod", to_version="2",
                     strategy=Steps([10, 25, 50, 100], interval=600),
                     health=[InvokeProbe(function="fn", samples=5, max_error_rate=0.05)],
                     sleep=slept.append).run()
    assert result.status == "promoted"
    assert time.monotonic() - started < 10
    assert sum(slept) >= 3 * 600


def test_sleep_lambda_none_runs_a_whole_rollout(release: FcClient) -> None:
    result = Rollout(release, service="svc", alias="prod", to_version="2",
                     strategy=Steps([10, 50, 100], interval=60), sleep=lambda s: None).run()
    assert result.status == "promoted" and result.history == [10, 50, 100]


@pytest.mark.parametrize(("strategy", "history"), [
    (Canary(10, interval=300), [10, 100]),
    (Linear(25, interval=60), [25, 50, 75, 100]),
    (AllAtOnce(), [100]),
    (Steps([5, 100], interval=1), [5, 100]),
])
def test_strategies(release: FcClient, strategy: Any, history: list[int]) -> None:
    wire = Wire(release)
    result = Rollout(release, service="svc", alias="prod", to_version="2", strategy=strategy,
                     sleep=lambda s: None).run()
    assert (result.status, result.history) == ("promoted", history)
    assert alias_writes(wire) == len(history)


def test_weights_on_the_alias_are_the_percent_over_100(release: FcClient) -> None:
    seen: list[dict[str, float]] = []
    wire = Wire(release)
    Rollout(release, service="svc", alias="prod", to_version="2", strategy=Linear(10, interval=1),
            sleep=lambda s: None).run()
    for req in wire.sent:
        if req.method == "PUT" and "/aliases/prod" in (req.path_url or ""):
            body = req.body if isinstance(req.body, bytes) else str(req.body).encode()
            seen.append(json.loads(body).get("additionalVersionWeight") or {})
    assert [w.get("2") for w in seen[:-1]] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert seen[-1] == {}


@pytest.mark.parametrize("weights", [[], [10, 5], [0, 50], [50, 150], [10, 10, 100], [-10, 100], [10.5, 100]])
def test_bad_schedules_are_refused_before_any_write(release: FcClient, weights: list[Any]) -> None:
    wire = Wire(release)
    with pytest.raises(InvalidArgumentError):
        Rollout(release, service="svc", alias="prod", to_version="2",
                strategy=Steps(weights, interval=1), sleep=lambda s: None).run()
    assert alias_writes(wire) == 0


def test_bad_interval_is_refused(release: FcClient) -> None:
    with pytest.raises(InvalidArgumentError):
        Steps([10, 100], interval=-1)


def test_unhealthy_canary_rolls_back_with_one_write(release: FcClient, fake: Any) -> None:
    def handler(event: bytes, context: Any) -> Any:
        if context.service.version_id == "2":
            raise RuntimeError("v2 is broken")
        return "ok"

    fake.register_handler("svc", "fn", handler)
    wire = Wire(release)
    result = Rollout(release, service="svc", alias="prod", to_version="2",
                     strategy=Steps([10, 25, 50, 100], interval=30),
                     health=[InvokeProbe(function="fn", samples=20, max_error_rate=0.05)],
                     sleep=lambda s: None).run()
    assert result.status == "rolled_back"
    assert result.history[0] == 10 and 100 not in result.history
    forward = [w for w in result.history if w != 0]
    assert alias_writes(wire) == len(forward) + 1  # one write per step applied, one to roll back
    alias = release.get_alias("svc", "prod")
    assert alias.version_id == "1" and alias.additional_version_weight == {}


def test_pre_traffic_refusal_reports_rolled_back_without_moving_traffic(release: FcClient, fake: Any) -> None:
    def handler(event: bytes, context: Any) -> Any:
        if context.service.version_id == "2":
            raise RuntimeError("v2 is broken")
        return "ok"

    fake.register_handler("svc", "fn", handler)
    wire = Wire(release)
    probe = InvokeProbe(function="fn", samples=5, max_error_rate=0.05)
    result = Rollout(release, service="svc", alias="prod", to_version="2", strategy=Steps([10, 100], interval=30),
                     health=[probe], pre_traffic=True, sleep=lambda s: None).run()
    assert result.status == "rolled_back"
    assert [w for w in result.history if w] == []
    assert alias_writes(wire) <= 1
    alias = release.get_alias("svc", "prod")
    assert alias.version_id == "1" and alias.additional_version_weight == {}


def test_rollout_to_a_missing_version_changes_nothing(release: FcClient) -> None:
    try:
        result = Rollout(release, service="svc", alias="prod", to_version="9", strategy=AllAtOnce(),
                         sleep=lambda s: None).run()
    except FcinfraError:
        pass
    else:
        assert result.status != "promoted"
    alias = release.get_alias("svc", "prod")
    assert alias.version_id == "1" and alias.additional_version_weight == {}


def test_a_single_gate_not_in_a_list_is_accepted(release: FcClient) -> None:
    single: Any = InvokeProbe(function="fn", samples=5)
    rollout = Rollout(release, service="svc", alias="prod", to_version="2", health=single, sleep=lambda s: None)
    assert len(rollout.health) == 1
    assert rollout.run().status in {"promoted", "rolled_back"}


def test_rollout_reads_time_only_through_the_injected_clock(release: FcClient,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any) -> Any:
        raise AssertionError("the rollout used the real clock or slept for real")

    t = FakeTime()
    monkeypatch.setattr(time, "monotonic", forbidden)
    monkeypatch.setattr(time, "sleep", forbidden)
    result = Rollout(release, service="svc", alias="prod", to_version="2",
                     strategy=Steps([10, 25, 50, 100], interval=30),
                     health=[InvokeProbe(function="fn", samples=20, max_error_rate=0.05)],
                     sleep=t.sleep, clock=t.clock).run()
    assert result.status == "promoted"
