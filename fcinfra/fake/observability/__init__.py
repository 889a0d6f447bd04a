"""What FC records about the invocations the emulator serves, and the APIs that read it back:
Log Service request-metric rows, CloudMonitor ``acs_fc`` metrics and a Prometheus ``/metrics`` endpoint.

Self-contained: the emulator feeds :class:`~fcinfra.fake.observability.record.Invocation` records in.
"""

from __future__ import annotations

from fcinfra.fake.observability.cms_service import CloudMonitor
from fcinfra.fake.observability.hub import Observability
from fcinfra.fake.observability.metrics import PrometheusMetrics
from fcinfra.fake.observability.record import Invocation
from fcinfra.fake.observability.sls_service import LogService

__all__ = ["CloudMonitor", "Invocation", "LogService", "Observability", "PrometheusMetrics"]
