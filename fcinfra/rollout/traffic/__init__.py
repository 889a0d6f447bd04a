"""Gates on real traffic: the canary's requests as users send them, from request logs or metrics.

See docs/gates.md. ``SlsGate`` (Log Service request metrics, per version), ``CmsGate`` (CloudMonitor),
``PrometheusGate`` (PromQL); all share :class:`TrafficGate` (window, sequential verdict, latency limits).
"""

from __future__ import annotations

from fcinfra.rollout.traffic.base import TrafficGate, VersionTraffic, WarmUp
from fcinfra.rollout.traffic.cms import CmsGate
from fcinfra.rollout.traffic.prometheus import PrometheusGate
from fcinfra.rollout.traffic.sls import SlsGate

__all__ = ["CmsGate", "PrometheusGate", "SlsGate", "TrafficGate", "VersionTraffic", "WarmUp"]
