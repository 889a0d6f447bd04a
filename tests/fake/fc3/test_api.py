"""The FC 3.0 fake's API edge: HTTP-trigger URLs served with FC 3.0's convention, both signature schemes."""

from __future__ import annotations

import json
import random
import time
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from fcinfra.fake.backend import Ids
from fcinfra.fake.fc3.api import Fc3Api
from fcinfra.fake.fc3.backend import Fc3Backend
from fcinfra.fake.messages import FakeRequest
from fcinfra.fc3.models import (
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateTriggerRequest,
    PublishVersionRequest,
    UpdateFunctionRequest,
)


@pytest.fixture
def api() -> Fc3Api:
    backend = Fc3Backend("123", "cn-hangzhou", Ids(seed=2), random.Random(2))
    fake = Fc3Api(backend, access_keys={"ak": "sk"})
    backend.create_function(CreateFunctionRequest(function_name="fn", runtime="python3.10", handler="index.handler"))
    backend.publish_version("fn", PublishVersionRequest())
    backend.update_function("fn", UpdateFunctionRequest(memory_size=256))
    backend.publish_version("fn", PublishVersionRequest())
    backend.create_alias("fn", CreateAliasRequest(alias_name="prod", version_id="1"))
    return fake


def Fc3Request(
    method: str,
    path: str,
    query: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    host: str = "",
    scheme: str = "https",
) -> FakeRequest:
    """A request as the fake sees it (raw path, raw query string)."""
    return FakeRequest(method, path, urlencode(query or []), headers or {}, body, host, scheme)


def _at(url: str, method: str = "GET", query: list[tuple[str, str]] | None = None) -> FakeRequest:
    """A request to ``url`` as the server sees it (host, scheme, raw path)."""
    parts = urlsplit(url)
    return Fc3Request(method, parts.path or "/", query, host=parts.netloc, scheme=parts.scheme)


def _trigger(api: Fc3Api, config: dict[str, Any]) -> str:
    wire = api.backend.create_trigger(
        "fn", CreateTriggerRequest(trigger_name="web", trigger_type="http", trigger_config=json.dumps(config),
                                   qualifier="prod")
    )
    return str(wire["httpTrigger"]["urlInternet"])


def test_trigger_url_runs_the_alias_version_with_the_fc3_event(api: Fc3Api) -> None:
    def handler(event: bytes, context: Any) -> dict[str, Any]:
        data = json.loads(event)
        return {"statusCode": 201, "headers": {"x-seen": data["requestContext"]["http"]["path"]},
                "body": f"v{context.service.version_id} {data['queryParameters']}"}

    api.register_handler("fn", handler)
    url = _trigger(api, {"authType": "anonymous", "methods": ["GET"]})
    answer = api.handle_http_trigger(_at(url + "/x/y", query=[("a", "1")]))
    assert answer.status == 201 and answer.headers["x-seen"] == "/x/y"
    assert answer.body == b"v1 {'a': '1'}" and answer.headers["x-fc-invocation-service-version"] == "1"
    refused = api.handle_http_trigger(_at(url, "POST"))
    assert refused.status == 405
    assert api.handle_http_trigger(_at("https://nope.cn-hangzhou.fcapp.run")).status == 404
    intranet = api.backend.get_trigger("fn", "web")["httpTrigger"]["urlIntranet"]
    assert "-vpc.fcapp.run" in intranet and api.handle_http_trigger(_at(intranet + "/x/y")).status == 201


def test_function_auth_needs_a_signature_and_errors_are_502(api: Fc3Api) -> None:
    def boom(event: bytes, context: Any) -> None:
        raise ValueError("bad")

    api.register_handler("fn", boom)
    url = _trigger(api, {"authType": "function", "methods": ["GET"]})
    unsigned = api.handle_http_trigger(_at(url))
    assert unsigned.status == 403
    anonymous_url = url
    api.backend.functions["fn"].triggers["web"].config["authType"] = "anonymous"
    failed = api.handle_http_trigger(_at(anonymous_url))
    assert failed.status == 502 and failed.headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(failed.body)["errorMessage"] == "bad"


