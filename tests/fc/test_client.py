"""FcClient behaviour beyond the fixtures: endpoints, validation before sending, retries, pagination,
ETags, invocation, hooks."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from fcinfra.errors import (
    ConfigurationError,
    FcApiError,
    FcConnectionError,
    InvalidArgumentError,
    NotFoundError,
    PreconditionFailedError,
    ServerError,
    ThrottledError,
)
from fcinfra.fc import FcClient, RequestEvent, RetryPolicy
from fcinfra.fc.signing import verify

API = "https://1234567890.cn-hangzhou.fc.aliyuncs.com/2016-08-15"
ALIAS = {"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {}}


def err(code: str, status: int) -> dict[str, Any]:
    return {"json": {"ErrorCode": code, "ErrorMessage": code}, "status": status}


# ------------------------------------------------------------------------------------------ endpoint


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "https://1234567890.cn-hangzhou.fc.aliyuncs.com"),
        ({"internal": True}, "https://1234567890.cn-hangzhou-internal.fc.aliyuncs.com"),
        ({"endpoint": "127.0.0.1:9000"}, "https://127.0.0.1:9000"),
        ({"endpoint": "http://127.0.0.1:9000/"}, "http://127.0.0.1:9000"),
    ],
)
def test_endpoint(kwargs: dict[str, Any], expected: str) -> None:
    assert FcClient("1234567890", "cn-hangzhou", "AK", "SK", **kwargs).endpoint == expected


def test_missing_settings_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError):
        FcClient(None, "cn-hangzhou", "AK", "SK")
    with pytest.raises(ConfigurationError):
        FcClient("1", "cn-hangzhou", "AK", "")


def test_from_env_reads_alibaba_then_alicloud_names() -> None:
    env = {
        "ALICLOUD_ACCESS_KEY": "AK2",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "SK",
        "ALICLOUD_ACCOUNT_ID": "42",
        "ALIBABA_CLOUD_REGION": "cn-shanghai",
    }
    c = FcClient.from_env(env=env)
    assert c.endpoint == "https://42.cn-shanghai.fc.aliyuncs.com"
    c = FcClient.from_env(env={**env, "FC_ENDPOINT": "http://127.0.0.1:1"})
    assert c.endpoint == "http://127.0.0.1:1"
    with pytest.raises(ConfigurationError):  # no keys, and nothing else in the chain (no HOME files, no ECS)
        FcClient.from_env(env={"ALIBABA_CLOUD_REGION": "cn-hangzhou", "HOME": "/nonexistent",
                               "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})


def test_from_settings_is_the_one_factory(tmp_path: Any) -> None:
    from fcinfra.config import Settings

    bundle = tmp_path / "ca.pem"
    bundle.write_text("not read until a request is sent")
    settings = Settings("42", "cn-shanghai", "AK", "SK", "TOK", None, str(bundle))
    c = FcClient.from_settings(settings, timeout=1.0)
    assert (c.endpoint, c.verify) == ("https://42.cn-shanghai.fc.aliyuncs.com", str(bundle))
    assert c.credentials.get().security_token == "TOK"
    assert FcClient.from_settings(settings, verify=False).verify is False  # an explicit verify wins
    with pytest.raises(ConfigurationError, match="access key secret"):
        FcClient.from_settings(Settings("42", "cn-shanghai", "AK"))


def test_security_token_is_sent_and_signed(rsps: responses.RequestsMock) -> None:
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", security_token="TOKEN")
    rsps.get(f"{API}/services/demo/aliases/prod", json=ALIAS)
    c.get_alias("demo", "prod")
    sent = rsps.calls[0].request
    assert sent.headers["x-fc-security-token"] == "TOKEN"
    signature = sent.headers["Authorization"].split(":", 1)[1]
    assert verify("SK", signature, "GET", "/2016-08-15/services/demo/aliases/prod", dict(sent.headers))
    headers_without_token = {k: v for k, v in sent.headers.items() if k != "x-fc-security-token"}
    assert not verify("SK", signature, "GET", "/2016-08-15/services/demo/aliases/prod", headers_without_token)


def test_session_headers_and_proxies_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = requests.Session()
    session.headers["User-Agent"] = "my-tool/1.0"
    seen: list[Any] = []
    real_send = session.send

    def spy(request: Any, **kwargs: Any) -> Any:
        seen.append((request.headers["User-Agent"], kwargs.get("proxies")))
        return real_send(request, **kwargs)

    monkeypatch.setattr(session, "send", spy)
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", session=session)
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/services/demo/aliases/prod", json=ALIAS)
        c.get_alias("demo", "prod")
    assert seen[0][0] == "my-tool/1.0"
    assert seen[0][1].get("https") == "http://proxy.invalid:3128"


def test_one_session_is_reused(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/services/demo/aliases/prod", json=ALIAS)
    session = client.session
    client.get_alias("demo", "prod")
    client.get_alias("demo", "prod")
    assert client.session is session and len(rsps.calls) == 2


def test_timeout_is_passed_to_the_session() -> None:
    seen: list[Any] = []

    class Spy(requests.Session):
        def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            seen.append(kwargs["timeout"])
            return super().send(request, **kwargs)

    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", session=Spy(), timeout=(1.0, 2.0))
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/services/demo/aliases/prod", json=ALIAS)
        rsps.post(f"{API}/services/demo/functions/fn/invocations", body=b"ok")
        c.get_alias("demo", "prod")
        c.invoke("demo", "fn", b"", timeout=30)
    assert seen == [(1.0, 2.0), 30]


# ---------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.create_service(""),
        lambda c: c.create_service("x" * 129),
        lambda c: c.create_service("1svc"),
        lambda c: c.create_service("svc", unknown_field=1),
        lambda c: c.create_function("svc", "fn", "python3.10", "index.handler", memory_size=100),
        lambda c: c.create_alias("svc", "LATEST", "1"),
        lambda c: c.create_alias("svc", "prod", "1", additional_version_weight={"2": 1.5}),
        lambda c: c.create_alias("svc", "prod", "1", additional_version_weight={"2": 0.1, "3": 0.1}),
        lambda c: c.create_alias("svc", "prod", "1", additional_version_weight={"1": 0.1}),
        lambda c: c.update_alias("svc", "prod", version_id="abc"),
        lambda c: c.update_alias("svc", "prod", additional_version_weight={"2": -0.1}),
        lambda c: c.delete_version("svc", "LATEST"),
        lambda c: c.get_alias("svc/../x", "prod"),
        lambda c: c.create_trigger("svc", "fn", "t", "nope", {}),
        lambda c: c.create_trigger("svc", "fn", "t", "http", "{not json"),
        lambda c: c.invoke("svc", "fn", object()),
        lambda c: c.update_alias("svc", "prod", additional_version_weight="abc"),
        lambda c: c.create_alias("svc", "prod", "1", additional_version_weight=[("2", 0.1)]),
        lambda c: c.create_function("svc", "fn", "python3.10", "i.h", environment_variables=["A=1"]),
        lambda c: c.update_function("svc", "fn", environment_variables={"A": 1}),
        lambda c: c.create_service(123),
        lambda c: c.get_function("svc", None),
        lambda c: c.invoke("svc", "fn", qualifier="bad qualifier"),
        lambda c: c.invoke("svc", "fn", log_type="Everything"),
    ],
)
def test_bad_input_raises_before_sending(client: FcClient, rsps: responses.RequestsMock, call: Any) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        call(client)
    assert isinstance(info.value, ValueError)
    assert "pydantic" not in str(info.value).lower()
    assert len(rsps.calls) == 0


def test_validation_message_names_the_problem(client: FcClient) -> None:
    with pytest.raises(InvalidArgumentError, match=r"within \[0, 1\]"):
        client.create_alias("svc", "prod", "1", additional_version_weight={"2": 2})
    with pytest.raises(InvalidArgumentError, match="LATEST"):
        client.create_alias("svc", "LATEST", "1")


# ------------------------------------------------------------------------------------------- aliases


def test_update_alias_none_keeps_weights_and_empty_dict_clears(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.put(f"{API}/services/demo/aliases/prod", json=ALIAS, headers={"ETag": "e2"})
    client.update_alias("demo", "prod", version_id="2")
    client.update_alias("demo", "prod", additional_version_weight={})
    client.update_alias("demo", "prod", additional_version_weight={"3": 0.25}, if_match="e1")
    bodies = [json.loads(call.request.body) for call in rsps.calls]
    assert bodies == [{"versionId": "2"}, {"additionalVersionWeight": {}}, {"additionalVersionWeight": {"3": 0.25}}]
    assert "If-Match" not in rsps.calls[0].request.headers
    assert rsps.calls[2].request.headers["If-Match"] == "e1"


def test_etag_comes_from_the_header(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/services/demo/aliases/prod", json=ALIAS, headers={"ETag": "abc"})
    assert client.get_alias("demo", "prod").etag == "abc"


def test_unreadable_answer_is_an_fc_error_not_pydantic(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/services/demo/aliases/prod", json={"unexpected": True})
    with pytest.raises(FcApiError, match="InvalidResponse"):
        client.get_alias("demo", "prod")


# ---------------------------------------------------------------------------------------- pagination


def test_lists_follow_next_token_to_the_end(client: FcClient, rsps: responses.RequestsMock) -> None:
    url = f"{API}/services/demo/aliases"
    page1 = {"aliases": [{**ALIAS, "aliasName": "a"}], "nextToken": "b"}
    page2 = {"aliases": [{**ALIAS, "aliasName": "b"}], "nextToken": "c"}
    page3 = {"aliases": [{**ALIAS, "aliasName": "c"}]}
    rsps.get(url, json=page1, match=[matchers.query_param_matcher({"limit": "100"})])
    rsps.get(url, json=page2, match=[matchers.query_param_matcher({"limit": "100", "nextToken": "b"})])
    rsps.get(url, json=page3, match=[matchers.query_param_matcher({"limit": "100", "nextToken": "c"})])
    assert [a.name for a in client.list_aliases("demo")] == ["a", "b", "c"]
    assert client.calls["ListAliases"] == 3


def test_list_versions_is_newest_first(client: FcClient, rsps: responses.RequestsMock) -> None:
    url = f"{API}/services/demo/versions"
    rsps.get(url, json={"versions": [{"versionId": "9"}, {"versionId": "10"}], "nextToken": "x"},
             match=[matchers.query_param_matcher({"limit": "100", "direction": "BACKWARD"})])
    rsps.get(url, json={"versions": [{"versionId": "2"}]},
             match=[matchers.query_param_matcher({"limit": "100", "direction": "BACKWARD", "nextToken": "x"})])
    assert [v.version_id for v in client.list_versions("demo")] == ["10", "9", "2"]


def test_a_repeated_next_token_does_not_loop_forever(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/services/demo/aliases", json={"aliases": [ALIAS], "nextToken": "same"})
    with pytest.raises(FcApiError, match="repeated nextToken"):
        client.list_aliases("demo")


# ------------------------------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    "failure",
    [
        err("ResourceThrottled", 503),
        err("ResourceExhausted", 429),
        err("InternalServerError", 500),
        {"body": requests.exceptions.ConnectionError("connection reset by peer")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
    ],
)
def test_idempotent_calls_are_retried(client: FcClient, rsps: responses.RequestsMock, sleeps: list[float],
                                      failure: dict[str, Any]) -> None:
    url = f"{API}/services/demo/aliases/prod"
    rsps.get(url, **failure)
    rsps.get(url, **failure)
    rsps.get(url, json=ALIAS)
    assert client.get_alias("demo", "prod").version_id == "1"
    assert len(rsps.calls) == 3
    assert len(sleeps) == 2 and 0 < sleeps[0] < sleeps[1]


def test_retries_give_up_with_the_last_error(client: FcClient, rsps: responses.RequestsMock,
                                             sleeps: list[float]) -> None:
    rsps.get(f"{API}/services/demo/aliases/prod", **err("InternalServerError", 500))
    with pytest.raises(ServerError):
        client.get_alias("demo", "prod")
    assert len(rsps.calls) == client.retry_policy.attempts == 4
    assert all(s <= client.retry_policy.max_wait + client.retry_policy.jitter for s in sleeps)


def test_errors_that_will_not_change_are_not_retried(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(f"{API}/services/demo/aliases/prod", **err("AliasNotFound", 404))
    with pytest.raises(NotFoundError):
        client.get_alias("demo", "prod")
    assert len(rsps.calls) == 1


def test_creates_are_not_resent_after_an_ambiguous_failure(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.post(f"{API}/services/demo/aliases", **err("InternalServerError", 500))
    with pytest.raises(ServerError):
        client.create_alias("demo", "prod", "1")
    assert len(rsps.calls) == 1


def test_creates_are_resent_when_throttled(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.post(f"{API}/services/demo/aliases", **err("ResourceExhausted", 429))
    rsps.post(f"{API}/services/demo/aliases", json=ALIAS)
    assert client.create_alias("demo", "prod", "1").name == "prod"


def test_invoke_is_not_resent_after_the_function_may_have_run(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.post(f"{API}/services/demo/functions/fn/invocations", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(FcConnectionError):
        client.invoke("demo", "fn")
    assert len(rsps.calls) == 1


def test_no_retry_policy(rsps: responses.RequestsMock) -> None:
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", retry_policy=RetryPolicy.none())
    rsps.get(f"{API}/services/demo/aliases/prod", **err("ResourceThrottled", 503))
    with pytest.raises(ThrottledError):
        c.get_alias("demo", "prod")
    assert len(rsps.calls) == 1


# ---------------------------------------------------------------------------------------- invocation


def test_invoke_reports_function_errors_without_raising(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.post(f"{API}/services/demo.prod/functions/fn/invocations", json={"errorMessage": "boom"},
              headers={"X-Fc-Error-Type": "HandledInvocationError", "X-Fc-Invocation-Service-Version": "3"})
    result = client.invoke("demo", "fn", {"a": 1}, qualifier="prod")
    assert not result.ok and result.error_type == "HandledInvocationError" and result.version_id == "3"
    assert json.loads(rsps.calls[0].request.body) == {"a": 1}


def test_invoke_raises_api_errors(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.post(f"{API}/services/demo.prod/functions/fn/invocations", **err("VersionNotFound", 404))
    with pytest.raises(NotFoundError, match="VersionNotFound"):
        client.invoke("demo", "fn", qualifier="prod")


def test_http_trigger_request_is_signed_with_the_query(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.post(f"{API}/proxy/demo.prod/fn/a/b", body=b"hi", status=500)
    resp = client.http_trigger_request("demo", "prod", "fn", "/a/b", "POST", body="x", query={"q": "1"})
    assert resp.status_code == 500 and resp.body == b"hi" and not resp.ok
    assert resp.headers["content-type"] == resp.headers["Content-Type"]
    sent = rsps.calls[0].request
    signature = sent.headers["Authorization"].split(":", 1)[1]
    path = "/2016-08-15/proxy/demo.prod/fn/a/b"
    assert verify("SK", signature, "POST", path, dict(sent.headers), [("q", "1")])
    assert not verify("SK", signature, "POST", path, dict(sent.headers), [])


# -------------------------------------------------------------------------------------------- hooks


def test_on_request_hook_and_call_counter(rsps: responses.RequestsMock) -> None:
    events: list[RequestEvent] = []
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", on_request=events.append, sleep=lambda s: None)
    rsps.get(f"{API}/services/demo/aliases/prod", **err("ResourceThrottled", 503))
    rsps.get(f"{API}/services/demo/aliases/prod", json=ALIAS)
    rsps.put(f"{API}/services/demo/aliases/prod", json=ALIAS)
    c.get_alias("demo", "prod")
    c.update_alias("demo", "prod", version_id="1")
    assert [(e.operation, e.status) for e in events] == [("GetAlias", 503), ("GetAlias", 200), ("UpdateAlias", 200)]
    assert c.calls == {"GetAlias": 2, "UpdateAlias": 1}


# ------------------------------------------------------------------ writes whose first answer was lost


def test_delete_whose_answer_was_lost_is_done_when_the_retry_finds_nothing(
    client: FcClient, rsps: responses.RequestsMock
) -> None:
    url = f"{API}/services/demo/aliases/prod"
    rsps.delete(url, body=requests.exceptions.ConnectionError("connection aborted"))
    rsps.delete(url, **err("AliasNotFound", 404))
    client.delete_alias("demo", "prod")  # no error: the first attempt did it
    assert len(rsps.calls) == 2


def test_delete_of_something_missing_is_still_not_found(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.delete(f"{API}/services/demo/versions/3", **err("VersionNotFound", 404))
    with pytest.raises(NotFoundError):
        client.delete_version("demo", "3")


@pytest.mark.parametrize(("current_version", "recovered"), [("2", True), ("9", False)])
def test_conditional_update_whose_answer_was_lost(
    client: FcClient, rsps: responses.RequestsMock, current_version: str, recovered: bool
) -> None:
    url = f"{API}/services/demo/aliases/prod"
    rsps.put(url, **err("InternalServerError", 500))  # applied, but the answer says otherwise
    rsps.put(url, **err("PreconditionFailed", 412))  # the ETag moved: by us, or by someone else?
    rsps.get(url, json={**ALIAS, "versionId": current_version, "additionalVersionWeight": {"3": 0.1}})
    if recovered:
        alias = client.update_alias("demo", "prod", version_id="2", additional_version_weight={"3": 0.1},
                                    if_match="e1")
        assert alias.version_id == "2"
    else:
        with pytest.raises(PreconditionFailedError):
            client.update_alias("demo", "prod", version_id="2", additional_version_weight={"3": 0.1}, if_match="e1")
    assert [c.request.method for c in rsps.calls] == ["PUT", "PUT", "GET"]


def test_a_first_412_is_never_second_guessed(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.put(f"{API}/services/demo/aliases/prod", **err("PreconditionFailed", 412))
    with pytest.raises(PreconditionFailedError):
        client.update_alias("demo", "prod", version_id="1", if_match="old")
    assert len(rsps.calls) == 1


def test_a_refused_connection_is_safe_to_retry_even_for_creates() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", endpoint=f"http://127.0.0.1:{port}",
                 sleep=lambda s: None, timeout=(0.5, 0.5), retry_policy=RetryPolicy(attempts=3))
    with pytest.raises(FcConnectionError) as info:
        c.create_alias("demo", "prod", "1")
    assert type(info.value).__name__ == "ConnectionNotEstablished"
    assert c.calls["CreateAlias"] == 3
