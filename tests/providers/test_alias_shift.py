"""AliasShiftProvider against the in-process fake: direct shifts with If-Match, and rollouts."""

from __future__ import annotations

from typing import Any

import pytest

from fcinfra.errors import AliasChangedError
from fcinfra.providers.alias_shift import AliasShiftProvider, is_rejected
from fcinfra.testing.helpers import code_zip, handler_source

STEPS = {"type": "steps", "weights": [20, 50, 100], "interval": 30}
HEALTH = [{"type": "invoke", "function": "fn", "samples": 20, "max_error_rate": 0.05}]


def provider(client: Any) -> AliasShiftProvider:
    p = AliasShiftProvider()
    p.use_client(lambda: client)
    p.use_clock(lambda _s: None)  # virtual time: a rollout runs instantly
    return p


@pytest.fixture
def two_versions(deployed: Any, fc_fake: Any) -> Any:
    """svc has versions 1 and 2; alias prod -> 1. Version 1 answers 'v1', version 2 answers 'v2'."""
    deployed.publish_version("svc")
    deployed.update_function("svc", "fn", code=code_zip(handler_source("v2")))
    deployed.publish_version("svc")
    deployed.create_alias("svc", "prod", "1")
    fc_fake.register_handler("svc", "fn", lambda event, ctx: "v1", version="1")
    fc_fake.register_handler("svc", "fn", lambda event, ctx: "v2", version="2")
    return deployed


def shift(**over: Any) -> dict[str, Any]:
    return {"service": "svc", "alias": "prod", "version_id": "1", **over}


# ------------------------------------------------------------------------------------------- direct shifts


def test_create_sets_main_and_canary_weight(two_versions: Any) -> None:
    result = provider(two_versions).create(shift(canary_version="2", canary_percent=10))
    alias = two_versions.get_alias("svc", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {"2": 0.1})
    assert result.id == "svc:prod"
    assert result.outs is not None and result.outs["canary_percent"] == 10


def test_percent_arrives_as_float_from_pulumi_and_is_still_whole(two_versions: Any) -> None:
    provider(two_versions).create(shift(canary_version="2", canary_percent=25.0))
    assert two_versions.get_alias("svc", "prod").additional_version_weight == {"2": 0.25}


def test_diff_is_pure_and_compares_live_traffic_with_desired() -> None:
    p = AliasShiftProvider()  # no client
    olds = {**shift(), "canary_version": "2", "canary_weight": 0.1, "canary_percent": 10}
    assert p.diff("svc:prod", olds, shift(canary_version="2", canary_percent=10)).changes is False
    assert p.diff("svc:prod", olds, shift(canary_version="2", canary_percent=20)).changes is True
    assert p.diff("svc:prod", olds, shift(version_id="2")).changes is True
    assert p.diff("svc:prod", olds, {**shift(), "alias": "other"}).replaces == ["alias"]


def test_update_writes_with_if_match_and_clears_canary(two_versions: Any) -> None:
    p = provider(two_versions)
    outs = p.create(shift(canary_version="2", canary_percent=10)).outs
    assert outs is not None
    new = p.update("svc:prod", outs, shift(version_id="2")).outs
    alias = two_versions.get_alias("svc", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
    assert new is not None and new["etag"] == alias.etag


def test_update_fails_cleanly_on_if_match_conflict(two_versions: Any) -> None:
    """Someone moves the alias between our read and our write: nothing of ours is written."""
    p = provider(two_versions)
    outs = p.create(shift()).outs
    assert outs is not None

    class Racing:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def get_alias(self, service: str, name: str) -> Any:
            seen = self.inner.get_alias(service, name)
            self.inner.update_alias(service, name, additional_version_weight={"2": 0.5})  # the other writer
            return seen

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    racing = Racing(two_versions)
    p.use_client(lambda: racing)
    with pytest.raises(AliasChangedError, match="If-Match"):
        p.update("svc:prod", outs, shift(version_id="2"))
    alias = two_versions.get_alias("svc", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {"2": 0.5})  # theirs, untouched


def test_read_reports_drift(two_versions: Any) -> None:
    p = provider(two_versions)
    outs = p.create(shift()).outs
    assert outs is not None
    assert p.read("svc:prod", outs).outs["drifted"] is False  # type: ignore[index]
    two_versions.update_alias("svc", "prod", additional_version_weight={"2": 0.3})
    read = p.read("svc:prod", outs)
    assert read.outs is not None
    assert read.outs["drifted"] is True and read.outs["canary_version"] == "2" and read.outs["canary_percent"] == 30
    assert p.diff("svc:prod", read.outs, shift()).changes is True  # the next up corrects it


def test_delete_leaves_traffic_alone(two_versions: Any) -> None:
    p = provider(two_versions)
    outs = p.create(shift(canary_version="2", canary_percent=10)).outs
    assert outs is not None
    p.delete("svc:prod", outs)
    assert two_versions.get_alias("svc", "prod").additional_version_weight == {"2": 0.1}


def test_check_rejects_bad_traffic() -> None:
    p = AliasShiftProvider()
    bad = p.check({}, shift(canary_version="1", canary_percent=150))
    assert {f.property for f in bad.failures} == {"canary_version", "canary_percent"}
    both = p.check({}, shift(canary_version="2", strategy=STEPS))
    assert [f.property for f in both.failures] == ["canary_version"]
    weird = p.check({}, shift(strategy={"type": "steps", "weights": [50, 20]}))
    assert [f.property for f in weird.failures] == ["strategy"]


# ----------------------------------------------------------------------------------------------- rollouts


def test_rollout_walks_the_strategy_and_promotes(two_versions: Any) -> None:
    p = provider(two_versions)
    outs = p.create(shift(strategy=STEPS, health=HEALTH)).outs  # alias already on 1: nothing to walk
    assert outs is not None and outs["status"] == "promoted" and outs["history"] == []
    new = p.update("svc:prod", outs, shift(version_id="2", strategy=STEPS, health=HEALTH, fingerprint="fp2")).outs
    assert new is not None
    assert new["status"] == "promoted" and new["history"] == [20, 50, 100]
    alias = two_versions.get_alias("svc", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})


