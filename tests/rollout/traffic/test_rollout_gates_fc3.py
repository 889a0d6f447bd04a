"""Rollouts of an FC 3.0 function judged on simulated user traffic (in mock_fc): version 2 breaks only on
gift-card orders, which the probe never sends. Each traffic gate (SLS, CloudMonitor, Prometheus through a
real Prometheus server) rolls it back; a healthy version 3 is promoted. ``send_traffic`` calls the FC 3.0
alias (InvokeFunction, and the HTTP trigger bound to the alias); the fake records every call as FC 3.0 does.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from fcinfra.fake import MockFc, mock_fc
from fcinfra.fc3 import Fc3Client
from fcinfra.rollout import InvokeProbe, Rollout, Steps
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic import CmsGate, PrometheusGate, SlsGate
from fcinfra.rollout.traffic.cms import cms_client
from fcinfra.rollout.traffic.load import send_traffic
from fcinfra.rollout.traffic.sls import sls_client
from fcinfra.testing.helpers import code_zip
from fcinfra.testing.observability import PrometheusServer, prometheus_binary, serve_wsgi

from ..conftest import FakeClock

MIX = [({"item": "book"}, 9.0), ({"item": "gift-card"}, 1.0)]
RATE = 10
BASELINE, BROKEN, HEALTHY = "1", "2", "3"


@dataclass
class Fc3World:
    fake: MockFc
    client: Fc3Client
    clock: FakeClock
    address: str
    via: str = "invoke"

    def split(self) -> tuple[str, dict[str, float]]:
        alias = self.client.get_alias("fn", "prod")
        return alias.version_id, dict(alias.additional_version_weight or {})


@pytest.fixture
def fc3_world() -> Iterator[Fc3World]:
    """Function ``fn`` with request metrics on, versions 1 (prod), 2 (broken on gift cards), 3 (healthy), an
    anonymous HTTP trigger bound to ``prod``; the fake's observability services served on loopback."""
    clock = FakeClock()
    clock.now = 1_790_000_000.0
    with mock_fc(access_keys={"AK": "SK"}, seed=11) as fake:
        hub = fake.observability
        hub.clock.base = clock
        client = Fc3Client("1234567890", "cn-hangzhou", "AK", "SK", sleep=lambda _: None)

        def handler(event: bytes, context: Any) -> Any:
            version = context.service.version_id
            body = json.loads(event or b"{}")
            if isinstance(body, dict) and "body" in body:  # FC 3.0's HTTP event: the request body inside
                body = json.loads(body["body"] or "{}")
            if version == BROKEN and body.get("item") == "gift-card":
                raise RuntimeError(f"gift cards are broken in version {BROKEN}")
            return {"version": version}

        fake.fc3.register_handler("fn", handler)
        client.create_function("fn", "python3.10", "index.handler", code=code_zip("x = 0\n"),
                               log_config={"project": "proj", "logstore": "fc-logs", "enableRequestMetrics": True})
        for release in (BASELINE, BROKEN, HEALTHY):
            client.update_function("fn", code=code_zip(f"x = {release}\n"))
            assert client.publish_version("fn").version_id == release
        client.create_alias("fn", "prod", BASELINE)
        client.create_trigger("fn", "web", "http", {"authType": "anonymous", "methods": ["POST"]}, "prod")

        def app(environ: dict, start_response: Any) -> Any:
            route = hub.route(environ)
            assert route is not None, environ.get("PATH_INFO")
            return hub.app_for(route)(environ, start_response)

        with serve_wsgi(app) as address:
            fake._mock.add_passthru(re.compile(r"http://(proj\.cn-hangzhou\.log\.aliyuncs\.com|127\.0\.0\.1)"))
            yield Fc3World(fake, client, clock, address)


def users_while_sleeping(world: Fc3World) -> Any:
    """The rollout's sleep: simulated users keep calling the FC 3.0 alias while it waits (virtual clock)."""
    def sleep(seconds: float) -> None:
        end = world.clock.now + seconds
        count = math.floor(seconds * RATE)
        if count:
            send_traffic(world.client, "fn", "prod", "fn", rate=RATE, count=count, payloads=MIX, via=world.via,
                         seed=int(world.clock.now), clock=world.clock, sleep=world.clock.sleep)
        world.clock.now = max(world.clock.now, end)
    return sleep


def rollout(world: Fc3World, version: str, health: list[Any], interval: float = 60,
            steps: tuple[int, ...] = (10, 50, 100)) -> Any:
    return Rollout(world.client, function="fn", alias="prod", to_version=version,
                   strategy=Steps(list(steps), interval=interval), health=health, check_every=5,
                   sleep=users_while_sleeping(world), clock=world.clock).run()


def sls_gate(world: Fc3World, function: str = "fn") -> SlsGate:
    return SlsGate("proj", "fc-logs", function, sls_client("cn-hangzhou.log.aliyuncs.com", "AK", "SK",
                                                           http_proxy=f"http://{world.address}"),
                   wall_clock=world.clock)


def test_send_traffic_reaches_the_fc3_alias_both_ways(fc3_world: Fc3World) -> None:
    fc3_world.client.update_alias("fn", "prod", BASELINE, additional_version_weight={BROKEN: 0.5})
    for via in ("invoke", "http"):
        report = send_traffic(fc3_world.client, "fn", "prod", "fn", rate=50, count=200, payloads=MIX, via=via,  # type: ignore[arg-type]
                              seed=3, clock=fc3_world.clock, sleep=fc3_world.clock.sleep)
        assert set(report.by_version) == {BASELINE, BROKEN}, via
        assert report.by_version[BASELINE].errors == 0 and report.by_version[BROKEN].errors > 0, via
    rows = fc3_world.fake.observability.logs.rows("proj", "fc-logs")
    assert len(rows) == 400 and sum("statusCode" in r for r in rows) == 200


