"""The emulator's observability services together: one call per served invocation records it everywhere
FC would, and one router tells their requests apart on the emulator's single port.

Routing, after the emulator's own prefixes (``/_fcinfra/``, ``/2016-08-15/``, ``/2023-03-30/``) are taken:

* ``GET /metrics``: the Prometheus exposition;
* Log Service: a request whose path starts with ``/logstores/`` and whose ``Authorization`` is ``LOG …``
  (the SDKs reach it as a forward proxy, so the ``Host`` header names ``{project}.{endpoint}``);
* CloudMonitor: an OpenAPI RPC request to ``/`` for API version ``2019-01-01`` (``x-acs-version`` or
  ``Version=``) with an action (``x-acs-action`` or ``Action=``); STS's RPC calls (``2015-04-01``) are not
  theirs.

Anything else is not theirs (:meth:`Observability.route` returns None) and stays with the emulator, and so
is every request to an FC 3.0 HTTP-trigger host (``*.fcapp.run``), whatever its path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal
from urllib.parse import parse_qs

from werkzeug.wrappers import Response

from fcinfra.fake.observability.clock import MovableClock
from fcinfra.fake.observability.cms_service import CloudMonitor
from fcinfra.fake.observability.metrics import CONTENT_TYPE, PrometheusMetrics
from fcinfra.fake.observability.record import Invocation
from fcinfra.fake.observability.sls_service import LogService
from fcinfra.fake.observability.temporary import Temporary

__all__ = ["CMS_VERSION", "Observability", "Route"]

CMS_VERSION = "2019-01-01"

Route = Literal["metrics", "sls", "cms"]
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class Observability:
    """Log Service, CloudMonitor and Prometheus views of the invocations an emulator serves."""

    def __init__(self, access_keys: Mapping[str, str] | None, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock if isinstance(clock, MovableClock) else MovableClock(clock)
        # Keys the fake STS issued (FakeFc sets it to its STS): Log Service and CloudMonitor accept them while
        # their token is valid, as FC does, so gates on temporary credentials are tested end to end.
        self.temporary: Temporary | None = None
        self.logs = LogService(access_keys, temporary=self._temporary)
        self.monitor = CloudMonitor(access_keys, clock=self.clock, temporary=self._temporary)
        self.metrics = PrometheusMetrics()

    def _temporary(self, key_id: str, token: str | None) -> tuple[str | None, tuple[str, str] | None]:
        return self.temporary(key_id, token) if self.temporary is not None else (None, None)

    def reset(self) -> None:
        """Forget every row, point and series (the emulator's reset); the clock keeps its offset."""
        self.logs = LogService(self.logs.access_keys, temporary=self._temporary)
        self.monitor = CloudMonitor(self.monitor.access_keys, clock=self.clock, temporary=self._temporary)
        self.metrics = PrometheusMetrics()

    def __repr__(self) -> str:  # never show secrets
        return "Observability()"

    def record(self, call: Invocation, log_config: Mapping[str, Any] | None, fc_api: Literal[2, 3] = 2) -> None:
        """Everything FC records for one served invocation.

        ``log_config`` is the service's (FC 2.0) or function's (FC 3.0) ``logConfig``: with a ``project``
        and ``logstore`` and ``enableRequestMetrics`` not false (FC's default is true), the request-metric
        row goes to that logstore. FC refuses a ``logConfig`` naming a logstore that does not exist, so a
        configured one always exists: the emulator, which has no Log Service of its own to create it in,
        makes it on first use. CloudMonitor and ``/metrics`` always count the call.
        """
        self.metrics.record(call)
        self.monitor.record(call, server_error=call.status_code is not None and call.status_code >= 500,
                            client_error=call.status_code is not None and 400 <= call.status_code < 500)
        if not log_config:
            return
        project, logstore = log_config.get("project"), log_config.get("logstore")
        if project and logstore and log_config.get("enableRequestMetrics", True) is not False:
            self.logs.create_logstore(str(project), str(logstore))
            self.logs.write_request_metrics(str(project), str(logstore), call, fc_api)

    @staticmethod
    def route(environ: Mapping[str, Any]) -> Route | None:
        """Which observability API a request is for, by path prefix then request shape (see the module)."""
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if str(environ.get("HTTP_HOST", "")).lower().split(":", 1)[0].endswith(".fcapp.run"):
            return None  # an FC 3.0 HTTP-trigger URL: every path on that host is the function's
        if path == "/metrics":
            return "metrics" if method in ("GET", "HEAD") else None
        if path.startswith("/logstores/") and str(environ.get("HTTP_AUTHORIZATION", "")).startswith("LOG "):
            return "sls"
        if path == "/":  # an RPC call: CloudMonitor's API version, not STS's (2015-04-01, the fake's own)
            query = parse_qs(environ.get("QUERY_STRING", ""))
            version = environ.get("HTTP_X_ACS_VERSION") or (query.get("Version") or [""])[0]
            if version == CMS_VERSION and (environ.get("HTTP_X_ACS_ACTION") or "Action" in query):
                return "cms"
        return None

    def app_for(self, route: Route) -> WsgiApp:
        """The WSGI app that answers a route."""
        if route == "sls":
            return self.logs.wsgi_app
        if route == "cms":
            return self.monitor.wsgi_app
        return self._metrics_app

    def _metrics_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return Response(self.metrics.exposition(), content_type=CONTENT_TYPE)(environ, start_response)
