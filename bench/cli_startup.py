"""``fcinfra --help`` start-up: a whole process, interpreter included, against ``python -c pass``.

The CLI's contract is that ``--help`` answers in under half a second with no heavy import (pulumi, grpc,
dill, matplotlib: ``tests/cli/test_cli_help.py`` checks the imports). Time on a shared machine is noise, so the
speed is measured here, not in a unit test: both commands run interleaved, ``--rounds`` times each, and the
script prints their medians and best times, the ratio of medians, the load average and the 0.5 s target.

    .venv/bin/python bench/cli_startup.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5


def fcinfra_command() -> list[str]:
    """The installed ``fcinfra`` script next to this interpreter, else the module (same code path)."""
    script = Path(sys.executable).with_name("fcinfra")
    if script.exists():
        return [str(script), "--help"]
    found = shutil.which("fcinfra")
    return [found, "--help"] if found else [sys.executable, "-m", "fcinfra.cli.main", "--help"]


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    sides = {"python -c pass": [sys.executable, "-c", "pass"], "fcinfra --help": fcinfra_command()}
    times: dict[str, list[float]] = {name: [] for name in sides}
    load = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, cmd in sides.items():  # interleaved: both see the same machine
            times[name].append(wall(cmd))
    print(f"process wall time, {args.rounds} interleaved rounds; load average {load:.1f} -> "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command':<18}{'median s':>10}{'best s':>9}")
    for name, values in times.items():
        print(f"{name:<18}{statistics.median(values):>10.3f}{min(values):>9.3f}")
    ours, base = statistics.median(times["fcinfra --help"]), statistics.median(times["python -c pass"])
    print(f"ratio fcinfra --help / python -c pass: {ours / base:.2f} (median)")
    best = min(times["fcinfra --help"])
    verdict = "met" if best < TARGET_SECONDS else "MISSED"
    print(f"target: fcinfra --help < {TARGET_SECONDS:g} s: {verdict} (best {best:.3f} s)")


if __name__ == "__main__":
    main()
