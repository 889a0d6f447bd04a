"""The emulator's CloudMonitor: FC's ``acs_fc`` function metrics at a 60-second period, and
``DescribeMetricList`` (2019-01-01, RPC) to read them, for the official ``alibabacloud-cms20190101`` SDK.

Metrics (FC's "monitoring data" docs): ``FunctionTotalInvocations``, ``FunctionFunctionErrors``,
``FunctionServerErrors``, ``FunctionClientErrors``, ``FunctionAvgDuration``, ``FunctionMaxDuration``, with
the dimensions FC documents (FC 2.0 ``region``/``serviceName``/``functionName``; FC 3.0 ``region``/
``functionName``). There is **no version or qualifier dimension**: CloudMonitor cannot tell a canary's
calls from the baseline's. A point covers one whole 60 s period and appears once that period has ended on
the emulator's clock (tests move the clock; the period is never shortened).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.observability.cms_auth import verify_acs3
from fcinfra.fake.observability.record import Invocation
from fcinfra.fake.observability.temporary import Temporary

__all__ = ["METRICS", "PERIOD", "CloudMonitor"]

PERIOD = 60
METRICS = ("FunctionTotalInvocations", "FunctionFunctionErrors", "FunctionServerErrors", "FunctionClientErrors",
           "FunctionAvgDuration", "FunctionMaxDuration")


class _Bucket:
    def __init__(self) -> None:
        self.invocations = 0
        self.function_errors = 0
        self.server_errors = 0
        self.client_errors = 0
        self.durations: list[float] = []

    def value(self, metric: str) -> float:
        if metric == "FunctionTotalInvocations":
            return self.invocations
        if metric == "FunctionFunctionErrors":
            return self.function_errors
        if metric == "FunctionServerErrors":
            return self.server_errors
        if metric == "FunctionClientErrors":
            return self.client_errors
        if metric == "FunctionAvgDuration":
            return round(sum(self.durations) / len(self.durations), 2) if self.durations else 0.0
        return max(self.durations, default=0.0)


def _millis(text: str) -> int:
    """StartTime/EndTime: Unix milliseconds (or seconds) or ``YYYY-MM-DD hh:mm:ss`` (UTC here)."""
    if text.isdigit():
        value = int(text)
        return value if value > 10**11 else value * 1000
    try:
        return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp() * 1000)
    except ValueError as exc:
        raise FakeApiError(400, "InvalidParameter", f"bad time {text!r}") from exc


class CloudMonitor:
    """Per-minute buckets keyed by (region, service, function, period start)."""

    def __init__(self, access_keys: Mapping[str, str] | None, clock: Callable[[], float] = time.time,
                 temporary: Temporary | None = None) -> None:
        self.access_keys = None if access_keys is None else dict(access_keys)
        self.temporary = temporary  # keys the fake STS issued (see temporary.py)
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str, int], _Bucket] = defaultdict(_Bucket)

    def __repr__(self) -> str:  # never show secrets
        keys = None if self.access_keys is None else sorted(self.access_keys)
        return f"CloudMonitor(access_key_ids={keys})"

    def record(self, call: Invocation, server_error: bool = False, client_error: bool = False) -> None:
        """Count one invocation in its minute."""
        start = int(call.time) // PERIOD * PERIOD
        with self._lock:
            bucket = self._buckets[(call.region, call.service, call.function, start)]
            bucket.invocations += 1
            bucket.function_errors += int(call.function_error)
            bucket.server_errors += int(server_error)
            bucket.client_errors += int(client_error)
            bucket.durations.append(call.duration_ms)

    def datapoints(self, metric: str, dimensions: list[Mapping[str, str]], period: int, start_ms: int,
                   end_ms: int) -> list[dict[str, Any]]:
        """Points of ended periods within (start, end], one per dimension instance and period."""
        now = self.clock()
        with self._lock:
            items = list(self._buckets.items())
        out: dict[tuple[str, str, str, int], _Bucket] = defaultdict(_Bucket)
        for (region, service, function, minute), bucket in items:
            slot = minute // period * period
            if slot + period > now or not start_ms < slot * 1000 <= end_ms:
                continue
            for dims in dimensions or [{}]:
                if all(dims.get(k, v) in ("", v) for k, v in (("region", region), ("functionName", function))) and (
                        dims.get("serviceName", "") in ("", service)):
                    agg = out[(region, service, function, slot)]
                    agg.invocations += bucket.invocations
                    agg.function_errors += bucket.function_errors
                    agg.server_errors += bucket.server_errors
                    agg.client_errors += bucket.client_errors
                    agg.durations += bucket.durations
                    break
        return [{"timestamp": slot * 1000, "region": region, "serviceName": service, "functionName": function,
                 "Value": out[(region, service, function, slot)].value(metric)}
                for (region, service, function, slot) in sorted(out, key=lambda k: (k[3], k[:3]))]

    # -- the API -------------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """WSGI entry point."""
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one RPC request (``POST /?Action=...``)."""
        request_id = str(uuid.uuid4()).upper()
        try:
            body = {"RequestId": request_id, **self._dispatch(request)}
            status = 200
        except FakeApiError as exc:
            body = {"RequestId": request_id, "Code": exc.code, "Message": exc.message, "Success": False}
            status = exc.status
        return Response(json.dumps(body), status=status, content_type="application/json;charset=utf-8")

    def _dispatch(self, request: Request) -> dict[str, Any]:
        params = parse_qsl(request.query_string.decode(), keep_blank_values=True)
        verify_acs3(self.access_keys, request.method, request.path, params, dict(request.headers), request.get_data(),
                    self.temporary)
        args = dict(params)
        action = request.headers.get("x-acs-action") or args.get("Action")
        if action != "DescribeMetricList":
            raise FakeApiError(400, "InvalidAction.NotFound", f"Specified api is not found: {action}")
        if request.headers.get("x-acs-version", args.get("Version")) != "2019-01-01":
            raise FakeApiError(400, "InvalidVersion", "Specified parameter Version is not valid.")
        if args.get("Namespace") != "acs_fc":
            raise FakeApiError(400, "InvalidParameter", "this emulator serves only the acs_fc namespace")
        metric = args.get("MetricName", "")
        if metric not in METRICS:
            raise FakeApiError(400, "InvalidParameter", f"MetricName {metric!r} is not one the emulator records")
        period = int(args.get("Period") or PERIOD)
        if period < PERIOD or period % PERIOD:
            raise FakeApiError(400, "InvalidParameter", f"Period must be a multiple of {PERIOD}")
        try:
            raw = json.loads(args.get("Dimensions") or "[]")
        except ValueError as exc:
            raise FakeApiError(400, "InvalidParameter", "Dimensions must be JSON") from exc
        dims = [raw] if isinstance(raw, dict) else list(raw)
        now_ms = int(self.clock() * 1000)
        start = _millis(args["StartTime"]) if args.get("StartTime") else now_ms - 3600_000
        end = _millis(args["EndTime"]) if args.get("EndTime") else now_ms
        points = self.datapoints(metric, dims, period, start, end)
        length = int(args.get("Length") or 1000)
        offset = int(args.get("NextToken") or 0)
        page = points[offset:offset + length]
        answer: dict[str, Any] = {"Code": "200", "Success": True, "Period": str(period),
                                  "Datapoints": json.dumps(page)}
        if offset + length < len(points):
            answer["NextToken"] = str(offset + length)
        return answer
