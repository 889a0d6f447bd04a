"""Every Pulumi program in examples/ runs under Pulumi mocks, its dynamic providers against a fake FC.

The quickstart runs against the in-process fake; the canary example against the emulator, whose workers
run the real example function code, so its health gates judge real v2 and v3 behaviour.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fcinfra.errors import RolloutError
from fcinfra.testing.plugin import fc_client, fc_emulator, fc_emulator_client, fc_fake
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

__all__ = ["fc_client", "fc_emulator", "fc_emulator_client", "fc_fake"]

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart" / "__main__.py"
CANARY = ROOT / "examples" / "canary" / "__main__.py"
FC3_CANARY = ROOT / "examples" / "fc3-canary" / "__main__.py"


@pytest.fixture(autouse=True)
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FCINFRA_BUILD_DIR", str(tmp_path / "build"))
    yield


def program(path: Path) -> Any:
    return lambda: runpy.run_path(str(path), run_name="__main__")


def test_root_pulumi_yaml_deploys_the_quickstart() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert (ROOT / project["main"] / "__main__.py").is_file()  # `main` is the program's directory
    assert (ROOT / project["runtime"]["options"]["virtualenv"]).name == ".venv"
    for key, spec in project["config"].items():
        assert spec.get("description"), f"config key {key} has no description"
        if ":" in key and not key.startswith(project["name"] + ":"):
            assert "value" in spec and "default" not in spec and "type" not in spec  # Pulumi's rule
        else:
            assert "default" in spec and "type" in spec
    canary = yaml.safe_load((ROOT / "examples" / "canary" / "Pulumi.yaml").read_text())
    assert all(spec.get("description") for spec in canary["config"].values())


def test_quickstart_publishes_binds_and_follows_code_changes(fc_client: Any) -> None:
    mocks = FcMocks(fc_client)
    config = {"fcinfra:serviceName": "qs", "fcinfra:accountId": fc_client.account_id}
    run_stack(program(QUICKSTART), mocks, config=config)
    assert fc_client.get_alias("qs", "prod").version_id == "1"
    trigger = fc_client.get_trigger("qs", "web", "http")
    assert trigger.qualifier == "prod" and trigger.trigger_type == "http"
    assert mocks.one("pulumi:providers:alicloud").inputs["account_id"] == fc_client.account_id

    run_stack(program(QUICKSTART), mocks, config={**config, "fcinfra:codeDir": "../functions/v2"})
    assert [v.version_id for v in fc_client.list_versions("qs")] == ["2", "1"]
    assert fc_client.get_alias("qs", "prod").version_id == "2"
    assert mocks.one("AliasTrigger").action == "same"  # the trigger follows the alias untouched

    run_stack(program(QUICKSTART), mocks, config={**config, "fcinfra:codeDir": "../functions/v2"})
    assert mocks.one("ServiceVersion").action == "same"  # nothing changed: nothing published
    assert len(fc_client.list_versions("qs")) == 2


def test_fc3_canary_creates_the_function_version_alias_and_alias_bound_trigger(fc_fake: Any) -> None:
    """examples/fc3-canary's first `pulumi up` under mocks (the real engine runs its whole story in tests/e2e)."""
    from fcinfra.fc3 import Fc3Client
    from fcinfra.testing.plugin import TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET

    client3 = Fc3Client(fc_fake.account_id, fc_fake.region, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET)
    mocks = FcMocks(client3=client3)
    run_stack(program(FC3_CANARY), mocks, project="fcinfra-fc3-canary",
              config={"fcinfra:accountId": fc_fake.account_id})
    assert [v.version_id for v in client3.list_versions("fcinfra-fc3-quote")] == ["1"]
    assert client3.get_alias("fcinfra-fc3-quote", "prod").version_id == "1"
    trigger = client3.get_trigger("fcinfra-fc3-quote", "http")
    assert trigger.qualifier == "prod" and trigger.trigger_type == "http"
    assert mocks.one("FunctionAliasShift").outputs["version_id"] == "1"


@pytest.mark.slow
def test_canary_promotes_v2_and_rolls_back_v3(fc_emulator_client: Any) -> None:
    client = fc_emulator_client
    mocks = FcMocks(client)
    base = {"fcinfra-canary:serviceName": "shop", "fcinfra-canary:stepInterval": "30"}
    run_stack(program(CANARY), mocks, project="fcinfra-canary", config=base)
    assert client.get_alias("shop", "prod").version_id == "1"
    assert client.invoke("shop", "quote", b'{"item": "pear"}', qualifier="prod").version_id == "1"

    run_stack(program(CANARY), mocks, project="fcinfra-canary",
              config={**base, "fcinfra-canary:codeDir": "../functions/v2"})
    shift = mocks.one("AliasShift").outputs
    assert shift["status"] == "promoted" and shift["history"] == [10, 25, 50, 100]
    assert client.get_alias("shop", "prod").version_id == "2"

    with pytest.raises(RolloutError, match="version 3 was rolled back"):
        run_stack(program(CANARY), mocks, project="fcinfra-canary",
                  config={**base, "fcinfra-canary:codeDir": "../functions/v3"})
    alias = client.get_alias("shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
    assert client.get_trigger("shop", "web", "http").qualifier == "prod"
    lime = client.http_trigger_request("shop", "prod", "web", query={"item": "lime"}, sign=False)
    assert (lime.status_code, json.loads(lime.body)["versionId"]) == (200, "2")  # v3's KeyError never served
