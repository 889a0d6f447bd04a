"""DESIGN.md contract for ``fcinfra.fake.mock_fc`` and the fake's FC semantics.

The raw-HTTP checks sign with Alibaba's own Python SDK (aliyun-fc2), which sends no ``x-fc-account-id``,
so they also exercise "the account comes from the host name".
"""

from __future__ import annotations

import email.utils
import json
from typing import Any

import fc2.auth
import pytest
import requests

from fcinfra.errors import FcinfraError, NotFoundError
from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient
from tests.contract.conftest import ACCOUNT, AK, REGION, SK, make_client, publish_changed

HOST = f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com"


def raw(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
        host: str = HOST, params: dict[str, str] | None = None) -> requests.Response:
    """A request signed by aliyun-fc2's signer, sent with plain requests (no x-fc-account-id)."""
    full = "/2016-08-15" + path
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    hdrs = {"date": email.utils.formatdate(usegmt=True), "content-type": "application/json"}
    hdrs.update(headers or {})
    hdrs["authorization"] = fc2.auth.Auth(AK, SK, "").sign_request(method, full, hdrs, None)
    return requests.request(method, host + full, headers=hdrs, data=data, params=params, timeout=5)


def error_of(resp: requests.Response) -> tuple[int, str, str]:
    body = resp.json()
    return resp.status_code, body["ErrorCode"], body["ErrorMessage"]


# ---------------------------------------------------------------------------------------- mock_fc


def test_mock_fc_as_context_manager_yields_the_fake() -> None:
    with mock_fc(access_keys={AK: SK}) as fake:
        c = make_client()
        c.create_service("svc")
        c.create_function("svc", "fn", "python3.10", "index.handler")
        fake.register_handler("svc", "fn", lambda event, context: b"ok")
        assert c.invoke("svc", "fn").payload == b"ok"


def test_mock_fc_stops_intercepting_on_exit() -> None:
    with mock_fc(access_keys={AK: SK}):
        make_client().create_service("svc")
    with pytest.raises(FcinfraError):  # nothing listens on 127.0.0.1:9: the request really went out
        make_client(endpoint="http://127.0.0.1:9", sleep=lambda s: None).list_services()


@mock_fc(access_keys={AK: SK})
def decorated() -> list[str]:
    c = make_client()
    c.create_service("svc")
    return [s.service_name for s in c.list_services()]


def test_mock_fc_as_decorator_starts_empty_each_call() -> None:
    assert decorated() == ["svc"]
    assert decorated() == ["svc"]  # a second call would conflict if state leaked


@mock_fc(access_keys={AK: SK})
class TestDecoratedClass:
    def test_inside_a_decorated_class(self) -> None:
        c = make_client()
        c.create_service("svc")
        assert c.get_service("svc").service_name == "svc"


def test_mock_fc_bare_decorator() -> None:
    @mock_fc
    def inner() -> str:
        c = FcClient(ACCOUNT, REGION, "any", "any")
        return c.create_service("svc").service_name

    assert inner() == "svc"


def test_mock_fc_access_keys_are_enforced() -> None:
    with mock_fc(access_keys={AK: SK}):
        c = make_client(access_key_secret="other")
        with pytest.raises(Exception) as info:
            c.list_services()
        assert getattr(info.value, "status", None) == 403


# ------------------------------------------------------------------------------- registered handlers


@pytest.mark.parametrize(("returned", "payload"), [
    (b"\x00raw bytes\xff", b"\x00raw bytes\xff"),
    ("text \u00e9", "text \u00e9".encode()),
    ('{"already": "json"}', b'{"already": "json"}'),
])
def test_handler_str_and_bytes_are_the_payload_verbatim(returned: Any, payload: bytes) -> None:
    with mock_fc(access_keys={AK: SK}) as fake:
        c = make_client()
        c.create_service("svc")
        c.create_function("svc", "fn", "python3.10", "index.handler")
        fake.register_handler("svc", "fn", lambda event, context: returned)
        assert c.invoke("svc", "fn").payload == payload


