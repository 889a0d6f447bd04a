"""One record call feeds every view FC has of an invocation; the router tells the observability APIs
apart from each other and from the emulator's own FC and control paths (no overlap)."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder

from fcinfra.fake.observability import Invocation, Observability

T0 = 1_790_000_040


def call(error: bool = False) -> Invocation:
    return Invocation(time=T0, request_id="r", service="svc", function="fn", qualifier="prod", version_id="2",
                      duration_ms=5.0, error_type="FunctionUnhandledError" if error else None)


def test_record_follows_log_config() -> None:
    hub = Observability({"AK": "SK"}, clock=lambda: T0 + 120)
    hub.logs.create_logstore("proj", "fc")
    hub.record(call(), {"project": "proj", "logstore": "fc"})  # enableRequestMetrics defaults to true
    hub.record(call(error=True), {"project": "proj", "logstore": "fc", "enableRequestMetrics": False})
    hub.record(call(), None)
    assert [r["hasFunctionError"] for r in hub.logs.rows("proj", "fc")] == ["false"]
    (point,) = hub.monitor.datapoints("FunctionTotalInvocations", [{"functionName": "fn"}], 60, 0, 10**13)
    assert point["Value"] == 3  # CloudMonitor counts every call
    assert b'fc_invocations_total{function="fn",qualifier="prod",service="svc",version="2"} 3.0' in \
        hub.metrics.exposition()


def env(path: str, method: str = "GET", headers: dict[str, str] | None = None, query: str = "") -> dict:
    return EnvironBuilder(path=path, method=method, headers=headers or {}, query_string=query).get_environ()


ROUTES = [
    (env("/metrics"), "metrics"),
    (env("/logstores/fc/logs", "POST", {"Authorization": "LOG AK:sig", "Host": "proj.cn-hangzhou.log.aliyuncs.com"}),
     "sls"),
    (env("/", "POST", {"x-acs-action": "DescribeMetricList", "x-acs-version": "2019-01-01"}), "cms"),
    (env("/", "POST", query="Action=DescribeMetricList&Version=2019-01-01"), "cms"),
    (env("/", "POST", {"x-acs-action": "DescribeMetricList"}), None),  # no API version: not CloudMonitor's
    # STS (the fake's own, 2015-04-01): never taken
    (env("/", "GET", query="Action=AssumeRole&Version=2015-04-01"), None),
    (env("/", "POST", {"x-acs-action": "AssumeRole", "x-acs-version": "2015-04-01"}), None),
    # the emulator's own: never taken
    (env("/2016-08-15/services", "GET", {"Authorization": "FC AK:sig"}), None),
    (env("/2023-03-30/functions", "GET", {"Authorization": "ACS3-HMAC-SHA256 x"}), None),
    (env("/_fcinfra/clock", "POST"), None),
    (env("/2016-08-15/proxy/svc.prod/fn/metrics", "GET"), None),
    (env("/logstores/fc/logs", "POST", {"Authorization": "FC AK:sig"}), None),
    (env("/metrics", "POST"), None),
    (env("/metrics", "GET", {"Host": "shop-abc.cn-hangzhou.fcapp.run"}), None),  # an FC 3.0 trigger's own path
    (env("/", "POST", {"Host": "f-x.cn-hangzhou-vpc.fcapp.run:9000"}, query="Action=A&Version=2019-01-01"), None),
    (env("/", "GET"), None),
]


@pytest.mark.parametrize(("environ", "expected"), ROUTES)
def test_route_table(environ: dict, expected: str | None) -> None:
    assert Observability.route(environ) == expected
