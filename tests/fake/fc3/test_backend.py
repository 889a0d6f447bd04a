"""FC 3.0's rules in the typed, HTTP-free fake backend."""

from __future__ import annotations

import base64
import random

import pytest

from fcinfra.fake.backend import Ids
from fcinfra.fake.fc3.backend import Fc3Backend
from fcinfra.fake.fc3.errors import FakeApiError
from fcinfra.fc3.models import (
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateTriggerRequest,
    PublishVersionRequest,
    UpdateAliasRequest,
    UpdateFunctionRequest,
    UpdateTriggerRequest,
)
from fcinfra.testing.helpers import code_zip


def _code(answer: str) -> dict[str, str]:
    zipped = code_zip(f"def handler(event, context):\n    return {answer!r}\n")
    return {"zip_file": base64.b64encode(zipped).decode()}


@pytest.fixture
def backend() -> Fc3Backend:
    b = Fc3Backend("123", "cn-hangzhou", Ids(seed=1), random.Random(1))
    b.create_function(
        CreateFunctionRequest(function_name="fn", runtime="python3.10", handler="index.handler", code=_code("v1"))
    )
    return b


def _publish(b: Fc3Backend, description: str = "") -> str:
    return str(b.publish_version("fn", PublishVersionRequest(description=description))["versionId"])


def _change(b: Fc3Backend, answer: str) -> None:
    b.update_function("fn", UpdateFunctionRequest(code=_code(answer)))


def _error(exc: pytest.ExceptionInfo[FakeApiError]) -> tuple[int, str]:
    return exc.value.status, exc.value.code


def test_function_wire_shape(backend: Fc3Backend) -> None:
    fn = backend.get_function("fn")
    assert fn["functionArn"] == "acs:fc:cn-hangzhou:123:functions/fn"
    assert fn["state"] == "Active" and fn["runtime"] == "python3.10" and fn["codeSize"] > 0
    assert fn["codeChecksum"].isdigit()
    with pytest.raises(FakeApiError) as exc:
        backend.create_function(CreateFunctionRequest(function_name="fn", runtime="python3.10", handler="i.h"))
    assert _error(exc) == (409, "FunctionAlreadyExists")
    with pytest.raises(FakeApiError) as exc:
        backend.get_function("nope")
    assert _error(exc) == (404, "FunctionNotFound")


def test_versions_are_numbered_per_function_and_never_reused(backend: Fc3Backend) -> None:
    backend.create_function(CreateFunctionRequest(function_name="other", runtime="python3.10", handler="i.h"))
    assert _publish(backend) == "1"
    assert backend.publish_version("other", PublishVersionRequest())["versionId"] == "1"  # its own numbering
    _change(backend, "v2")
    assert _publish(backend) == "2"
    backend.delete_version("fn", "2")
    _change(backend, "v3")
    assert _publish(backend) == "3"  # 2 is gone for good
    page, direction = backend.list_versions("fn", {})
    assert direction == "BACKWARD" and [v["versionId"] for v in page.items] == ["3", "1"]


def test_no_change_publish_is_refused_and_changes_nothing(backend: Fc3Backend) -> None:
    _publish(backend)
    with pytest.raises(FakeApiError) as exc:
        _publish(backend)
    assert _error(exc) == (400, "VersionPublishError") and "No changes were made since last publish" in str(exc.value)
    _change(backend, "v1")  # the same code again: still nothing changed
    with pytest.raises(FakeApiError):
        _publish(backend)
    backend.update_function("fn", UpdateFunctionRequest(memory_size=256))
    assert _publish(backend) == "2"


def test_versions_are_immutable_snapshots(backend: Fc3Backend) -> None:
    _publish(backend, "first")
    _change(backend, "v2")
    backend.update_function("fn", UpdateFunctionRequest(memory_size=512, description="latest"))
    v1 = backend.get_function("fn", "1")
    assert v1["memorySize"] == 128 and v1["description"] == "first"  # the version's own description
    assert backend.get_function("fn")["memorySize"] == 512
    assert backend.resolve("fn", "1").code != backend.resolve("fn", "LATEST").code
    with pytest.raises(FakeApiError) as exc:
        backend.delete_version("fn", "LATEST")
    assert _error(exc)[0] == 400
    with pytest.raises(FakeApiError) as exc:
        backend.get_function("fn", "9")
    assert _error(exc) == (404, "VersionNotFound")


