"""Simulated user traffic through an alias (or its HTTP trigger), for demos and tests of traffic gates.

    report = send_traffic(client, "svc", "prod", "fn", rate=20, count=400,
                          payloads=[({"item": "book"}, 9), ({"item": "gift-card"}, 1)])
    report.by_version   # {"1": VersionCalls(calls=361, errors=0), "2": VersionCalls(calls=39, errors=4)}

Requests go out one at a time, paced at ``rate`` per second (each at ``start + i / rate`` on the injected
clock); the payload of each is drawn from the weighted ``payloads`` mix with a seeded generator, so a run
is repeatable. It **always stops by itself**: after ``count`` requests or ``duration`` seconds, whichever
is given (one of them is required), and never sends more than ``MAX_REQUESTS``.

On FC 3.0 (an ``Fc3Client``) ``service`` is the function that owns the alias (pass the same name as
``function``): ``via="invoke"`` calls InvokeFunction with the alias as qualifier, ``via="http"`` calls the
URL of the function's HTTP trigger bound to the alias (``Fc3Client.http_trigger_request``, signed as FC 2.0's
trigger calls are).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fcinfra.errors import FcinfraError, InvalidArgumentError

__all__ = ["MAX_REQUESTS", "TrafficReport", "VersionCalls", "send_traffic"]

MAX_REQUESTS = 100_000
Payload = bytes | str | Mapping[str, Any] | None


@dataclass
class VersionCalls:
    """Calls that the alias routed to one version, and how many of them failed."""

    calls: int = 0
    errors: int = 0


@dataclass
class TrafficReport:
    """What was sent and how each version answered (``"?"``: no version reported, e.g. an FC error)."""

    sent: int = 0
    failed: int = 0
    seconds: float = 0.0
    by_version: dict[str, VersionCalls] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # error type or FC error code -> count

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``-o json``."""
        return {"sent": self.sent, "failed": self.failed, "seconds": round(self.seconds, 3),
                "by_version": {v: {"calls": c.calls, "errors": c.errors} for v, c in sorted(self.by_version.items())},
                "errors": dict(sorted(self.errors.items()))}


def _planned(rate: float, count: int | None, duration: float | None) -> int:
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1000:
        raise InvalidArgumentError(f"rate must be within (0, 1000] requests per second, got {rate!r}")
    if (count is None) == (duration is None):
        raise InvalidArgumentError("give exactly one of count and duration: traffic must stop by itself")
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise InvalidArgumentError(f"count must be a whole number >= 1, got {count!r}")
        planned = count
    else:
        assert duration is not None
        if isinstance(duration, bool) or not isinstance(duration, int | float) or not 0 < duration <= 86_400:
            raise InvalidArgumentError(f"duration must be within (0, 86400] seconds, got {duration!r}")
        planned = max(1, math.floor(duration * rate))
    if planned > MAX_REQUESTS:
        raise InvalidArgumentError(f"{planned} requests is more than the {MAX_REQUESTS} one run may send")
    return planned


