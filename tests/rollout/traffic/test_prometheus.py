"""PrometheusGate: templates, answers, errors; and end to end against a real Prometheus server scraping
the emulator's exporter (Debian's prometheus package; tasks.py installs it)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
import responses
from werkzeug.wrappers import Request, Response

from fcinfra.errors import GateSourceError, InvalidArgumentError
from fcinfra.fake.observability import Invocation, PrometheusMetrics
from fcinfra.fake.observability.metrics import CONTENT_TYPE
from fcinfra.rollout.health import Target
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic import PrometheusGate
from fcinfra.rollout.traffic.prometheus import DEFAULT_REQUESTS, render
from fcinfra.testing.observability import PrometheusServer, prometheus_binary, serve_wsgi


def target(service: str = "svc", stage: int = 0) -> Target:
    return Target(client=None, service=service, alias="prod", main_version="1", canary_version="2", weight=10,
                  stage=stage)


def test_render_fills_and_escapes() -> None:
    out = render(DEFAULT_REQUESTS, {"service": 'a"b', "function": "fn", "alias": "prod", "version": "2",
                                    "window": "30s"})
    assert 'service="a\\"b"' in out and 'version="2"' in out and "offset 30s" in out
    with pytest.raises(InvalidArgumentError, match=re.escape("unknown placeholder '{{region}}'")):
        render("x{region={{region}}}", {"service": "s"})


def test_bad_settings_fail_at_construction() -> None:
    with pytest.raises(InvalidArgumentError):
        PrometheusGate("localhost:9090", "fn")
    with pytest.raises(InvalidArgumentError, match="placeholder"):
        PrometheusGate("http://p", "fn", requests_query="sum(x{{nope}})")


@responses.activate
def test_a_refused_query_is_a_source_error() -> None:
    responses.get("http://prom.test/api/v1/query", status=400,
                  json={"status": "error", "errorType": "bad_data", "error": "parse error"})
    gate = PrometheusGate("http://prom.test", "fn")
    with pytest.raises(GateSourceError, match="bad_data parse error"):
        gate.query("sum(", 1.0)


@pytest.fixture
def exporter() -> Iterator[tuple[PrometheusMetrics, str]]:
    metrics = PrometheusMetrics()

    @Request.application
    def app(request: Request) -> Response:
        return Response(metrics.exposition(), content_type=CONTENT_TYPE)

    with serve_wsgi(app) as address:
        yield metrics, address


@pytest.fixture
def prometheus(exporter: tuple[PrometheusMetrics, str]) -> Iterator[PrometheusServer]:
    if prometheus_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is not installed on CI (tasks.py test installs it)")
        pytest.skip("prometheus is not installed (python3 tasks.py test installs it)")
    with PrometheusServer([exporter[1]]) as server:
        assert server.wait_for('up{job="fcinfra"}', lambda v: v == 1) == 1
        yield server


def traffic(metrics: PrometheusMetrics, service: str, canary_errors_every: int | None, n: int = 400) -> None:
    """n calls through alias prod: every 10th reaches version 2 (10 %); canary fails every k-th of its calls."""
    canary_calls = 0
    for i in range(n):
        version = "2" if i % 10 == 9 else "1"
        error = None
        if version == "2":
            canary_calls += 1
            if canary_errors_every and canary_calls % canary_errors_every == 0:
                error = "FunctionUnhandledError"
        metrics.record(Invocation(time=0.0, request_id=str(i), service=service, function="fn", qualifier="prod",
                                  version_id=version, duration_ms=12.0, error_type=error))


@pytest.mark.slow
def test_real_prometheus_rolls_back_a_failing_canary_and_passes_a_healthy_one(
        exporter: tuple[PrometheusMetrics, str], prometheus: PrometheusServer) -> None:
    metrics, _ = exporter
    test = SequentialTest(min_canary_requests=20, min_baseline_requests=20)
    bad_gate = PrometheusGate(prometheus.url, "fn", test=test)
    good_gate = PrometheusGate(prometheus.url, "fn", test=test)

    first = bad_gate.check(target("bad"))
    assert first.status == "inconclusive" and "not enough traffic yet" in first.reason
    assert good_gate.check(target("good")).status == "inconclusive"

    traffic(metrics, "bad", canary_errors_every=3)  # 40 canary calls, 13 fail; baseline 360, none fail
    traffic(metrics, "good", canary_errors_every=None)
    prometheus.wait_for('sum(fc_invocations_total{service=~"bad|good"})', lambda v: v == 800)

    bad = bad_gate.check(target("bad"))
    assert bad.status == "fail", bad
    assert bad.details["canary_requests"] == 40 and bad.details["canary_failures"] == 13
    assert bad.details["baseline_requests"] == 360
    good = good_gate.check(target("good"))
    assert good.status == "pass", good
    assert good.details["canary_requests"] == 40 and good.details["canary_failures"] == 0


def test_unreachable_prometheus_is_a_source_error() -> None:
    gate = PrometheusGate("http://127.0.0.1:9", "fn", timeout=1)
    with pytest.raises(GateSourceError, match="did not answer"):
        gate.check(target())  # the runner turns this into a failed verdict: the canary is rolled back