def test_alias_rules(backend: Fc3Backend) -> None:
    _publish(backend)
    _change(backend, "v2")
    _publish(backend)
    alias, etag = backend.create_alias("fn", CreateAliasRequest(alias_name="prod", version_id="1"))
    assert alias["additionalVersionWeight"] == {} and etag
    with pytest.raises(FakeApiError) as exc:
        backend.create_alias("fn", CreateAliasRequest(alias_name="prod", version_id="1"))
    assert _error(exc) == (409, "AliasAlreadyExists")
    with pytest.raises(FakeApiError) as exc:
        backend.create_alias("fn", CreateAliasRequest(alias_name="x", version_id="7"))
    assert _error(exc) == (404, "VersionNotFound")
    with pytest.raises(FakeApiError) as exc:  # the additional version must exist
        backend.update_alias("fn", "prod", UpdateAliasRequest(additional_version_weight={"9": 0.5}))
    assert _error(exc) == (404, "VersionNotFound")
    canary, etag2 = backend.update_alias("fn", "prod", UpdateAliasRequest(additional_version_weight={"2": 0.25}))
    assert canary["additionalVersionWeight"] == {"2": 0.25} and etag2 != etag
    with pytest.raises(FakeApiError) as exc:  # moving the main version onto the kept canary
        backend.update_alias("fn", "prod", UpdateAliasRequest(version_id="2"))
    assert _error(exc)[0] == 400
    kept, _ = backend.update_alias("fn", "prod", UpdateAliasRequest(description="d"))  # absent weights: kept
    assert kept["additionalVersionWeight"] == {"2": 0.25}
    with pytest.raises(FakeApiError) as exc:  # a stale ETag
        backend.update_alias("fn", "prod", UpdateAliasRequest(version_id="2"), if_match=etag)
    assert _error(exc) == (412, "PreconditionFailed")
    assert backend.get_alias("fn", "prod")[0]["versionId"] == "1"  # the refused write changed nothing
    cleared, _ = backend.update_alias("fn", "prod", UpdateAliasRequest(version_id="2", additional_version_weight={}))
    assert cleared == {**cleared, "versionId": "2", "additionalVersionWeight": {}}


def test_alias_routes_by_weight_and_reports_the_version(backend: Fc3Backend) -> None:
    _publish(backend)
    _change(backend, "v2")
    _publish(backend)
    backend.create_alias(
        "fn", CreateAliasRequest(alias_name="prod", version_id="1", additional_version_weight={"2": 0.3})
    )
    ran = [backend.resolve("fn", "prod").version for _ in range(2000)]
    assert set(ran) == {"1", "2"} and 0.25 < ran.count("2") / len(ran) < 0.35
    assert backend.resolve("fn", "prod").qualifier == "prod"
    backend.delete_version("fn", "1")  # allowed; the alias now points at nothing
    with pytest.raises(FakeApiError) as exc:
        backend.resolve("fn", "prod")
    assert _error(exc) == (404, "VersionNotFound")


def test_triggers_are_bound_to_a_qualifier(backend: Fc3Backend) -> None:
    _publish(backend)
    backend.create_alias("fn", CreateAliasRequest(alias_name="prod", version_id="1"))
    trig = backend.create_trigger(
        "fn",
        CreateTriggerRequest(
            trigger_name="web", trigger_type="http", trigger_config='{"authType":"anonymous"}', qualifier="prod"
        ),
    )
    assert trig["qualifier"] == "prod" and isinstance(trig["triggerConfig"], str)
    assert trig["httpTrigger"]["urlInternet"].endswith(".cn-hangzhou.fcapp.run")
    timer = backend.create_trigger(
        "fn",
        CreateTriggerRequest(
            trigger_name="tick", trigger_type="timer", trigger_config='{"cronExpression":"@every 1m"}'
        ),
    )
    assert timer["qualifier"] == "LATEST" and "httpTrigger" not in timer
    with pytest.raises(FakeApiError) as exc:  # one HTTP trigger per qualifier
        backend.create_trigger(
            "fn", CreateTriggerRequest(trigger_name="web2", trigger_type="http", trigger_config="{}", qualifier="prod")
        )
    assert _error(exc)[0] == 400
    with pytest.raises(FakeApiError) as exc:
        backend.create_trigger(
            "fn", CreateTriggerRequest(trigger_name="x", trigger_type="http", trigger_config="{}", qualifier="beta")
        )
    assert _error(exc) == (404, "AliasNotFound")
    moved = backend.update_trigger("fn", "tick", UpdateTriggerRequest(qualifier="1"))
    assert moved["qualifier"] == "1"
    with pytest.raises(FakeApiError) as exc:
        backend.delete_function("fn")
    assert _error(exc) == (400, "FunctionNotEmpty")
    assert "fn" in backend.functions


def test_lists_page_with_plain_next_tokens(backend: Fc3Backend) -> None:
    for i in range(5):
        backend.create_function(CreateFunctionRequest(function_name=f"g{i}", runtime="python3.10", handler="i.h"))
    page = backend.list_functions({"limit": "2", "prefix": "g"})
    assert [f["functionName"] for f in page.items] == ["g0", "g1"] and page.next_token == "g2"
    rest = backend.list_functions({"limit": "100", "prefix": "g", "nextToken": page.next_token})
    assert [f["functionName"] for f in rest.items] == ["g2", "g3", "g4"] and rest.next_token is None
    for answer in ("a", "b", "c"):
        _change(backend, answer)
        _publish(backend)
    first, _ = backend.list_versions("fn", {"limit": "2"})
    assert [v["versionId"] for v in first.items] == ["3", "2"] and first.next_token == "1"
    forward, direction = backend.list_versions("fn", {"direction": "FORWARD"})
    assert direction == "FORWARD" and [v["versionId"] for v in forward.items] == ["1", "2", "3"]
    with pytest.raises(FakeApiError) as exc:
        backend.list_functions({"limit": "500"})
    assert _error(exc)[0] == 400
