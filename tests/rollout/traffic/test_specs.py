"""Traffic gates from plain data (CLI --gate, Pulumi health specs): validated, typed, no secrets."""

from __future__ import annotations

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout.traffic import CmsGate, PrometheusGate, SlsGate
from fcinfra.rollout.traffic.specs import GateCredentials, gate_from_spec, parse_gate_option

CREDS = GateCredentials("cn-hangzhou", "AK", "SK")


def test_cli_option_to_sls_gate() -> None:
    spec = parse_gate_option("sls:project=p,logstore=l,function=fn,alpha=0.01,min_requests=30,max_latency_ms=200")
    assert spec == {"type": "sls", "project": "p", "logstore": "l", "function": "fn", "alpha": "0.01",
                    "min_requests": "30", "max_latency_ms": "200"}
    gate = gate_from_spec(spec, CREDS)
    assert isinstance(gate, SlsGate)
    assert (gate.project, gate.logstore, gate.function) == ("p", "l", "fn")
    assert gate.test.alpha == 0.01 and gate.test.min_canary_requests == gate.test.min_baseline_requests == 30
    assert gate.thresholds is not None and gate.thresholds.max_latency_ms == 200


def test_pulumi_floats_and_other_types() -> None:
    cms = gate_from_spec({"type": "cms", "function": "fn", "reference": 1800.0, "fc_api": 3.0}, CREDS)
    assert isinstance(cms, CmsGate) and cms.reference == 1800 and cms.fc_api == 3
    prom = gate_from_spec({"type": "prometheus", "url": "http://prom:9090", "function": "fn",
                           "require_evidence": True})
    assert isinstance(prom, PrometheusGate) and prom.require_evidence


@pytest.mark.parametrize(("spec", "message"), [
    ({"type": "datadog"}, "unknown traffic gate type"),
    ({"type": "sls", "project": "p", "logstore": "l"}, "needs function"),
    ({"type": "sls", "project": "p", "logstore": "l", "function": "f", "color": "red"}, "unknown sls gate key"),
    ({"type": "sls", "project": "p", "logstore": "l", "function": "f", "access_key_secret": "x"}, "secret"),
    ({"type": "sls", "project": "p", "logstore": "l", "function": "f", "min_requests": "many"}, "whole number"),
    ({"type": "prometheus", "url": "http://p", "function": "f", "alpha": "tiny"}, "must be a number"),
])
def test_bad_specs_are_refused(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        gate_from_spec(spec, CREDS)


def test_sources_that_need_an_access_key_refuse_without_one() -> None:
    with pytest.raises(InvalidArgumentError, match="needs credentials"):
        gate_from_spec({"type": "cms", "function": "fn"})


@pytest.mark.parametrize("text", ["sls", "nope:a=b", "sls:project"])
def test_bad_cli_option(text: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_gate_option(text)


def test_credentials_hidden_from_repr() -> None:
    assert "SK" not in repr(GateCredentials("cn-hangzhou", "AKID", "SK", "TOKEN"))
    assert "TOKEN" not in repr(GateCredentials("cn-hangzhou", "AKID", "SK", "TOKEN"))
