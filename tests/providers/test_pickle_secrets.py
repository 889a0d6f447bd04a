"""Each provider pickled exactly as Pulumi does (dill via serialize_provider) carries no secret."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from fcinfra.providers import (
    AliasShiftProvider,
    AliasTriggerProvider,
    FunctionAliasShiftProvider,
    FunctionVersionProvider,
    ServiceVersionProvider,
)

SECRET = "S3cr3t-Access-Key-Secret-value"
TOKEN = "STS-security-token-value-1234567890"
ENV_SECRET = "env-secret-should-not-leak-0987"


@pytest.mark.parametrize("cls", [ServiceVersionProvider, AliasShiftProvider, AliasTriggerProvider,
                                 FunctionVersionProvider, FunctionAliasShiftProvider])
def test_pickled_provider_holds_no_credentials(cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ENV_SECRET)
    provider: Any = cls()
    stack_config = {
        "alicloud:accessKey": "LTAI-access-key-id",
        "alicloud:secretKey": SECRET,
        "alicloud:securityToken": TOKEN,
        "fcinfra:accountId": "1234567890",
        "alicloud:region": "cn-hangzhou",
    }
    provider.configure(ConfigureRequest(Config(stack_config, "fcinfra")))
    client = provider.client()  # a live client with the credentials exists in this process ...
    assert client is not None
    encoded = serialize_provider(provider)  # ... and is not what Pulumi writes to state
    raw = base64.b64decode(encoded)
    for secret in (SECRET, TOKEN, ENV_SECRET):
        assert secret.encode() not in raw
        assert secret not in encoded
    assert cls.__module__.encode() in raw and cls.__qualname__.encode() in raw  # pickled by reference
    restored = dill.loads(raw)
    assert type(restored) is cls
    assert restored._stack_config == {} and restored._client is None



def test_provider_takes_profile_and_role_from_stack_config_and_pickles_none_of_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The dynamic providers' credentials come from the same chain: an `aliyun` profile and a role from stack config,
    assumed at the fake STS. The assumed credentials live in the process, never in the pickle."""
    import json

    from fcinfra.fake import mock_fc
    from fcinfra.fc import sts

    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_PROFILE",
                 "ALIBABA_CLOUD_ACCOUNT_ID", "FC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps({"current": "x", "profiles": [
        {"name": "ops", "mode": "AK", "access_key_id": "LTAIprofile", "access_key_secret": SECRET}]}))
    sts.forget_accounts()
    with mock_fc(access_keys={"LTAIprofile": SECRET}) as fake:
        provider: Any = AliasShiftProvider()
        provider.configure(ConfigureRequest(Config({
            "alicloud:profile": "ops", "alicloud:region": "cn-hangzhou",
            "alicloud:assumeRole": {"roleArn": "acs:ram::1234567890:role/deployer", "sessionName": "pulumi"},
        }, "fcinfra")))
        client = provider.client()
        assert client.list_services() == []
        assert client.account_id == "1234567890"  # found with GetCallerIdentity through the assumed role
        issued = fake.sts.lookup(client.credentials.get().access_key_id)
        assert issued is not None and issued.session_name == "pulumi"
        raw = base64.b64decode(serialize_provider(provider))
        for value in (SECRET, issued.access_key_secret, issued.security_token, "LTAIprofile"):
            assert value.encode() not in raw
    sts.forget_accounts()
