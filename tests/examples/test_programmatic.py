"""examples/programmatic: the plain deploy script against the emulator, and the Automation API script's own
logic with the Pulumi CLI replaced (a stand-in stack for the CLI calls; the inline program under FcMocks)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from pulumi.automation import CommandError, OutputValue
from pulumi.automation._cmd import CommandResult

from fcinfra.fc import FcClient
from fcinfra.testing.plugin import TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, fc_emulator, fc_emulator_client
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

__all__ = ["fc_emulator", "fc_emulator_client"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "programmatic"
FUNCTIONS = ROOT / "examples" / "functions"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------ deploy.py


def test_deploy_script_releases_v1_v2_v3_against_the_emulator(fc_emulator: Any, fc_emulator_client: FcClient) -> None:
    """As the README shows: three runs of the script, in their own processes, configured by environment."""
    env = {**os.environ, "FC_ENDPOINT": fc_emulator.endpoint, "ALIBABA_CLOUD_ACCOUNT_ID": fc_emulator.account_id,
           "ALIBABA_CLOUD_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": TEST_ACCESS_KEY_SECRET}

    def deploy(version: str) -> tuple[int, dict[str, Any]]:
        proc = subprocess.run([sys.executable, str(EXAMPLE / "deploy.py"), str(FUNCTIONS / version),
                               "--interval", "0.3", "--json"], env=env, capture_output=True, text=True, timeout=60)
        return proc.returncode, json.loads(proc.stdout)  # --json: the outcome is the only thing on stdout

    assert deploy("v1") == (0, {"version": "1", "status": "first_release", "message": "prod -> version 1",
                                "pruned": []})
    code, v2 = deploy("v2")
    assert (code, v2["version"], v2["status"]) == (0, "2", "promoted")
    code, v3 = deploy("v3")
    assert (code, v3["version"], v3["status"]) == (3, "3", "rolled_back")

    client = fc_emulator_client
    alias = client.get_alias("demo-shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
    assert client.get_trigger("demo-shop", "web", "http-prod").qualifier == "prod"
    answer = client.http_trigger_request("demo-shop", "prod", "web", query={"item": "lime"}, sign=False)
    assert answer.status_code == 200 and json.loads(answer.body)["versionId"] == "2"  # users never saw v3's KeyError


def test_deploy_script_publishes_nothing_when_nothing_changed(fc_emulator_client: FcClient) -> None:
    deploy = load("deploy")
    first = deploy.deploy(fc_emulator_client, FUNCTIONS / "v1", service="again", interval=0.1)
    same = deploy.deploy(fc_emulator_client, FUNCTIONS / "v1", service="again", interval=0.1)

    assert (first.status, same.status) == ("first_release", "unchanged")
    assert same.version == first.version
    assert [v.version_id for v in fc_emulator_client.list_versions("again")] == [first.version]  # no new version
    fc_emulator_client.update_function("again", "quote", description="changed")  # a change FC will publish
    changed = deploy.deploy(fc_emulator_client, FUNCTIONS / "v1", service="again", interval=0.1)
    assert changed.status == "promoted" and changed.version != first.version


def test_deploy_script_self_contained_emulator_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert load("deploy").main(["--emulator", "--interval", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "=> first_release" in out and "=> promoted" in out and "=> rolled_back" in out
    assert "prod serves version 2" in out


# -------------------------------------------------------------------------------------- automation.py


class StandInStack:
    """Records what the script asks of the Pulumi CLI; answers like a Stack would."""

    def __init__(self, outputs: dict[str, Any] | None = None, error: str | None = None) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.outputs = outputs or {}
        self.error = error
        self.program: Any = None

    def set_config(self, key: str, value: Any) -> None:
        self.calls.append(("set_config", (key, value.value)))

    def _run(self, name: str, on_output: Any) -> Any:
        self.calls.append((name, None))
        on_output(f"pulumi {name} output")
        if self.error:
            raise CommandError(CommandResult(stdout="", stderr=self.error, code=255))
        return SimpleNamespace(outputs={k: OutputValue(v, False) for k, v in self.outputs.items()})

    def up(self, on_output: Any) -> Any:
        return self._run("up", on_output)

    def preview(self, on_output: Any) -> Any:
        return self._run("preview", on_output)

    def destroy(self, on_output: Any) -> Any:
        return self._run("destroy", on_output)


def _select(stack: StandInStack, seen: dict[str, Any]) -> Any:
    def select_stack(**kwargs: Any) -> StandInStack:
        seen.update(kwargs)
        stack.program = kwargs["program"]
        return stack

    return select_stack


def test_automation_up_reports_a_promotion() -> None:
    automation = load("automation")
    stack, seen, lines = StandInStack({"status": "promoted", "version": "2"}), {}, []

    code = automation.run("up", FUNCTIONS / "v2", "prod-stack", "cn-shanghai", select_stack=_select(stack, seen),
                          echo=lines.append)

    assert code == 0
    assert (seen["stack_name"], seen["project_name"]) == ("prod-stack", "fcinfra-programmatic")
    assert stack.calls == [("set_config", ("alicloud:region", "cn-shanghai")), ("up", None)]
    assert lines == ["pulumi up output", "release of version 2: promoted"]


def test_automation_maps_a_rollback_and_other_failures_to_exit_codes() -> None:
    automation = load("automation")
    rolled = StandInStack(error="error: CanaryRelease 'demo-shop-prod': version 3 was rolled back (error rate)")
    broken = StandInStack(error="error: no credentials")
    lines: list[str] = []

    assert automation.run("up", select_stack=_select(rolled, {}), echo=lines.append) == 3
    assert automation.run("up", select_stack=_select(broken, {}), echo=lines.append) == 1
    assert "pulumi up failed: the canary was rolled back" in lines
    assert automation.run("preview", select_stack=_select(StandInStack(), {}), echo=lines.append) == 0
    assert automation.run("destroy", select_stack=_select(StandInStack(), {}), echo=lines.append) == 0
    with pytest.raises(ValueError, match="unknown action"):
        automation.run("refresh", select_stack=_select(StandInStack(), {}))


def test_automation_inline_program_releases_through_the_emulator(fc_emulator_client: FcClient) -> None:
    """The program the script hands to the Automation API, run as two `pulumi up`s under FcMocks."""
    automation = load("automation")
    # 0.25 s adds up exactly on the mocks' virtual clock; 0.2 s can leave a 7e-16 s "bake left" that virtual
    # time cannot advance past (10.2 + 7e-16 == 10.2), and the rollout then never leaves its stage.
    fast = {"type": "steps", "weights": [10, 50, 100], "interval": 0.25}
    mocks = FcMocks(fc_emulator_client)

    run_stack(automation.make_program(FUNCTIONS / "v1", strategy=fast), mocks, project="fcinfra-programmatic")
    assert fc_emulator_client.get_alias("demo-shop", "prod").version_id == "1"
    run_stack(automation.make_program(FUNCTIONS / "v2", strategy=fast), mocks, project="fcinfra-programmatic")

    alias = fc_emulator_client.get_alias("demo-shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
    assert fc_emulator_client.get_trigger("demo-shop", "web", "http-prod").qualifier == "prod"
    types = {r.typ for r in mocks.registrations}
    assert {"fcinfra:index:FcService", "fcinfra:index:CanaryRelease", "alicloud:fc/alias:Alias"} <= types
