"""delete_version_safely and prune_versions never break an alias or a trigger, and never touch LATEST."""

from __future__ import annotations

import pytest

from fcinfra.errors import InvalidArgumentError, NotFoundError, VersionInUseError
from fcinfra.fc import Alias, FcClient, Trigger
from fcinfra.lifecycle import (
    FunctionTrigger,
    delete_version_safely,
    prune_versions,
    referenced_versions,
    version_referrers,
    versions_to_prune,
)


def alias(name: str, main: str, extra: dict[str, float] | None = None) -> Alias:
    return Alias(alias_name=name, version_id=main, additional_version_weight=extra or {})


def trigger(function: str, name: str, qualifier: str | None) -> FunctionTrigger:
    return FunctionTrigger(function, Trigger(trigger_name=name, trigger_type="http", qualifier=qualifier))


# ------------------------------------------------------------------------------------------- pure core


def test_referrers_name_every_alias_and_trigger_direct_or_through_an_alias() -> None:
    aliases = [alias("prod", "1"), alias("canary", "2", {"1": 0.1}), alias("dev", "3")]
    triggers = [
        trigger("fn", "http-prod", "prod"),
        trigger("fn", "timer", "1"),
        trigger("other", "via-canary", "canary"),
        trigger("fn", "dev", "dev"),
        trigger("fn", "latest", "LATEST"),
        trigger("fn", "none", None),
    ]
    assert version_referrers("1", aliases, triggers) == [
        "alias canary (additional version, weight 0.1)",
        "alias prod",
        "trigger fn/http-prod (via alias prod)",
        "trigger fn/timer",
        "trigger other/via-canary (via alias canary)",
    ]
    assert version_referrers("4", aliases, triggers) == []
    assert referenced_versions(aliases, triggers) == {"1", "2", "3"}


def test_prune_candidates_keep_the_newest_and_the_referenced() -> None:
    assert versions_to_prune(["6", "5", "4", "3", "2", "1"], {"1"}, keep_last=3) == ["3", "2"]
    assert versions_to_prune(["10", "9", "2"], set(), keep_last=0) == ["10", "9", "2"]
    assert versions_to_prune(["2", "10", "9"], set(), keep_last=1) == ["9", "2"]  # numeric, not text order
    with pytest.raises(InvalidArgumentError):
        versions_to_prune([], set(), keep_last=-1)


# ------------------------------------------------------------------------------------ against the fake


def test_delete_refused_names_alias_and_trigger(six_versions: FcClient) -> None:
    c = six_versions
    c.create_alias("svc", "prod", "2", additional_version_weight={"3": 0.2})
    c.create_trigger("svc", "fn", "web", "http", {"authType": "anonymous", "methods": ["GET"]}, qualifier="prod")
    c.create_trigger("svc", "other", "pinned", "http", {"authType": "anonymous", "methods": ["GET"]}, qualifier="3")
    with pytest.raises(VersionInUseError) as info:
        delete_version_safely(c, "svc", "3")
    assert info.value.referrers == [
        "alias prod (additional version, weight 0.2)",
        "trigger fn/web (via alias prod)",
        "trigger other/pinned",
    ]
    assert "3" in [v.version_id for v in c.list_versions("svc")]  # nothing was deleted
    delete_version_safely(c, "svc", "4")
    assert "4" not in [v.version_id for v in c.list_versions("svc")]


def test_delete_refuses_latest_and_reports_missing_versions(six_versions: FcClient) -> None:
    with pytest.raises(InvalidArgumentError):
        delete_version_safely(six_versions, "svc", "LATEST")
    with pytest.raises(NotFoundError):
        delete_version_safely(six_versions, "svc", "99")


def test_prune_keeps_newest_and_referenced(six_versions: FcClient) -> None:
    c = six_versions
    c.create_alias("svc", "prod", "1")
    c.create_trigger("svc", "fn", "pinned", "http", {"authType": "anonymous", "methods": ["GET"]}, qualifier="2")
    assert prune_versions(c, "svc", keep_last=2, dry_run=True) == ["3", "4"]
    assert [v.version_id for v in c.list_versions("svc")] == ["6", "5", "4", "3", "2", "1"]  # dry run: no change
    assert prune_versions(c, "svc", keep_last=2) == ["3", "4"]
    assert [v.version_id for v in c.list_versions("svc")] == ["6", "5", "2", "1"]
    assert prune_versions(c, "svc", keep_last=0) == ["5", "6"]
    assert [v.version_id for v in c.list_versions("svc")] == ["2", "1"]
    assert c.get_function("svc", "fn", qualifier="LATEST").description == "change 6"  # LATEST untouched


def test_prune_with_nothing_to_do_does_not_list_references(six_versions: FcClient) -> None:
    before = dict(six_versions.calls)
    assert prune_versions(six_versions, "svc", keep_last=10) == []
    new_calls = {k: v - before.get(k, 0) for k, v in six_versions.calls.items() if v != before.get(k, 0)}
    assert new_calls == {"ListServiceVersions": 1}


def test_alias_triggers_names_only_the_triggers_that_invoke_that_alias() -> None:
    from fcinfra.lifecycle import alias_triggers

    triggers = [trigger("web", "http-prod", "prod"), trigger("quote", "timer", "prod"),
                trigger("web", "pinned", "1"), trigger("web", "http-dev", "dev"), trigger("web", "head", None)]
    assert alias_triggers("prod", triggers) == ["quote/timer", "web/http-prod"]
    assert alias_triggers("staging", triggers) == []
