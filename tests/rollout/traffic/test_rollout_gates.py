"""Rollouts judged on simulated user traffic (in mock_fc): version 2 breaks only on gift-card orders, a
payload the probe does not send. The probe alone promotes it; each traffic gate (SLS and CloudMonitor on a
virtual clock, Prometheus through a real Prometheus server in real time) rolls it back; a healthy version
is promoted through the same gates.

The fake records each call it serves (request-metric rows per the service's logConfig, acs_fc points,
/metrics series); the gates read them through the official SDKs and a real Prometheus.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fcinfra.fake.observability import Observability
from fcinfra.rollout import InvokeProbe, Rollout, Steps
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic import CmsGate, PrometheusGate, SlsGate, WarmUp
from fcinfra.rollout.traffic.cms import cms_client
from fcinfra.rollout.traffic.load import send_traffic
from fcinfra.rollout.traffic.sls import sls_client
from fcinfra.testing.observability import PrometheusServer, prometheus_binary, serve_wsgi

MIX = [({"item": "book"}, 9.0), ({"item": "gift-card"}, 1.0)]
RATE = 10
BASELINE, BROKEN, HEALTHY = "4", "5", "6"


@pytest.fixture
def observed(world: Any) -> Iterator[tuple[Any, Observability, str]]:
    """Versions published with request metrics on: 4 (baseline, prod), 5 (broken on gift cards), 6 (healthy).

    The fake records every call it serves; its observability services are served on loopback for the SDKs.
    """
    world.clock.now = 1_790_000_000.0  # Unix time today: CloudMonitor tells ms from s by size
    hub = world.fake.observability
    hub.clock.base = world.clock  # the fake's records follow the rollout's virtual clock
    client = world.client
    client.update_service("svc", log_config={"project": "proj", "logstore": "fc-logs", "enableRequestMetrics": True})
    for release in ("4", "5", "6"):
        client.update_function("svc", "fn", environment_variables={"RELEASE": release})
        assert client.publish_version("svc", f"v{release}").version_id == release
    client.update_alias("svc", "prod", "4")

    def handler(event: bytes, context: Any) -> Any:
        version = context.service.version_id
        if version == BROKEN and json.loads(event or b"{}").get("item") == "gift-card":
            raise RuntimeError(f"gift cards are broken in version {BROKEN}")
        return {"version": version}

    world.fake.register_handler("svc", "fn", handler)

    def app(environ: dict, start_response: Any) -> Any:
        route = hub.route(environ)
        assert route is not None, environ.get("PATH_INFO")
        return hub.app_for(route)(environ, start_response)

    with serve_wsgi(app) as address:
        # mock_fc intercepts every `requests` call; let the SDKs' calls (proxied for SLS) reach the services.
        world.fake._mock.add_passthru(re.compile(r"http://(proj\.cn-hangzhou\.log\.aliyuncs\.com|127\.0\.0\.1)"))
        yield world, hub, address


def users_while_sleeping(world: Any) -> Any:
    """The rollout's sleep: simulated users keep calling the alias while it waits."""
    def sleep(seconds: float) -> None:
        end = world.clock.now + seconds
        count = math.floor(seconds * RATE)
        if count:
            send_traffic(world.client, "svc", "prod", "fn", rate=RATE, count=count, payloads=MIX,
                         seed=int(world.clock.now), clock=world.clock, sleep=world.clock.sleep)
        world.clock.now = max(world.clock.now, end)
    return sleep


def rollout(world: Any, version: str, health: list[Any], interval: float = 60, steps: tuple[int, ...] = (10, 50, 100)
            ) -> Any:
    return Rollout(world.client, service="svc", alias="prod", to_version=version,
                   strategy=Steps(list(steps), interval=interval), health=health, check_every=5,
                   sleep=users_while_sleeping(world), clock=world.clock).run()


def sls_gate(world: Any, address: str) -> SlsGate:
    return SlsGate("proj", "fc-logs", "fn", sls_client("cn-hangzhou.log.aliyuncs.com", "AK", "SK",
                                                       http_proxy=f"http://{address}"), wall_clock=world.clock)


