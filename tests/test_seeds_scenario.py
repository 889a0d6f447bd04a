"""Issue 2's "Must show": the seeds' scenario, through FcClient against mock_fc(), step by step; and bad
input giving a typed error with the fake's state unchanged."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fcinfra.errors import (
    FcApiError,
    FcinfraError,
    InvalidArgumentError,
    NoChangesToPublishError,
    NotFoundError,
    VersionInUseError,
)
from fcinfra.fake import mock_fc
from fcinfra.fake.mock import MockFc
from fcinfra.fc import FcClient, RetryPolicy
from fcinfra.lifecycle import delete_version_safely

ZIP = b"PK\x05\x06" + b"\x00" * 18  # an empty zip: the registered handler is what runs
SEEN: list[dict[str, Any]] = []


def handler(event: bytes, context: Any) -> dict[str, Any]:
    seen = {"qualifier": context.service.qualifier, "version_id": context.service.version_id,
            "service": context.service.name, "function": context.function.name}
    SEEN.append(seen)
    return seen


@pytest.fixture
def fake() -> Iterator[MockFc]:
    with mock_fc(access_keys={"AK": "SK"}, seed=2016) as f:
        yield f


@pytest.fixture
def client(fake: MockFc) -> FcClient:
    return FcClient("1234567890", "cn-hangzhou", "AK", "SK", retry_policy=RetryPolicy.none())


def test_seeds_scenario(fake: MockFc, client: FcClient) -> None:
    c = client
    # create a service and function
    c.create_service("demo", description="seeds scenario")
    c.create_function("demo", "hello", "python3.10", "index.handler", code=ZIP, memory_size=128,
                      environment_variables={"GREETING": "v1"})
    fake.register_handler("demo", "hello", handler)

    # publish -> "1"; publish again unchanged -> NoChangesToPublishError
    assert c.publish_version("demo", "first").version_id == "1"
    with pytest.raises(NoChangesToPublishError, match="No changes were made since last publish"):
        c.publish_version("demo")

    # change the function; publish -> "2"; qualifier "1" still has the old config
    c.update_function("demo", "hello", memory_size=256, environment_variables={"GREETING": "v2"})
    assert c.publish_version("demo", "second").version_id == "2"
    old = c.get_function("demo", "hello", qualifier="1")
    assert (old.memory_size, old.environment_variables) == (128, {"GREETING": "v1"})
    assert c.get_function("demo", "hello", qualifier="2").memory_size == 256

    # delete "2"; change; publish -> "3": numbers are never reused
    delete_version_safely(c, "demo", "2")
    c.update_function("demo", "hello", environment_variables={"GREETING": "v3"})
    assert c.publish_version("demo", "third").version_id == "3"
    assert [v.version_id for v in c.list_versions("demo")] == ["3", "1"]

    # alias prod -> "1"; a trigger with qualifier prod (a timer: on FC 2.0 a function with an HTTP trigger is an
    # HTTP function, which InvokeFunction refuses, and this scenario invokes through the API)
    assert c.create_alias("demo", "prod", "1").version_id == "1"
    trigger = c.create_trigger("demo", "hello", "web", "timer", {"cronExpression": "@every 5m", "enable": True},
                               qualifier="prod")
    assert trigger.qualifier == "prod"

    # invoking through prod reports "1"; the handler sees qualifier prod and version 1
    SEEN.clear()
    result = c.invoke("demo", "hello", b"{}", qualifier="prod")
    assert result.ok and result.version_id == "1"
    assert json.loads(result.payload) == {"qualifier": "prod", "version_id": "1", "service": "demo",
                                          "function": "hello"}
    assert SEEN == [{"qualifier": "prod", "version_id": "1", "service": "demo", "function": "hello"}]

    # additional version "3" at 0.2: over 5,000 invocations the share of "3" is within 0.2 +/- 0.02
    alias = c.update_alias("demo", "prod", additional_version_weight={"3": 0.2})
    assert alias.canary == ("3", 0.2)
    counts = Counter(c.invoke("demo", "hello", b"", qualifier="prod").version_id for _ in range(5000))
    assert set(counts) == {"1", "3"}
    assert abs(counts["3"] / 5000 - 0.2) <= 0.02, counts

    # switch all traffic to "3" (no additional version)
    alias = c.update_alias("demo", "prod", version_id="3", additional_version_weight={})
    assert (alias.version_id, alias.additional_version_weight) == ("3", {})
    assert {c.invoke("demo", "hello", qualifier="prod").version_id for _ in range(50)} == {"3"}

    # roll back to "1"
    assert c.update_alias("demo", "prod", version_id="1").version_id == "1"
    assert {c.invoke("demo", "hello", qualifier="prod").version_id for _ in range(50)} == {"1"}

    # delete_version_safely("1") is refused naming the alias and the trigger
    with pytest.raises(VersionInUseError) as refused:
        delete_version_safely(c, "demo", "1")
    assert refused.value.referrers == ["alias prod", "trigger hello/web (via alias prod)"]
    assert "alias prod" in str(refused.value) and "trigger hello/web" in str(refused.value)
    assert [v.version_id for v in c.list_versions("demo")] == ["3", "1"]

    # a raw delete of the referenced version, then an invocation through the alias: a clear error
    c.delete_version("demo", "1")
    with pytest.raises(NotFoundError) as gone:
        c.invoke("demo", "hello", qualifier="prod")
    assert gone.value.code == "VersionNotFound" and gone.value.status == 404
    assert "1" in gone.value.message and "demo" in gone.value.message


# ------------------------------------------------------------------------------------------- bad input


@pytest.fixture
def prepared(fake: MockFc, client: FcClient) -> FcClient:
    client.create_service("demo")
    client.create_function("demo", "hello", "python3.10", "index.handler", code=ZIP)
    client.publish_version("demo")
    client.update_function("demo", "hello", memory_size=256)
    client.publish_version("demo")
    client.create_alias("demo", "prod", "1")
    return client


CLIENT_SIDE: dict[str, Callable[[FcClient], Any]] = {
    "empty service name": lambda c: c.create_service(""),
    "service name too long": lambda c: c.create_service("s" * 129),
    "service name starts with a digit": lambda c: c.create_service("1demo"),
    "empty function name": lambda c: c.create_function("demo", "", "python3.10", "index.handler", code=ZIP),
    "function name too long": lambda c: c.create_function("demo", "f" * 129, "python3.10", "index.handler"),
    "function name starts with a digit": lambda c: c.create_function("demo", "9f", "python3.10", "i.h", code=ZIP),
    "alias called LATEST": lambda c: c.create_alias("demo", "LATEST", "1"),
    "empty alias name": lambda c: c.create_alias("demo", "", "1"),
    "alias name starts with a digit": lambda c: c.create_alias("demo", "1prod", "1"),
    "weight above 1": lambda c: c.update_alias("demo", "prod", additional_version_weight={"2": 1.01}),
    "weight below 0": lambda c: c.update_alias("demo", "prod", additional_version_weight={"2": -0.5}),
    "two additional versions": lambda c: c.create_alias("demo", "two", "1",
                                                        additional_version_weight={"2": 0.1, "3": 0.1}),
    "additional equal to main": lambda c: c.update_alias("demo", "prod", version_id="2",
                                                         additional_version_weight={"2": 0.5}),
}

SERVER_SIDE: dict[str, Callable[[FcClient], Any]] = {
    "unknown main version": lambda c: c.create_alias("demo", "beta", "99"),
    "unknown additional version": lambda c: c.update_alias("demo", "prod", additional_version_weight={"99": 0.1}),
    "unknown service": lambda c: c.create_alias("nosuch", "prod", "1"),
    "unknown service for a function": lambda c: c.create_function("nosuch", "f", "python3.10", "i.h", code=ZIP),
    "unknown service to publish": lambda c: c.publish_version("nosuch"),
    "unknown function to update": lambda c: c.update_function("demo", "nosuch", memory_size=256),
    "additional equal to the current main": lambda c: c.update_alias("demo", "prod",
                                                                     additional_version_weight={"1": 0.5}),
    "unknown version to invoke": lambda c: c.invoke("demo", "hello", qualifier="99"),
}

# The same mistakes sent raw (skipping the client's checks): the fake must refuse them itself.
RAW: dict[str, tuple[str, str, dict[str, Any]]] = {
    "raw empty service name": ("POST", "/services", {"serviceName": ""}),
    "raw service name starts with a digit": ("POST", "/services", {"serviceName": "1demo"}),
    "raw service name too long": ("POST", "/services", {"serviceName": "s" * 129}),
    "raw alias called LATEST": ("POST", "/services/demo/aliases", {"aliasName": "LATEST", "versionId": "1"}),
    "raw weight above 1": ("PUT", "/services/demo/aliases/prod", {"additionalVersionWeight": {"2": 1.5}}),
    "raw two additional versions": ("PUT", "/services/demo/aliases/prod",
                                    {"additionalVersionWeight": {"2": 0.1, "3": 0.1}}),
    "raw additional equal to main": ("PUT", "/services/demo/aliases/prod", {"additionalVersionWeight": {"1": 0.3}}),
}


@pytest.mark.parametrize("name", sorted(CLIENT_SIDE))
def test_bad_input_is_refused_before_sending(prepared: FcClient, fake: MockFc, name: str) -> None:
    before, calls = fake.dump_state(), sum(prepared.calls.values())
    with pytest.raises(InvalidArgumentError):
        CLIENT_SIDE[name](prepared)
    assert sum(prepared.calls.values()) == calls  # nothing was sent
    assert fake.dump_state() == before


@pytest.mark.parametrize("name", sorted(SERVER_SIDE))
def test_bad_references_are_refused_by_the_fake(prepared: FcClient, fake: MockFc, name: str) -> None:
    before = fake.dump_state()
    with pytest.raises(FcApiError) as info:
        SERVER_SIDE[name](prepared)
    assert info.value.status in (400, 404) and info.value.code
    assert fake.dump_state() == before


@pytest.mark.parametrize("name", sorted(RAW))
def test_raw_bad_input_is_refused_by_the_fake(prepared: FcClient, fake: MockFc, name: str) -> None:
    method, path, body = RAW[name]
    before = fake.dump_state()
    with pytest.raises(FcinfraError) as info:
        prepared._call("Raw", method, "/2016-08-15" + path, body=body)
    assert isinstance(info.value, FcApiError) and info.value.status == 400, info.value
    assert fake.dump_state() == before
