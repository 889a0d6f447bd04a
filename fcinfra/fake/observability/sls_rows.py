"""The request-metric row FC writes to Log Service for one invocation (FC's "request-level metric logs").

Only documented fields (docs/gates.md cites each): everything as strings, as Log Service hands them back.
The topic is ``FCRequestMetrics:{service}/{function}`` for FC 2.0 and ``FCRequestMetrics:/{function}`` for
FC 3.0; ``qualifier`` is the alias or version as called, ``versionId`` the version that served the call.
"""

from __future__ import annotations

from typing import Literal

from fcinfra.fake.observability.record import Invocation

__all__ = ["FIELDS", "NUMERIC_FIELDS", "request_metric_row", "request_metric_topic"]

FcApi = Literal[2, 3]

# Every field the emulator writes: the logstore's field index (a query may name one no row has yet).
FIELDS = ("functionName", "serviceName", "qualifier", "versionId", "requestId", "operation", "invocationType",
          "durationMs", "memoryMB", "memoryUsageMB", "isColdStart", "instanceEvent", "hasFunctionError", "errorType",
          "resourceMode", "invocationStartTimestamp", "statusCode")

# Fields FC's documented logstore index types as numbers (long/double); the rest are text.
NUMERIC_FIELDS = {"durationMs": "REAL", "memoryUsageMB": "REAL", "statusCode": "INTEGER"}


def request_metric_topic(service: str, function: str, fc_api: FcApi = 2) -> str:
    """``__topic__`` of the request-metric rows of one function."""
    return f"FCRequestMetrics:{service}/{function}" if fc_api == 2 else f"FCRequestMetrics:/{function}"


def request_metric_row(call: Invocation, fc_api: FcApi = 2) -> dict[str, str]:
    """The row's fields (without ``__time__``/``__topic__``/``__source__``, which the store adds)."""
    row = {
        "functionName": call.function,
        "qualifier": call.qualifier,
        "requestId": call.request_id,
        "operation": "InvokeFunction",
        "invocationType": call.invocation_type,
        "durationMs": f"{call.duration_ms:.2f}",
        "memoryMB": str(call.memory_mb),
        "memoryUsageMB": f"{call.memory_usage_mb:.2f}",
        "isColdStart": "true" if call.cold_start else "false",
        "hasFunctionError": "true" if call.function_error else "false",
        "resourceMode": "OnDemand",
        "invocationStartTimestamp": str(int(call.time * 1000)),
    }
    if call.version_id != "LATEST":  # FC's example row for a LATEST call has no versionId
        row["versionId"] = call.version_id
    if fc_api == 2:
        row["serviceName"] = call.service
    if call.cold_start:
        row["instanceEvent"] = "ColdStart"
    if call.error_type is not None:
        row["errorType"] = call.error_type
    if call.status_code is not None:
        row["statusCode"] = str(call.status_code)
    return row
