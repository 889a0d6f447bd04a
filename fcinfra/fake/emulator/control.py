"""The emulator's control endpoints under ``/_fcinfra/``: unsigned, and answered to loopback clients only.

    GET    /_fcinfra/health          {"status": "ok", "account_id", "region", "operations"?}
    POST   /_fcinfra/reset           forget every service, function, version, alias and trigger; clear faults
    PUT    /_fcinfra/seed            {"seed": 7}: reseed alias routing and fault decisions (deterministic runs)
    GET    /_fcinfra/faults          the fault rules, as FaultInjector.to_dict() gives them
    PUT    /_fcinfra/faults          replace them: {"seed": 1, "rules": {"GetAlias": {"throttle": 0.3}}}
    DELETE /_fcinfra/faults          remove every rule
    GET    /_fcinfra/state           the whole state (FakeFc.dump_state())
    PUT    /_fcinfra/state           replace the whole state (FakeFc.load_state())
    POST   /_fcinfra/state/save      write the state file now (when the emulator has one)
    GET    /_fcinfra/clock           {"now", "offset"}: the observability services' clock (issue 14)
    POST   /_fcinfra/clock           {"advance": 60}: move it forward (CloudMonitor's minute ends at once)

Pure request -> (status, JSON) logic; the WSGI plumbing lives in ``server.py``.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fcinfra.fake import FakeFc

CONTROL_PREFIX = "/_fcinfra/"


@dataclass(frozen=True)
class ControlAnswer:
    """An answer of the emulator's control API (state, faults, reset), before it becomes HTTP."""
    status: int
    body: dict[str, Any]

    def encode(self) -> bytes:
        return json.dumps(self.body, sort_keys=True).encode()


def is_control_path(path: str) -> bool:
    """Control requests bypass FC's routing and signing: they are the emulator's own API."""
    return path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/")


def is_loopback(address: str | None) -> bool:
    """Only clients on this machine may steer the emulator (the control API has no signature)."""
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _error(status: int, message: str) -> ControlAnswer:
    return ControlAnswer(status, {"error": message})


def _json(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from exc


def reseed(fake: FakeFc, seed: int | None) -> None:
    """Restart alias routing and fault decisions from ``seed`` (``reset`` will also go back to it)."""
    with fake.lock:
        fake.seed = seed
        fake.backend.seed = seed
        fake.backend.rng.seed(seed)
        fake.faults.seed(seed)


class ControlApi:
    """Answers control requests for one emulator (its fake, and how to save its state file)."""

    def __init__(
        self,
        fake: FakeFc,
        info: Callable[[], dict[str, Any]],
        save_state: Callable[[], str | None],
    ) -> None:
        self.fake = fake
        self._info = info
        self._save_state = save_state

    def handle(self, method: str, path: str, body: bytes, remote_addr: str | None) -> ControlAnswer:
        """Answer one control request; loopback callers only, since it can reset or rewrite all state."""
        if not is_loopback(remote_addr):
            return _error(403, "the emulator's control endpoints answer loopback clients only")
        name = path[len(CONTROL_PREFIX):].strip("/") if path.startswith(CONTROL_PREFIX) else ""
        route = (method.upper(), name)
        try:
            data = _json(body) if method.upper() in {"PUT", "POST"} else {}
            return self._dispatch(route, data)
        except ValueError as exc:
            return _error(400, str(exc))

    def _dispatch(self, route: tuple[str, str], data: Any) -> ControlAnswer:
        fake = self.fake
        if route == ("GET", "health"):
            return ControlAnswer(200, {"status": "ok", **self._info()})
        if route == ("POST", "reset"):
            fake.reset()
            fake.faults.clear()
            return ControlAnswer(200, {"reset": True})
        if route in {("PUT", "seed"), ("POST", "seed")}:
            seed = data.get("seed") if isinstance(data, dict) else None
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise ValueError("'seed' must be an integer or null")
            reseed(fake, seed)
            return ControlAnswer(200, {"seed": seed})
        if route == ("GET", "faults"):
            return ControlAnswer(200, fake.faults.to_dict())
        if route in {("PUT", "faults"), ("POST", "faults")}:
            fake.faults.configure(data)
            return ControlAnswer(200, fake.faults.to_dict())
        if route == ("DELETE", "faults"):
            fake.faults.clear()
            return ControlAnswer(200, fake.faults.to_dict())
        if route == ("GET", "state"):
            return ControlAnswer(200, fake.dump_state())
        if route == ("PUT", "state"):
            if not isinstance(data, dict):
                raise ValueError("the state must be a JSON object (as GET /_fcinfra/state returns it)")
            fake.load_state(data)
            return ControlAnswer(200, {"loaded": True})
        if route == ("POST", "state/save"):
            written = self._save_state()
            if written is None:
                return _error(409, "the emulator was started without a state file")
            return ControlAnswer(200, {"saved": written})
        if route == ("GET", "clock"):
            clock = fake.observability.clock
            return ControlAnswer(200, {"now": clock(), "offset": clock.offset})
        if route == ("POST", "clock"):
            advance = data.get("advance") if isinstance(data, dict) else None
            if isinstance(advance, bool) or not isinstance(advance, int | float):
                raise ValueError("'advance' must be a number of seconds >= 0")
            clock = fake.observability.clock
            clock.advance(advance)
            return ControlAnswer(200, {"now": clock(), "offset": clock.offset})
        known = ("GET health, POST reset, PUT seed, GET|PUT|DELETE faults, GET|PUT state, POST state/save, "
                 "GET|POST clock")
        return _error(404, f"no control endpoint {route[0]} {CONTROL_PREFIX}{route[1]}; known: {known}")