def test_the_api_accepts_the_alicloud_providers_legacy_signature(api: Fc3Api) -> None:
    from fcinfra.fc3 import signing

    headers = {"accept": "application/json", "date": formatdate(time.time(), usegmt=True),
               "x-acs-signature-method": "HMAC-SHA1", "x-acs-signature-nonce": "n1",
               "x-acs-signature-version": "1.0", "x-acs-version": "2023-03-30"}
    path = "/2023-03-30/functions/fn"
    signed = {**headers, "authorization": signing.roa_authorization("ak", "sk", "GET", path, [("qualifier", "1")],
                                                                     headers)}
    answer = api.handle(Fc3Request("GET", path, [("qualifier", "1")], signed))
    assert answer.status == 200 and answer.json()["memorySize"] == 128
    forged = {**signed, "authorization": signing.roa_authorization("ak", "other", "GET", path, [], headers)}
    refused = api.handle(Fc3Request("GET", path, [("qualifier", "1")], forged))
    assert refused.status == 403 and refused.json()["Code"] == "SignatureNotMatch"
    unknown = {**signed, "authorization": signing.roa_authorization("nobody", "sk", "GET", path, [], headers)}
    assert api.handle(Fc3Request("GET", path, [], unknown)).json()["Code"] == "InvalidAccessKeyID"
    assert api.handle(Fc3Request("GET", path)).status == 403
    stale = {**headers, "date": "Wed, 01 May 2024 12:00:00 GMT"}
    stale["authorization"] = signing.roa_authorization("ak", "sk", "GET", path, [], stale)
    skewed = api.handle(Fc3Request("GET", path, [], stale))
    assert skewed.status == 403 and skewed.json()["Code"] == "RequestTimeTooSkewed"


def test_the_host_names_the_account_and_region() -> None:
    from fcinfra.fake.fc3.api import account_region

    assert account_region("1234.cn-shanghai.fc.aliyuncs.com") == ("1234", "cn-shanghai")
    assert account_region("1234.cn-shanghai-internal.fc.aliyuncs.com:443") == ("1234", "cn-shanghai")
    assert account_region("fcv3.ap-southeast-1.aliyuncs.com") == (None, "ap-southeast-1")
    assert account_region("fc.me-east-1.aliyuncs.com") == (None, "me-east-1")
    assert account_region("cn-beijing.fc.aliyuncs.com") == (None, "cn-beijing")
    assert account_region("127.0.0.1:9000") == (None, None)
    fake = Fc3Api(seed=1)
    body = json.dumps({"functionName": "fn", "runtime": "python3.10", "handler": "i.h"}).encode()
    auth = {"authorization": "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=00"}
    host = "fcv3.cn-shanghai.aliyuncs.com"
    created = fake.handle(Fc3Request("POST", "/2023-03-30/functions", [], auth, body, host=host))
    assert created.status == 200 and created.json()["functionArn"] == "acs:fc:cn-shanghai:1234567890:functions/fn"
    assert set(fake.backend_for(region="cn-shanghai").functions) == {"fn"} and not fake.backend.functions


def test_shared_faults_answer_in_fc3_shape(api: Fc3Api) -> None:
    from fcinfra.fake.faults import DropConnection, FaultInjector

    faults = FaultInjector(seed=1)
    api.faults = faults
    api.access_keys = None
    auth = {"authorization": "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=00"}
    faults.set("GetAlias", error=1.0)
    answer = api.handle(Fc3Request("GET", "/2023-03-30/functions/fn/aliases/prod", [], auth))
    assert answer.status == 500 and answer.json()["Code"] == "InternalServerError" and answer.json()["RequestId"]
    assert api.handle(Fc3Request("GET", "/2023-03-30/functions/fn", [], auth)).status == 200  # other operations
    faults.set("GetAlias", drop=1.0)
    with pytest.raises(DropConnection):
        api.handle(Fc3Request("GET", "/2023-03-30/functions/fn/aliases/prod", [], auth))
    unsigned = api.handle(Fc3Request("GET", "/2023-03-30/functions/fn"))
    assert unsigned.status == 403  # no key check without access_keys, but a signature is still required