def test_the_probe_alone_promotes_the_broken_fc3_version(fc3_world: Fc3World) -> None:
    probe = InvokeProbe("fn", samples=20, payload={"item": "book"}, max_error_rate=0.0)
    assert rollout(fc3_world, BROKEN, [probe], steps=(10, 100)).status == "promoted"


@pytest.mark.parametrize("via", ["invoke", "http"])
def test_sls_gate_rolls_back_the_broken_fc3_version_and_promotes_a_healthy_one(fc3_world: Fc3World,
                                                                               via: str) -> None:
    fc3_world.via = via
    bad = rollout(fc3_world, BROKEN, [sls_gate(fc3_world)])
    assert bad.status == "rolled_back", bad.reason
    assert bad.history == [10, 0]
    (verdict,) = [v for v in bad.verdicts if v.gate == "sls:fn"]
    assert verdict.status == "fail" and "canary fails more often" in verdict.reason
    assert fc3_world.split() == (BASELINE, {})
    good = rollout(fc3_world, HEALTHY, [sls_gate(fc3_world)])
    assert good.status == "promoted", good.reason
    assert good.history == [10, 50, 100]


def test_a_gate_reading_another_function_rolls_back(fc3_world: Fc3World) -> None:
    result = rollout(fc3_world, HEALTHY, [sls_gate(fc3_world, function="other")])
    assert result.status == "rolled_back" and "belongs to function 'fn'" in result.reason
    assert fc3_world.split() == (BASELINE, {})


@pytest.mark.slow
def test_cms_gate_rolls_back_the_broken_fc3_version_and_promotes_a_healthy_one(fc3_world: Fc3World) -> None:
    world = fc3_world

    def gate() -> CmsGate:
        return CmsGate("fn", cms_client("cn-hangzhou", "AK", "SK", endpoint=world.address), region="cn-hangzhou",
                       reference=120, wall_clock=world.clock, test=SequentialTest(give_up_after=600))

    users_while_sleeping(world)(120)  # the reference: two minutes of version 1 alone
    bad = rollout(world, BROKEN, [gate()], interval=180, steps=(50, 100))
    assert bad.status == "rolled_back", bad.reason
    assert world.split() == (BASELINE, {})
    users_while_sleeping(world)(120)
    good = rollout(world, HEALTHY, [gate()], interval=180, steps=(50, 100))
    assert good.status == "promoted", good.reason


@pytest.mark.slow
def test_prometheus_gate_on_a_real_prometheus_fc3(fc3_world: Fc3World) -> None:
    world = fc3_world
    if prometheus_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus is not installed on CI (tasks.py test installs it)")
        pytest.skip("prometheus is not installed (python3 tasks.py test installs it)")
    world.fake.observability.clock.base = time.time  # real time here: Prometheus scrapes on its own clock
    mix = [({"item": "book"}, 1.0), ({"item": "gift-card"}, 1.0)]

    def sleep(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        count = math.floor(seconds * 20)
        if count:
            send_traffic(world.client, "fn", "prod", "fn", rate=20, count=count, payloads=mix, seed=count)
        time.sleep(max(0.0, deadline - time.monotonic()))

    with PrometheusServer([world.address]) as prometheus:
        prometheus.wait_for('up{job="fcinfra"}', lambda v: v == 1)

        def run(version: str) -> Any:
            gate = PrometheusGate(prometheus.url, "fn", test=SequentialTest(give_up_after=30))
            return Rollout(world.client, function="fn", alias="prod", to_version=version,
                           strategy=Steps([10, 100], interval=20), health=[gate], check_every=2, sleep=sleep).run()

        bad = run(BROKEN)
        assert bad.status == "rolled_back", bad.reason
        assert "canary fails more often" in bad.reason
        assert world.split() == (BASELINE, {})
        good = run(HEALTHY)
        assert good.status == "promoted", good.reason


def test_pulumi_release_of_an_fc3_function_is_judged_by_an_sls_gate(fc3_world: Fc3World) -> None:
    """A ``CanaryRelease`` of an ``Fc3Function`` walks its alias through ``FunctionAliasShift``; its
    ``health: [{"type": "sls", ...}]`` is built by the provider with the FC 3.0 client's credentials."""
    from fcinfra.providers.function_alias_shift import FunctionAliasShiftProvider

    world = fc3_world
    world.fake.observability.clock.base = time.time  # the provider's gates read Unix time
    provider = FunctionAliasShiftProvider()
    provider.use_client(lambda: world.client)
    provider.use_clock(users_while_sleeping(world), world.clock)
    health = [{"type": "sls", "project": "proj", "logstore": "fc-logs", "function": "fn",
               "http_proxy": f"http://{world.address}"}]
    shift = {"service": "fn", "alias": "prod", "version_id": BASELINE, "health": health,
             "strategy": {"type": "steps", "weights": [10, 50, 100], "interval": 60, "check_every": 5}}
    outs = provider.create(shift).outs
    assert outs is not None and outs["status"] == "promoted"
    failed = provider.update("fn:prod", outs, {**shift, "version_id": BROKEN, "fingerprint": "fp2"}).outs
    assert failed is not None and failed["status"] == "rolled_back", failed
    assert "canary fails more often" in failed["reason"]
    assert world.split() == (BASELINE, {})
    good = provider.update("fn:prod", failed, {**shift, "version_id": HEALTHY, "fingerprint": "fp3"}).outs
    assert good is not None and good["status"] == "promoted", good
    assert world.split() == (HEALTHY, {})