def test_handler_dict_is_sent_as_json_and_gets_the_event_bytes() -> None:
    seen: list[Any] = []

    def handler(event: bytes, context: Any) -> dict[str, Any]:
        seen.append(event)
        return {"echo": json.loads(event), "n": 1}

    with mock_fc(access_keys={AK: SK}) as fake:
        c = make_client()
        c.create_service("svc")
        c.create_function("svc", "fn", "python3.10", "index.handler")
        fake.register_handler("svc", "fn", handler)
        inv = c.invoke("svc", "fn", payload=b'{"a": [1, 2]}')
    assert json.loads(inv.payload) == {"echo": {"a": [1, 2]}, "n": 1}
    assert seen == [b'{"a": [1, 2]}'] and isinstance(seen[0], bytes)


def test_handler_context_is_shaped_like_fc_python_runtime(client: FcClient, svc: str, fake: Any) -> None:
    contexts: list[Any] = []

    def handler(event: bytes, context: Any) -> str:
        contexts.append(context)
        return "ok"

    fake.register_handler(svc, "fn", handler)
    latest = client.invoke(svc, "fn")
    v1 = client.publish_version(svc).version_id
    publish_changed(client, svc, "b")
    client.create_alias(svc, "prod", v1, additional_version_weight={"2": 0.0})
    via_alias = client.invoke(svc, "fn", qualifier="prod")
    via_version = client.invoke(svc, "fn", qualifier="2")
    c_latest, c_alias, c_version = contexts
    assert c_latest.request_id == latest.request_id
    assert c_alias.request_id == via_alias.request_id and c_version.request_id == via_version.request_id
    for ctx in contexts:
        assert ctx.function.name == "fn"
        assert ctx.service.name == "svc"
    assert (c_latest.service.qualifier, c_latest.service.version_id) == ("LATEST", "LATEST")
    assert (c_alias.service.qualifier, c_alias.service.version_id) == ("prod", "1")
    assert (c_version.service.qualifier, c_version.service.version_id) == ("2", "2")


# ------------------------------------------------------------------------------ FC semantics, raw HTTP


@pytest.fixture
def fc(fake: Any, client: FcClient, svc: str) -> FcClient:
    client.publish_version(svc)
    publish_changed(client, svc, "b")
    return client


def test_account_comes_from_the_host_name(fake: Any) -> None:
    other = f"https://5550009.{REGION}.fc.aliyuncs.com"
    assert raw("POST", "/services", {"serviceName": "mine"}, host=other).status_code == 200
    assert make_client(account_id="5550009").get_service("mine").service_name == "mine"
    with pytest.raises(NotFoundError):
        make_client().get_service("mine")


def test_deleting_latest_is_400_invalid_argument(fc: FcClient) -> None:
    status, code, _ = error_of(raw("DELETE", "/services/svc/versions/LATEST"))
    assert (status, code) == (400, "InvalidArgument")


def test_alias_named_latest_is_400_invalid_argument(fc: FcClient) -> None:
    status, code, _ = error_of(raw("POST", "/services/svc/aliases", {"aliasName": "LATEST", "versionId": "1"}))
    assert (status, code) == (400, "InvalidArgument")
    assert [a.alias_name for a in fc.list_aliases("svc")] == []


def test_publish_with_nothing_changed_is_400_version_publish_error(fc: FcClient) -> None:
    status, code, message = error_of(raw("POST", "/services/svc/versions", {}))
    assert (status, code) == (400, "VersionPublishError")
    assert "No changes were made since last publish" in message


def test_if_match_mismatch_is_412_and_checked_before_the_body(fc: FcClient) -> None:
    alias = fc.create_alias("svc", "prod", "1")
    bad_body = {"versionId": "1", "additionalVersionWeight": {"2": 7.5}}
    status, code, _ = error_of(raw("PUT", "/services/svc/aliases/prod", bad_body, {"if-match": "stale"}))
    assert (status, code) == (412, "PreconditionFailed")
    status, code, _ = error_of(raw("PUT", "/services/svc/aliases/prod", bad_body, {"if-match": alias.etag or ""}))
    assert (status, code) == (400, "InvalidArgument")
    good = raw("PUT", "/services/svc/aliases/prod", {"versionId": "2"}, {"if-match": alias.etag or ""})
    assert good.status_code == 200 and good.headers["ETag"] != alias.etag


@pytest.mark.parametrize(("memory", "ok"), [(100, False), (130, False), (127, False), (32832, False),
                                             (128, True), (192, True), (32768, True)])
