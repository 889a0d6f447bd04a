"""Secrets never show: not in repr, not in logs, not in exceptions, not in pickles."""

from __future__ import annotations

import logging
import pickle

import pytest
import requests
import responses

from fcinfra.config import resolve_settings
from fcinfra.errors import AccessDeniedError, FcConnectionError
from fcinfra.fc import FcClient

API = "https://1234567890.cn-hangzhou.fc.aliyuncs.com/2016-08-15"
AK, SECRET, TOKEN = "LTAI5tAbCdEfGhIjKlMnOpQr", "s3cr3t-VALUE-xyz", "CAISsts-token-value-0123456789"


def make() -> FcClient:
    return FcClient("1234567890", "cn-hangzhou", AK, SECRET, security_token=TOKEN, sleep=lambda s: None)


def assert_clean(text: str) -> None:
    assert SECRET not in text and TOKEN not in text and AK not in text


def test_repr_hides_credentials() -> None:
    client = make()
    assert_clean(repr(client))
    assert_clean(repr(client.credentials))
    assert_clean(repr(client.credentials.get()))
    assert_clean(repr(resolve_settings(access_key_id=AK, access_key_secret=SECRET, security_token=TOKEN,
                                       env={}, use_pulumi=False)))


def test_client_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(make())


def test_errors_and_logs_never_echo_credentials(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make()
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/services/demo", status=403, json={
            "ErrorCode": "InvalidAccessKeyID",
            "ErrorMessage": f"invalid access key ID '{AK}' (token {TOKEN}, secret {SECRET})",
        })
        with pytest.raises(AccessDeniedError) as info:
            client.get_service("demo")
        rsps.get(f"{API}/services/demo/aliases/a",
                 body=requests.exceptions.ConnectionError(f"pool failed, headers {{'x-fc-security-token': '{TOKEN}'}}"))
        with pytest.raises(FcConnectionError) as conn:
            client.get_alias("demo", "a")
    for exc in (info.value, conn.value):
        for text in (str(exc), repr(exc), repr(exc.__dict__)):
            assert SECRET not in text and TOKEN not in text
    assert f"invalid access key ID '{AK}'" in str(info.value)  # issue 11: only the secret is secret
    assert_clean(caplog.text)
    assert "GetService" in caplog.text  # the debug log did run
