"""Gate verdicts and the pure arithmetic that produces them from samples.

Kept apart from the probes (which do I/O) so that ``decide()`` and the assessment rules can be
table-tested without a client. A verdict is ``pass``, ``fail`` or ``inconclusive``; inconclusive means
"not enough evidence yet": the engine waits, it never treats it as a pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fcinfra.errors import InvalidArgumentError

VerdictStatus = Literal["pass", "fail", "inconclusive"]
PASS: VerdictStatus = "pass"
FAIL: VerdictStatus = "fail"
INCONCLUSIVE: VerdictStatus = "inconclusive"


@dataclass(frozen=True)
class Verdict:
    """One gate's judgement at one moment."""

    gate: str
    status: VerdictStatus
    reason: str = ""
    samples: int = 0
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for events and results."""
        return {
            "gate": self.gate,
            "status": self.status,
            "reason": self.reason,
            "samples": self.samples,
            "details": dict(self.details),
        }


def combine(verdicts: Sequence[Verdict]) -> VerdictStatus:
    """All gates together: any fail fails, else any inconclusive waits, else pass (no gates = pass)."""
    if any(v.status == FAIL for v in verdicts):
        return FAIL
    if any(v.status == INCONCLUSIVE for v in verdicts):
        return INCONCLUSIVE
    return PASS


@dataclass
class VersionStats:
    """Outcomes of probe calls that reached one version."""

    count: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, ok: bool, latency_ms: float) -> None:
        """Record one sample (success and latency) for this version."""
        self.count += 1
        if not ok:
            self.errors += 1
        self.latencies_ms.append(latency_ms)

    @property
    def error_rate(self) -> float:
        """Errors over samples; 0 with no samples (the gate then says INCONCLUSIVE, not PASS)."""
        return self.errors / self.count if self.count else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies (0 with no samples)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1]

    def summary(self, p: float) -> dict[str, Any]:
        """Counts, error rate and the latency percentile, for verdict details."""
        return {
            "count": self.count,
            "errors": self.errors,
            "error_rate": round(self.error_rate, 4),
            f"p{p:g}_ms": round(self.percentile(p), 3),
        }


@dataclass(frozen=True)
class Thresholds:
    """Absolute gates (error rate above X, latency above Y ms) and relative ones (canary worse than main).

    ``max_error_rate_increase`` is in rate points (0.02 = canary may fail 2 % more often than main);
    ``max_latency_increase`` is a fraction (0.5 = canary's percentile latency may be 50 % above main's).
    """

    max_error_rate: float | None = None
    max_latency_ms: float | None = None
    max_error_rate_increase: float | None = None
    max_latency_increase: float | None = None
    latency_percentile: float = 95.0

    def __post_init__(self) -> None:
        for name in ("max_error_rate", "max_error_rate_increase"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not 0 <= value <= 1):
                raise InvalidArgumentError(f"{name} must be a fraction within 0..1, got {value!r}")
        for name in ("max_latency_ms", "max_latency_increase"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 0):
                raise InvalidArgumentError(f"{name} must be >= 0, got {value!r}")
        if not 0 < self.latency_percentile <= 100:
            raise InvalidArgumentError(f"latency_percentile must be within (0, 100], got {self.latency_percentile}")

    @property
    def relative(self) -> bool:
        """True when the canary is judged against the baseline version, which then needs samples too."""
        return self.max_error_rate_increase is not None or self.max_latency_increase is not None


def assess(
    gate: str,
    canary: VersionStats,
    main: VersionStats | None,
    thresholds: Thresholds,
    min_samples: int,
) -> Verdict:
    """Judge the canary from its samples (and main's, for relative gates). Pure."""
    p = thresholds.latency_percentile
    details: dict[str, Any] = {"canary": canary.summary(p)}
    if main is not None:
        details["main"] = main.summary(p)
    if canary.count < min_samples:
        return Verdict(gate, INCONCLUSIVE, f"{canary.count}/{min_samples} samples of the new version", canary.count,
                       details)
    if thresholds.relative and (main is None or main.count < min_samples):
        have = 0 if main is None else main.count
        return Verdict(gate, INCONCLUSIVE, f"{have}/{min_samples} samples of the main version (relative gate)",
                       canary.count, details)
    failures = []
    rate = canary.error_rate
    latency = canary.percentile(p)
    if thresholds.max_error_rate is not None and rate > thresholds.max_error_rate:
        failures.append(f"error rate {rate:.1%} > {thresholds.max_error_rate:.1%}")
    if thresholds.max_latency_ms is not None and latency > thresholds.max_latency_ms:
        failures.append(f"p{p:g} latency {latency:.1f} ms > {thresholds.max_latency_ms:g} ms")
    if main is not None and thresholds.max_error_rate_increase is not None:
        delta = rate - main.error_rate
        if delta > thresholds.max_error_rate_increase:
            failures.append(
                f"error rate {rate:.1%} vs main {main.error_rate:.1%}: +{delta:.1%} > "
                f"+{thresholds.max_error_rate_increase:.1%}"
            )
    if main is not None and thresholds.max_latency_increase is not None:
        base = main.percentile(p)
        if latency > base * (1 + thresholds.max_latency_increase):
            failures.append(
                f"p{p:g} latency {latency:.1f} ms vs main {base:.1f} ms: more than "
                f"+{thresholds.max_latency_increase:.0%}"
            )
    if failures:
        return Verdict(gate, FAIL, "; ".join(failures), canary.count, details)
    return Verdict(gate, PASS, f"{canary.count} samples, error rate {rate:.1%}, p{p:g} {latency:.1f} ms",
                   canary.count, details)
