"""Invocation (headers, function errors, log tail, async, code runner) and triggers (incl. HTTP proxy)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from fcinfra.fake.context import FcContext, FunctionMeta, InvocationOutcome, InvocationSpec, ServiceMeta
from fcinfra.fc import signing


def test_invoke_headers_and_context(seeded: Any) -> None:
    resp = seeded.invoke(payload=b"ping")
    assert resp.status_code == 200
    assert resp.headers["X-Fc-Invocation-Service-Version"] == "LATEST"
    assert "X-Fc-Error-Type" not in resp.headers
    body = resp.json()
    assert body == {"event": "ping", "qualifier": "LATEST", "version": "LATEST", "function": "fn", "service": "svc",
                    "request_id": resp.headers["X-Fc-Request-Id"]}
    assert resp.headers["X-Fc-Code-Checksum"] == seeded.request("GET", "/services/svc/functions/fn").json()[
        "codeChecksum"]


def test_invoke_by_version_number_reports_it(seeded: Any) -> None:
    seeded.publish()
    resp = seeded.invoke("svc.1")
    assert resp.headers["X-Fc-Invocation-Service-Version"] == "1"
    assert resp.json()["qualifier"] == "1" and resp.json()["version"] == "1"


def test_str_bytes_and_dict_results(seeded: Any, fake: Any) -> None:
    seeded.function(name="s")
    seeded.function(name="b")
    fake.register_handler("svc", "s", lambda e, c: "text é")
    fake.register_handler("svc", "b", lambda e, c: b"\x00\x01")
    assert seeded.invoke(fn="s").content == "text é".encode()
    assert seeded.invoke(fn="b").content == b"\x00\x01"
    assert json.loads(seeded.invoke().content)["function"] == "fn"


def test_handler_per_version(seeded: Any, fake: Any) -> None:
    seeded.publish()
    fake.register_handler("svc", "fn", lambda e, c: "v1 code", version="1")
    assert seeded.invoke("svc.1").content == b"v1 code"
    assert seeded.invoke().json()["version"] == "LATEST"


def test_function_error_is_200_with_error_type(seeded: Any, fake: Any) -> None:
    def boom(event: bytes, context: Any) -> str:
        context.logger.info("about to fail")
        raise ValueError("bad input")

    fake.register_handler("svc", "fn", boom)
    resp = seeded.invoke(headers={"X-Fc-Log-Type": "Tail"})
    assert resp.status_code == 200
    assert resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    body = resp.json()
    assert body["errorMessage"] == "bad input" and body["errorType"] == "ValueError"
    assert isinstance(body["stackTrace"], list) and any("boom" in line for line in body["stackTrace"])
    tail = base64.b64decode(resp.headers["X-Fc-Log-Result"]).decode()
    rid = resp.headers["X-Fc-Request-Id"]
    assert f"FC Invoke Start RequestId: {rid}" in tail and "about to fail" in tail and "ValueError" in tail


def test_log_tail_only_when_asked(seeded: Any) -> None:
    assert "X-Fc-Log-Result" not in seeded.invoke().headers
    assert seeded.invoke(headers={"X-Fc-Log-Type": "Tail"}).headers["X-Fc-Log-Result"]
    assert seeded.invoke(headers={"X-Fc-Log-Type": "Everything"}).status_code == 400


def test_async_invocation_answers_202_empty(seeded: Any, fake: Any) -> None:
    seen: list[bytes] = []
    fake.register_handler("svc", "fn", lambda e, c: seen.append(e) or "ignored")
    resp = seeded.invoke(payload=b"job", headers={"X-Fc-Invocation-Type": "Async"})
    assert resp.status_code == 202 and resp.content == b"" and seen == [b"job"]


def test_payload_too_large(seeded: Any, rejects: Any) -> None:
    rejects(lambda: seeded.invoke(payload=b"x" * (128 * 1024 + 1), headers={"X-Fc-Invocation-Type": "Async"}),
            400, "EntityTooLarge")


def test_invoke_missing_things(seeded: Any, rejects: Any) -> None:
    rejects(lambda: seeded.invoke("nope"), 404, "ServiceNotFound")
    rejects(lambda: seeded.invoke(fn="nope"), 404, "FunctionNotFound")
    rejects(lambda: seeded.invoke("svc.5"), 404, "VersionNotFound")
    rejects(lambda: seeded.invoke("svc.prod"), 404, "AliasNotFound")


def test_no_handler_and_no_runner_is_a_clear_function_error(seeded: Any) -> None:
    seeded.function(name="unregistered")
    resp = seeded.invoke(fn="unregistered")
    assert resp.status_code == 200 and resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert "register_handler('svc', 'unregistered'" in resp.json()["errorMessage"]


class RecordingRunner:
    def __init__(self) -> None:
        self.specs: list[InvocationSpec] = []

    def run(self, spec: InvocationSpec) -> InvocationOutcome:
        self.specs.append(spec)
        return InvocationOutcome(payload=b"from runner", log_tail="ran\n", duration_ms=12.0, max_memory_mb=30.5)


def test_code_runner_gets_the_resolved_snapshot(seeded: Any, fake: Any) -> None:
    runner = RecordingRunner()
    fake.code_runner = runner
    code = seeded.make_zip({"index.py": "v1"})
    seeded.function(name="z", code=code, environmentVariables={"K": "V"}, memorySize=256, timeout=7)
    seeded.publish()
    seeded.update_function(name="z", code={"zipFile": base64.b64encode(seeded.make_zip({"index.py": "v2"})).decode()})
    seeded.alias("prod", "1")
    resp = seeded.invoke("svc.prod", fn="z", payload=b"evt", headers={"X-Fc-Log-Type": "Tail"})
    assert resp.content == b"from runner" and resp.headers["X-Fc-Max-Memory-Usage"] == "30.50"
    assert resp.headers["X-Fc-Invocation-Duration"] == "12"
    spec = runner.specs[-1]
    assert spec.code_zip == code and spec.key == ("1234567890", "svc", "1", "z") and spec.want_log_tail
    assert spec.environment_variables == {"K": "V"} and spec.memory_size == 256 and spec.timeout == 7
    assert spec.event == b"evt" and spec.runtime == "python3.10" and spec.handler == "index.handler"
    ctx = FcContext.from_dict(spec.context)
    assert ctx.service.qualifier == "prod" and ctx.service.version_id == "1" and ctx.function.name == "z"
    seeded.function(name="node", runtime="nodejs18")
    assert "nodejs18" in seeded.invoke(fn="node").json()["errorMessage"]


def test_context_round_trips_through_a_dict() -> None:
    ctx = FcContext("rid", FunctionMeta("f", "index.handler", 256, 5), ServiceMeta("s", "prod", "3"))
    again = FcContext.from_dict(json.loads(json.dumps(ctx.to_dict())))
    assert again == ctx and again.function.memory == 256
    assert "secret" not in repr(ctx.credentials).lower()


# ------------------------------------------------------------------------------------------------ triggers
def test_trigger_crud(seeded: Any, rejects: Any) -> None:
    seeded.publish()
    seeded.alias("prod", "1")
    body = {"triggerName": "t", "triggerType": "oss", "sourceArn": "acs:oss:cn-hangzhou:1234567890:bucket",
            "invocationRole": "acs:ram::1:role/r", "qualifier": "prod",
            "triggerConfig": {"events": ["oss:ObjectCreated:*"]}}
    created = seeded.request("POST", "/services/svc/functions/fn/triggers", body)
    assert created.status_code == 200 and created.headers["ETag"]
    t = created.json()
    assert t["qualifier"] == "prod" and t["triggerType"] == "oss" and t["triggerId"]
    rejects(lambda: seeded.request("POST", "/services/svc/functions/fn/triggers", body), 409, "TriggerAlreadyExists")
    upd = seeded.request("PUT", "/services/svc/functions/fn/triggers/t", {"qualifier": "1"})
    assert upd.json()["qualifier"] == "1" and upd.headers["ETag"] != created.headers["ETag"]
    rejects(lambda: seeded.request("PUT", "/services/svc/functions/fn/triggers/t", {"qualifier": "nope"}),
            404, "AliasNotFound")
    rejects(lambda: seeded.request("PUT", "/services/svc/functions/fn/triggers/t", {"qualifier": "5"}),
            404, "VersionNotFound")
    rejects(lambda: seeded.request("PUT", "/services/svc/functions/fn/triggers/t", {"qualifier": "2"},
                                   headers={"If-Match": "old"}), 412, "PreconditionFailed")
    listed = seeded.request("GET", "/services/svc/functions/fn/triggers").json()
    assert [x["triggerName"] for x in listed["triggers"]] == ["t"]
    assert seeded.request("DELETE", "/services/svc/functions/fn/triggers/t").status_code == 204
    rejects(lambda: seeded.request("GET", "/services/svc/functions/fn/triggers/t"), 404, "TriggerNotFound")


def test_trigger_defaults_and_validation(seeded: Any, rejects: Any) -> None:
    t = seeded.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "tm", "triggerType": "timer", "triggerConfig": {"cronExpression": "@every 5m"}})
    assert t["qualifier"] == "LATEST"

    def create(body: dict[str, Any]) -> Any:
        return lambda: seeded.request("POST", "/services/svc/functions/fn/triggers", body)

    rejects(create({"triggerName": "x", "triggerType": "ftp"}), 400, "InvalidArgument")
    rejects(create({"triggerName": "x", "triggerType": "timer", "triggerConfig": {}}), 400, "InvalidArgument")
    rejects(create({"triggerName": "x", "triggerType": "oss", "triggerConfig": {}}), 400, "InvalidArgument")
    rejects(create({"triggerName": "x", "triggerType": "http", "triggerConfig": {"authType": "iam",
                                                                               "methods": ["GET"]}}),
            400, "InvalidArgument")
    rejects(create({"triggerName": "x", "triggerType": "http", "triggerConfig": {"authType": "anonymous",
                                                                               "methods": ["FETCH"]}}),
            400, "InvalidArgument")
    rejects(create({"triggerName": "x", "triggerType": "timer", "qualifier": "prod",
                    "triggerConfig": {"cronExpression": "@every 1m"}}), 404, "AliasNotFound")
    rejects(create({"triggerName": "1x", "triggerType": "timer", "triggerConfig": {"cronExpression": "@every 1m"}}),
            400, "InvalidArgument")


def _http_setup(api: Any, auth: str, fake: Any) -> None:
    def web(event: bytes, context: Any) -> dict[str, Any]:
        req = json.loads(event)
        return {"statusCode": 201, "headers": {"X-App": "yes"},
                "body": json.dumps({"method": req["method"], "path": req["path"], "queries": req["queries"],
                                    "body": base64.b64decode(req["body"]).decode(),
                                    "version": context.service.version_id})}

    fake.register_handler("svc", "fn", web)
    api.publish()
    api.alias("prod", "1")
    api.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "web", "triggerType": "http", "qualifier": "prod",
        "triggerConfig": {"authType": auth, "methods": ["GET", "POST"]}})


def test_http_trigger_anonymous(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "anonymous", fake)
    url = seeded.base + "/2016-08-15/proxy/svc.prod/fn/a/b%20c?x=1&x=2&y="
    resp = seeded.session.post(url, data=b"payload")
    assert resp.status_code == 201 and resp.headers["X-App"] == "yes"
    assert resp.headers["X-Fc-Invocation-Service-Version"] == "1"
    body = resp.json()
    assert body == {"method": "POST", "path": "/a/b c", "queries": {"x": ["1", "2"], "y": ""}, "body": "payload",
                    "version": "1"}
    assert seeded.session.delete(url).json()["ErrorCode"] == "MethodNotAllowed"
    missing = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc/fn/")  # LATEST has no http trigger
    assert (missing.status_code, missing.json()["ErrorCode"]) == (404, "TriggerNotFound")


def test_http_trigger_function_auth_signs_the_query(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "function", fake)
    path = "/2016-08-15/proxy/svc.prod/fn/hello"
    query = urlencode({"q": "1"})
    hdrs = {"Date": signing.http_date(time.time())}
    assert seeded.session.get(seeded.base + path + "?" + query, headers=hdrs).status_code == 400
    unsigned_query = dict(hdrs, Authorization=signing.authorization("AK", "SK", "GET", path, hdrs))
    resp = seeded.session.get(seeded.base + path + "?" + query, headers=unsigned_query)
    assert resp.json()["ErrorCode"] == "SignatureNotMatch"
    signed = dict(hdrs, Authorization=signing.authorization("AK", "SK", "GET", path, hdrs, signing.query_pairs(query)))
    ok = seeded.session.get(seeded.base + path + "?" + query, headers=signed)
    assert ok.status_code == 201 and ok.json()["queries"] == {"q": "1"}


def test_http_trigger_function_error_is_502(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "anonymous", fake)
    fake.register_handler("svc", "fn", lambda e, c: 1 / 0)
    resp = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/")
    assert resp.status_code == 502 and resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"


def test_http_trigger_plain_payload(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "anonymous", fake)
    fake.register_handler("svc", "fn", lambda e, c: "plain")
    resp = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/")
    assert resp.status_code == 200 and resp.content == b"plain"


@pytest.mark.parametrize("qualifier", ["LATEST", "1"])
def test_http_trigger_urls_in_trigger_shape(seeded: Any, qualifier: str) -> None:
    seeded.publish()
    t = seeded.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "w", "triggerType": "http", "qualifier": qualifier,
        "triggerConfig": {"authType": "anonymous", "methods": ["GET"]}})
    assert t["urlInternet"].endswith(f"/2016-08-15/proxy/svc.{qualifier}/fn/")
    assert "-internal.fc.aliyuncs.com" in t["urlIntranet"]


def test_http_trigger_presigned_url(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "function", fake)
    path = "/2016-08-15/proxy/svc.prod/fn/dl"

    def url(expires: int, secret: str = "SK") -> str:
        pairs = [("a", "1"), ("x-fc-access-key-id", "AK"), ("x-fc-expires", str(expires))]
        sig = signing.sign_string(secret, signing.string_to_sign("GET", path, {}, pairs))
        return seeded.base + path + "?" + urlencode([*pairs, ("x-fc-signature", sig)])

    ok = seeded.session.get(url(int(time.time()) + 600))
    assert ok.status_code == 201 and ok.json()["path"] == "/dl"
    assert seeded.session.get(url(int(time.time()) + 600, "bad")).json()["ErrorCode"] == "SignatureNotMatch"
    expired = seeded.session.get(url(int(time.time()) - 1))
    assert (expired.status_code, expired.json()["ErrorCode"]) == (403, "AccessDenied")


def test_invocation_counts_by_resolved_version(seeded: Any, fake: Any) -> None:
    seeded.publish()
    seeded.update_function(description="2")
    seeded.publish()
    seeded.alias("prod", "1", weights={"2": 0.5})
    for _ in range(100):
        seeded.invoke("svc.prod")
    counts = {k[3]: v for k, v in fake.invocation_counts.items() if k[:3] == ("1234567890", "svc", "fn")}
    assert sum(counts.values()) == 100 and set(counts) == {"1", "2"}
    fake.reset()
    assert not fake.invocation_counts
