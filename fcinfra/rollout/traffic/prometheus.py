"""``PrometheusGate``: the canary's traffic from any Prometheus-compatible HTTP API, by PromQL template.

Works with a self-hosted Prometheus or a managed one (Alibaba Cloud's Managed Service for Prometheus
serves the same ``/api/v1/query``). Each template is rendered once per version with ``{{service}}``,
``{{alias}}``, ``{{version}}``, ``{{function}}`` and ``{{window}}`` (the window's length as a PromQL
duration, e.g. ``95s``) and run as an instant query; the values of the result vector are summed.

The default templates read the metrics that fcinfra's emulator exports on ``/metrics``
(``fc_invocations_total``, ``fc_function_errors_total``, ``fc_duration_seconds``, labelled by service,
function, qualifier and version). FC itself exports no Prometheus metrics: point the templates at what
your own exporter or collector records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import requests

from fcinfra.errors import GateSourceError, InvalidArgumentError
from fcinfra.rollout.health import Target
from fcinfra.rollout.traffic.base import TrafficGate, VersionTraffic

__all__ = ["DEFAULT_FAILURES", "DEFAULT_LATENCY", "DEFAULT_REQUESTS", "PrometheusGate", "counter_delta", "render"]

_LABELS = 'service="{{service}}",function="{{function}}",qualifier="{{alias}}",version="{{version}}"'


def counter_delta(metric: str) -> str:
    """PromQL for "the counter now minus the counter a window ago" (0 where a series did not exist yet):
    exact counts, unlike ``increase()``, which extrapolates and misses a series' first value."""
    selector = metric + "{" + _LABELS + "}"
    return f"(sum({selector}) or vector(0)) - (sum({selector} offset {{{{window}}}}) or vector(0))"


DEFAULT_REQUESTS = counter_delta("fc_invocations_total")
DEFAULT_FAILURES = counter_delta("fc_function_errors_total")
DEFAULT_LATENCY = (
    "1000 * histogram_quantile({{quantile}}, sum by (le) (increase(fc_duration_seconds_bucket{"
    + _LABELS + "}[{{window}}])))"
)


def _label_value(value: str) -> str:
    """Escape a value for a PromQL double-quoted string."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{{name}}`` placeholders (label values escaped); an unknown placeholder is an error."""
    out = template
    for key, value in values.items():
        out = out.replace("{{" + key + "}}", value if key in ("window", "quantile") else _label_value(value))
    if "{{" in out:
        start = out.index("{{")
        raise InvalidArgumentError(f"unknown placeholder {out[start:out.find('}}', start) + 2]!r} in {template!r}")
    return out


class PrometheusGate(TrafficGate):
    """Compare canary and baseline through PromQL (see the module docstring)."""

    kind = "prometheus"

    def __init__(
        self,
        url: str,
        function: str = "",
        *,
        requests_query: str = DEFAULT_REQUESTS,
        failures_query: str = DEFAULT_FAILURES,
        latency_query: str | None = DEFAULT_LATENCY,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidArgumentError(f"PrometheusGate needs an http(s) URL, got {url!r}")
        super().__init__(**kwargs)
        self.url = url.rstrip("/")
        self.function = function
        self.queries = {"requests": requests_query, "failures": failures_query}
        self.latency_query = latency_query
        self.session = session or requests.Session()
        self.timeout = timeout
        self.headers = dict(headers or {})
        probe = {"service": "s", "alias": "a", "version": "1", "function": "f", "window": "1s", "quantile": "0.5"}
        for template in (requests_query, failures_query, latency_query or ""):
            render(template, probe)  # bad templates fail now, not mid-rollout

    def query(self, promql: str, at: float) -> float:
        """Run one instant query; the sum of the result vector's values (0 for an empty vector)."""
        try:
            response = self.session.get(f"{self.url}/api/v1/query", params={"query": promql, "time": f"{at:.3f}"},
                                        headers=self.headers, timeout=self.timeout)
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise GateSourceError(f"Prometheus at {self.url} did not answer the query {promql!r}: {exc}") from exc
        if response.status_code != 200 or body.get("status") != "success":
            raise GateSourceError(f"Prometheus at {self.url} refused {promql!r}: HTTP {response.status_code} "
                                  f"{body.get('errorType', '')} {body.get('error', '')}".rstrip())
        data = body.get("data", {})
        if data.get("resultType") == "scalar":
            return _number(data["result"][1])
        total = 0.0
        for series in data.get("result", []):
            value = _number(series["value"][1])
            if not math.isnan(value):
                total += value
        return total

    def read(self, target: Target, start: float, end: float) -> Mapping[str, VersionTraffic]:
        window = f"{max(1, math.ceil(end - start))}s"
        quantile = f"{(self.thresholds.latency_percentile if self.thresholds else 95.0) / 100:g}"
        self.owner_function(target, self.function)
        # FC 3.0 has no services: {{service}} is empty (as in the emulator's series) and {{function}} the
        # alias's owner when the gate names none.
        service = "" if target.function_level else target.service
        function = self.function or (target.service if target.function_level else "")
        out = {}
        for version in (target.canary_version, target.main_version):
            values = {"service": service, "alias": target.alias, "version": version,
                      "function": function, "window": window, "quantile": quantile}
            total = round(self.query(render(self.queries["requests"], values), end))
            failed = min(total, round(self.query(render(self.queries["failures"], values), end)))
            latency = None
            if self.latency_query and self.thresholds is not None and total:
                value = self.query(render(self.latency_query, values), end)
                latency = None if math.isnan(value) else value
            out[version] = VersionTraffic(total, failed, latency)
        return out


def _number(text: Any) -> float:
    """Prometheus sends sample values as strings ("12", "NaN", "+Inf")."""
    try:
        return float(text)
    except (TypeError, ValueError) as exc:
        raise GateSourceError(f"Prometheus sent a non-numeric sample value {text!r}") from exc
