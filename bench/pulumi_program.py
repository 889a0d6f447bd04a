"""fcinfra components vs raw pulumi-alicloud: cost per registered resource, under Pulumi mocks, in one run.

Both programs declare 50 services x 4 functions with a version, an alias and one HTTP trigger per
function. The raw program uses only pulumi-alicloud (``fc.Service(publish=True)``, ``fc.Function``,
``fc.Alias``, ``fc.Trigger``: 10 resources per service). The fcinfra program uses ``FcService`` and
``CanaryRelease`` (components, ``ServiceVersion``, ``AliasShift`` and ``AliasTrigger`` dynamic resources:
14 resources per service), so it registers more resources; the ratio compares the time *per registered
resource* and the totals are printed too, so neither hides the other. The same mocks (no FC backend)
answer both. The programs alternate, and the best of ``--rounds`` runs of each is kept (CPU time).

    .venv/bin/python bench/pulumi_program.py [--services 50] [--functions 4] [--rounds 5] [--gc freeze|default]

Why ``--gc``: importing pulumi-alicloud creates about a hundred thousand long-lived objects, and every
full garbage collection rescans them all. Collections are triggered by allocations, so in a default
process the cost of a resource grows with the program's size, and more for the side that allocates
more per resource. ``gc.freeze()`` after the imports (a standard CPython tuning, and what a large
Pulumi program can do itself) removes that; both modes are measured with the same treatment of both
sides, and the default run freezes.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

HTTP = {"authType": "anonymous", "methods": ["GET"]}


def fcinfra_program(services: int, functions: int, code_dir: Path) -> Any:
    from fcinfra.components import CanaryRelease, FcService

    def program() -> None:
        for s in range(services):
            svc = FcService(f"svc{s}", {
                "functions": {
                    f"fn{f}": {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir)}
                    for f in range(functions)
                },
            })
            CanaryRelease(f"svc{s}-release", {
                "service": svc,
                "alias": "prod",
                "strategy": {"type": "steps", "weights": [10, 50, 100], "interval": 60},
                "health": [{"type": "invoke", "function": "fn0", "samples": 20, "max_error_rate": 0.05}],
                "triggers": [{"function": f"fn{f}", "trigger_type": "http", "name": f"http{f}", "trigger_config": HTTP}
                             for f in range(functions)],
            })

    return program


def raw_program(services: int, functions: int, code_zip_path: Path) -> Any:
    import json

    import pulumi_alicloud as alicloud

    def program() -> None:
        for s in range(services):
            svc = alicloud.fc.Service(f"svc{s}", name=f"svc{s}", publish=True)
            fns = [
                alicloud.fc.Function(f"svc{s}-fn{f}", service=svc.name, name=f"fn{f}", runtime="python3.10",
                                     handler="index.handler", filename=str(code_zip_path))
                for f in range(functions)
            ]
            alicloud.fc.Alias(f"svc{s}-prod", service_name=svc.name, alias_name="prod", service_version=svc.version)
            for f, fn in enumerate(fns):
                alicloud.fc.Trigger(f"svc{s}-http{f}", service=svc.name, function=fn.name, name=f"http{f}",
                                    type="http", config=json.dumps(HTTP))

    return program


def timed(program: Any) -> tuple[float, int]:
    """CPU seconds of this process (all threads) for one run, and how many resources it registered.

    CPU time rather than wall time: the benchmark machine is shared, and the mocks' worker threads make
    wall time depend on scheduling more than on the work done.
    """
    mocks = FcMocks()
    start = time.process_time()
    run_stack(program, mocks)
    return time.process_time() - start, len(mocks.registrations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50)
    parser.add_argument("--functions", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gc", choices=("freeze", "default"), default="freeze",
                        help="freeze: gc.freeze() after imports (both sides), so the collector stops rescanning "
                             "pulumi-alicloud's ~100k imported objects on every full collection; default: as is")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FCINFRA_BUILD_DIR"] = str(Path(tmp) / "build")
        code_dir = Path(tmp) / "app"
        code_dir.mkdir()
        (code_dir / "index.py").write_text(handler_source("ok"))
        zip_path = Path(tmp) / "app.zip"
        zip_path.write_bytes(code_zip(handler_source("ok")))

        ours = fcinfra_program(args.services, args.functions, code_dir)
        theirs = raw_program(args.services, args.functions, zip_path)
        timed(fcinfra_program(1, 1, code_dir))  # warm up imports and caches for both sides
        timed(raw_program(1, 1, zip_path))
        if args.gc == "freeze":
            gc.collect()
            gc.freeze()
        results: dict[str, list[tuple[float, int]]] = {"fcinfra": [], "raw": []}
        for _ in range(args.rounds):
            results["raw"].append(timed(theirs))
            results["fcinfra"].append(timed(ours))

    best = {name: min(runs) for name, runs in results.items()}
    per = {name: seconds / count for name, (seconds, count) in best.items()}
    print(f"{args.services} services x {args.functions} functions, best of {args.rounds} rounds, Pulumi mocks, "
          f"gc={args.gc}")
    for name in ("raw", "fcinfra"):
        seconds, count = best[name]
        median = statistics.median(s for s, _ in results[name])
        print(f"  {name:8} {count:5d} resources  total {seconds:7.3f} s CPU (median {median:.3f} s)  "
              f"{per[name] * 1000:6.3f} ms/resource")
    ratio = per["fcinfra"] / per["raw"]
    total_ratio = best["fcinfra"][0] / best["raw"][0]
    print(f"  ratio per registered resource (fcinfra / raw): {ratio:.2f}  (target <= 1.2)")
    print(f"  ratio of totals (fcinfra / raw): {total_ratio:.2f}  "
          f"({best['fcinfra'][1]} vs {best['raw'][1]} resources)")


if __name__ == "__main__":
    main()
