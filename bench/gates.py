"""Traffic gates, simulated: fcinfra's sequential verdict against the anchors' fixed rules, side by side.

One simulated traffic stream per rollout, the same for every rule: ``--rps`` requests/s (20 by default)
through an alias that sends each request to the canary with probability ``--weight`` (10 %), for a bake
of ``--bake`` seconds (600). Each request fails with its version's error rate. Three rules watch it:

* **fcinfra**: :class:`fcinfra.rollout.sequential.SequentialTest` with its defaults (alpha 0.0003,
  alt_ratio 20, minimum sample 20 canary and 20 baseline requests; ``--alpha``/``--alt-ratio`` try others,
  e.g. the previous defaults 0.001/10), on the window's cumulative counts, evaluated every
  ``--check-every`` seconds (1);
* **Flagger**, its documented example: every 1-minute interval, a canary success rate below 99 % (or no
  canary request at all) is a failed check; the 5th failed check rolls back (``threshold: 5``);
* **Fission**, its defaults: every 2 minutes (``--increment-interval 2m``), the canary's failure
  percentage over that interval, truncated to an integer, above ``--failure-threshold 10`` rolls back;
  an interval without canary requests gives no verdict.

Figures: for a canary failing 20 % of requests against a 1 % baseline (the targets' case; a second case,
5 % against 0.1 %, shows what a fixed threshold cannot see), the canary requests each rule sees before it
rolls back (median, p95, and the share of rollouts it missed within the bake); for a healthy canary (the
baseline's error rate, 0.1 %, 1 % and 5 %), the share of rollouts wrongly rolled back.

    .venv/bin/python bench/gates.py [--runs 10000] [--rps 20] [--weight 0.1] [--bake 600] [--seed 2026]
                                    [--alpha A] [--alt-ratio R] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fcinfra.rollout.sequential import SequentialTest

Array = np.ndarray
FLAGGER_INTERVAL, FLAGGER_MIN_SUCCESS, FLAGGER_THRESHOLD = 60, 99.0, 5
FISSION_INTERVAL, FISSION_FAILURE_THRESHOLD = 120, 10


@dataclass(frozen=True)
class Traffic:
    """Per-second counts, one row per simulated rollout: canary/baseline requests and failures."""

    canary: Array
    canary_failed: Array
    baseline: Array
    baseline_failed: Array


def simulate(rng: np.random.Generator, runs: int, seconds: int, rps: int, weight: float, canary_rate: float,
             baseline_rate: float) -> Traffic:
    """Weighted routing, request by request, summarised per second (each request independently)."""
    canary = rng.binomial(rps, weight, size=(runs, seconds)).astype(np.int32)
    baseline = (rps - canary).astype(np.int32)
    return Traffic(canary, rng.binomial(canary, canary_rate).astype(np.int32), baseline,
                   rng.binomial(baseline, baseline_rate).astype(np.int32))


def _first(hits: Array) -> Array:
    """Index of the first True per row, -1 where none."""
    return np.where(hits.any(axis=1), hits.argmax(axis=1), -1)


def fcinfra_rule(t: Traffic, check_every: int, test: SequentialTest) -> Array:
    """Second (end of) at which the sequential verdict rolls back, -1 if never within the bake."""
    cum = [a.cumsum(axis=1) for a in (t.canary, t.canary_failed, t.baseline, t.baseline_failed)]
    checks = np.arange(check_every - 1, t.canary.shape[1], check_every)
    hits = test.rolls_back(*(c[:, checks] for c in cum))
    first = _first(hits)
    return np.where(first >= 0, checks[np.maximum(first, 0)], -1)


def _per_interval(a: Array, interval: int) -> Array:
    runs, seconds = a.shape
    whole = seconds // interval
    return a[:, : whole * interval].reshape(runs, whole, interval).sum(axis=2)


def flagger_rule(t: Traffic) -> Array:
    """Flagger's example: success rate < 99 % (or no data) in a 1-minute interval fails a check; 5 roll back."""
    calls = _per_interval(t.canary, FLAGGER_INTERVAL)
    errors = _per_interval(t.canary_failed, FLAGGER_INTERVAL)
    with np.errstate(divide="ignore", invalid="ignore"):
        success = np.where(calls > 0, (calls - errors) / np.maximum(calls, 1) * 100, 0.0)
    failed = np.where(calls > 0, success < FLAGGER_MIN_SUCCESS, True)
    hits = failed.cumsum(axis=1) >= FLAGGER_THRESHOLD
    first = _first(hits)
    return np.where(first >= 0, (first + 1) * FLAGGER_INTERVAL - 1, -1)


