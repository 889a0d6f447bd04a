"""One served invocation, as the emulator's observability services see it.

Only what FC's request-metric logs and monitoring data carry (docs/gates.md lists the sources); each
service (Log Service rows, CloudMonitor points, Prometheus series) derives its own view from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["ERROR_TYPES", "Invocation", "metric_error_type"]

# FC's request-metric ``errorType`` values (FC 3.0 log field details).
ERROR_TYPES = ("FunctionOOMError", "FunctionTimeoutError", "FunctionUnhandledError")


@dataclass(frozen=True)
class Invocation:
    """A served call: who was called (``qualifier`` as given) and which version served it (``version_id``)."""

    time: float  # Unix seconds when the invocation started
    request_id: str
    service: str
    function: str
    qualifier: str  # alias or version as called; "LATEST" when none was given
    version_id: str  # the version that served it (resolved through the alias)
    duration_ms: float
    error_type: str | None = None  # one of ERROR_TYPES when the function failed
    status_code: int | None = None  # HTTP-trigger calls only
    memory_mb: int = 128
    memory_usage_mb: float = 0.0
    cold_start: bool = False
    invocation_type: str = "Sync"
    region: str = "cn-hangzhou"

    @property
    def function_error(self) -> bool:
        """FC's ``hasFunctionError``."""
        return self.error_type is not None


def metric_error_type(fc_error_type: str | None, payload: bytes) -> str | None:
    """The request-metric ``errorType`` of a served call from FC's ``X-Fc-Error-Type`` and error body.

    A timeout (``FunctionTimeout``) and running out of memory (``MemoryError``) have their own types; every
    other function error is ``FunctionUnhandledError``; no error, None.
    """
    if fc_error_type is None:
        return None
    try:
        kind = str(json.loads(payload or b"{}").get("errorType") or "")
    except (ValueError, AttributeError):
        kind = ""
    if kind == "FunctionTimeout":
        return "FunctionTimeoutError"
    if kind == "MemoryError":
        return "FunctionOOMError"
    return "FunctionUnhandledError"
