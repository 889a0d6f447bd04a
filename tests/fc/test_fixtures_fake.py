"""The fake answers the fixtures' operations in the same shape: same status, the documented keys, the
documented headers, the same error codes. Each family runs through FcClient against a fresh mock_fc()."""

from __future__ import annotations

import base64
import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from fcinfra.errors import FcinfraError
from fcinfra.fake import mock_fc
from fcinfra.fake.recording import Recorder, load_fixture
from fcinfra.fc import FcClient, RetryPolicy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAMILIES = ("services", "functions", "versions", "aliases", "triggers", "invoke", "errors")
KEYS = {None: ("AK", "SK"), "wrong_secret": ("AK", "not-the-secret"), "unknown_key": ("NOSUCHKEY", "SK")}


def echo(event: bytes, context: Any) -> bytes:
    return event


def boom(event: bytes, context: Any) -> bytes:
    raise ValueError("boom")


def greet(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The HTTP function behind the fixture's trigger: a WSGI app, as FC 2.0 calls one."""
    name = environ["QUERY_STRING"].partition("name=")[2]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"hello {name}".encode()]


HANDLERS = {"echo": echo, "boom": boom, "greet": greet}


def materialize(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$bytes_b64"}:
            return base64.b64decode(value["$bytes_b64"])
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


def perform(client: FcClient, call: dict[str, Any]) -> Any:
    return getattr(client, call["method"])(*materialize(call["args"]), **materialize(call["kwargs"]))


def body_json(part: dict[str, Any]) -> Any:
    if "json" in part:
        return part["json"]
    if "text" in part:
        try:
            return json.loads(part["text"])
        except ValueError:
            return None
    return None


def shape_problems(expected: dict[str, Any], got: dict[str, Any], item: dict[str, Any]) -> list[str]:
    problems = []
    if got["status"] != expected["status"]:
        problems.append(f"status {got['status']} != {expected['status']} ({body_json(got)})")
    want, have = body_json(expected), body_json(got)
    if isinstance(want, dict):
        keys = item.get("fake_json_keys") or list(want)
        if not isinstance(have, dict):
            problems.append(f"expected a JSON object, got {got}")
        else:
            missing = [k for k in keys if k not in have]
            if missing:
                problems.append(f"keys missing: {missing} (got {sorted(have)})")
            for code_key in ("ErrorCode", "errorCode"):
                if code_key in want and have.get("ErrorCode") != want[code_key]:
                    problems.append(f"ErrorCode {have.get('ErrorCode')} != {want[code_key]}")
            for list_key, items in want.items():
                if isinstance(items, list) and items and isinstance(items[0], dict):
                    got_items = have.get(list_key) or []
                    if not got_items:
                        problems.append(f"{list_key} is empty")
                    else:
                        lost = [k for k in items[0] if k not in got_items[0]]
                        if lost:
                            problems.append(f"{list_key}[0] keys missing: {lost}")
    headers = {k.lower(): v for k, v in got["headers"].items()}
    wanted_headers = item.get("fake_headers") or ["X-Fc-Request-Id"] + (
        ["ETag"] if "ETag" in expected.get("headers", {}) else [])
    problems += [f"header {h} missing" for h in wanted_headers if h.lower() not in headers]
    for name, value in item.get("fake_header_values", {}).items():
        if headers.get(name.lower()) != value:
            problems.append(f"header {name}={headers.get(name.lower())!r}, expected {value!r}")
    return problems


@pytest.mark.parametrize("family", FAMILIES)
def test_fake_answers_like_the_fixtures(family: str) -> None:
    fixture = load_fixture(FIXTURES / f"{family}.json")
    problems: dict[str, list[str]] = {}
    with mock_fc(access_keys={"AK": "SK"}, seed=1) as fake:
        setup = FcClient("1234567890", "cn-hangzhou", "AK", "SK", retry_policy=RetryPolicy.none())
        for step in fixture["setup"]:
            if "handler" in step:
                service, function, name = step["handler"]
                fake.register_handler(service, function, HANDLERS[name])
            else:
                perform(setup, step)
        for item in fixture["interactions"]:
            if item.get("fake") is False:
                continue
            for step in item.get("fake_before", []):
                perform(setup, step)
            ak, secret = KEYS[item.get("client")]
            recorder = Recorder()
            client = FcClient("1234567890", "cn-hangzhou", ak, secret, retry_policy=RetryPolicy.none(),
                              session=recorder.session)
            with contextlib.suppress(FcinfraError):  # the shape of the answer is what is compared
                perform(client, item["call"])
            got = recorder.interactions[-1]
            assert got["request"]["path"] == item["request"]["path"]
            found = shape_problems(item["response"], got["response"], item)
            if found:
                problems[item["name"]] = found
    assert not problems, json.dumps(problems, indent=1)
