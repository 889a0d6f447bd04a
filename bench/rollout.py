"""Rollout engine cost and speed against the emulator (HTTP on loopback, real python3 handlers from zip).

Measures, for a 4-step rollout (Steps([10, 25, 50, 100])) with an InvokeProbe gate:

* API calls per step, by FC operation, counted on the wire (every HTTP attempt the client made);
  targets: one alias write per weight change, at most one alias read per step outside the probes;
* API calls for a rollback (target: one alias write);
* time from the failed verdict to the alias being restored (engine-side, on the real monotonic clock),
  plus the same with 30 % throttling on UpdateAlias (the client retries with backoff).

    .venv/bin/python bench/rollout.py [--runs 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient, RequestEvent, RetryPolicy
from fcinfra.rollout import Event, InvokeProbe, Rollout, Steps
from fcinfra.testing.helpers import code_zip

HEALTHY = "def handler(event, context):\n    return 'ok'\n"
BROKEN = "def handler(event, context):\n    raise RuntimeError('broken release')\n"
STEPS = [10, 25, 50, 100]


def _client(endpoint: str, wire: list[RequestEvent]) -> FcClient:
    return FcClient("1234567890", "cn-hangzhou", "AK", "SK", endpoint=endpoint,
                    retry_policy=RetryPolicy(attempts=8, initial_wait=0.05, max_wait=1.0), on_request=wire.append)


def setup(client: FcClient, service: str) -> None:
    """Versions 1 (healthy), 2 (healthy, new) and 3 (broken); alias prod -> 1."""
    client.create_service(service)
    client.create_function(service, "fn", "python3.10", "index.handler", code=code_zip(HEALTHY))
    client.publish_version(service, "v1")
    client.update_function(service, "fn", environment_variables={"RELEASE": "2"})
    client.publish_version(service, "v2")
    client.update_function(service, "fn", code=code_zip(BROKEN))
    client.publish_version(service, "v3")
    client.create_alias(service, "prod", "1")


def per_op(wire: list[RequestEvent]) -> dict[str, int]:
    return dict(Counter(e.operation for e in wire))


def healthy_rollout(endpoint: str, service: str, interval: float = 0.0) -> dict[str, Any]:
    wire: list[RequestEvent] = []
    client = _client(endpoint, wire)
    setup(client, service)
    wire.clear()
    probe = InvokeProbe("fn", samples=10, max_error_rate=0.0, mode="direct")
    started = time.monotonic()
    result = Rollout(client, service, "prod", "2", strategy=Steps(STEPS, interval=interval),
                     health=[probe], check_every=0.05).run()
    elapsed = time.monotonic() - started
    ops = per_op(wire)
    return {
        "interval": interval,
        "status": result.status,
        "history": result.history,
        "calls": ops,
        "alias_writes_per_weight_change": ops.get("UpdateAlias", 0) / len(STEPS),
        "alias_reads_per_step": ops.get("GetAlias", 0) / len(STEPS),
        "probe_invocations_per_step": ops.get("InvokeFunction", 0) / (len(STEPS) - 1),
        "wall_seconds": round(elapsed, 3),
    }


def failed_rollout(endpoint: str, service: str, throttle: float) -> dict[str, Any]:
    """Roll out the broken version 3; measure the rollback's calls and the verdict-to-restored time."""
    wire: list[RequestEvent] = []
    client = _client(endpoint, wire)
    setup(client, service)
    events: list[tuple[float, Event]] = []
    probe = InvokeProbe("fn", samples=5, max_error_rate=0.0, mode="direct")
    rollout = Rollout(client, service, "prod", "3", strategy=Steps(STEPS, interval=0), health=[probe],
                      on_event=lambda e: events.append((time.monotonic(), e)))
    wire_start = len(wire)
    result = rollout.run()
    restored = client.get_alias(service, "prod")
    assert result.status == "rolled_back", result.reason
    assert restored.version_id == "1" and not restored.additional_version_weight, restored
    failed_at = next(t for t, e in events if e.kind == "check" and "fail" in e.message)
    done_at = next(t for t, e in events if e.kind == "rolled_back")
    rollback_index = max(i for i, e in enumerate(wire) if e.operation == "UpdateAlias" and (e.status or 0) < 300)
    calls_in_rollback = per_op(wire[rollback_index:rollback_index + 1])
    attempts = sum(1 for e in wire[wire_start:] if e.operation == "UpdateAlias")
    return {
        "throttle": throttle,
        "history": result.history,
        "rollback_calls": calls_in_rollback,
        "update_alias_attempts_total": attempts,
        "engine_rollback_ms": round((result.rollback_seconds or 0.0) * 1000, 3),
        "verdict_to_restored_ms": round((done_at - failed_at) * 1000, 3),
    }


def summarize(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 3),
        "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3),
        "max": round(ordered[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="failed rollouts per setting (default 20)")
    parser.add_argument("--json", action="store_true", help="print the raw JSON only")
    args = parser.parse_args()

    with Emulator(access_keys={"AK": "SK"}, seed=1, save_interval=None) as emu:
        healthy = [healthy_rollout(emu.endpoint, "bench-healthy", 0.0),
                   healthy_rollout(emu.endpoint, "bench-baked", 0.2)]
        failed: dict[str, list[dict[str, Any]]] = {}
        for throttle in (0.0, 0.3):
            emu.fake.faults.clear()
            runs = []
            for i in range(args.runs):
                service = f"bench-fail-{int(throttle * 100)}-{i}"
                if throttle:
                    emu.fake.faults.set("UpdateAlias", throttle=throttle)
                runs.append(failed_rollout(emu.endpoint, service, throttle))
                emu.fake.faults.clear()
            failed[str(throttle)] = runs

    report: dict[str, Any] = {"healthy_4_step": healthy, "failed": {}}
    for throttle, runs in failed.items():
        report["failed"][throttle] = {
            "runs": len(runs),
            "rollback_alias_writes": sorted({r["rollback_calls"].get("UpdateAlias", 0) for r in runs}),
            "history": runs[0]["history"],
            "verdict_to_restored_ms": summarize([r["verdict_to_restored_ms"] for r in runs]),
            "engine_rollback_ms": summarize([r["engine_rollback_ms"] for r in runs]),
            "update_alias_attempts_per_run": summarize([float(r["update_alias_attempts_total"]) for r in runs]),
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for h in healthy:
        print(f"healthy 4-step rollout (Steps({STEPS}, interval={h['interval']}), InvokeProbe samples=10, direct, "
              "check_every=0.05 s), emulator over HTTP")
        print(f"  status {h['status']}, history {h['history']}, wall {h['wall_seconds']} s")
        print(f"  calls on the wire: {h['calls']}")
        print(f"  alias writes per weight change: {h['alias_writes_per_weight_change']:.2f}  (target 1)")
        print(f"  alias reads per step:           {h['alias_reads_per_step']:.2f}  (target <= 1)")
        print(f"  probe invocations per step:     {h['probe_invocations_per_step']:.1f}")
    for throttle, s in report["failed"].items():
        print(f"failed rollout of a broken version, {s['runs']} runs, UpdateAlias throttle {float(throttle):.0%}")
        print(f"  history {s['history']}; applied alias writes for the rollback: {s['rollback_alias_writes']}")
        print(f"  failed verdict -> alias restored (ms): {s['verdict_to_restored_ms']}")
        print(f"  engine rollback write (ms):            {s['engine_rollback_ms']}")
        print(f"  UpdateAlias HTTP attempts per run:     {s['update_alias_attempts_per_run']}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
