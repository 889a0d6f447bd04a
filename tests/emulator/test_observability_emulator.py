"""The emulator produces FC's evidence for every invocation it serves (API or HTTP trigger) and serves it to
the official SDKs unchanged, on its one port: Log Service request-metric rows (per the service's logConfig),
CloudMonitor acs_fc points at FC's 60 s period (the clock moved by a control call), Prometheus /metrics.
A route table shows the APIs never overlap."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from alibabacloud_cms20190101 import models as cms_models
from alibabacloud_sls20201230 import models as sls_models

from fcinfra.demo.package import function_code
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.rollout.traffic.cms import cms_client
from fcinfra.rollout.traffic.sls import sls_client

AK, SK = "obs-ak", "obs-secret"
LOG = {"project": "shop-logs", "logstore": "fc-requests", "enableRequestMetrics": True}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(port=0, access_keys={AK: SK}, save_interval=None) as emu:
        yield emu


@pytest.fixture(scope="module")
def shop(emulator: Emulator) -> Iterator[FcClient]:
    """Service shop (request metrics on): quote v1 = version 1, v3 (fails on fig and lime) = version 2."""
    with FcClient(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint) as client:
        client.create_service("shop", log_config=LOG)
        client.create_function("shop", "quote", "python3.10", "index.handler", code=function_code("v1"))
        client.publish_version("shop", description="v1")
        client.update_function("shop", "quote", code=function_code("v3"))
        client.publish_version("shop", description="v3")
        client.create_alias("shop", "prod", "1", additional_version_weight={"2": 0.5})
        for i in range(40):
            client.invoke("shop", "quote", {"item": "fig" if i % 2 else "pear", "qty": 1}, qualifier="prod")
        client.invoke("shop", "quote", {"item": "pear", "qty": 1})  # LATEST
        yield client


def rows(emulator: Emulator, query: str, secret: str = SK) -> list[dict[str, str]]:
    client = sls_client("cn-hangzhou.log.aliyuncs.com", AK, secret, http_proxy=emulator.endpoint)
    now = int(requests.get(f"{emulator.endpoint}/_fcinfra/clock", timeout=5).json()["now"])
    body = client.get_logs("shop-logs", "fc-requests", sls_models.GetLogsRequest(
        from_=now - 3600, to=now + 60, query=query, line=100)).body.to_map()
    return body["data"]


def test_request_metric_rows_split_the_alias_by_version(emulator: Emulator, shop: FcClient) -> None:
    by_version = {r["versionId"]: r for r in rows(emulator, (
        '__topic__: "FCRequestMetrics:shop/quote" and qualifier: "prod" | SELECT versionId, count(*) AS n, '
        "count_if(hasFunctionError = 'true') AS bad GROUP BY versionId"))}
    assert set(by_version) == {"1", "2"}
    assert int(by_version["1"]["n"]) + int(by_version["2"]["n"]) == 40
    assert by_version["1"]["bad"] == "0"  # v1 serves figs
    assert 0 < int(by_version["2"]["bad"]) < int(by_version["2"]["n"])  # v3 fails on figs only
    (failed, *_) = rows(emulator, '__topic__: "FCRequestMetrics:shop/quote" and hasFunctionError: "true"')
    assert failed["errorType"] == "FunctionUnhandledError" and failed["versionId"] == "2"
    assert failed["serviceName"] == "shop" and failed["functionName"] == "quote" and failed["qualifier"] == "prod"
    (latest,) = rows(emulator, 'qualifier: "LATEST"')
    assert "versionId" not in latest  # as in FC's example row for a LATEST call


def test_sls_signature_is_checked(emulator: Emulator, shop: FcClient) -> None:
    with pytest.raises(Exception) as info:
        rows(emulator, "*", secret="wrong")
    assert getattr(info.value, "code", None) == "SignatureNotMatch"


def cms_points(emulator: Emulator, metric: str, secret: str = SK) -> list[dict[str, Any]]:
    client = cms_client("cn-hangzhou", AK, secret, endpoint=emulator.endpoint.removeprefix("http://"))
    now = requests.get(f"{emulator.endpoint}/_fcinfra/clock", timeout=5).json()["now"]
    body = client.describe_metric_list(cms_models.DescribeMetricListRequest(
        namespace="acs_fc", metric_name=metric, period="60", start_time=str(int(now - 3600) * 1000),
        end_time=str(int(now) * 1000),
        dimensions=json.dumps({"region": "cn-hangzhou", "serviceName": "shop", "functionName": "quote"}))).body
    assert body.code == "200"
    return json.loads(body.datapoints)


def test_cloudmonitor_points_appear_once_the_minute_ends(emulator: Emulator, shop: FcClient) -> None:
    if cms_points(emulator, "FunctionTotalInvocations"):
        pytest.skip("the minute already ended on its own")  # the test ran across a minute boundary
    answer = requests.post(f"{emulator.endpoint}/_fcinfra/clock", json={"advance": 60}, timeout=5).json()
    assert answer["offset"] >= 60
    total = sum(p["Value"] for p in cms_points(emulator, "FunctionTotalInvocations"))
    errors = sum(p["Value"] for p in cms_points(emulator, "FunctionFunctionErrors"))
    assert total == 41 and 0 < errors < 20
    with pytest.raises(Exception) as info:
        cms_points(emulator, "FunctionTotalInvocations", secret="wrong")
    assert getattr(info.value, "code", None) == "SignatureDoesNotMatch"


def test_metrics_endpoint(emulator: Emulator, shop: FcClient) -> None:
    text = requests.get(f"{emulator.endpoint}/metrics", timeout=5).text
    assert 'fc_invocations_total{function="quote",qualifier="prod",service="shop",version="1"}' in text
    assert 'fc_function_errors_total{function="quote",qualifier="prod",service="shop",version="2"}' in text


ROUTES = [
    # (method, path, headers, what answers): told apart by prefix, then by request shape
    ("GET", "/_fcinfra/health", {}, "control"),
    ("GET", "/2016-08-15/services", {}, "fc"),
    ("GET", "/2023-03-30/functions", {}, "fc3"),
    ("GET", "/metrics", {}, "metrics"),
    ("POST", "/logstores/fc-requests/logs", {"Authorization": "LOG obs-ak:bad", "Host": "p.log.test"}, "sls"),
    ("POST", "/?Action=DescribeMetricList&Version=2019-01-01", {}, "cms"),
    ("POST", "/", {"x-acs-action": "DescribeMetricList", "x-acs-version": "2019-01-01"}, "cms"),
    ("GET", "/?Action=GetCallerIdentity&Version=2015-04-01&Format=JSON", {}, "sts"),
    ("POST", "/logstores/fc-requests/logs", {}, "fc"),  # no LOG signature: not Log Service's
    ("GET", "/anything", {}, "fc"),
]


@pytest.mark.parametrize(("method", "path", "headers", "expected"), ROUTES)
def test_route_table_on_one_port(emulator: Emulator, method: str, path: str, headers: dict[str, str],
                                 expected: str) -> None:
    response = requests.request(method, emulator.endpoint + path, headers=headers, timeout=5)
    body = response.text
    seen = ("metrics" if body.startswith("# HELP") else
            "control" if "status" in response.json() and path.startswith("/_fcinfra/") else
            "sls" if "errorCode" in response.json() else
            "sts" if response.json().get("HostId") == "sts.aliyuncs.com" else
            "cms" if "Code" in response.json() and "Success" in response.json() else
            "fc3" if "Code" in response.json() and "RequestId" in response.json() else
            "fc" if "ErrorCode" in response.json() else "?")
    assert seen == expected, (response.status_code, body[:200])


def test_http_trigger_calls_are_recorded_with_their_status(emulator: Emulator, shop: FcClient) -> None:
    shop.create_function("shop", "web", "python3.10", "index.web", code=function_code("v3"))
    shop.create_trigger("shop", "web", "public", "http", {"authType": "anonymous", "methods": ["GET"]})
    for item in ("pear", "fig"):
        requests.get(f"{emulator.endpoint}/2016-08-15/proxy/shop.LATEST/web/?item={item}", timeout=10)
    got = {r["statusCode"]: r for r in rows(emulator, '__topic__: "FCRequestMetrics:shop/web"')}
    assert set(got) == {"200", "502"}, got
    assert got["502"]["hasFunctionError"] == "true" and got["200"]["hasFunctionError"] == "false"
    assert got["200"]["qualifier"] == "LATEST"