def test_rollback_is_recorded_and_the_same_code_is_not_retried(two_versions: Any, fc_fake: Any) -> None:
    def broken(event: bytes, ctx: Any) -> str:
        raise RuntimeError("v2 is broken")

    fc_fake.register_handler("svc", "fn", broken, version="2")
    p = provider(two_versions)
    outs = p.create(shift(strategy=STEPS, health=HEALTH)).outs
    assert outs is not None
    news = shift(version_id="2", strategy=STEPS, health=HEALTH, fingerprint="fp2")
    failed = p.update("svc:prod", outs, news).outs
    assert failed is not None
    assert failed["status"] == "rolled_back" and failed["rejected_fingerprints"] == ["fp2"]
    assert failed["history"][0] == 20 and failed["history"][-1] == 0
    alias = two_versions.get_alias("svc", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    # Next `pulumi up` with the same code: no diff, and even a forced update call sends no traffic.
    assert p.diff("svc:prod", failed, news).changes is False
    writes = two_versions.calls["UpdateAlias"]
    again = p.update("svc:prod", failed, news).outs
    assert again is not None and again["status"] == "rolled_back"
    assert two_versions.calls["UpdateAlias"] == writes
    # The same code under a new version number is still rejected (the fingerprint decides).
    assert is_rejected(failed, {**news, "version_id": "3"})
    # Forcing retries it once.
    forced = {**news, "force": "retry-1"}
    assert p.diff("svc:prod", failed, forced).changes is True
    assert not is_rejected(failed, forced)


def test_time_budget_stops_in_progress_and_the_next_update_resumes(two_versions: Any) -> None:
    p = provider(two_versions)
    outs = p.create(shift(strategy=STEPS, health=HEALTH)).outs
    assert outs is not None
    news = shift(version_id="2", strategy=STEPS, health=HEALTH, fingerprint="fp2", time_budget=40)
    partial = p.update("svc:prod", outs, news).outs
    assert partial is not None and partial["status"] == "in_progress"
    alias = two_versions.get_alias("svc", "prod")
    assert alias.version_id == "1" and alias.canary is not None and alias.canary[0] == "2"
    reached = partial["canary_percent"]
    assert 0 < reached < 100
    assert p.diff("svc:prod", partial, news).changes is True  # the next up continues
    done = p.update("svc:prod", partial, {**news, "time_budget": 600}).outs
    assert done is not None and done["status"] == "promoted"
    assert all(w > reached for w in done["history"])  # resumed, not restarted
    assert two_versions.get_alias("svc", "prod").version_id == "2"


def test_check_accepts_values_a_preview_does_not_know_yet() -> None:
    from pulumi.runtime import rpc

    p = AliasShiftProvider()
    preview = p.check({}, shift(version_id=rpc.UNKNOWN, strategy=STEPS, health=HEALTH, fingerprint=rpc.UNKNOWN))
    assert preview.failures == []
    assert p.diff("svc:prod", {**shift(), "status": "promoted"}, preview.inputs).changes is True


def test_check_refuses_a_time_budget_that_cannot_bake_a_step() -> None:
    p = AliasShiftProvider()
    short = p.check({}, shift(strategy={"type": "steps", "weights": [10, 100], "interval": 120}, time_budget=60))
    default = p.check({}, shift(strategy={"type": "canary", "weight": 10, "interval": 900}))
    fine = p.check({}, shift(strategy={"type": "canary", "weight": 10, "interval": 60}, time_budget=60))

    assert [(f.property, "cannot bake a 120s step" in f.reason) for f in short.failures] == [("time_budget", True)]
    assert [f.property for f in default.failures] == ["time_budget"] and "default is 600s" in default.failures[0].reason
    assert fine.failures == []


def test_check_refuses_an_unknown_strategy_key_of_the_shared_schema() -> None:
    bad = AliasShiftProvider().check({}, shift(strategy={"type": "steps", "weights": [10, 100], "intervall": 5}))
    assert [f.property for f in bad.failures] == ["strategy"] and "intervall" in bad.failures[0].reason
