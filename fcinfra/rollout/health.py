"""Health gates: what tells the engine whether the new version may take more traffic.

A gate is anything with ``name`` and ``check(target) -> Verdict``; a plain callable works too (see
:class:`CallableGate`). Built in:

* :class:`InvokeProbe` invokes the function and judges the *new* version's error rate and latency.
  ``mode="alias"`` invokes through the alias (real routing) and attributes each result to the version
  FC reports it resolved to (``Invocation.version_id``); ``mode="direct"`` invokes the new version by its
  version qualifier, so every sample is about it. Relative gates also need the main version's samples.
* :class:`HttpProbe` does the same through an HTTP trigger bound to the alias.

**Probes run production code.** Every probe call is a real invocation of your function, with the
payload you give, against real downstream systems: use a payload that is safe to repeat (a health
check or read-only request), never one that charges a card or sends an email.

A probe needs ``samples`` results from the new version before it decides; until then its verdict is
``inconclusive`` and the engine waits (it never counts "no evidence" as a pass).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from fcinfra.errors import FcinfraError, InvalidArgumentError
from fcinfra.rollout.verdicts import FAIL, INCONCLUSIVE, PASS, Thresholds, Verdict, VersionStats, assess

__all__ = [
    "CallableGate",
    "Gate",
    "HttpProbe",
    "InvokeProbe",
    "Target",
    "Verdict",
    "as_gate",
]


@dataclass(frozen=True)
class Target:
    """What a gate judges at one check: passed to every gate, every time.

    ``stage`` is the plan stage index (-1 before traffic moved); ``pre_traffic`` is True for the
    pre-traffic check, when the new version must be invoked directly (the alias sends it nothing).
    """

    client: Any
    service: str
    alias: str
    main_version: str
    canary_version: str
    weight: int
    stage: int = -1
    pre_traffic: bool = False
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    function_level: bool = False  # FC 3.0: ``service`` is the function that owns the alias; the client an Fc3Client

    @property
    def window(self) -> tuple[str, str, str, str, int]:
        """Samples are judged per stage: a new weight (or a new rollout) starts a fresh window."""
        return (self.service, self.alias, self.main_version, self.canary_version, self.stage)


@runtime_checkable
class Gate(Protocol):
    """A health gate: anything with a ``name`` and ``check(target) -> Verdict`` (probes, user callables)."""

    name: str

    def check(self, target: Target) -> Verdict:
        """Judge the canary now; INCONCLUSIVE asks the engine to wait for more evidence."""
        ...


GateResult = bool | str | Verdict | None


class CallableGate:
    """A user function as a gate: ``fn(target)`` returns True (pass), False (fail), None (not yet), a
    status string ("pass"/"fail"/"inconclusive"), or a :class:`Verdict`. An exception is a fail."""

    def __init__(self, fn: Callable[[Target], GateResult], name: str | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", None) or type(fn).__name__

    def check(self, target: Target) -> Verdict:
        """Call the user's function and turn whatever it returned (or raised) into a Verdict."""
        try:
            result = self.fn(target)
        except Exception as exc:  # a broken gate must stop the canary, not the engine
            return Verdict(self.name, FAIL, f"gate raised {type(exc).__name__}: {exc}")
        if isinstance(result, Verdict):
            return result
        if result is True or result == PASS:
            return Verdict(self.name, PASS, "ok")
        if result is False or result == FAIL:
            return Verdict(self.name, FAIL, "gate returned False" if result is False else "gate said fail")
        if result is None or result == INCONCLUSIVE:
            return Verdict(self.name, INCONCLUSIVE, "gate has no answer yet")
        return Verdict(self.name, FAIL, f"gate returned {result!r}; expected True, False, None or a Verdict")

    def __repr__(self) -> str:
        return f"CallableGate({self.name})"


def as_gate(obj: Gate | Callable[[Target], GateResult]) -> Gate:
    """Accept a gate object or a plain callable."""
    if isinstance(obj, Gate):
        return obj
    if callable(obj):
        return CallableGate(obj)
    raise InvalidArgumentError(f"a health gate must have .check(target) or be callable, got {obj!r}")


@dataclass
class _Window:
    key: tuple[str, str, str, str, int]
    canary: VersionStats = field(default_factory=VersionStats)
    main: VersionStats = field(default_factory=VersionStats)
    unattributed_errors: int = 0


Mode = Literal["alias", "direct"]


