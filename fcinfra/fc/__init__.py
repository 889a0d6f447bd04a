"""FC 2.0 API client (``FcClient``) and the wire models it returns."""

from __future__ import annotations

from fcinfra.fc.client import FcClient, HttpTriggerResponse
from fcinfra.fc.models import LATEST, Alias, Function, Invocation, Service, Trigger, Version
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc.transport import RequestEvent

__all__ = [
    "LATEST",
    "Alias",
    "FcClient",
    "Function",
    "HttpTriggerResponse",
    "Invocation",
    "RequestEvent",
    "RetryPolicy",
    "Service",
    "Trigger",
    "Version",
]
