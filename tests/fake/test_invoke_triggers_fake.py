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


def web(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A plain WSGI app (PEP 3333), as FC 2.0's Python runtime calls an HTTP function."""
    size = int(environ.get("CONTENT_LENGTH") or 0)
    seen = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"], "query": environ["QUERY_STRING"],
            "body": environ["wsgi.input"].read(size).decode(), "version": environ["fc.context"].service.version_id,
            "request_uri": environ["fc.request_uri"], "x_app": environ.get("HTTP_X_APP"),
            "content_type": environ.get("CONTENT_TYPE"), "protocol": environ["SERVER_PROTOCOL"],
            "wsgi": [environ["wsgi.version"], environ["wsgi.url_scheme"]]}
    start_response("201 Created", [("Content-Type", "application/json"), ("X-App", "yes")])
    return [json.dumps(seen).encode()]


def _http_setup(api: Any, auth: str, fake: Any, app: Any = web) -> None:
    fake.register_handler("svc", "fn", app)
    api.publish()
    api.alias("prod", "1")
    api.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "web", "triggerType": "http", "qualifier": "prod",
        "triggerConfig": {"authType": auth, "methods": ["GET", "POST"]}})


def test_http_trigger_calls_a_wsgi_app(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "anonymous", fake)
    url = seeded.base + "/2016-08-15/proxy/svc.prod/fn/a/b%20c?x=1&x=2&y="
    resp = seeded.session.post(url, data=b"payload", headers={"X-App": "from-client", "Content-Type": "text/plain"})
    assert resp.status_code == 201 and resp.headers["X-App"] == "yes"
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["X-Fc-Invocation-Service-Version"] == "1" and resp.headers["X-Fc-Request-Id"]
    assert resp.headers["Content-Disposition"] == "attachment"  # FC adds it on its default domain
    assert resp.json() == {"method": "POST", "path": "/a/b c", "query": "x=1&x=2&y=", "body": "payload",
                           "version": "1", "request_uri": "/2016-08-15/proxy/svc.prod/fn/a/b%20c?x=1&x=2&y=",
                           "x_app": "from-client", "content_type": "text/plain", "protocol": "HTTP/1.1",
                           "wsgi": [[1, 0], "https"]}
    assert seeded.session.delete(url).json()["ErrorCode"] == "MethodNotAllowed"
    missing = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc/fn/")  # LATEST has no http trigger
    assert (missing.status_code, missing.json()["ErrorCode"]) == (404, "TriggerNotFound")


def test_wsgi_environ_has_fc_context_and_pep_3333_keys(seeded: Any, fake: Any) -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("200 OK", [])
        return [b""]

    _http_setup(seeded, "anonymous", fake, app)
    assert seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/").status_code == 200
    required = {"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT",
                "SERVER_PROTOCOL", "CONTENT_LENGTH", "REMOTE_ADDR", "wsgi.version", "wsgi.url_scheme", "wsgi.input",
                "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once", "fc.context",
                "fc.request_uri"}
    assert required <= set(seen)
    context = seen["fc.context"]
    assert (context.function.name, context.service.qualifier, context.service.version_id) == ("fn", "prod", "1")
    assert context.request_id and seen["PATH_INFO"] == "/" and seen["QUERY_STRING"] == ""
    assert seen["SERVER_NAME"] == "1234567890.cn-hangzhou.fc.aliyuncs.com" and seen["SERVER_PORT"] == "443"


def test_wsgi_write_callable_close_and_repeated_headers(seeded: Any, fake: Any) -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Any:
            return iter([b"b", b"c"])

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        write = start_response("404 Not Found", [("X-Many", "1"), ("x-many", "2")])
        write(b"a")
        return Body()

    _http_setup(seeded, "anonymous", fake, app)
    resp = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/")
    assert (resp.status_code, resp.content, resp.headers["X-Many"], closed) == (404, b"abc", "1, 2", [True])


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
    assert ok.status_code == 201 and ok.json()["query"] == "q=1" and ok.json()["path"] == "/hello"


def test_http_trigger_function_error_is_502(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "anonymous", fake)
    fake.register_handler("svc", "fn", lambda environ, start_response: 1 / 0)
    resp = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/")
    assert resp.status_code == 502 and resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert resp.json()["errorType"] == "ZeroDivisionError"


def test_an_event_handler_behind_an_http_trigger_is_a_function_error(seeded: Any, fake: Any) -> None:
    """Misuse, one way: FC 2.0 calls a function behind an HTTP trigger as WSGI; an event handler's answer is not
    a WSGI answer, so the caller gets the function error (502), not the event payload."""
    _http_setup(seeded, "anonymous", fake, lambda event, context: "plain")
    resp = seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/")
    assert resp.status_code == 502 and resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    body = resp.json()
    assert body["errorType"] == "TypeError" and "WSGI app" in body["errorMessage"]
    assert b"plain" not in resp.content


def test_invoke_function_on_an_http_function_is_refused(seeded: Any, fake: Any) -> None:
    """Misuse, the other way: FC 2.0 answers InvokeFunction on a function with an HTTP trigger with
    400 InvalidArgument, whatever the qualifier, and runs nothing."""
    _http_setup(seeded, "anonymous", fake)
    before = sum(fake.invocation_counts.values())
    for qualifier in ("svc.prod", "svc.1", "svc"):
        resp = seeded.invoke(qualifier)
        assert (resp.status_code, resp.json()["ErrorCode"]) == (400, "InvalidArgument")
        assert resp.json()["ErrorMessage"] == ("Function with http trigger(name: web) can only be invoked with "
                                               "http trigger URL")
    assert sum(fake.invocation_counts.values()) == before
    seeded.ok("DELETE", "/services/svc/functions/fn/triggers/web")
    assert seeded.invoke("svc.prod").status_code == 200  # no HTTP trigger left: an event function again


def test_alias_weights_route_http_trigger_requests(seeded: Any, fake: Any) -> None:
    _http_setup(seeded, "anonymous", fake)
    seeded.update_function(description="2")
    assert seeded.publish() == "2"
    seeded.ok("PUT", "/services/svc/aliases/prod", {"versionId": "1", "additionalVersionWeight": {"2": 0.3}})
    versions = [seeded.session.get(seeded.base + "/2016-08-15/proxy/svc.prod/fn/").json()["version"]
                for _ in range(400)]
    assert set(versions) == {"1", "2"} and 0.2 < versions.count("2") / 400 < 0.4


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
    assert "x-fc-signature=" in ok.json()["query"]  # the app sees the query it was called with
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
