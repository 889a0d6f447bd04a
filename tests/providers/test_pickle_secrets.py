"""Each provider pickled exactly as Pulumi does (dill via serialize_provider) carries no secret."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from fcinfra.providers import AliasShiftProvider, AliasTriggerProvider, ServiceVersionProvider

SECRET = "S3cr3t-Access-Key-Secret-value"
TOKEN = "STS-security-token-value-1234567890"
ENV_SECRET = "env-secret-should-not-leak-0987"


@pytest.mark.parametrize("cls", [ServiceVersionProvider, AliasShiftProvider, AliasTriggerProvider])
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