def fission_rule(t: Traffic) -> Array:
    """Fission's defaults: int(failure % over the last 2 minutes) > 10 rolls back; no calls, no verdict."""
    calls = _per_interval(t.canary, FISSION_INTERVAL)
    errors = _per_interval(t.canary_failed, FISSION_INTERVAL)
    percent = np.floor(errors / np.maximum(calls, 1) * 100)
    hits = (calls > 0) & (percent > FISSION_FAILURE_THRESHOLD)
    first = _first(hits)
    return np.where(first >= 0, (first + 1) * FISSION_INTERVAL - 1, -1)


def fcinfra_test(args: argparse.Namespace) -> SequentialTest:
    """The defaults, or the ``--alpha``/``--alt-ratio`` given."""
    given = {k: v for k, v in (("alpha", args.alpha), ("alt_ratio", args.alt_ratio)) if v is not None}
    return SequentialTest(**given)


RULES: dict[str, Callable[[Traffic, argparse.Namespace], Array]] = {
    "fcinfra": lambda t, a: fcinfra_rule(t, a.check_every, fcinfra_test(a)),
    "Flagger": lambda t, a: flagger_rule(t),
    "Fission": lambda t, a: fission_rule(t),
}


def batches(runs: int, size: int = 2000) -> Iterator[int]:
    """Simulate in slices of ``size`` rollouts to keep memory small (10,000 x 600 s would be ~100 MB a rule)."""
    while runs > 0:
        yield min(size, runs)
        runs -= size


def broken(args: argparse.Namespace, rng: np.random.Generator, bad_rate: float,
           base_rate: float) -> dict[str, dict[str, Any]]:
    """Canary requests seen until the rollback, for a canary failing ``bad_rate`` against ``base_rate``."""
    needed: dict[str, list[Array]] = {name: [] for name in RULES}
    missed = dict.fromkeys(RULES, 0)
    seconds: dict[str, list[Array]] = {name: [] for name in RULES}
    for n in batches(args.runs):
        t = simulate(rng, n, args.bake, args.rps, args.weight, bad_rate, base_rate)
        seen = t.canary.cumsum(axis=1)
        for name, rule in RULES.items():
            at = rule(t, args)
            caught = at >= 0
            missed[name] += int((~caught).sum())
            needed[name].append(seen[np.arange(n), at][caught])
            seconds[name].append(at[caught] + 1)
    out: dict[str, dict[str, Any]] = {}
    for name in RULES:
        req = np.concatenate(needed[name])
        sec = np.concatenate(seconds[name])
        out[name] = {
            "median_canary_requests": float(np.median(req)) if req.size else None,
            "p95_canary_requests": float(np.percentile(req, 95)) if req.size else None,
            "median_seconds": float(np.median(sec)) if sec.size else None,
            "missed_within_bake": missed[name] / args.runs,
        }
    return out


def healthy(args: argparse.Namespace, rng: np.random.Generator, rate: float) -> dict[str, float]:
    """Share of healthy rollouts (canary fails like the baseline) rolled back within the bake."""
    rolled = dict.fromkeys(RULES, 0)
    for n in batches(args.runs):
        t = simulate(rng, n, args.bake, args.rps, args.weight, rate, rate)
        for name, rule in RULES.items():
            rolled[name] += int((rule(t, args) >= 0).sum())
    return {name: count / args.runs for name, count in rolled.items()}


