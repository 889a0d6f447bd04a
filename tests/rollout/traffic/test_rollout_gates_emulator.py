"""Traffic gates over the HTTP emulator (``Emulator``, as ``fcinfra emulator`` runs it): an FC 3.0 function's
canary (and, for the SLS gate, an FC 2.0 service's) that fails only on users' fig orders (demo code v3) is rolled
back by the SLS and the CloudMonitor gates, a healthy one (v2) promoted. Everything goes over loopback HTTP: the
invocations (zip code run in the emulator's workers), the official SDKs' queries, and ``POST /_fcinfra/clock``,
which moves the emulator's clock with the rollout's virtual one, so minutes of baking (and CloudMonitor's 60 s
periods, never shortened) take seconds.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fcinfra.demo.package import function_code
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.fc3 import Fc3Client
from fcinfra.rollout import Rollout, Steps
from fcinfra.rollout.traffic.load import send_traffic
from fcinfra.rollout.traffic.specs import credentials_from_client, gate_from_spec

AK, SK = "gate-ak", "gate-secret"
LOG = {"project": "shop-logs", "logstore": "fc-requests", "enableRequestMetrics": True}
MIX = [({"item": "fig", "qty": 1}, 1.0), ({"item": "pear", "qty": 1}, 1.0)]
RATE = 4  # users' requests per virtual second
_names = itertools.count(1)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(port=0, access_keys={AK: SK}, save_interval=None) as emu:
        yield emu


class EmulatorTime:
    """The rollout's clock and sleep, kept equal to the emulator's: real time plus the offset both have moved
    by. A sleep sends the users' requests of that span, a few seconds at a time, then moves the emulator's
    clock over the span with ``POST /_fcinfra/clock``."""

    def __init__(self, emulator: Emulator, client: Fc3Client | FcClient, function: str,
                 owner: str | None = None) -> None:
        self.endpoint = emulator.endpoint
        self.client = client
        self.function = function
        self.owner = owner or function  # the alias's owner: the FC 3.0 function, or the FC 2.0 service
        self.offset = float(requests.get(f"{self.endpoint}/_fcinfra/clock", timeout=5).json()["offset"])
        self.sent = 0

    def __call__(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        left = seconds
        while left > 0:
            span = min(5.0, left)
            count = math.floor(span * RATE)
            if count:
                send_traffic(self.client, self.owner, "prod", self.function, rate=1000, count=count,
                             payloads=MIX, seed=self.sent)
                self.sent += count
            answer = requests.post(f"{self.endpoint}/_fcinfra/clock", json={"advance": span}, timeout=5).json()
            self.offset = float(answer["offset"])
            left -= span


def _function(emulator: Emulator) -> tuple[Fc3Client, str]:
    """quote v1 (version 1, prod), v2 (version 2, healthy), v3 (version 3, fails on figs), request metrics on."""
    client = Fc3Client(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint)
    name = f"quote{next(_names)}"
    client.create_function(name, "python3.10", "index.handler", code=function_code("v1"), log_config=LOG)
    client.publish_version(name, "v1")
    client.create_alias(name, "prod", "1")
    for code in ("v2", "v3"):
        client.update_function(name, code=function_code(code))
        client.publish_version(name, code)
    return client, name


def _rollout(client: Fc3Client, name: str, clock: EmulatorTime, version: str, spec: dict[str, Any],
             steps: list[int], interval: float) -> Any:
    gate = gate_from_spec(spec, credentials_from_client(client))
    gate.wall_clock = clock  # the gate's window in the emulator's time
    return Rollout(client, function=name, alias="prod", to_version=version, strategy=Steps(steps, interval=interval),
                   health=[gate], check_every=5, sleep=clock.sleep, clock=clock).run()


@pytest.mark.slow
def test_sls_gate_over_the_emulator(emulator: Emulator) -> None:
    client, name = _function(emulator)
    clock = EmulatorTime(emulator, client, name)
    spec = {"type": "sls", "project": "shop-logs", "logstore": "fc-requests", "function": name,
            "http_proxy": emulator.endpoint}
    bad = _rollout(client, name, clock, "3", spec, [25, 100], 60)
    assert bad.status == "rolled_back", bad.reason
    assert "canary fails more often" in bad.reason and bad.history == [25, 0]
    assert client.get_alias(name, "prod").version_id == "1"
    good = _rollout(client, name, clock, "2", spec, [25, 100], 60)
    assert good.status == "promoted", good.reason
    assert client.get_alias(name, "prod").version_id == "2"


@pytest.mark.slow
def test_cms_gate_over_the_emulator(emulator: Emulator) -> None:
    client, name = _function(emulator)
    clock = EmulatorTime(emulator, client, name)
    spec = {"type": "cms", "function": name, "endpoint": emulator.endpoint.removeprefix("http://"),
            "reference": 120, "give_up_after": 600}
    clock.sleep(120)  # CloudMonitor's reference: two minutes of version 1 alone
    bad = _rollout(client, name, clock, "3", spec, [50, 100], 180)
    assert bad.status == "rolled_back", bad.reason
    assert "canary fails more often" in bad.reason
    assert client.get_alias(name, "prod").version_id == "1"
    clock.sleep(120)
    good = _rollout(client, name, clock, "2", spec, [50, 100], 180)
    assert good.status == "promoted", good.reason
    assert client.get_alias(name, "prod").version_id == "2"


def _service(emulator: Emulator) -> tuple[FcClient, str]:
    """The FC 2.0 twin of ``_function``: service (request metrics on) with quote v1 (version 1, prod), v2, v3."""
    client = FcClient(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint)
    service = f"shop{next(_names)}"
    client.create_service(service, log_config=LOG)
    client.create_function(service, "quote", "python3.10", "index.handler", code=function_code("v1"))
    client.publish_version(service, "v1")
    client.create_alias(service, "prod", "1")
    for code in ("v2", "v3"):
        client.update_function(service, "quote", code=function_code(code))
        client.publish_version(service, code)
    return client, service


@pytest.mark.slow
def test_sls_gate_over_the_emulator_on_fc2(emulator: Emulator) -> None:
    client, service = _service(emulator)
    clock = EmulatorTime(emulator, client, "quote", owner=service)
    spec = {"type": "sls", "project": "shop-logs", "logstore": "fc-requests", "function": "quote",
            "http_proxy": emulator.endpoint}

    def rollout(version: str) -> Any:
        gate = gate_from_spec(spec, credentials_from_client(client))
        gate.wall_clock = clock
        return Rollout(client, service, "prod", version, strategy=Steps([25, 100], interval=60), health=[gate],
                       check_every=5, sleep=clock.sleep, clock=clock).run()

    bad = rollout("3")
    assert bad.status == "rolled_back", bad.reason
    assert "canary fails more often" in bad.reason and bad.history == [25, 0]
    assert client.get_alias(service, "prod").version_id == "1"
    good = rollout("2")
    assert good.status == "promoted", good.reason
    assert client.get_alias(service, "prod").version_id == "2"