class _Probe:
    """Shared by the invoke and HTTP probes: sampling plan, windows, verdicts."""

    kind = "probe"

    def __init__(
        self,
        function: str,
        samples: int,
        mode: Mode,
        thresholds: Thresholds,
        per_check: int | None,
        max_per_check: int,
        name: str | None,
    ) -> None:
        if not isinstance(function, str) or not function:
            raise InvalidArgumentError(f"{self.kind} needs a function name, got {function!r}")
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise InvalidArgumentError(f"samples must be a positive int, got {samples!r}")
        if mode not in ("alias", "direct"):
            raise InvalidArgumentError(f"mode must be 'alias' or 'direct', got {mode!r}")
        if per_check is not None and (isinstance(per_check, bool) or not isinstance(per_check, int) or per_check < 1):
            raise InvalidArgumentError(f"per_check must be a positive int, got {per_check!r}")
        self.function = function
        self.samples = samples
        self.mode: Mode = mode
        self.thresholds = thresholds
        self.per_check = per_check
        self.max_per_check = max_per_check
        self.name = name or f"{self.kind}:{function}"
        self._window: _Window | None = None

    # -- sampling -------------------------------------------------------------------------------

    def _calls(self, target: Target, direct: bool, have: int) -> int:
        """Calls for this check: enough for a verdict at first, then a quarter as much to keep watching
        (probes are real production invocations: no more load than the evidence needs)."""
        if self.per_check is not None:
            return self.per_check
        wanted = self.samples if have < self.samples else max(1, self.samples // 4)
        if direct or target.weight <= 0:
            return wanted
        # Through the alias only weight% of calls reach the new version: call enough to expect `wanted`.
        return min(self.max_per_check, math.ceil(wanted * 100 / target.weight))

    def check(self, target: Target) -> Verdict:
        if self._window is None or self._window.key != target.window:
            self._window = _Window(target.window)
        window = self._window
        direct = self.mode == "direct" or target.pre_traffic or target.weight >= 100
        for _ in range(self._calls(target, direct, window.canary.count)):
            if direct:
                self._sample(target, target.canary_version, window)
                if self.thresholds.relative:
                    self._sample(target, target.main_version, window)
            else:
                self._sample(target, target.alias, window)
        if window.unattributed_errors >= self.samples and window.canary.count < self.samples:
            return Verdict(self.name, FAIL, f"{window.unattributed_errors} calls through {target.alias} failed "
                           "before reaching any version", window.canary.count)
        return assess(self.name, window.canary, window.main, self.thresholds, self.samples)

    def _sample(self, target: Target, qualifier: str, window: _Window) -> None:
        start = target.clock()
        try:
            ok, version = self._call(target, qualifier)
        except FcinfraError:
            ok, version = False, (None if qualifier == target.alias else qualifier)
        latency_ms = (target.clock() - start) * 1000
        if version == target.canary_version:
            window.canary.add(ok, latency_ms)
        elif version == target.main_version:
            window.main.add(ok, latency_ms)
        elif not ok:
            window.unattributed_errors += 1

    def _call(self, target: Target, qualifier: str) -> tuple[bool, str | None]:  # pragma: no cover - abstract
        raise NotImplementedError


class InvokeProbe(_Probe):
    """Invoke ``function`` and judge the new version (see the module docstring: this runs your code).

    ``max_error_rate`` / ``max_latency_ms`` are absolute gates; ``max_error_rate_increase`` /
    ``max_latency_increase`` compare the new version with the main one. With no gate given at all, any
    error fails (``max_error_rate=0``). Latency is the round trip measured with the rollout's clock, at
    ``latency_percentile``. ``payloads`` (a non-empty sequence) replaces the single ``payload``: calls
    cycle through it in order, so a probe can exercise varied inputs the way real traffic does.
    """

    kind = "invoke"

    def __init__(
        self,
        function: str,
        samples: int = 20,
        max_error_rate: float | None = None,
        *,
        max_latency_ms: float | None = None,
        max_error_rate_increase: float | None = None,
        max_latency_increase: float | None = None,
        latency_percentile: float = 95.0,
        payload: bytes | str | Mapping[str, Any] | None = b"",
        payloads: Sequence[bytes | str | Mapping[str, Any]] | None = None,
        mode: Mode = "alias",
        per_check: int | None = None,
        max_per_check: int = 200,
        name: str | None = None,
    ) -> None:
        if payloads is not None and len(payloads) == 0:
            raise InvalidArgumentError("InvokeProbe(payloads=...) needs at least one payload")
        if all(x is None for x in (max_error_rate, max_latency_ms, max_error_rate_increase, max_latency_increase)):
            max_error_rate = 0.0
        super().__init__(
            function,
            samples,
            mode,
            Thresholds(max_error_rate, max_latency_ms, max_error_rate_increase, max_latency_increase,
                       latency_percentile),
            per_check,
            max_per_check,
            name,
        )
        self.payload = payload
        self._payloads = itertools.cycle(payloads) if payloads is not None else None

    def _next_payload(self) -> bytes | str | Mapping[str, Any] | None:
        return next(self._payloads) if self._payloads is not None else self.payload

    def _call(self, target: Target, qualifier: str) -> tuple[bool, str | None]:
        if target.function_level:  # FC 3.0: Fc3Client.invoke(function, payload, qualifier)
            inv = target.client.invoke(self.function, self._next_payload(), qualifier=qualifier)
        else:
            inv = target.client.invoke(target.service, self.function, self._next_payload(), qualifier=qualifier)
        version = inv.version_id or (None if qualifier == target.alias else qualifier)
        return bool(inv.ok), version

    def __repr__(self) -> str:
        return f"InvokeProbe(function={self.function!r}, samples={self.samples}, mode={self.mode!r})"


class HttpProbe(_Probe):
    """Call ``function`` through its HTTP trigger bound to the alias and judge the new version.

    On FC 3.0 (``Rollout(function=...)``) the request goes to the URL FC reports for the function's HTTP
    trigger bound to the alias (``Fc3Client.http_trigger_url``).

    An answer is an error when ``is_ok(status_code)`` is False (default: a 5xx or a function error).
    HTTP triggers are reached through the qualifier they are bound to, so sampling goes through the alias
    and relies on FC reporting the resolved version; set ``qualifier_direct=True`` only if you also bound
    a trigger to each version. Same thresholds as :class:`InvokeProbe`.
    """

    kind = "http"

    def __init__(
        self,
        function: str,
        path: str = "/",
        method: str = "GET",
        samples: int = 20,
        max_error_rate: float | None = None,
        *,
        max_latency_ms: float | None = None,
        max_error_rate_increase: float | None = None,
        max_latency_increase: float | None = None,
        latency_percentile: float = 95.0,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        sign: bool = True,
        is_ok: Callable[[int], bool] | None = None,
        qualifier_direct: bool = False,
        per_check: int | None = None,
        max_per_check: int = 200,
        name: str | None = None,
    ) -> None:
        if all(x is None for x in (max_error_rate, max_latency_ms, max_error_rate_increase, max_latency_increase)):
            max_error_rate = 0.0
        super().__init__(
            function,
            samples,
            "direct" if qualifier_direct else "alias",
            Thresholds(max_error_rate, max_latency_ms, max_error_rate_increase, max_latency_increase,
                       latency_percentile),
            per_check,
            max_per_check,
            name,
        )
        self.path = path
        self.method = method
        self.body = body
        self.headers = dict(headers or {})
        self.sign = sign
        self.is_ok = is_ok or (lambda status: status < 500)
        self.qualifier_direct = qualifier_direct
        self._urls: dict[str, str] = {}  # FC 3.0: each qualifier's trigger URL, looked up once per probe

    def check(self, target: Target) -> Verdict:
        """Send this check's share of requests through the HTTP trigger and judge the answers."""
        if not self.qualifier_direct and target.pre_traffic:
            # No HTTP trigger reaches a version that has no traffic: the pre-traffic check cannot use us.
            return Verdict(self.name, PASS, "skipped before traffic moves (the trigger is bound to the alias)")
        return super().check(target)

    def _call(self, target: Target, qualifier: str) -> tuple[bool, str | None]:
        if target.function_level:  # FC 3.0: the URL of the function's HTTP trigger bound to the qualifier
            url = self._urls.get(qualifier)
            if url is None:
                url = self._urls[qualifier] = target.client.http_trigger_url(self.function, qualifier)
            resp = target.client.http_trigger_request(
                self.function, qualifier, self.path, self.method,
                body=self.body, headers=self.headers, sign=self.sign, url=url,
            )
        else:
            resp = target.client.http_trigger_request(
                target.service, qualifier, self.function, self.path, self.method,
                body=self.body, headers=self.headers, sign=self.sign,
            )
        ok = self.is_ok(resp.status_code) and "X-Fc-Error-Type" not in resp.headers
        version = resp.version_id or (None if qualifier == target.alias else qualifier)
        return ok, version

    def __repr__(self) -> str:
        return f"HttpProbe(function={self.function!r}, path={self.path!r}, samples={self.samples})"
