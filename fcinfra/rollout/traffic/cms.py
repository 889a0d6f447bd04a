"""``CmsGate``: the canary judged through CloudMonitor's ``acs_fc`` metrics (``DescribeMetricList``).

**CloudMonitor cannot tell versions apart.** FC's documented dimensions stop at the function (FC 2.0
``region``/``serviceName``/``functionName``; FC 3.0 ``region``/``functionName``). The per-qualifier metric
names the FC console uses are undocumented, so this gate does not use them. It compares **before with
during** instead. The baseline is the function's own traffic over ``reference`` seconds before the
rollout's first step, when the main version served alone. The canary side is the function's traffic since
the current step began: the canary's ``weight`` share mixed with the baseline. A canary that fails ``r`` times
as often as the baseline makes the mixed traffic fail ``1 + weight·(r − 1)`` times as often, so the
sequential test's alternative is scaled by the weight. Its minimum sample is scaled to the canary's
expected share of the requests.

Assumes the function's error rate is steady between the reference window and the step (time-of-day effects
are not separated). A point covers a whole 60 s period, so evidence arrives a minute at a time. Prefer
``SlsGate`` (per version) when request metrics are enabled; use this where only CloudMonitor is available.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from fcinfra.errors import GateSourceError, InvalidArgumentError
from fcinfra.rollout.health import Target
from fcinfra.rollout.sequential import SequentialTest
from fcinfra.rollout.traffic.base import TrafficGate, VersionTraffic

__all__ = ["CmsGate", "cms_client"]

PERIOD = 60


def cms_client(region: str, access_key_id: str = "", access_key_secret: str = "", security_token: str | None = None,
               endpoint: str | None = None, credential: Any = None) -> Any:
    """An ``alibabacloud_cms20190101`` client; ``endpoint`` like ``127.0.0.1:8080`` (plain HTTP) for the emulator.

    Fixed keys, or ``credential`` (a :class:`~fcinfra.rollout.traffic.auth.SourceCredential`) asked per request.
    """
    from alibabacloud_cms20190101.client import Client
    from alibabacloud_tea_openapi.models import Config

    config = Config(access_key_id=access_key_id or None, access_key_secret=access_key_secret or None,
                    security_token=security_token, credential=credential,
                    region_id=region, endpoint=endpoint or f"metrics.{region}.aliyuncs.com",
                    protocol="http" if endpoint and endpoint.startswith("127.") else "https",
                    read_timeout=10_000, connect_timeout=5_000)
    return Client(config)


class CmsGate(TrafficGate):
    """Before/during comparison of one function's ``acs_fc`` metrics (see the module docstring)."""

    kind = "cms"

    def __init__(
        self,
        function: str,
        client: Any,
        *,
        region: str,
        fc_api: Literal[2, 3] = 2,
        reference: float = 3600.0,
        failure_metrics: Sequence[str] = ("FunctionFunctionErrors",),
        **kwargs: Any,
    ) -> None:
        if not isinstance(function, str) or not function:
            raise InvalidArgumentError(f"CmsGate needs a function name, got {function!r}")
        if fc_api not in (2, 3):
            raise InvalidArgumentError(f"fc_api must be 2 or 3, got {fc_api!r}")
        if isinstance(reference, bool) or not reference >= PERIOD:
            raise InvalidArgumentError(f"reference must be at least {PERIOD} seconds, got {reference!r}")
        if not failure_metrics:
            raise InvalidArgumentError("failure_metrics needs at least one metric name")
        super().__init__(**kwargs)
        self.function = function
        self.client = client
        self.region = region
        self.fc_api = fc_api
        self.reference = float(reference)
        self.failure_metrics = tuple(failure_metrics)
        self.name = kwargs.get("name") or f"cms:{function}"
        self._rollout: tuple[tuple[Any, ...], float] | None = None

    def sequential_test(self, target: Target) -> SequentialTest:
        share = target.weight / 100
        t = self.test
        return replace(t, null_ratio=1 + share * (t.null_ratio - 1), alt_ratio=1 + share * (t.alt_ratio - 1),
                       min_canary_requests=math.ceil(t.min_canary_requests / share))

    def _sum(self, metric: str, service: str | None, start: float, end: float) -> float:
        """Sum of a metric's points over the periods starting within [start, end); ``service`` None: FC 3.0."""
        from alibabacloud_cms20190101 import models

        # FC 3.0's dimensions stop at region and function; FC's own example sends serviceName "" for them.
        dims = {"region": self.region, "serviceName": service if service is not None and self.fc_api == 2 else "",
                "functionName": self.function}
        request = models.DescribeMetricListRequest(
            namespace="acs_fc", metric_name=metric, dimensions=json.dumps([dims]), period=str(PERIOD),
            start_time=str(int(start) * 1000 - 1), end_time=str(int(end) * 1000 - 1), length="1440")
        total, token = 0.0, None
        while True:
            request.next_token = token
            try:
                body = self.client.describe_metric_list(request).body
            except Exception as exc:  # the SDK raises its own TeaException for every refusal
                raise GateSourceError(f"CloudMonitor refused DescribeMetricList {metric}: "
                                      f"{getattr(exc, 'code', '') or type(exc).__name__}: "
                                      f"{getattr(exc, 'message', exc)}") from exc
            if str(body.code) != "200":
                raise GateSourceError(f"CloudMonitor answered {body.code}: {body.message}")
            total += sum(float(p.get("Value", 0)) for p in json.loads(body.datapoints or "[]"))
            token = body.next_token
            if not token:
                return total

    def read(self, target: Target, start: float, end: float) -> Mapping[str, VersionTraffic]:
        self.owner_function(target, self.function)
        service = None if target.function_level else target.service
        key = (target.service, target.alias, target.main_version, target.canary_version)
        if self._rollout is None or self._rollout[0] != key:
            self._rollout = (key, start)
        first = self._rollout[1] // PERIOD * PERIOD
        step = start // PERIOD * PERIOD

        def traffic(a: float, b: float) -> VersionTraffic:
            total = round(self._sum("FunctionTotalInvocations", service, a, b))
            failed = round(sum(self._sum(m, service, a, b) for m in self.failure_metrics))
            return VersionTraffic(total, min(failed, total))

        return {target.canary_version: traffic(step, end), target.main_version: traffic(first - self.reference, first)}