def test_state_round_trips_and_a_bad_dump_changes_nothing(api: Fc3Api) -> None:
    url = _trigger(api, {"authType": "anonymous", "methods": ["GET"]})
    dump = json.loads(json.dumps(api.dump_state()))
    copy = Fc3Api(seed=5)
    copy.load_state(dump)
    loaded = copy.backend_for("123", "cn-hangzhou")
    restored = loaded.functions["fn"]
    assert sorted(restored.versions) == [1, 2] and restored.next_version == 3
    assert restored.aliases["prod"].version_id == "1" and url.startswith(f"https://{restored.triggers['web'].domain_prefix}.")
    assert loaded.resolve("fn", "1").code == api.backend.resolve("fn", "1").code
    with pytest.raises(ValueError):
        copy.load_state({"regions": [{"account": "1", "region": "r", "functions": [{"name": "broken"}]}]})
    assert "fn" in copy.backend_for("123", "cn-hangzhou").functions


def test_trigger_urls_point_at_the_server_the_api_was_reached_at(api: Fc3Api) -> None:
    """On the emulator (a loopback host) the reported URL is the emulator's own, and it serves the trigger."""
    api.register_handler("fn", lambda event, ctx: f"v{ctx.service.version_id}")
    api.access_keys = None
    auth = {"authorization": "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=00"}
    body = json.dumps({"triggerName": "web", "triggerType": "http", "qualifier": "prod",
                       "triggerConfig": json.dumps({"authType": "anonymous", "methods": ["GET"]})}).encode()
    created = api.handle(Fc3Request("POST", "/2023-03-30/functions/fn/triggers", [], auth, body,
                                    host="127.0.0.1:9000", scheme="http"))
    url = created.json()["httpTrigger"]["urlInternet"]
    assert url.startswith("http://127.0.0.1:9000/fcapp/")
    assert api.handle_http_trigger(_at(url + "/hi")).body == b"v1"
    on_fc = api.handle(Fc3Request("GET", "/2023-03-30/functions/fn/triggers/web", [], auth,
                                  host="123.cn-hangzhou.fc.aliyuncs.com"))
    assert on_fc.json()["httpTrigger"]["urlInternet"].endswith(".cn-hangzhou.fcapp.run")


