"""FcService and CanaryRelease under Pulumi mocks: graph, names, parents, inputs, and publishing rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from fcinfra.components import CanaryRelease, FcService
from fcinfra.errors import InvalidArgumentError, RolloutError
from fcinfra.testing.helpers import handler_source
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

STRATEGY = {"type": "steps", "weights": [25, 50, 100], "interval": 30}
HEALTH = [{"type": "invoke", "function": "api", "samples": 10, "max_error_rate": 0.1}]
HTTP = {"authType": "anonymous", "methods": ["GET"]}


def shop(code_dir: Path, alias_description: str = "production", force: str | None = None) -> Any:
    def program() -> None:
        svc = FcService("shop", {
            "description": "the shop",
            "functions": {
                "api": {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir), "memory_size": 256},
                "worker": {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir)},
            },
        })
        release = CanaryRelease("shop-release", {
            "service": svc,
            "alias": "prod",
            "strategy": STRATEGY,
            "health": HEALTH,
            "alias_description": alias_description,
            # on "worker": a function with an HTTP trigger is an HTTP function, which InvokeFunction (the health
            # probe on "api") cannot reach on FC 2.0
            "triggers": [{"function": "worker", "trigger_type": "http", "name": "web", "trigger_config": HTTP}],
            **({"force": force} if force else {}),
        })
        pulumi.export("version_id", release.version_id)
        pulumi.export("status", release.status)

    return program


def urn_tail(urn: str) -> str:
    return urn.split("::", 2)[2]


def test_graph_names_parents_and_inputs(code_dir: Path) -> None:
    mocks = run_stack(shop(code_dir), FcMocks())
    tails = {urn_tail(u) for u in mocks.urns()}
    assert {
        "fcinfra:index:FcService$alicloud:fc/service:Service::shop",
        "fcinfra:index:FcService$alicloud:fc/function:Function::shop-api",
        "fcinfra:index:FcService$alicloud:fc/function:Function::shop-worker",
        "fcinfra:index:CanaryRelease$pulumi-python:dynamic/fcinfra:ServiceVersion::shop-release-version",
        "fcinfra:index:CanaryRelease$alicloud:fc/alias:Alias::shop-release-alias",
        "fcinfra:index:CanaryRelease$pulumi-python:dynamic/fcinfra:AliasShift::shop-release-shift",
        "fcinfra:index:CanaryRelease$pulumi-python:dynamic/fcinfra:AliasTrigger::shop-release-web",
    } <= tails
    # the components hang off the stack; every other resource has a component parent
    components = {"pulumi:pulumi:Stack$fcinfra:index:FcService::shop",
                  "pulumi:pulumi:Stack$fcinfra:index:CanaryRelease::shop-release"}
    assert components <= tails
    assert all(t.startswith(("fcinfra:index:FcService$", "fcinfra:index:CanaryRelease$")) for t in tails - components)

    service = mocks.one("fc/service:Service").inputs
    assert service["name"] == "shop" and service["description"] == "the shop" and not service.get("publish")
    api = next(r for r in mocks.of_type("fc/function:Function") if r.name == "shop-api").inputs
    assert (api["service"], api["name"], api["runtime"], api["handler"], api["memory_size"]) == (
        "shop", "api", "python3.10", "index.handler", 256)
    assert api["filename"].endswith(".zip") and Path(api["filename"]).exists()
    version = mocks.one("ServiceVersion").inputs
    assert version["service"] == "shop" and len(version["fingerprint"]) == 64
    alias = mocks.one("fc/alias:Alias").inputs
    assert (alias["service_name"], alias["alias_name"], alias["service_version"]) == ("shop", "prod", "1")
    shift = mocks.one("AliasShift").inputs
    # plain structured inputs travel as one canonical JSON string each (cheaper for Pulumi than nested values)
    assert (json.loads(shift["strategy"]), json.loads(shift["health"])) == (STRATEGY, HEALTH)
    assert shift["fingerprint"] == version["fingerprint"]
    trigger = mocks.one("AliasTrigger").inputs
    assert (trigger["function"], trigger["qualifier"], trigger["trigger_type"]) == ("worker", "prod", "http")


def test_code_change_publishes_and_unrelated_description_change_does_not(
    code_dir: Path, fc_client: Any, fc_fake: Any
) -> None:
    fc_fake.register_handler("shop", "api", lambda event, ctx: "ok")
    mocks = FcMocks(fc_client)
    run_stack(shop(code_dir), mocks)
    first = mocks.one("ServiceVersion")
    assert (first.action, first.outputs["version_id"]) == ("create", "1")
    assert fc_client.get_alias("shop", "prod").version_id == "1"
    assert fc_client.get_trigger("shop", "worker", "web").qualifier == "prod"

    (code_dir / "index.py").write_text(handler_source("v2"))
    run_stack(shop(code_dir), mocks)
    second = mocks.one("ServiceVersion")
    assert second.inputs["fingerprint"] != first.inputs["fingerprint"]
    assert (second.action, second.outputs["version_id"]) == ("update", "2")
    assert [v.version_id for v in fc_client.list_versions("shop")] == ["2", "1"]
    shift = mocks.one("AliasShift").outputs
    assert shift["status"] == "promoted" and shift["history"] == [25, 50, 100]
    assert fc_client.get_alias("shop", "prod").version_id == "2"

    run_stack(shop(code_dir, alias_description="production, renamed"), mocks)
    third = mocks.one("ServiceVersion")
    assert third.inputs["fingerprint"] == second.inputs["fingerprint"]
    assert third.action == "same"
    assert mocks.one("fc/alias:Alias").action == "update"
    assert fc_client.get_alias("shop", "prod").description == "production, renamed"
    assert [v.version_id for v in fc_client.list_versions("shop")] == ["2", "1"]


def test_rollback_fails_the_update_and_is_not_retried(code_dir: Path, fc_client: Any, fc_fake: Any) -> None:
    fc_fake.register_handler("shop", "api", lambda event, ctx: "ok", version="1")

    def broken(event: bytes, ctx: Any) -> str:
        raise RuntimeError("bad release")

    fc_fake.register_handler("shop", "api", broken, version="2")
    mocks = FcMocks(fc_client)
    run_stack(shop(code_dir), mocks)
    (code_dir / "index.py").write_text(handler_source("v2-broken"))
    with pytest.raises(RolloutError, match="version 2 was rolled back"):
        run_stack(shop(code_dir), mocks)
    alias = fc_client.get_alias("shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    rejected = mocks.one("ServiceVersion").inputs["fingerprint"]
    assert mocks.one("AliasShift").outputs["rejected_fingerprints"] == [rejected]

    writes = fc_client.calls["UpdateAlias"]
    with pytest.raises(RolloutError, match="will not receive production traffic again"):
        run_stack(shop(code_dir), mocks)
    assert fc_client.calls["UpdateAlias"] == writes  # no traffic sent to the rejected code
    assert mocks.one("AliasShift").action == "same"

    with pytest.raises(RolloutError):  # forcing retries it (and it fails again, honestly)
        run_stack(shop(code_dir, force="retry-1"), mocks)
    assert fc_client.calls["UpdateAlias"] > writes


def test_fc_service_without_functions_is_refused(code_dir: Path) -> None:
    def program() -> None:
        FcService("empty", {"functions": {}})

    with pytest.raises(InvalidArgumentError, match="declares no functions"):
        run_stack(program, FcMocks())


def test_time_budget_leaves_progress_in_outputs_and_the_next_up_continues(
    code_dir: Path, fc_client: Any, fc_fake: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fc_fake.register_handler("shop", "api", lambda event, ctx: "ok")

    def program() -> None:
        svc = FcService("shop", {"functions": {"api": {"runtime": "python3.10", "handler": "index.handler",
                                                       "code": str(code_dir)}}})
        # direct probes: every sample is the new version's, so each check decides at once and the budget's
        # arithmetic is exact (a weight is raised only with its 30 s bake still inside the 40 s budget)
        CanaryRelease("rel", {"service": svc, "alias": "prod", "strategy": STRATEGY,
                              "health": [{**HEALTH[0], "mode": "direct"}], "time_budget": 40})

    mocks = FcMocks(fc_client)
    run_stack(program, mocks)
    (code_dir / "index.py").write_text(handler_source("v2"))
    run_stack(program, mocks)  # does not fail: progress is recorded
    partial = mocks.one("AliasShift").outputs
    reached = partial["history"][-1]
    assert partial["status"] == "in_progress" and 0 < reached < 100
    alias = fc_client.get_alias("shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {"2": reached / 100})
    assert any("time budget" in r.getMessage() for r in caplog.records)

    run_stack(program, mocks)  # the next `pulumi up`, same code: continues from where it stopped
    done = mocks.one("AliasShift")
    assert done.action == "update" and done.outputs["status"] == "promoted"
    assert done.outputs["history"][0] > reached
    assert fc_client.get_alias("shop", "prod").version_id == "2"


def test_alias_leaves_traffic_to_alias_shift_and_components_register_their_outputs(
    code_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real alicloud Alias ignores its traffic fields (AliasShift owns them, so the two never fight over
    drift), and each component registers its outputs."""
    import fcinfra.testing.pulumi_mocks as pulumi_mocks

    ignored: dict[str, list[str]] = {}
    outputs: dict[str, set[str]] = {}

    class Recording(pulumi_mocks.MockMonitor):  # type: ignore[misc]
        def RegisterResource(self, request: Any) -> Any:
            ignored[request.name] = list(request.ignoreChanges)
            return super().RegisterResource(request)

        def RegisterResourceOutputs(self, request: Any) -> Any:
            outputs[urn_tail(request.urn)] = set(request.outputs.fields)
            return super().RegisterResourceOutputs(request)

    monkeypatch.setattr(pulumi_mocks, "MockMonitor", Recording)
    run_stack(shop(code_dir), FcMocks())
    assert sorted(ignored["shop-release-alias"]) == ["routingConfig", "serviceVersion"]
    assert ignored["shop-release-shift"] == [] and ignored["shop-api"] == []
    assert {"version_id", "status"} <= outputs["pulumi:pulumi:Stack$fcinfra:index:CanaryRelease::shop-release"]
    assert outputs["pulumi:pulumi:Stack$fcinfra:index:FcService::shop"]
