"""The emulator's CloudMonitor read by the official SDK (alibabacloud-cms20190101) unchanged: acs_fc
function metrics at FC's 60-second period, points only for ended periods, ACS3 signatures, error shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from alibabacloud_cms20190101 import models
from alibabacloud_cms20190101.client import Client
from alibabacloud_tea_openapi.models import Config

from fcinfra.fake.observability import Invocation
from fcinfra.fake.observability.cms_service import CloudMonitor
from fcinfra.testing.observability import serve_wsgi

T0 = 1_790_000_040  # a minute boundary (divisible by 60)


class Clock:
    now = float(T0)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cms() -> Iterator[tuple[CloudMonitor, Clock, str]]:
    clock = Clock()
    monitor = CloudMonitor({"AK": "SECRET"}, clock=clock)
    with serve_wsgi(monitor.wsgi_app) as address:
        yield monitor, clock, address


def client(address: str, secret: str = "SECRET") -> Client:
    return Client(Config(access_key_id="AK", access_key_secret=secret, region_id="cn-hangzhou", endpoint=address,
                         protocol="http"))


def points(address: str, metric: str, start: int, end: int, secret: str = "SECRET", **dims: str) -> list[dict]:
    request = models.DescribeMetricListRequest(
        namespace="acs_fc", metric_name=metric, period="60", start_time=str(start * 1000), end_time=str(end * 1000),
        dimensions=json.dumps({"region": "cn-hangzhou", "serviceName": "svc", "functionName": "fn", **dims}))
    body = client(address, secret).describe_metric_list(request).body
    assert body.code == "200" and body.success is True and body.period == "60"
    return json.loads(body.datapoints)


def call(t: float, error: bool = False, duration: float = 10.0, function: str = "fn") -> Invocation:
    return Invocation(time=t, request_id="r", service="svc", function=function, qualifier="prod", version_id="1",
                      duration_ms=duration, error_type="FunctionUnhandledError" if error else None)


def test_points_per_minute_only_once_the_minute_ended(cms: tuple[CloudMonitor, Clock, str]) -> None:
    monitor, clock, address = cms
    monitor.record(call(T0 + 5))
    monitor.record(call(T0 + 50, error=True, duration=30.0))
    monitor.record(call(T0 + 65))
    monitor.record(call(T0 + 5, function="other"))
    clock.now = T0 + 59  # the first minute has not ended
    assert points(address, "FunctionTotalInvocations", T0 - 60, T0 + 600) == []
    clock.now = T0 + 60
    (p,) = points(address, "FunctionTotalInvocations", T0 - 60, T0 + 600)
    assert (p["timestamp"], p["Value"], p["functionName"], p["serviceName"]) == (T0 * 1000, 2, "fn", "svc")
    clock.now = T0 + 120
    assert [q["Value"] for q in points(address, "FunctionTotalInvocations", T0 - 60, T0 + 600)] == [2, 1]
    assert [q["Value"] for q in points(address, "FunctionFunctionErrors", T0 - 60, T0 + 600)] == [1, 0]
    assert [q["Value"] for q in points(address, "FunctionAvgDuration", T0 - 60, T0 + 600)] == [20.0, 10.0]
    assert [q["Value"] for q in points(address, "FunctionMaxDuration", T0 - 60, T0 + 600)] == [30.0, 10.0]
    # (start, end]: a point stamped at the start is left out
    assert [q["timestamp"] for q in points(address, "FunctionTotalInvocations", T0, T0 + 600)] == [(T0 + 60) * 1000]


def test_wrong_secret_and_unknown_metric_are_refused(cms: tuple[CloudMonitor, Clock, str]) -> None:
    _, _, address = cms
    with pytest.raises(Exception) as info:
        points(address, "FunctionTotalInvocations", T0, T0 + 60, secret="WRONG")
    assert getattr(info.value, "code", None) == "SignatureDoesNotMatch"
    with pytest.raises(Exception) as info:
        points(address, "FunctionQualifierTotalInvocations", T0, T0 + 60)  # undocumented: not invented here
    assert getattr(info.value, "code", None) == "InvalidParameter"
