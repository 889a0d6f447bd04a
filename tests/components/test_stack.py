"""components.stack.alicloud_provider: the explicit alicloud provider gets the credentials fcinfra's chain picks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime import config as runtime_config
from pulumi.runtime import rpc

from fcinfra.components.stack import alicloud_provider
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

ROLE = "acs:ram::1234567890:role/deployer"


@pytest.fixture(autouse=True)
def _no_config_left_behind() -> Iterator[None]:
    """run_stack leaves its stack config in Pulumi's runtime; later settings resolution in this worker would read it."""
    yield
    runtime_config.set_all_config({})


@pytest.fixture(autouse=True)
def _quiet_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY",
                 "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCOUNT_ID", "ALICLOUD_ACCOUNT_ID", "ALIBABA_CLOUD_PROFILE",
                 "ALICLOUD_PROFILE", "ALICLOUD_ASSUME_ROLE_ARN", "ALIBABA_CLOUD_CREDENTIALS_URI",
                 "ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


def secret(value: Any) -> Any:
    """The plain value of a Pulumi secret as the engine receives it; fails if it was not sent as a secret."""
    assert isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig, value
    return value["value"]


def provider_inputs(config: dict[str, str]) -> dict[str, Any] | None:
    mocks = run_stack(lambda: alicloud_provider(), FcMocks(), config=config)
    found = [r for r in mocks.registrations if r.typ == "pulumi:providers:alicloud"]
    return found[0].inputs if found else None


def test_nothing_fcinfra_specific_keeps_the_default_provider() -> None:
    assert provider_inputs({"alicloud:region": "cn-hangzhou"}) is None


def test_fcinfra_keys_profile_and_role_reach_the_provider() -> None:
    inputs = provider_inputs({"fcinfra:accountId": "1234567890", "fcinfra:region": "cn-shanghai",
                              "fcinfra:accessKeyId": "LTAIstack", "fcinfra:accessKeySecret": "stack-secret",
                              "fcinfra:roleArn": ROLE})
    assert inputs is not None
    assert (inputs["account_id"], inputs["region"]) == ("1234567890", "cn-shanghai")
    assert (secret(inputs["access_key"]), secret(inputs["secret_key"])) == ("LTAIstack", "stack-secret")
    role = inputs["assume_role"]
    role = json.loads(role) if isinstance(role, str) else role
    assert ROLE in (role.get("role_arn"), role.get("roleArn"))
    assert "profile" not in inputs


def test_profile_from_stack_config_and_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = provider_inputs({"fcinfra:profile": "ops", "alicloud:region": "cn-hangzhou"})
    assert inputs is not None and inputs["profile"] == "ops" and "access_key" not in inputs
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "from-env")
    inputs = provider_inputs({"alicloud:region": "cn-hangzhou"})
    assert inputs is not None and inputs["profile"] == "from-env"


def test_environment_keys_are_not_copied_into_provider_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
    inputs = provider_inputs({"fcinfra:accountId": "1234567890", "alicloud:region": "cn-hangzhou"})
    assert inputs is not None
    assert "env-secret" not in json.dumps(inputs, default=str) and "access_key" not in inputs


def test_settings_the_default_provider_reads_keep_the_default_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stacks made before the credentials chain used the default provider with the environment's or alicloud:*
    account id and keys: an explicit provider would show them a change on their next preview
    (tests/e2e/test_state_compat)."""
    monkeypatch.setenv("ALIBABA_CLOUD_ACCOUNT_ID", "1234567890")
    assert provider_inputs({"alicloud:region": "cn-hangzhou"}) is None
    assert provider_inputs({"alicloud:accountId": "1234567890", "alicloud:accessKey": "LTAIstack",
                            "alicloud:secretKey": "stack-secret", "alicloud:region": "cn-hangzhou"}) is None
    inputs = provider_inputs({"fcinfra:accountId": "1234567890", "alicloud:accessKey": "LTAIstack",
                              "alicloud:secretKey": "stack-secret", "alicloud:region": "cn-hangzhou"})
    assert inputs is not None and inputs["account_id"] == "1234567890"
    assert secret(inputs["access_key"]) == "LTAIstack"
