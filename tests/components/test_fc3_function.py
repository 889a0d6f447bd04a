"""Fc3Function + CanaryRelease on FC 3.0 under Pulumi mocks: a function version published exactly when code or
config changed, V3Alias owning the alias while FunctionAliasShift walks its traffic, and the V3Trigger bound to
the alias once, unchanged (same trigger, same URL) across a canary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from fcinfra.components import CanaryRelease, Fc3Function
from fcinfra.errors import RolloutError
from fcinfra.fake import mock_fc
from fcinfra.fc3 import Fc3Client
from fcinfra.testing.helpers import handler_source
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

STRATEGY = {"type": "steps", "weights": [25, 50, 100], "interval": 30}
HEALTH = [{"type": "invoke", "function": "api", "samples": 10, "max_error_rate": 0.1}]
HTTP = {"authType": "anonymous", "methods": ["GET"]}


@pytest.fixture
def fake() -> Iterator[Any]:
    """FC 3.0 in-process; ``api`` answers "ok" (the in-process fake runs registered handlers, not the zip)."""
    with mock_fc(access_keys={"AK": "SK"}, seed=1) as f:
        f.fc3.register_handler("api", lambda event, context: "ok")
        yield f


@pytest.fixture
def client3(fake: Any) -> Fc3Client:
    return Fc3Client("1234567890", "cn-hangzhou", "AK", "SK")


def program(code_dir: Path, memory: int = 256, description: str = "production") -> Any:
    def run() -> None:
        fn = Fc3Function("api", {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir),
                                 "memory_size": memory})
        release = CanaryRelease("api-release", {
            "service": fn, "alias": "prod", "strategy": STRATEGY, "health": HEALTH,
            "alias_description": description,
            "triggers": [{"function": "api", "trigger_type": "http", "name": "web", "trigger_config": HTTP}],
        })
        pulumi.export("version_id", release.version_id)
        pulumi.export("status", release.status)

    return run


def test_graph_owns_a_function_version_v3_alias_shift_and_an_alias_bound_v3_trigger(code_dir: Path) -> None:
    mocks = run_stack(program(code_dir), FcMocks())
    tails = {u.split("::", 2)[2] for u in mocks.urns()}
    assert {
        "fcinfra:index:Fc3Function$alicloud:fc/v3Function:V3Function::api",
        "fcinfra:index:CanaryRelease$pulumi-python:dynamic/fcinfra:FunctionVersion::api-release-version",
        "fcinfra:index:CanaryRelease$alicloud:fc/v3Alias:V3Alias::api-release-alias",
        "fcinfra:index:CanaryRelease$pulumi-python:dynamic/fcinfra:FunctionAliasShift::api-release-shift",
        "fcinfra:index:CanaryRelease$alicloud:fc/v3Trigger:V3Trigger::api-release-web",
    } <= tails
    fn = mocks.one("fc/v3Function:V3Function").inputs
    assert (fn["function_name"], fn["memory_size"]) == ("api", 256) and fn["code"]["zipFile"]
    assert mocks.one("FunctionVersion").inputs["function"] == "api"
    alias = mocks.one("fc/v3Alias:V3Alias").inputs
    assert (alias["function_name"], alias["alias_name"], alias["version_id"]) == ("api", "prod", "1")
    trigger = mocks.one("fc/v3Trigger:V3Trigger").inputs
    assert (trigger["function_name"], trigger["qualifier"], trigger["trigger_type"]) == ("api", "prod", "http")


def test_publishes_on_change_only_and_the_trigger_survives_the_canary(
    code_dir: Path, fake: Any, client3: Fc3Client
) -> None:
    mocks = FcMocks(client3=client3)
    run_stack(program(code_dir), mocks)
    assert (mocks.one("FunctionVersion").action, mocks.one("FunctionVersion").outputs["version_id"]) == ("create", "1")
    assert client3.get_alias("api", "prod").version_id == "1"
    bound = client3.get_trigger("api", "web")
    assert bound.qualifier == "prod" and bound.url_internet

    (code_dir / "index.py").write_text(handler_source("v2"))
    run_stack(program(code_dir), mocks)
    version = mocks.one("FunctionVersion")
    assert (version.action, version.outputs["version_id"]) == ("update", "2")
    shift = mocks.one("FunctionAliasShift").outputs
    assert shift["status"] == "promoted" and shift["history"] == [25, 50, 100]
    alias = client3.get_alias("api", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
    assert mocks.one("fc/v3Trigger:V3Trigger").action == "same"  # never re-bound, never replaced
    after = client3.get_trigger("api", "web")
    assert (after.trigger_id, after.qualifier, after.url_internet) == (bound.trigger_id, "prod", bound.url_internet)

    run_stack(program(code_dir, description="production, renamed"), mocks)  # not a snapshot field
    assert mocks.one("FunctionVersion").action == "same"
    assert [v.version_id for v in client3.list_versions("api")] == ["2", "1"]  # retained: none deleted
    run_stack(program(code_dir, memory=512), mocks)  # config is: a new version
    assert mocks.one("FunctionVersion").outputs["version_id"] == "3"


def test_a_bad_version_is_rolled_back_and_fails_the_update(code_dir: Path, fake: Any, client3: Fc3Client) -> None:
    def broken(event: bytes, context: Any) -> str:
        raise RuntimeError("bad release")

    fake.fc3.register_handler("api", broken, version="2")
    mocks = FcMocks(client3=client3)
    run_stack(program(code_dir), mocks)
    (code_dir / "index.py").write_text(handler_source("v2-broken"))
    with pytest.raises(RolloutError, match="version 2 was rolled back"):
        run_stack(program(code_dir), mocks)
    alias = client3.get_alias("api", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    assert client3.get_trigger("api", "web").qualifier == "prod"


def test_hooks_of_an_fc3_release_are_fc3_functions(code_dir: Path) -> None:
    """Its hooks reach FunctionAliasShift as FUNCTION names; SERVICE/FUNCTION is refused before anything exists."""

    def with_hooks(hooks: dict[str, Any]) -> Any:
        def run() -> None:
            fn = Fc3Function("api", {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir)})
            CanaryRelease("api-release", {"service": fn, "alias": "prod", "strategy": STRATEGY, "hooks": hooks})

        return run

    mocks = run_stack(with_hooks({"post_traffic": "smoke", "post_traffic_bake": 5}), FcMocks())
    assert json.loads(mocks.one("FunctionAliasShift").inputs["hooks"]) == {"post_traffic": "smoke",
                                                                           "post_traffic_bake": 5}
    with pytest.raises(Exception, match=r"FC 3\.0 has no services"):
        run_stack(with_hooks({"pre_traffic": "ops/smoke"}), FcMocks())