def cms_gate(world: Any, address: str) -> CmsGate:
    return CmsGate("fn", cms_client("cn-hangzhou", "AK", "SK", endpoint=address), region="cn-hangzhou",
                   reference=120, wall_clock=world.clock, test=SequentialTest(give_up_after=600))


def test_the_probe_alone_promotes_the_broken_version(observed: tuple[Any, Observability, str]) -> None:
    world, _, _ = observed
    probe = InvokeProbe("fn", samples=20, payload={"item": "book"}, max_error_rate=0.0)
    assert rollout(world, BROKEN, [probe], steps=(10, 100)).status == "promoted"


def test_sls_gate_rolls_back_the_broken_version_fast(observed: tuple[Any, Observability, str]) -> None:
    world, _, address = observed
    result = rollout(world, BROKEN, [sls_gate(world, address), WarmUp(InvokeProbe("fn", samples=5,
                                                                              payload={"item": "book"}))])
    assert result.status == "rolled_back", result.reason
    assert result.history == [10, 0]
    (verdict,) = [v for v in result.verdicts if v.gate == "sls:fn"]
    assert verdict.status == "fail" and "canary fails more often" in verdict.reason
    assert verdict.details["canary_requests"] <= 80  # caught early in the first step
    assert world.split() == (BASELINE, {})


def test_sls_gate_promotes_a_healthy_version(observed: tuple[Any, Observability, str]) -> None:
    world, _, address = observed
    result = rollout(world, HEALTHY, [sls_gate(world, address)])
    assert result.status == "promoted", result.reason
    assert result.history == [10, 50, 100]


@pytest.mark.slow
def test_cms_gate_rolls_back_the_broken_version_and_promotes_a_healthy_one(
        observed: tuple[Any, Observability, str]) -> None:
    world, _, address = observed
    users_while_sleeping(world)(120)  # the reference: two minutes of version 1 alone
    # The function-level mix dilutes the canary by its weight: at 50 % a canary failing 10 % of its calls
    # makes the function fail 5 %, enough evidence within a few minutes (at 10 % it would take far longer).
    bad = rollout(world, BROKEN, [cms_gate(world, address)], interval=180, steps=(50, 100))
    assert bad.status == "rolled_back", bad.reason
    assert world.split() == (BASELINE, {})
    users_while_sleeping(world)(120)
    good = rollout(world, HEALTHY, [cms_gate(world, address)], interval=180, steps=(50, 100))
    assert good.status == "promoted", good.reason


def real_time_users(world: Any, mix: list[tuple[Any, float]]) -> Any:
    """The rollout's sleep in real time (Prometheus scrapes on its own clock): users keep calling meanwhile."""
    def sleep(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        count = math.floor(seconds * 20)
        if count:
            send_traffic(world.client, "svc", "prod", "fn", rate=20, count=count, payloads=mix, seed=count)
        time.sleep(max(0.0, deadline - time.monotonic()))
    return sleep


@pytest.mark.slow
def test_prometheus_gate_on_a_real_prometheus(observed: tuple[Any, Observability, str]) -> None:
    world, _, address = observed
    if prometheus_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is not installed on CI (tasks.py test installs it)")
        pytest.skip("prometheus is not installed (python3 tasks.py test installs it)")
    hub = world.fake.observability
    hub.clock.base = time.time  # real time here: Prometheus scrapes on its own clock
    mix = [({"item": "book"}, 1.0), ({"item": "gift-card"}, 1.0)]
    with PrometheusServer([address]) as prometheus:
        prometheus.wait_for('up{job="fcinfra"}', lambda v: v == 1)

        def run(version: str) -> Any:
            gate = PrometheusGate(prometheus.url, "fn", test=SequentialTest(give_up_after=30))
            return Rollout(world.client, service="svc", alias="prod", to_version=version,
                           strategy=Steps([10, 100], interval=20), health=[gate], check_every=2,
                           sleep=real_time_users(world, mix)).run()

        bad = run(BROKEN)
        assert bad.status == "rolled_back", bad.reason
        assert "canary fails more often" in bad.reason
        assert world.split() == (BASELINE, {})
        good = run(HEALTHY)
        assert good.status == "promoted", good.reason