def test_fc3_invocations_are_recorded_where_fc3_records_them() -> None:
    """Issue 14 on FC 3.0: API and HTTP-trigger calls write request-metric rows to the logstore of the function's
    ``logConfig`` (topic ``FCRequestMetrics:/fn``, no serviceName), count in ``acs_fc`` under FC 3.0's dimensions
    (region and function) and in ``/metrics``, each with the version that served it."""
    import requests

    from fcinfra.fake import mock_fc
    from fcinfra.fc3 import Fc3Client
    from fcinfra.testing.helpers import code_zip

    with mock_fc(access_keys={"ak": "sk"}, account_id="123", region="cn-hangzhou", seed=5) as fake:
        fake.observability.clock.base = lambda: 1_790_000_000.0
        client = Fc3Client("123", "cn-hangzhou", "ak", "sk", sleep=lambda _: None)

        def handler(event: bytes, context: Any) -> str:
            if context.service.version_id == "2" and event == b"boom":
                raise RuntimeError("v2 breaks on boom")
            return "ok"

        fake.fc3.register_handler("fn", handler)
        client.create_function("fn", "python3.10", "index.handler", code=code_zip("x = 1\n"),
                               log_config={"project": "proj", "logstore": "fc-logs", "enableRequestMetrics": True})
        client.publish_version("fn")
        client.update_function("fn", code=code_zip("x = 2\n"))
        client.publish_version("fn")
        client.create_alias("fn", "prod", "1", additional_version_weight={"2": 0.5})
        client.create_function("quiet", "python3.10", "index.handler", code=code_zip("x = 1\n"))  # no logConfig
        fake.fc3.register_handler("quiet", handler)
        served = [client.invoke("fn", b"boom", qualifier="prod").version_id for _ in range(20)]
        client.invoke("quiet", b"")
        trigger = client.create_trigger("fn", "web", "http", {"authType": "anonymous", "methods": ["POST"]}, "prod")
        url = trigger.http_trigger.url_internet if trigger.http_trigger else ""
        assert requests.post(url + "/pay", data=b"boom", timeout=5).status_code in (200, 502)

        hub = fake.observability
        rows = hub.logs.rows("proj", "fc-logs")
        assert len(rows) == 21  # 20 API calls and the trigger's; "quiet" has no logConfig
        assert {r["__topic__"] for r in rows} == {"FCRequestMetrics:/fn"}
        assert all("serviceName" not in r and r["qualifier"] == "prod" and r["functionName"] == "fn" for r in rows)
        api_rows = [r for r in rows if "statusCode" not in r]
        assert [r["versionId"] for r in api_rows] == served
        assert {r["hasFunctionError"] for r in api_rows if r["versionId"] == "2"} == {"true"}
        assert {r["hasFunctionError"] for r in api_rows if r["versionId"] == "1"} == {"false"}
        (http_row,) = [r for r in rows if "statusCode" in r]
        assert http_row["statusCode"] == ("502" if http_row["hasFunctionError"] == "true" else "200")

        hub.clock.base = lambda: 1_790_000_000.0 + 120  # CloudMonitor shows a minute once it has ended
        dims = [{"region": "cn-hangzhou", "serviceName": "", "functionName": "fn"}]
        (point,) = hub.monitor.datapoints("FunctionTotalInvocations", dims, 60, 0, 10**13 - 1)
        assert point["Value"] == 21
        (errors,) = hub.monitor.datapoints("FunctionFunctionErrors", dims, 60, 0, 10**13 - 1)
        assert errors["Value"] == served.count("2") + (http_row["hasFunctionError"] == "true")
        exposition = hub.metrics.exposition().decode()
        assert f'fc_invocations_total{{function="fn",qualifier="prod",service="",version="2"}} ' \
               f'{float(sum(r["versionId"] == "2" for r in rows))}' in exposition
        assert 'function="quiet",qualifier="LATEST",service="",version="LATEST"' in exposition


def test_create_function_takes_the_alicloud_providers_tags_spelling(api: Fc3Api) -> None:
    """The provider sends CreateFunction's tags as ``Tags: [{"Key", "Value"}]``: they tag the new function."""
    from fcinfra.fc3 import signing

    def create(body: dict[str, Any]) -> Any:
        headers = {"accept": "application/json", "date": formatdate(time.time(), usegmt=True),
                   "content-type": "application/json; charset=utf-8", "x-acs-signature-method": "HMAC-SHA1",
                   "x-acs-signature-nonce": "n2", "x-acs-signature-version": "1.0", "x-acs-version": "2023-03-30"}
        path = "/2023-03-30/functions"
        headers["authorization"] = signing.roa_authorization("ak", "sk", "POST", path, [], headers)
        return api.handle(Fc3Request("POST", path, [], headers, json.dumps(body).encode()))

    base = {"functionName": "tagged", "runtime": "python3.10", "handler": "index.handler"}
    refused = create({**base, "Tags": {"Key": "team"}})
    assert refused.status == 400 and refused.json()["Code"] == "InvalidArgument"
    assert "tagged" not in api.backend.functions
    answer = create({**base, "Tags": [{"Key": "team", "Value": "a"}]})
    assert answer.status == 200 and answer.json()["tags"] == [{"Key": "team", "Value": "a"}]
    assert api.backend.functions["tagged"].tags == {"team": "a"}
