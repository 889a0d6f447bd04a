"""What an acceptance author would naturally try beyond the contract's literal lines."""

from __future__ import annotations

import contextlib
import copy
import json
import pickle
from typing import Any

import pytest
import responses

from fcinfra.errors import (
    AccessDeniedError,
    AmbiguousPublishError,
    FcApiError,
    FcinfraError,
    NotFoundError,
    PreconditionFailedError,
    VersionInUseError,
)
from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient
from fcinfra.rollout import Rollout, Steps
from tests.contract.conftest import ACCOUNT, REGION


@pytest.mark.parametrize("err", [
    NotFoundError("ServiceNotFound", "service 'x' does not exist", 404, "rid-1"),
    PreconditionFailedError("PreconditionFailed", "changed", 412),
    AccessDeniedError("SignatureNotMatch", "bad", 403, "rid-2", "GET", "/2016-08-15/services"),
    VersionInUseError("svc", "3", ["alias prod", "trigger fn/http (via alias prod)"]),
])
def test_errors_survive_pickle_and_copy(err: Exception) -> None:
    for clone in (pickle.loads(pickle.dumps(err)), copy.copy(err), copy.deepcopy(err)):
        assert type(clone) is type(err) and str(clone) == str(err)
        assert vars(clone) == vars(err)
    if isinstance(err, FcApiError):
        clone = pickle.loads(pickle.dumps(err))
        assert isinstance(clone, FcApiError)
        assert (clone.code, clone.status, clone.message, clone.request_id) == (
            err.code, err.status, err.message, err.request_id)


def test_mock_fc_without_access_keys_accepts_any_key() -> None:
    with mock_fc() as fake:
        c = FcClient(account_id=ACCOUNT, region=REGION, access_key_id="whatever", access_key_secret="anything")
        c.create_service("svc")
        c.create_function("svc", "fn", "python3.10", "index.handler")
        fake.register_handler("svc", "fn", lambda event, context: event)
        assert c.invoke("svc", "fn", payload="h\u00e9llo").payload == "h\u00e9llo".encode()
        assert json.loads(c.invoke("svc", "fn", payload={"a": 1}).payload) == {"a": 1}
        assert c.invoke("svc", "fn").payload == b""


def test_lists_follow_every_page() -> None:
    with mock_fc():
        c = FcClient(ACCOUNT, REGION, "k", "s")
        c.create_service("svc")
        for i in range(105):
            c.create_service(f"s{i:03d}")
            c.create_function("svc", f"f{i:03d}", "python3.10", "i.h")
        c.publish_version("svc")
        for i in range(105):
            c.create_alias("svc", f"a{i:03d}", "1")
        assert len(c.list_services()) == 106
        assert len(c.list_functions("svc")) == 105
        assert len(c.list_aliases("svc")) == 105


def test_rollout_accepts_int_version_and_plain_list() -> None:
    with mock_fc() as fake:
        c = FcClient(ACCOUNT, REGION, "k", "s")
        c.create_service("svc")
        c.create_function("svc", "fn", "python3.10", "i.h")
        fake.register_handler("svc", "fn", lambda event, context: "ok")
        c.publish_version("svc")
        c.update_function("svc", "fn", description="2")
        c.publish_version("svc")
        c.create_alias("svc", "prod", "1")
        result = Rollout(c, "svc", "prod", 2, [50, 100], sleep=lambda s: None).run()  # type: ignore[arg-type]
        assert (result.status, result.history) == ("promoted", [50, 100])
        again = Rollout(c, service="svc", alias="prod", to_version="2", strategy=Steps([50, 100], interval=1),
                        sleep=lambda s: None).run()
        assert again.status == "promoted"  # already there: nothing to do, no write
        assert c.get_alias("svc", "prod").version_id == "2"


def test_rollout_on_a_missing_alias_is_not_found() -> None:
    with mock_fc():
        c = FcClient(ACCOUNT, REGION, "k", "s")
        c.create_service("svc")
        with pytest.raises(NotFoundError):
            Rollout(c, service="svc", alias="prod", to_version="1", sleep=lambda s: None).run()


def test_fake_state_is_per_account_and_region() -> None:
    with mock_fc():
        FcClient("111", "cn-hangzhou", "k", "s").create_service("svc")
        with pytest.raises(NotFoundError):
            FcClient("222", "cn-hangzhou", "k", "s").get_service("svc")
        with pytest.raises(NotFoundError):
            FcClient("111", "cn-beijing", "k", "s").get_service("svc")


def test_models_are_plain_data(fake: Any, client: FcClient) -> None:
    s = client.create_service("svc")
    f = client.create_function("svc", "fn", "python3.10", "i.h")
    v = client.publish_version("svc")
    a = client.create_alias("svc", "prod", v.version_id)
    for model in (s, f, v, a):
        assert model.model_dump()  # pydantic models: dumpable, comparable
        assert model == model.model_copy()
    assert client.get_alias("svc", "prod").version_id == a.version_id


def test_short_test_credentials_do_not_garble_error_messages() -> None:
    c = FcClient(ACCOUNT, REGION, "k", "s")  # created before the mock: the same session is intercepted
    with mock_fc(), pytest.raises(NotFoundError) as info:
        c.get_service("missing")
    assert info.value.message == "service 'missing' does not exist"
    assert "service 'missing' does not exist" in str(info.value)


