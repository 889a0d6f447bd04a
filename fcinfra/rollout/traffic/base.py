"""What every traffic gate shares: the window, the sequential verdict, the latency thresholds.

A source (Log Service, CloudMonitor, Prometheus) only answers "how many requests did each version serve
since the window opened, how many failed, how slow were they" (:meth:`TrafficGate.read`); this class turns
that into a verdict with :class:`~fcinfra.rollout.sequential.SequentialTest` and the optional
:class:`~fcinfra.rollout.verdicts.Thresholds` on latency (absolute, and relative to the baseline).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fcinfra.errors import GateSourceError, InvalidArgumentError
from fcinfra.rollout.health import Gate, Target
from fcinfra.rollout.sequential import Counts, SequentialTest, State, as_verdict
from fcinfra.rollout.verdicts import FAIL, PASS, Thresholds, Verdict

__all__ = ["TrafficGate", "VersionTraffic", "WarmUp"]


@dataclass(frozen=True)
class VersionTraffic:
    """One version's requests over the window, as a source reports them."""

    requests: int = 0
    failures: int = 0
    latency_ms: float | None = None  # the gate's latency percentile, None when the source has none

    def __post_init__(self) -> None:
        if self.requests < 0 or self.failures < 0 or self.failures > self.requests:
            raise InvalidArgumentError(f"inconsistent traffic counts: {self.failures} failures of {self.requests}")


@dataclass(frozen=True)
class Window:
    """The span a gate judges: opened at the first check of a stage (a new weight opens a new one)."""

    key: tuple[Any, ...]
    start: float  # Unix seconds


class TrafficGate:
    """Base of the gates that judge real traffic; subclasses implement :meth:`read`.

    ``wall_clock`` gives Unix time (sources are queried by timestamps); ``test`` the sequential verdict;
    ``thresholds`` optional fixed limits on top of it (error rate and latency, absolute on the canary or
    relative to the baseline), applied once the minimum sample is reached.
    """

    kind = "traffic"

    def __init__(
        self,
        *,
        test: SequentialTest | None = None,
        thresholds: Thresholds | None = None,
        require_evidence: bool = False,
        wall_clock: Callable[[], float] = time.time,
        name: str | None = None,
    ) -> None:
        self.test = test or SequentialTest()
        self.thresholds = thresholds
        self.require_evidence = require_evidence
        self.wall_clock = wall_clock
        self.name = name or self.kind
        self._window: Window | None = None

    def read(self, target: Target, start: float, end: float) -> Mapping[str, VersionTraffic]:
        """Requests per version id served through the alias within [start, end) (Unix seconds)."""
        raise NotImplementedError

    @staticmethod
    def owner_function(target: Target, function: str) -> None:
        """On FC 3.0 the alias belongs to one function: a gate reading another function's records would judge
        traffic that never reached the canary, so it refuses (and the rollout rolls back, never promotes blind)."""
        if target.function_level and function and function != target.service:
            raise GateSourceError(f"the gate reads function {function!r}, but alias {target.alias!r} belongs to "
                                  f"function {target.service!r} (FC 3.0)")

    def sequential_test(self, target: Target) -> SequentialTest:
        """The test for this check (a source that cannot split by version adapts it to what it compares)."""
        return self.test

    def check(self, target: Target) -> Verdict:
        """Judge the canary on the traffic since this stage's first check."""
        if target.pre_traffic or target.weight <= 0:
            return Verdict(self.name, PASS, "no user traffic reaches the new version before the first step")
        now = self.wall_clock()
        if self._window is None or self._window.key != target.window:
            self._window = Window(target.window, now)
        start = self._window.start
        seen = self.read(target, start, now)
        canary = seen.get(target.canary_version, VersionTraffic())
        base = seen.get(target.main_version, VersionTraffic())
        result = self.sequential_test(target).judge(
            Counts(canary.requests, canary.failures, base.requests, base.failures), waited=now - start)
        verdict = as_verdict(self.name, result, self.require_evidence)
        details = {**verdict.details, "window_start": start, "window_end": now}
        if canary.latency_ms is not None:
            details["canary_latency_ms"] = canary.latency_ms
        if base.latency_ms is not None:
            details["baseline_latency_ms"] = base.latency_ms
        slow = self._threshold_failures(canary, base) if result.state not in (State.WAITING, State.NO_TRAFFIC) else []
        if verdict.status != FAIL and slow:
            return Verdict(self.name, FAIL, "; ".join(slow), verdict.samples, details)
        return Verdict(self.name, verdict.status, verdict.reason, verdict.samples, details)

    def _threshold_failures(self, canary: VersionTraffic, base: VersionTraffic) -> list[str]:
        """Fixed limits on top of the sequential test: error rate (absolute, or points above the baseline's)
        and latency (absolute, or relative to the baseline's), judged once the minimum sample is there."""
        t = self.thresholds
        if t is None:
            return []
        failures = []
        rate = canary.failures / canary.requests if canary.requests else 0.0
        base_rate = base.failures / base.requests if base.requests else 0.0
        if t.max_error_rate is not None and rate > t.max_error_rate:
            failures.append(f"error rate {rate:.1%} > {t.max_error_rate:.1%}")
        if t.max_error_rate_increase is not None and rate - base_rate > t.max_error_rate_increase:
            failures.append(f"error rate {rate:.1%} vs baseline {base_rate:.1%}: more than "
                            f"+{t.max_error_rate_increase:.1%}")
        if canary.latency_ms is None:
            return failures
        p = f"p{t.latency_percentile:g}"
        if t.max_latency_ms is not None and canary.latency_ms > t.max_latency_ms:
            failures.append(f"{p} latency {canary.latency_ms:.1f} ms > {t.max_latency_ms:g} ms")
        if t.max_latency_increase is not None and base.latency_ms is not None and (
            canary.latency_ms > base.latency_ms * (1 + t.max_latency_increase)
        ):
            failures.append(f"{p} latency {canary.latency_ms:.1f} ms vs baseline {base.latency_ms:.1f} ms: more "
                            f"than +{t.max_latency_increase:.0%}")
        return failures

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class WarmUp:
    """A probe as warm-up traffic only: it runs (its calls reach the canary), its verdict never blocks.

    ``health=[WarmUp(InvokeProbe("fn", samples=20)), SlsGate(...)]``: the probe makes sure the canary sees
    some requests at a quiet hour; the traffic gate judges all of them, users' and the probe's alike.
    """

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.name = f"warm-up:{gate.name}"

    def check(self, target: Target) -> Verdict:
        """Run the wrapped gate for its traffic; pass whatever it said, keeping its reason for the record."""
        try:
            inner = self.gate.check(target)
            reason = f"{inner.status}: {inner.reason}"
        except Exception as exc:  # warm-up traffic that fails to go out is no verdict on the canary
            reason = f"warm-up failed: {exc}"
        return Verdict(self.name, PASS, reason)