def test_memory_size_rule_on_the_wire(fake: Any, client: FcClient, memory: int, ok: bool) -> None:
    client.create_service("svc")
    resp = raw("POST", "/services/svc/functions",
               {"functionName": "fn", "runtime": "python3.10", "handler": "i.h", "memorySize": memory})
    if ok:
        assert resp.status_code == 200 and resp.json()["memorySize"] == memory
    else:
        assert error_of(resp)[:2] == (400, "InvalidArgument")


def test_list_versions_defaults_to_newest_first(fc: FcClient) -> None:
    publish_changed(fc, "svc", "c")
    body = raw("GET", "/services/svc/versions").json()
    assert [v["versionId"] for v in body["versions"]] == ["3", "2", "1"]
    forward = raw("GET", "/services/svc/versions", params={"direction": "FORWARD"}).json()
    assert [v["versionId"] for v in forward["versions"]] == ["1", "2", "3"]


def test_invocation_service_version_header_is_the_resolved_number(fc: FcClient) -> None:
    fc.create_alias("svc", "prod", "1", additional_version_weight={"2": 1.0})
    via_alias = raw("POST", "/services/svc.prod/functions/fn/invocations", b"")
    assert via_alias.headers["X-Fc-Invocation-Service-Version"] == "2"
    assert raw("POST", "/services/svc/functions/fn/invocations", b"").headers[
        "X-Fc-Invocation-Service-Version"] == "LATEST"
    assert raw("POST", "/services/svc.LATEST/functions/fn/invocations", b"").headers[
        "X-Fc-Invocation-Service-Version"] == "LATEST"
    assert raw("POST", "/services/svc.1/functions/fn/invocations", b"").headers[
        "X-Fc-Invocation-Service-Version"] == "1"


def test_update_alias_absent_or_null_weights_keep_and_empty_clears(fc: FcClient) -> None:
    fc.create_alias("svc", "prod", "1", additional_version_weight={"2": 0.3})
    assert raw("PUT", "/services/svc/aliases/prod", {"description": "x"}).json()["additionalVersionWeight"] == {
        "2": 0.3}
    kept = raw("PUT", "/services/svc/aliases/prod", {"versionId": "1", "additionalVersionWeight": None}).json()
    assert kept["additionalVersionWeight"] == {"2": 0.3}
    cleared = raw("PUT", "/services/svc/aliases/prod", {"additionalVersionWeight": {}}).json()
    assert cleared["additionalVersionWeight"] in (None, {})


def test_invoking_an_alias_whose_version_was_deleted_is_404_version_not_found(fc: FcClient) -> None:
    fc.create_alias("svc", "prod", "2")
    assert raw("DELETE", "/services/svc/versions/2").status_code == 204
    status, code, _ = error_of(raw("POST", "/services/svc.prod/functions/fn/invocations", b""))
    assert (status, code) == (404, "VersionNotFound")


def test_alias_additional_version_must_differ_and_be_single(fc: FcClient) -> None:
    resp = raw("POST", "/services/svc/aliases",
               {"aliasName": "a", "versionId": "1", "additionalVersionWeight": {"1": 0.5}})
    assert resp.status_code == 400
    resp = raw("POST", "/services/svc/aliases",
               {"aliasName": "a", "versionId": "1", "additionalVersionWeight": {"2": 1.5}})
    assert resp.status_code == 400
    publish_changed(fc, "svc", "c")
    resp = raw("POST", "/services/svc/aliases",
               {"aliasName": "a", "versionId": "1", "additionalVersionWeight": {"2": 0.1, "3": 0.1}})
    assert resp.status_code == 400
    assert fc.list_aliases("svc") == []


def test_version_ids_never_reused_on_the_wire(fc: FcClient) -> None:
    assert raw("DELETE", "/services/svc/versions/2").status_code == 204
    fc.update_service("svc", description="again")
    assert raw("POST", "/services/svc/versions", {}).json()["versionId"] == "3"


@mock_fc(access_keys={AK: SK})
def test_decorated_test_still_gets_pytest_fixtures(tmp_path: Any) -> None:
    assert tmp_path.exists()
    make_client().create_service("svc")


shared = mock_fc(access_keys={AK: SK})


@shared
def test_decorator_instance_gives_access_to_the_fake() -> None:
    c = make_client()
    c.create_service("svc")
    c.create_function("svc", "fn", "python3.10", "index.handler")
    shared.register_handler("svc", "fn", lambda event, context: {"ok": True})
    assert json.loads(c.invoke("svc", "fn").payload) == {"ok": True}
