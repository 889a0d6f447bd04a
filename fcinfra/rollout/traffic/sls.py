"""``SlsGate``: the canary judged by FC's request-level metric rows in Log Service, grouped by ``versionId``.

With ``logConfig.enableRequestMetrics`` FC writes one row per invocation to the logstore of the service's
(FC 2.0) or function's (FC 3.0) ``logConfig``, topic ``FCRequestMetrics:{service}/{function}`` (FC 3.0:
``FCRequestMetrics:/{function}``, chosen by itself in a rollout of an FC 3.0 function). ``qualifier`` is
the alias as called and ``versionId`` the version that served the call, so one SQL query splits the
alias's traffic by version::

    __topic__: "FCRequestMetrics:svc/fn" and qualifier: "prod" |
    SELECT versionId, count(*) AS requests, count_if(<failure>) AS failures,
           approx_percentile(durationMs, 0.95) AS latency GROUP BY versionId

A failure is ``hasFunctionError = 'true'`` by default; ``failure`` takes any SQL condition (for HTTP
functions, e.g. ``hasFunctionError = 'true' or statusCode >= 500``). The logstore needs a field index with
analytics on those fields (``durationMs``/``statusCode`` numeric), as FC's own setup creates.

SDK: ``alibabacloud-sls20201230`` (the generated OpenAPI SDK), not ``aliyun-log-python-sdk``: it takes a
per-client ``http_proxy`` (the emulator is reached without touching the process environment or private
attributes), it shares the Tea/OpenAPI stack, credentials and retry options with the CloudMonitor SDK that
``CmsGate`` uses, and it returns rows as typed models of the current (2020-12-30) API.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from fcinfra.errors import GateSourceError, InvalidArgumentError
from fcinfra.rollout.health import Target
from fcinfra.rollout.traffic.base import TrafficGate, VersionTraffic

__all__ = ["SlsGate", "sls_client"]

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def sls_client(endpoint: str, access_key_id: str = "", access_key_secret: str = "", security_token: str | None = None,
               http_proxy: str | None = None, credential: Any = None) -> Any:
    """An ``alibabacloud_sls20201230`` client (``endpoint`` like ``cn-hangzhou.log.aliyuncs.com``).

    Fixed keys, or ``credential`` (a :class:`~fcinfra.rollout.traffic.auth.SourceCredential`) asked per request.
    """
    from alibabacloud_sls20201230.client import Client
    from alibabacloud_tea_openapi.models import Config

    config = Config(access_key_id=access_key_id or None, access_key_secret=access_key_secret or None,
                    security_token=security_token, credential=credential,
                    endpoint=endpoint, http_proxy=http_proxy, protocol="http" if http_proxy else "https",
                    read_timeout=10_000, connect_timeout=5_000)
    return Client(config)


class SlsGate(TrafficGate):
    """Compare the canary's request-metric rows with the baseline's (see the module docstring)."""

    kind = "sls"

    def __init__(
        self,
        project: str,
        logstore: str,
        function: str,
        client: Any,
        *,
        fc_api: Literal[2, 3] = 2,
        failure: str = "hasFunctionError = 'true'",
        **kwargs: Any,
    ) -> None:
        for label, value in (("project", project), ("logstore", logstore), ("function", function)):
            if not isinstance(value, str) or not _NAME.match(value):
                raise InvalidArgumentError(f"SlsGate {label} must be a plain name, got {value!r}")
        if fc_api not in (2, 3):
            raise InvalidArgumentError(f"fc_api must be 2 or 3, got {fc_api!r}")
        if not isinstance(failure, str) or not failure.strip() or "|" in failure:
            raise InvalidArgumentError(f"failure must be an SQL condition, got {failure!r}")
        super().__init__(**kwargs)
        self.project = project
        self.logstore = logstore
        self.function = function
        self.client = client
        self.fc_api = fc_api
        self.failure = failure
        self.name = kwargs.get("name") or f"sls:{function}"

    def sql(self, service: str, alias: str, fc_api: Literal[2, 3] | None = None) -> str:
        """The query for one check: the alias's rows, grouped by the version that served them (``fc_api``:
        the gate's own unless given; an FC 3.0 rollout always reads FC 3.0's topic)."""
        for label, value in (("service", service), ("alias", alias)):
            if not _NAME.match(value):
                raise InvalidArgumentError(f"{label} {value!r} cannot be queried safely")
        topic = f"FCRequestMetrics:{service}/{self.function}" if (fc_api or self.fc_api) == 2 else \
            f"FCRequestMetrics:/{self.function}"
        p = (self.thresholds.latency_percentile if self.thresholds else 95.0) / 100
        return (f'__topic__: "{topic}" and qualifier: "{alias}" | '
                f"SELECT versionId, count(*) AS requests, count_if({self.failure}) AS failures, "
                f"approx_percentile(durationMs, {p:g}) AS latency GROUP BY versionId LIMIT 1000")

    def read(self, target: Target, start: float, end: float) -> Mapping[str, VersionTraffic]:
        from alibabacloud_sls20201230 import models

        self.owner_function(target, self.function)
        query = self.sql(target.service, target.alias, 3 if target.function_level else None)
        request = models.GetLogsRequest(from_=int(start), to=math.ceil(end) + 1, query=query, line=1000)
        try:
            response = self.client.get_logs(self.project, self.logstore, request)
        except Exception as exc:  # the SDK raises its own TeaException for every refusal
            code = getattr(exc, "code", "") or type(exc).__name__
            raise GateSourceError(f"Log Service refused GetLogs on {self.project}/{self.logstore}: {code}: "
                                  f"{getattr(exc, 'message', exc)}") from exc
        body = response.body.to_map() if hasattr(response.body, "to_map") else response.body
        rows = body if isinstance(body, list) else (body or {}).get("data", [])
        meta = {} if isinstance(body, list) else (body or {}).get("meta", {})
        if meta.get("progress", "Complete") != "Complete":
            raise GateSourceError("Log Service answered with an incomplete result; retry at the next check")
        out = {}
        for row in rows:
            try:
                total = int(float(row["requests"]))
                failed = int(float(row["failures"]))
                latency = None if row.get("latency") in (None, "null", "") else float(row["latency"])
            except (KeyError, TypeError, ValueError) as exc:
                raise GateSourceError(f"unexpected Log Service row {row!r}") from exc
            out[str(row.get("versionId"))] = VersionTraffic(total, failed, latency)
        return out
