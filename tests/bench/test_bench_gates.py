"""bench/gates.py keeps running and printing fcinfra's sequential verdict beside Flagger's and Fission's fixed
rules (small sizes; the real figures come from running the script, see docs/gates.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gates.py"


def run(*args: str) -> str:
    return subprocess.run([sys.executable, str(BENCH), *args], check=True, capture_output=True, text=True,
                          timeout=90).stdout


def test_gates_bench_prints_each_rule_side_by_side() -> None:
    out = run("--runs", "300", "--bake", "300")
    assert "20 requests/s through the alias, canary weight 10%" in out
    for rule in ("fcinfra", "Flagger", "Fission"):
        assert out.count(f"\n{rule} ") == 3, out  # two broken cases and the healthy table
    assert "median canary requests to roll back, Fission/fcinfra:" in out
    assert "targets: median <= 30 canary requests:" in out


def test_gates_bench_figures_follow_the_anchors_rules() -> None:
    report = json.loads(run("--runs", "400", "--json"))
    broken = report["broken"]["20% errors vs baseline 1.0%"]
    # The fixed rules decide only at their interval ends: Flagger after its 5th failed 1-minute check,
    # Fission after its first 2-minute interval (20 % > 10 %); 2 canary requests/s on average.
    assert broken["Flagger"]["median_seconds"] == 300
    assert broken["Fission"]["median_seconds"] == 120
    assert 200 <= broken["Fission"]["median_canary_requests"] <= 280
    assert broken["fcinfra"]["median_canary_requests"] < broken["Fission"]["median_canary_requests"]
    # A healthy canary at a 5 % baseline fails every Flagger check (95 % < 99 %), never Fission's 10 %.
    assert report["healthy"]["5.0%"]["Flagger"] > 0.99
    assert report["healthy"]["5.0%"]["Fission"] < 0.01
    # Fission's absolute 10 % cannot see a 5 % canary.
    assert report["broken"]["5% errors vs baseline 0.1%"]["Fission"]["missed_within_bake"] > 0.9


def test_gates_bench_takes_other_settings_for_fcinfra() -> None:
    out = run("--runs", "100", "--bake", "120", "--alpha", "0.001", "--alt-ratio", "10")
    assert "(alpha 0.001, alt_ratio 10, minimum 20 canary / 20 baseline requests)" in out
    assert "(alpha 0.0003, alt_ratio 20," in run("--runs", "100", "--bake", "120")  # the defaults otherwise
