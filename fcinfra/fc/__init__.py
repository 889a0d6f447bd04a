"""FC 2.0 API client (``FcClient``) and the wire models it returns.

Names are imported on first use (PEP 562): the fake imports ``fcinfra.fc.models`` and ``fcinfra.fc.signing``,
which runs this file, and it must not drag the client (requests, retries, the error tree) in with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fcinfra._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "FcClient": "fcinfra.fc.client",
    "HttpTriggerResponse": "fcinfra.fc.client",
    "LATEST": "fcinfra.fc.models",
    "Alias": "fcinfra.fc.models",
    "Function": "fcinfra.fc.models",
    "Invocation": "fcinfra.fc.models",
    "Service": "fcinfra.fc.models",
    "Trigger": "fcinfra.fc.models",
    "Version": "fcinfra.fc.models",
    "RetryPolicy": "fcinfra.fc.retry",
    "RequestEvent": "fcinfra.fc.transport",
}

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

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from fcinfra.fc.client import FcClient, HttpTriggerResponse
    from fcinfra.fc.models import LATEST, Alias, Function, Invocation, Service, Trigger, Version
    from fcinfra.fc.retry import RetryPolicy
    from fcinfra.fc.transport import RequestEvent


_SUBMODULES = frozenset({"client", "models", "names", "retry", "signing", "transport"})


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), _SUBMODULES)
