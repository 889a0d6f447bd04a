"""CmsGate through the official CloudMonitor SDK against the emulator: CloudMonitor has no version
dimension, so the gate compares the function during the step with the function before the rollout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fcinfra.errors import GateSourceError
from fcinfra.fake.observability import Invocation
from fcinfra.fake.observability.cms_service import CloudMonitor
from fcinfra.rollout.health import Target
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic import CmsGate
from fcinfra.rollout.traffic.cms import cms_client
from fcinfra.testing.observability import serve_wsgi

T0 = 1_790_000_040  # a minute boundary


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


def target() -> Target:
    return Target(client=None, service="svc", alias="prod", main_version="1", canary_version="2", weight=10, stage=0)


def traffic(monitor: CloudMonitor, start: float, seconds: int, canary_fail_share: float, rps: int = 10) -> None:
    """rps calls a second for `seconds`: 10 % to the canary, which fails `canary_fail_share` of its calls."""
    n = 0
    for s in range(seconds):
        for i in range(rps):
            n += 1
            canary = n % 10 == 0
            error = canary and (n // 10) % round(1 / canary_fail_share) == 0 if canary_fail_share else False
            monitor.record(Invocation(time=start + s + i / rps, request_id=str(n), service="svc", function="fn",
                                      qualifier="prod", version_id="2" if canary else "1", duration_ms=10.0,
                                      error_type="FunctionUnhandledError" if error else None))


def gate(address: str, clock: Clock, secret: str = "SECRET") -> CmsGate:
    client = cms_client("cn-hangzhou", "AK", secret, endpoint=address)
    return CmsGate("fn", client, region="cn-hangzhou", reference=600, wall_clock=clock,
                   test=SequentialTest(min_canary_requests=20, min_baseline_requests=20))


def baseline_history(monitor: CloudMonitor) -> None:
    """The ten minutes before the rollout: version 1 alone, 1 % of calls failing."""
    for s in range(600):
        for i in range(10):
            n = s * 10 + i
            monitor.record(Invocation(time=T0 - 600 + s + i / 10, request_id=str(n), service="svc", function="fn",
                                      qualifier="prod", version_id="1", duration_ms=10.0,
                                      error_type="FunctionUnhandledError" if n % 100 == 0 else None))


@pytest.mark.parametrize(("fail_share", "expected"), [(0.5, "fail"), (0.0, "pass")])
def test_before_and_during(cms: tuple[CloudMonitor, Clock, str], fail_share: float, expected: str) -> None:
    monitor, clock, address = cms
    baseline_history(monitor)
    g = gate(address, clock)
    assert g.check(target()).status == "inconclusive"  # the step just began: no ended minute yet
    traffic(monitor, T0, 120, fail_share)
    clock.now = T0 + 120  # two whole minutes ended
    verdict = g.check(target())
    assert verdict.status == expected, verdict
    assert verdict.details["canary_requests"] == 1200  # every call of the function during the step
    assert verdict.details["baseline_requests"] == 6000 and verdict.details["baseline_failures"] == 60


def test_refusal_is_a_source_error(cms: tuple[CloudMonitor, Clock, str]) -> None:
    _, clock, address = cms
    with pytest.raises(GateSourceError, match="SignatureDoesNotMatch"):
        gate(address, clock, secret="WRONG").check(target())
