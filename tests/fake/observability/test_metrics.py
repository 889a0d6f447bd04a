"""The emulator's Prometheus series: one per (service, function, qualifier, version), parsed back by
prometheus_client's own text parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from fcinfra.fake.observability import Invocation, PrometheusMetrics


def call(version: str, error: str | None = None, duration_ms: float = 20.0, qualifier: str = "prod") -> Invocation:
    return Invocation(time=1_700_000_000.0, request_id="r", service="svc", function="fn", qualifier=qualifier,
                      version_id=version, duration_ms=duration_ms, error_type=error)


def samples(metrics: PrometheusMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def labels(version: str, qualifier: str = "prod", **extra: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"service": "svc", "function": "fn", "qualifier": qualifier, "version": version,
                         **extra}.items()))


def test_counts_by_version_and_qualifier() -> None:
    m = PrometheusMetrics()
    for _ in range(3):
        m.record(call("1"))
    m.record(call("2", error="FunctionUnhandledError", duration_ms=700))
    m.record(call("2", qualifier="2"))
    got = samples(m)
    assert got[("fc_invocations_total", labels("1"))] == 3
    assert got[("fc_function_errors_total", labels("1"))] == 0  # present from the first call, at 0
    assert got[("fc_invocations_total", labels("2"))] == 1
    assert got[("fc_function_errors_total", labels("2"))] == 1
    assert got[("fc_invocations_total", labels("2", qualifier="2"))] == 1
    assert got[("fc_duration_seconds_count", labels("2"))] == 1
    assert got[("fc_duration_seconds_bucket", labels("2", le="0.5"))] == 0
    assert got[("fc_duration_seconds_bucket", labels("2", le="1.0"))] == 1


def test_registries_are_separate() -> None:
    a, b = PrometheusMetrics(), PrometheusMetrics()
    a.record(call("1"))
    assert ("fc_invocations_total", labels("1")) not in samples(b)
