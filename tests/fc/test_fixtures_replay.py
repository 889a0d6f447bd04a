"""Replay the HTTP fixtures of tests/fixtures/ with `responses`: the client must send exactly the documented
request (method, path, query, body, headers) and parse the documented answer (models, ETags, errors)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

import fcinfra.errors as errors
from fcinfra.fake.recording import load_fixture, replay
from fcinfra.fc import FcClient, RetryPolicy
from fcinfra.fc.signing import verify

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAMILIES = ("services", "functions", "versions", "aliases", "triggers", "invoke", "errors")
BASE = "https://1234567890.cn-hangzhou.fc.aliyuncs.com"
CLIENT_KEYS = {None: ("AK", "SK"), "wrong_secret": ("AK", "not-the-secret"), "unknown_key": ("NOSUCHKEY", "SK")}


def materialize(value: Any) -> Any:
    """Fixture values: ``{"$bytes_b64": ...}`` stands for bytes."""
    if isinstance(value, dict):
        if set(value) == {"$bytes_b64"}:
            return base64.b64decode(value["$bytes_b64"])
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


def perform(client: FcClient, call: dict[str, Any]) -> Any:
    return getattr(client, call["method"])(*materialize(call["args"]), **materialize(call["kwargs"]))


def cases() -> list[Any]:
    out = []
    for family in FAMILIES:
        for item in load_fixture(FIXTURES / f"{family}.json")["interactions"]:
            out.append(pytest.param(family, item, id=f"{family}-{item['name']}"))
    return out


def check_request(sent: Any, expected: dict[str, Any], secret: str, signed: bool = True) -> None:
    url = urlsplit(sent.url)
    assert sent.method == expected["method"]
    assert url.path == expected["path"]
    assert sorted(parse_qsl(url.query)) == sorted(parse_qsl(expected.get("query", "")))
    for name, value in expected.get("headers", {}).items():
        assert sent.headers.get(name) == value, name
    body = sent.body or b""
    if "json" in expected:
        assert json.loads(body) == expected["json"]
    elif "text" in expected:
        assert body == expected["text"].encode()
    else:
        assert body in (b"", None)
    if not signed:  # anonymous HTTP trigger: nothing of ours is sent
        assert "Authorization" not in sent.headers and "x-fc-account-id" not in sent.headers
        return
    # Every request is signed per FC_API.md §1.3 and carries the account id.
    assert sent.headers["Date"].endswith("GMT")
    assert sent.headers["x-fc-account-id"] == "1234567890"
    ak, _, signature = sent.headers["Authorization"].removeprefix("FC ").partition(":")
    assert ak in ("AK", "NOSUCHKEY")
    headers = dict(sent.headers)
    assert verify(secret, signature, sent.method, url.path, headers, parse_qsl(url.query, keep_blank_values=True))


def check_outcome(outcome: Any, expect: dict[str, Any]) -> None:
    if "attrs" in expect:
        for name, value in expect["attrs"].items():
            got = getattr(outcome, name)
            got = list(got) if isinstance(got, tuple) else got
            assert got == materialize(value), name
    if "list" in expect:
        assert len(outcome) == expect["list"]["len"]
        check_outcome(outcome[0], {"attrs": expect["list"]["first"]})
    if "keys" in expect:
        assert set(expect["keys"]) <= set(outcome)
    if expect.get("none"):
        assert outcome is None


@pytest.mark.parametrize(("family", "item"), cases())
def test_client_sends_and_parses_fixture(family: str, item: dict[str, Any]) -> None:
    ak, secret = CLIENT_KEYS[item.get("client")]
    client = FcClient("1234567890", "cn-hangzhou", ak, secret, retry_policy=RetryPolicy.none())
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        replay([*item.get("preflight", []), item], rsps, BASE)
        expect = item["expect"]
        if "raises" in expect:
            with pytest.raises(getattr(errors, expect["raises"])) as info:
                perform(client, item["call"])
            for name, value in expect.get("error", {}).items():
                assert getattr(info.value, name) == value, name
            assert isinstance(info.value, errors.FcApiError)
            assert info.value.message  # FC's message is kept
        else:
            check_outcome(perform(client, item["call"]), expect)
        signed = item["call"]["kwargs"].get("sign", True)
        check_request(rsps.calls[-1].request, item["request"], secret, signed)


def test_every_fixture_names_its_source() -> None:
    for family in FAMILIES:
        data = load_fixture(FIXTURES / f"{family}.json")
        assert data["family"] == family
        assert "FC_API.md" in data["source"] or "http" in data["source"]
        assert data["interactions"]
