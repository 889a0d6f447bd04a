"""The emulator's Log Service read by the official SDK (alibabacloud-sls20201230) unchanged, through its
http_proxy setting: request-metric rows as FC documents them, SQL analytics, signatures, error shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_sls20201230 import models
from alibabacloud_sls20201230.client import Client
from alibabacloud_tea_openapi.models import Config

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.observability import Invocation
from fcinfra.fake.observability.sls_query import run_query
from fcinfra.fake.observability.sls_service import LogService
from fcinfra.testing.observability import serve_wsgi

T0 = 1_790_000_000


def call(i: int, version: str, error: str | None = None, duration: float = 10.0, service: str = "svc") -> Invocation:
    return Invocation(time=T0 + i, request_id=f"1-{i:08x}", service=service, function="fn", qualifier="prod",
                      version_id=version, duration_ms=duration, error_type=error)


@pytest.fixture
def sls() -> Iterator[tuple[LogService, str]]:
    service = LogService({"AK": "SECRET"})
    service.create_logstore("proj", "fc-logs")
    with serve_wsgi(service.wsgi_app) as address:
        yield service, address


def client(address: str, secret: str = "SECRET") -> Client:
    return Client(Config(access_key_id="AK", access_key_secret=secret, endpoint="cn-hangzhou.log.aliyuncs.com",
                         http_proxy=f"http://{address}", protocol="http"))


def get_logs(address: str, query: str, start: int = T0, end: int = T0 + 3600, **kw: Any) -> Any:
    return client(address, **kw).get_logs("proj", "fc-logs", models.GetLogsRequest(from_=start, to=end, query=query,
                                                                                  line=100)).body.to_map()


def test_request_metric_rows_have_fc_fields_as_strings(sls: tuple[LogService, str]) -> None:
    service, address = sls
    assert service.write_request_metrics("proj", "fc-logs", call(1, "2", error="FunctionUnhandledError", duration=31.5))
    assert not service.write_request_metrics("proj", "missing", call(2, "1"))  # FC never creates a logstore
    body = get_logs(address, '__topic__: "FCRequestMetrics:svc/fn"')
    assert body["meta"]["progress"] == "Complete" and body["meta"]["hasSQL"] is False
    (row,) = body["data"]
    assert row["__topic__"] == "FCRequestMetrics:svc/fn" and row["__time__"] == str(T0 + 1)
    assert row["serviceName"] == "svc" and row["functionName"] == "fn"
    assert row["qualifier"] == "prod" and row["versionId"] == "2"
    assert row["hasFunctionError"] == "true" and row["errorType"] == "FunctionUnhandledError"
    assert row["durationMs"] == "31.50" and row["operation"] == "InvokeFunction" and row["invocationType"] == "Sync"
    assert "statusCode" not in row  # not an HTTP-trigger call


def test_fc3_rows_have_fc3_topic_and_no_service_name(sls: tuple[LogService, str]) -> None:
    service, address = sls
    service.write_request_metrics("proj", "fc-logs", call(1, "3"), fc_api=3)
    (row,) = get_logs(address, '__topic__: "FCRequestMetrics:/fn"')["data"]
    assert "serviceName" not in row and row["versionId"] == "3"


def test_sql_groups_by_version(sls: tuple[LogService, str]) -> None:
    service, address = sls
    for i in range(30):
        service.write_request_metrics("proj", "fc-logs", call(i, "1", duration=float(i)))
    for i in range(10):
        service.write_request_metrics("proj", "fc-logs", call(100 + i, "2",
                                                              error="FunctionTimeoutError" if i < 4 else None))
    service.write_request_metrics("proj", "fc-logs", call(5, "1", service="other"))
    body = get_logs(address, '__topic__: "FCRequestMetrics:svc/fn" and qualifier: "prod" | SELECT versionId, '
                             "count(*) AS n, count_if(hasFunctionError = 'true') AS bad, "
                             "approx_percentile(durationMs, 0.9) AS p90 GROUP BY versionId ORDER BY versionId")
    assert body["meta"]["hasSQL"] is True
    assert body["data"] == [{"versionId": "1", "n": "30", "bad": "0", "p90": "26"},
                            {"versionId": "2", "n": "10", "bad": "4", "p90": "10"}]
    # [from, to) on __time__
    early = get_logs(address, "* | SELECT count(*) AS n", start=T0, end=T0 + 10)
    assert early["data"] == [{"n": "11"}]  # seconds 0..9 of svc, plus the other service's second 5


def test_wrong_secret_is_refused_with_sls_error_shape(sls: tuple[LogService, str]) -> None:
    _, address = sls
    with pytest.raises(Exception) as info:
        get_logs(address, "*", secret="WRONG")
    assert getattr(info.value, "code", None) == "SignatureNotMatch"


def test_unknown_logstore(sls: tuple[LogService, str]) -> None:
    _, address = sls
    with pytest.raises(Exception) as info:
        client(address).get_logs("proj", "nope", models.GetLogsRequest(from_=T0, to=T0 + 1, query="*"))
    assert getattr(info.value, "code", None) == "LogStoreNotExist"


def test_bad_queries_are_refused_not_guessed() -> None:
    rows = [{"__time__": str(T0), "__topic__": "t", "__source__": "fc", "a": "1"}]
    with pytest.raises(FakeApiError, match="ParameterInvalid"):
        run_query(rows, "a:1 or b:2", T0, T0 + 1)
    with pytest.raises(FakeApiError, match="ParameterInvalid"):
        run_query(rows, "* | SELECT nosuchfunction(a)", T0, T0 + 1)
    assert run_query(rows, "a: 1 | SELECT count(*) AS n WHERE a = '1'", T0, T0 + 1) == ([{"n": "1"}], True)
