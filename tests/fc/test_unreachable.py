"""Connection failures read as one whole sentence naming the address; urllib3's pool text stays in the chain."""

from __future__ import annotations

import socket

import pytest
import requests

from fcinfra.errors import FcConnectionError
from fcinfra.fc import FcClient, RetryPolicy
from fcinfra.fc.unreachable import describe, origin

# What requests/urllib3 2.x really say (shapes copied from their messages, hosts made up).
UNRESOLVED = ("HTTPSConnectionPool(host='fc.example.invalid', port=443): Max retries exceeded with url: /2021-04-06/"
              "services (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7f>: Failed "
              "to resolve 'fc.example.invalid' ([Errno -2] Name or service not known)\"))")
UNTRUSTED = ("HTTPSConnectionPool(host='127.0.0.1', port=8443): Max retries exceeded with url: /2021-04-06/services "
             "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
             "failed: unable to get local issuer certificate (_ssl.c:1006)')))")
CLOSED = ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_names_the_address_and_keeps_the_cause_chained() -> None:
    port = _free_port()
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", endpoint=f"http://127.0.0.1:{port}",
                 sleep=lambda s: None, timeout=(0.5, 0.5), retry_policy=RetryPolicy.none())
    with pytest.raises(FcConnectionError) as info:
        c.get_service("demo")
    text = str(info.value)
    assert text.startswith(f"cannot reach http://127.0.0.1:{port}: connection refused")
    assert "during GetService" in text
    assert "Max retries" not in text and "HTTPConnectionPool" not in text
    assert isinstance(info.value.__cause__, requests.exceptions.ConnectionError)


def test_an_unknown_host_says_the_name_did_not_resolve() -> None:
    failure = describe("https://fc.example.invalid", requests.exceptions.ConnectionError(UNRESOLVED), UNRESOLVED)
    assert failure.text == "cannot reach https://fc.example.invalid:443: name not resolved"
    assert failure.never_connected


def test_a_connect_timeout_says_timed_out() -> None:
    failure = describe("http://10.0.0.1:9000", requests.exceptions.ConnectTimeout("x"), "x")
    assert failure.text == "cannot reach http://10.0.0.1:9000: timed out" and failure.never_connected


def test_an_untrusted_certificate_reads_whole_with_the_hint() -> None:
    failure = describe("https://127.0.0.1:8443", requests.exceptions.SSLError(UNTRUSTED), UNTRUSTED)
    assert failure.untrusted
    assert failure.text == ("cannot reach https://127.0.0.1:8443: its TLS certificate is not trusted (unable to get "
                            "local issuer certificate); trust its CA with FcClient(verify=<CA bundle path>) or the "
                            "FC_CA_BUNDLE environment variable")


def test_a_closed_connection_is_not_called_unreachable() -> None:
    failure = describe("http://127.0.0.1:9000", requests.exceptions.ConnectionError(CLOSED), CLOSED)
    assert failure.text == "connection to http://127.0.0.1:9000 closed without an answer"
    assert not failure.never_connected  # the request may have run: only idempotent calls retry


@pytest.mark.parametrize(("endpoint", "expected"), [
    ("https://1.cn-hangzhou.fc.aliyuncs.com", "https://1.cn-hangzhou.fc.aliyuncs.com:443"),
    ("http://127.0.0.1:9000/", "http://127.0.0.1:9000"),
    ("http://[::1]:9000", "http://[::1]:9000"),
])
def test_origin(endpoint: str, expected: str) -> None:
    assert origin(endpoint) == expected
