"""The emulator's Prometheus ``/metrics``: invocations, errors and duration by service, function,
qualifier and version (FC has no Prometheus exporter of its own; these series are fcinfra's, and the
default :class:`~fcinfra.rollout.traffic.PrometheusGate` templates read them).
"""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from fcinfra.fake.observability.record import Invocation

__all__ = ["CONTENT_TYPE", "PrometheusMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LABELS = ("service", "function", "qualifier", "version")
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, float("inf"))


class PrometheusMetrics:
    """A registry of its own per emulator (never the process-global one: two emulators never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._lock = threading.Lock()
        self.invocations = Counter("fc_invocations", "Invocations served", _LABELS, registry=self.registry)
        self.function_errors = Counter("fc_function_errors", "Invocations that ended in a function error",
                                       _LABELS, registry=self.registry)
        self.duration = Histogram("fc_duration_seconds", "Execution time of served invocations", _LABELS,
                                  buckets=_BUCKETS, registry=self.registry)

    def record(self, call: Invocation) -> None:
        """Count one served invocation."""
        labels = (call.service, call.function, call.qualifier, call.version_id)
        with self._lock:
            self.invocations.labels(*labels).inc()
            if call.function_error:
                self.function_errors.labels(*labels).inc()
            else:
                self.function_errors.labels(*labels).inc(0)  # the series exists from the first call on
            self.duration.labels(*labels).observe(call.duration_ms / 1000)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        with self._lock:
            return generate_latest(self.registry)