@pytest.mark.parametrize(("path", "call", "answer"), [
    ("/services/svc/aliases/a", lambda c: c.get_alias("svc", "a"), {"json": {"unexpected": 1}}),
    ("/services/svc/versions", lambda c: c.list_versions("svc"), {"json": {"versions": [{"nope": 1}]}}),
    ("/services/svc", lambda c: c.get_service("svc"), {"body": "<html>not json</html>"}),
    ("/services/svc/versions", lambda c: c.list_versions("svc"), {"json": {"versions": "many"}}),
])
def test_unreadable_answers_are_fc_errors_not_pydantic_ones(path: str, call: Any, answer: dict[str, Any]) -> None:
    c = FcClient(ACCOUNT, REGION, "AKid", "secret", sleep=lambda s: None)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com/2016-08-15{path}", **answer)
        with pytest.raises(FcApiError):
            call(c)


def test_account_id_given_as_a_number() -> None:
    with mock_fc():
        c = FcClient(account_id=1234567890, region=REGION, access_key_id="k",  # type: ignore[arg-type]
                     access_key_secret="s")
        c.create_service("svc")
        assert FcClient(ACCOUNT, REGION, "k", "s").get_service("svc").service_name == "svc"


def test_trigger_kinds_with_source_arn_and_role(fake: Any, client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    client.create_alias(svc, "prod", "1")
    oss = client.create_trigger(svc, "fn", "on-upload", "oss",
                                {"events": ["oss:ObjectCreated:*"], "filter": {"key": {"prefix": "in/", "suffix": ""}}},
                                qualifier="prod", source_arn=f"acs:oss:{REGION}:{ACCOUNT}:bucket",
                                invocation_role=f"acs:ram::{ACCOUNT}:role/fc-oss")
    assert (oss.trigger_type, oss.qualifier, oss.source_arn) == ("oss", "prod", f"acs:oss:{REGION}:{ACCOUNT}:bucket")
    assert oss.invocation_role == f"acs:ram::{ACCOUNT}:role/fc-oss"
    web = client.create_trigger(svc, "fn", "web", "http", '{"authType": "anonymous", "methods": ["GET", "POST"]}',
                                qualifier="prod")
    assert web.trigger_config and web.trigger_config["methods"] == ["GET", "POST"]
    assert sorted(t.name for t in client.list_triggers(svc, "fn")) == ["on-upload", "web"]


@responses.activate
def test_responses_activate_sees_signed_requests() -> None:
    responses.add(responses.POST, f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com/2016-08-15/services/svc/versions",
                  json={"versionId": "7", "description": "d"}, headers={"ETag": "v7", "X-Fc-Request-Id": "r"})
    c = FcClient(ACCOUNT, REGION, "AKvisible", "secret-value")
    assert c.publish_version("svc", description="d").version_id == "7"
    sent = [call.request for call in responses.calls if call.request.method == "POST"]
    assert len(sent) == 1
    assert sent[0].headers["Authorization"].startswith("FC AKvisible:")
    assert json.loads(sent[0].body or b"{}") == {"description": "d"}


def test_publish_with_only_the_publish_stubbed_and_an_ambiguous_failure() -> None:
    url = f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com/2016-08-15/services/svc/versions"
    c = FcClient(ACCOUNT, REGION, "AKid", "secret-value", sleep=lambda s: None)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, url, status=500, json={"ErrorCode": "InternalServerError", "ErrorMessage": "x"})
        with pytest.raises(AmbiguousPublishError):
            c.publish_version("svc")
        assert sum(1 for call in rsps.calls if call.request.method == "POST") == 1  # never resent blindly


@pytest.mark.parametrize("call", [
    lambda c: c.invoke("svc", "fn", qualifier=1),
    lambda c: c.get_function("svc", "fn", qualifier=1),
    lambda c: c.get_service("svc", qualifier=1),
    lambda c: c.create_alias("svc", "a", 1),
    lambda c: c.create_trigger("svc", "fn", "t", "timer", {"cronExpression": "@every 1m", "enable": True},
                               qualifier=1),
    lambda c: c.update_alias("svc", "a", version_id=1),
    lambda c: c.update_service("svc", description="x", if_match=5),
    lambda c: c.get_alias("svc", 5),
    lambda c: c.invoke("svc", None),
    lambda c: c.create_function("svc", "fn2", "python3.10", "i.h", environment_variables={"A": None}),
    lambda c: c.update_alias("svc", "a", additional_version_weight={"2": float("nan")}),
    lambda c: c.invoke("svc", "fn", qualifier=1.5),
    lambda c: c.get_service("svc", qualifier=["1"]),
])
def test_odd_argument_types_never_escape_as_raw_errors(fake: Any, client: FcClient, svc: str, call: Any) -> None:
    client.publish_version(svc)
    with contextlib.suppress(FcinfraError):
        call(client)


def test_numeric_qualifiers_mean_the_version(fake: Any, client: FcClient, svc: str) -> None:
    client.update_function(svc, "fn", memory_size=256)
    client.publish_version(svc)
    client.update_function(svc, "fn", memory_size=512)
    assert client.get_function(svc, "fn", qualifier=1).memory_size == 256  # type: ignore[arg-type]
    assert client.invoke(svc, "fn", qualifier=1).version_id == "1"  # type: ignore[arg-type]