def send_traffic(
    client: Any,
    service: str,
    alias: str,
    function: str,
    *,
    rate: float,
    count: int | None = None,
    duration: float | None = None,
    payloads: Sequence[tuple[Payload, float]] = ((b"", 1.0),),
    via: Literal["invoke", "http"] = "invoke",
    path: str = "/",
    method: str = "POST",
    seed: int = 0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_call: Callable[[str | None, bool], None] | None = None,
) -> TrafficReport:
    """Send ``count`` requests (or ``duration`` seconds' worth) at ``rate``/s through ``alias``; see the module."""
    planned = _planned(rate, count, duration)
    if via not in ("invoke", "http"):
        raise InvalidArgumentError(f"via must be 'invoke' or 'http', got {via!r}")
    if not payloads or any(isinstance(w, bool) or not isinstance(w, int | float) or w < 0 for _, w in payloads) or \
            sum(w for _, w in payloads) <= 0:
        raise InvalidArgumentError("payloads must be (payload, weight) pairs with weights >= 0 and a positive total")
    send = _sender(client, service, alias, function, via, path, method)
    rng = random.Random(seed)
    bodies = [p for p, _ in payloads]
    weights = [float(w) for _, w in payloads]
    report = TrafficReport()
    start = clock()
    for i in range(planned):
        wait = start + i / rate - clock()
        if wait > 0:
            sleep(wait)
        body = rng.choices(bodies, weights)[0]
        version, ok, kind = send(body)
        report.sent += 1
        slot = report.by_version.setdefault(version or "?", VersionCalls())
        slot.calls += 1
        if not ok:
            report.failed += 1
            slot.errors += 1
            report.errors[kind] = report.errors.get(kind, 0) + 1
        if on_call is not None:
            on_call(version, ok)
    report.seconds = clock() - start
    return report


Sender = Callable[[Payload], tuple[str | None, bool, str]]


def _sender(client: Any, service: str, alias: str, function: str, via: str, path: str, method: str) -> Sender:
    """How one request goes out: FC 2.0's invoke or HTTP trigger, or FC 3.0's (checked before any is sent)."""
    if not _fc3(client):
        return lambda body: _one(client, service, alias, function, body, via, path, method)
    if function != service:
        raise InvalidArgumentError(f"on FC 3.0 alias {alias!r} belongs to function {service!r}: the traffic can "
                                   f"only call {service!r}, not {function!r}")
    if via == "invoke":
        return lambda body: _one_fc3(client, function, alias, body)
    url = client.http_trigger_url(function, alias)  # once: the trigger bound to the alias never moves
    return lambda body: _one_fc3_http(client, function, alias, url, path, method, body)


def _fc3(client: Any) -> bool:
    """An ``Fc3Client`` (or one derived from it), told by its package: rollout never imports ``fcinfra.fc3``."""
    return any(cls.__module__.startswith("fcinfra.fc3.") for cls in type(client).__mro__)


def _one_fc3(client: Any, function: str, alias: str, body: Payload) -> tuple[str | None, bool, str]:
    try:
        answer = client.invoke(function, body, qualifier=alias)
        return answer.version_id, answer.error_type is None, answer.error_type or ""
    except FcinfraError as exc:
        return None, False, getattr(exc, "code", None) or type(exc).__name__


def _one_fc3_http(client: Any, function: str, alias: str, url: str, path: str, method: str,
                  body: Payload) -> tuple[str | None, bool, str]:
    data = body if isinstance(body, bytes | str) or body is None else _json(body)
    try:
        return _answered(client.http_trigger_request(function, alias, path, method, body=data, url=url))
    except FcinfraError as exc:
        return None, False, getattr(exc, "code", None) or type(exc).__name__


def _answered(reply: Any) -> tuple[str | None, bool, str]:
    """(version that served it, ok, error kind) of an HTTP trigger's answer (FC 2.0 and FC 3.0 alike)."""
    kind = reply.headers.get("X-Fc-Error-Type") or (f"HTTP {reply.status_code}" if not reply.ok else "")
    return reply.version_id, reply.ok, kind


def _one(client: Any, service: str, alias: str, function: str, body: Payload, via: str, path: str,
         method: str) -> tuple[str | None, bool, str]:
    """One request: (version that served it, ok, error kind)."""
    try:
        if via == "invoke":
            answer = client.invoke(service, function, body, qualifier=alias)
            return answer.version_id, answer.error_type is None, answer.error_type or ""
        data = body if isinstance(body, bytes | str) or body is None else _json(body)
        return _answered(client.http_trigger_request(service, alias, function, path, method, body=data))
    except FcinfraError as exc:
        return None, False, getattr(exc, "code", None) or type(exc).__name__


def _json(body: Mapping[str, Any]) -> str:
    import json

    return json.dumps(body)
