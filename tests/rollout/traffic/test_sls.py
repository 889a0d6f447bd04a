"""SlsGate through the official SDK against the emulator's Log Service: the SQL it sends, the verdicts it
reaches on request-metric rows split by versionId, and how refusals surface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fcinfra.errors import GateSourceError, InvalidArgumentError
from fcinfra.fake.observability import Invocation
from fcinfra.fake.observability.sls_service import LogService
from fcinfra.rollout.health import Target
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic import SlsGate
from fcinfra.rollout.traffic.sls import sls_client
from fcinfra.rollout.verdicts import Thresholds
from fcinfra.testing.observability import serve_wsgi

T0 = 1_790_000_000


class Clock:
    def __init__(self) -> None:
        self.now = float(T0)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sls() -> Iterator[tuple[LogService, str]]:
    service = LogService({"AK": "SECRET"})
    service.create_logstore("proj", "fc-logs")
    with serve_wsgi(service.wsgi_app) as address:
        yield service, address


def target(stage: int = 0) -> Target:
    return Target(client=None, service="svc", alias="prod", main_version="1", canary_version="2", weight=10,
                  stage=stage)


def gate(address: str, clock: Clock, secret: str = "SECRET", **kw: object) -> SlsGate:
    client = sls_client("cn-hangzhou.log.aliyuncs.com", "AK", secret, http_proxy=f"http://{address}")
    return SlsGate("proj", "fc-logs", "fn", client, wall_clock=clock,
                   test=SequentialTest(min_canary_requests=20, min_baseline_requests=20), **kw)  # type: ignore[arg-type]


def user_traffic(service: LogService, canary_fails_every: int | None, n: int = 400, slow_ms: float = 10.0) -> None:
    canary = 0
    for i in range(n):
        version = "2" if i % 10 == 9 else "1"
        error = None
        if version == "2":
            canary += 1
            if canary_fails_every and canary % canary_fails_every == 0:
                error = "FunctionUnhandledError"
        service.write_request_metrics("proj", "fc-logs", Invocation(
            time=T0 + 1 + i * 0.25, request_id=f"r{i}", service="svc", function="fn", qualifier="prod",
            version_id=version, duration_ms=slow_ms if version == "2" else 10.0, error_type=error))


def test_sql_splits_the_alias_by_version() -> None:
    g = SlsGate("p", "l", "fn", client=None)
    assert g.sql("svc", "prod") == (
        '__topic__: "FCRequestMetrics:svc/fn" and qualifier: "prod" | SELECT versionId, count(*) AS requests, '
        "count_if(hasFunctionError = 'true') AS failures, approx_percentile(durationMs, 0.95) AS latency "
        "GROUP BY versionId LIMIT 1000")
    assert '"FCRequestMetrics:/fn"' in SlsGate("p", "l", "fn", client=None, fc_api=3).sql("svc", "prod")
    with pytest.raises(InvalidArgumentError):
        g.sql('svc" or *', "prod")
    with pytest.raises(InvalidArgumentError):
        SlsGate("p", "l", "fn", client=None, failure="1=1 | select")


def test_failing_canary_fails_the_gate(sls: tuple[LogService, str]) -> None:
    service, address = sls
    clock = Clock()
    g = gate(address, clock)
    assert g.check(target()).status == "inconclusive"  # opens the window; nothing yet
    user_traffic(service, canary_fails_every=3)
    clock.now = T0 + 120
    verdict = g.check(target())
    assert verdict.status == "fail", verdict
    assert (verdict.details["canary_requests"], verdict.details["canary_failures"]) == (40, 13)
    assert (verdict.details["baseline_requests"], verdict.details["baseline_failures"]) == (360, 0)


def test_healthy_canary_passes_and_a_new_stage_opens_a_new_window(sls: tuple[LogService, str]) -> None:
    service, address = sls
    clock = Clock()
    g = gate(address, clock)
    g.check(target())
    user_traffic(service, canary_fails_every=None)
    clock.now = T0 + 120
    assert g.check(target()).status == "pass"
    fresh = g.check(target(stage=1))  # the next weight: the earlier rows are outside its window
    assert fresh.status == "inconclusive" and fresh.details["canary_requests"] == 0


def test_slow_canary_fails_on_latency(sls: tuple[LogService, str]) -> None:
    service, address = sls
    clock = Clock()
    g = gate(address, clock, thresholds=Thresholds(max_latency_increase=0.5))
    g.check(target())
    user_traffic(service, canary_fails_every=None, slow_ms=40.0)
    clock.now = T0 + 120
    verdict = g.check(target())
    assert verdict.status == "fail" and "latency 40.0 ms vs baseline 10.0 ms" in verdict.reason


def test_refusal_is_a_source_error(sls: tuple[LogService, str]) -> None:
    _, address = sls
    g = gate(address, Clock(), secret="WRONG")
    with pytest.raises(GateSourceError, match="SignatureNotMatch"):
        g.check(target())


def test_fixed_error_rate_limit_on_top_of_the_sequential_test(sls: tuple[LogService, str]) -> None:
    service, address = sls
    clock = Clock()
    # The canary fails 1 call in 10 and the baseline never: the sequential test wants more evidence than
    # 40 canary calls give at this ratio... but a fixed 5 % limit is crossed.
    g = gate(address, clock, thresholds=Thresholds(max_error_rate=0.05))
    plain = gate(address, clock)
    g.check(target())
    plain.check(target())
    user_traffic(service, canary_fails_every=10)
    clock.now = T0 + 120
    verdict = g.check(target())
    assert verdict.status == "fail" and "error rate 10.0% > 5.0%" in verdict.reason
    without = plain.check(target())
    assert without.status == "pass" and without.details["state"] == "baking"  # LLR 6.6, short of 6.9
