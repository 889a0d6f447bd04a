"""Pulumi health specs take traffic gates: ``health: [{"type": "sls", ...}]`` (issue 14)."""

from __future__ import annotations

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.providers._rollout import build_health
from fcinfra.rollout import InvokeProbe, PrometheusGate, SlsGate
from fcinfra.rollout.traffic.specs import GateCredentials


def test_traffic_gates_beside_probes() -> None:
    gates = build_health([
        {"type": "invoke", "function": "fn", "samples": 20.0},
        {"type": "sls", "project": "p", "logstore": "l", "function": "fn", "min_requests": 30.0},
        {"type": "prometheus", "url": "http://prom:9090", "function": "fn"},
    ], GateCredentials("cn-shanghai", "AK", "SK"))
    assert [type(g) for g in gates] == [InvokeProbe, SlsGate, PrometheusGate]
    assert gates[1].test.min_canary_requests == 30


def test_validation_without_credentials_and_bad_specs() -> None:
    assert isinstance(build_health([{"type": "cms", "function": "fn"}])[0].name, str)  # check() has no keys yet
    with pytest.raises(InvalidArgumentError, match="sls, cms, prometheus"):
        build_health([{"type": "datadog"}])
    with pytest.raises(InvalidArgumentError, match="needs project"):
        build_health([{"type": "sls", "logstore": "l", "function": "fn"}])
