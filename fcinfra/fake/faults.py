"""Deterministic fault injection: throttling, 5xx, latency and dropped connections per FC operation.

A fault decided *before* an operation means it did not run; ``drop_after`` means it ran and the answer was
lost (the ambiguous case a client must resolve by asking the service). Rules are plain data so the emulator's
control endpoint can set them::

    faults.configure({"seed": 7, "rules": {"GetAlias": {"throttle": 0.2}, "*": {"latency": 0.05}}})
    faults.set("PublishServiceVersion", drop_after=1.0, times=1)   # the next publish runs, its answer is lost
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from fcinfra.fake.exceptions import FakeApiError


class DropConnection(Exception):
    """The connection is dropped without an answer (mock_fc raises requests' ConnectionError)."""


@dataclass
class FaultRule:
    """Probabilities (0-1) of each injected fault for an operation, plus added latency."""

    throttle: float = 0.0  # 429 ResourceExhausted
    unavailable: float = 0.0  # 503 ResourceThrottled
    error: float = 0.0  # 500 InternalServerError
    drop: float = 0.0  # connection dropped before the operation ran
    drop_after: float = 0.0  # operation ran, answer lost
    latency: float = 0.0  # seconds added before the operation
    times: int | None = None  # apply to at most this many matching calls, then the rule is removed

    def __post_init__(self) -> None:
        for name in ("throttle", "unavailable", "error", "drop", "drop_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"fault rate {name}={value!r} must be a number within [0, 1]")
        if self.throttle + self.unavailable + self.error + self.drop > 1.0 + 1e-9:
            raise ValueError("throttle + unavailable + error + drop must not exceed 1")
        if isinstance(self.latency, bool) or not isinstance(self.latency, int | float) or self.latency < 0:
            raise ValueError(f"latency {self.latency!r} must be a non-negative number of seconds")
        if self.times is not None and (isinstance(self.times, bool) or not isinstance(self.times, int)
                                       or self.times < 1):
            raise ValueError(f"times {self.times!r} must be a positive integer")


_RULE_FIELDS = {f.name for f in fields(FaultRule)}


class FaultInjector:
    """Per-operation fault rules (an exact operation name wins over ``"*"``), drawn from a seeded RNG."""

    def __init__(self, seed: int | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._rng = random.Random(seed)
        self._rules: dict[str, FaultRule] = {}
        self._lock = threading.Lock()
        self.sleep = sleep
        # (operation, fault) log of the latest injections, for tests and the control endpoint
        self.injected: deque[tuple[str, str]] = deque(maxlen=1000)

    # ------------------------------------------------------------------------------------------ settings
    def set(self, operation: str = "*", **rates: Any) -> None:
        """Inject faults into ``operation`` (``*`` for every one), e.g. ``set('UpdateAlias', throttle=0.5)``."""
        unknown = set(rates) - _RULE_FIELDS
        if unknown:
            raise ValueError(f"unknown fault setting(s) {sorted(unknown)}; known: {sorted(_RULE_FIELDS)}")
        rule = FaultRule(**rates)
        with self._lock:
            self._rules[operation] = rule

    def clear(self, operation: str | None = None) -> None:
        """Stop injecting into ``operation``, or everywhere (and forget the log) with no argument."""
        with self._lock:
            if operation is None:
                self._rules.clear()
                self.injected.clear()
            else:
                self._rules.pop(operation, None)

    def seed(self, seed: int | None) -> None:
        """Make the injected faults reproducible."""
        with self._lock:
            self._rng = random.Random(seed)

    def configure(self, config: dict[str, Any]) -> None:
        """Replace all rules from plain data: ``{"seed": 1, "rules": {"GetAlias": {"throttle": 0.5}}}``."""
        if not isinstance(config, dict):
            raise ValueError("fault configuration must be an object")
        rules = config.get("rules", {})
        if not isinstance(rules, dict):
            raise ValueError("'rules' must map operation names to fault settings")
        parsed: dict[str, FaultRule] = {}
        for operation, settings in rules.items():
            if not isinstance(settings, dict) or set(settings) - _RULE_FIELDS:
                raise ValueError(f"fault settings for {operation!r} must be an object with keys {sorted(_RULE_FIELDS)}")
            parsed[str(operation)] = FaultRule(**settings)
        with self._lock:
            if "seed" in config:
                self._rng = random.Random(config["seed"])
            self._rules = parsed

    def to_dict(self) -> dict[str, Any]:
        """The rules as plain data (the control endpoint answers it)."""
        with self._lock:
            return {"rules": {op: asdict(rule) for op, rule in self._rules.items()}}

    # ------------------------------------------------------------------------------------------ decisions
    def _rule_for(self, operation: str) -> tuple[str, FaultRule] | None:
        if operation in self._rules:
            return operation, self._rules[operation]
        if "*" in self._rules:
            return "*", self._rules["*"]
        return None

    def _consume(self, key: str, rule: FaultRule) -> None:
        if rule.times is not None:
            rule.times -= 1
            if rule.times <= 0:
                self._rules.pop(key, None)

    def before(self, operation: str) -> None:
        """Called before an operation runs: may sleep, raise FakeApiError or DropConnection."""
        with self._lock:
            found = self._rule_for(operation)
            if found is None:
                return
            key, rule = found
            draw = self._rng.random()
            latency = rule.latency
            outcome = None
            edge = 0.0
            for name in ("throttle", "unavailable", "error", "drop"):
                edge += getattr(rule, name)
                if draw < edge:
                    outcome = name
                    break
            if outcome is not None or rule.drop_after == 0.0:
                self._consume(key, rule)
            if outcome is not None:
                self.injected.append((operation, outcome))
        if latency:
            self.sleep(latency)
        if outcome == "throttle":
            raise FakeApiError(429, "ResourceExhausted", "concurrency limit exceeded (fault injected by the fake)")
        if outcome == "unavailable":
            raise FakeApiError(503, "ResourceThrottled", "instance quota exceeded (fault injected by the fake)")
        if outcome == "error":
            raise FakeApiError(500, "InternalServerError", "an internal error has occurred. Please retry.")
        if outcome == "drop":
            raise DropConnection(f"{operation}: connection dropped before the operation (fault injected)")

    def after(self, operation: str) -> None:
        """Called after an operation ran: may raise DropConnection (the answer is lost)."""
        with self._lock:
            found = self._rule_for(operation)
            if found is None:
                return
            key, rule = found
            if rule.drop_after == 0.0:
                return
            dropped = self._rng.random() < rule.drop_after
            self._consume(key, rule)
            if dropped:
                self.injected.append((operation, "drop_after"))
        if dropped:
            raise DropConnection(f"{operation}: connection dropped after the operation ran (fault injected)")