def _fmt(value: float | None, width: int) -> str:
    return f"{value:>{width}.0f}" if value is not None else f"{'-':>{width}}"


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    """The figures as a table, then the ratios against each anchor and the targets, met or not."""
    test = fcinfra_test(args)
    lines = [
        f"{args.runs} simulated rollouts per case; {args.rps} requests/s through the alias, canary weight "
        f"{args.weight:.0%}, bake {args.bake}s; fcinfra checks every {args.check_every}s "
        f"(alpha {test.alpha:g}, alt_ratio {test.alt_ratio:g}, minimum {test.min_canary_requests} canary / "
        f"{test.min_baseline_requests} baseline requests)",
    ]
    for case, rows in result["broken"].items():
        lines += ["", f"broken canary ({case}): canary requests until rollback",
                  f"{'rule':<10}{'median':>8}{'p95':>8}{'median s':>10}{'missed':>9}"]
        for name, row in rows.items():
            lines.append(f"{name:<10}{_fmt(row['median_canary_requests'], 8)}{_fmt(row['p95_canary_requests'], 8)}"
                         f"{_fmt(row['median_seconds'], 10)}{row['missed_within_bake']:>9.2%}")
    rates = list(result["healthy"])
    lines += ["", "healthy canary (same error rate as the baseline): rollouts wrongly rolled back",
              f"{'rule':<10}" + "".join(f"{'at ' + r:>10}" for r in rates)]
    for name in RULES:
        lines.append(f"{name:<10}" + "".join(f"{result['healthy'][r][name]:>10.2%}" for r in rates))
    main_case = result["broken"][next(iter(result["broken"]))]
    ours = main_case["fcinfra"]["median_canary_requests"]
    lines.append("")
    for name in ("Flagger", "Fission"):
        theirs = main_case[name]["median_canary_requests"]
        if ours and theirs:
            lines.append(f"median canary requests to roll back, {name}/fcinfra: {theirs / ours:.1f}x")
    worst = max(result["healthy"][r]["fcinfra"] for r in rates)
    lines.append(f"targets: median <= 30 canary requests: {'met' if ours is not None and ours <= 30 else 'NOT met'}"
                 f" ({_fmt(ours, 0)}); false rollbacks < 1 % at every rate: {'met' if worst < 0.01 else 'NOT met'}"
                 f" (worst {worst:.2%})")
    for name in ("Flagger", "Fission"):
        theirs = main_case[name]["median_canary_requests"]
        faster = ours is not None and (theirs is None or ours < theirs)
        fewer = [result["healthy"][r]["fcinfra"] <= result["healthy"][r][name] for r in rates]
        lines.append(f"vs {name}: faster rollback: {'yes' if faster else 'no'}; false rollbacks no higher at "
                     f"{sum(fewer)}/{len(rates)} rates"
                     + ("" if all(fewer) else " (higher at " + ", ".join(
                         r for r, ok in zip(rates, fewer, strict=True) if not ok) + ")"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rps", type=int, default=20)
    parser.add_argument("--weight", type=float, default=0.1)
    parser.add_argument("--bake", type=int, default=600, help="seconds each rule watches the canary")
    parser.add_argument("--check-every", type=int, default=1, help="seconds between fcinfra's evaluations")
    parser.add_argument("--broken", default="0.20/0.01,0.05/0.001",
                        help="canary/baseline error rates of the broken cases; the first one is the target case")
    parser.add_argument("--healthy-rates", default="0.001,0.01,0.05")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--alpha", type=float, help="fcinfra's alpha (default: SequentialTest's)")
    parser.add_argument("--alt-ratio", type=float, help="fcinfra's alt_ratio (default: SequentialTest's)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    result = {
        "broken": {
            f"{float(bad):.0%} errors vs baseline {float(base):.1%}": broken(args, rng, float(bad), float(base))
            for bad, base in (pair.split("/") for pair in args.broken.split(","))
        },
        "healthy": {f"{float(r):.1%}": healthy(args, rng, float(r)) for r in args.healthy_rates.split(",")},
    }
    print(json.dumps(result, indent=2) if args.json else report(result, args))


if __name__ == "__main__":
    main()
