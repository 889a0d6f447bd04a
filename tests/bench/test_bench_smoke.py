"""Every benchmark in bench/ keeps running and printing its ratio against its named baseline (tiny sizes;
the real numbers come from running the scripts directly, see docs/*.md). bench/client_vs_sdk.py is covered
by tests/fc/test_bench_client_vs_sdk.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run(script: str, *args: str) -> str:
    return subprocess.run([sys.executable, str(BENCH / script), *args], check=True, capture_output=True,
                          text=True, timeout=90).stdout


def number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in:\n{text}"
    return float(found.group(1))


def test_client_over_tls_prints_the_per_call_ratio_against_the_sdk() -> None:
    pytest.importorskip("fc2")
    out = run("client_over_tls.py", "--calls", "8")
    assert "operation               fcinfra ms    sdk ms   ratio" in out
    for operation in ("GetAlias", "GetFunction", "ListServiceVersions", "InvokeFunction"):
        assert re.search(rf"^{operation}\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), out
    assert number(r"per-call time ratio fcinfra/SDK: ([\d.]+) \(median\)", out) > 0


def test_emulator_bench_prints_rates_beside_the_in_process_fake_routing_and_memory() -> None:
    out = run("emulator.py", "--get", "20", "--invoke", "10", "--rounds", "2", "--routing", "300",
              "--versions", "20", "--paging-versions", "40", "--paging-rounds", "6")
    assert number(r"GetAlias\s+emulator over loopback\s+(\d+)/s", out) > 0
    assert number(r"GetAlias.*in-process mock_fc\s+(\d+)/s", out) > 0
    assert number(r"Invoke via alias 50%\s+emulator over loopback\s+(\d+)/s", out) > 0
    share = number(r"share of version 2: ([\d.]+)", out)
    assert 0.0 < share < 0.3  # weight 0.1 over 300 calls: far from 0 and from 0.5 (the main version's share)
    assert "newest 20" in out and number(r"RSS before ([\d.]+) MB", out) > 0
    # what a page costs: every row prints both sides and their ratio (the target is judged at 10,000 versions)
    for row in ("emulator: ListServiceVersions, 1 page", "emulator: publish (FcClient)", "in-process FakeFc: 1 page",
                "in-process FakeFc: list 1 page + publish"):
        assert number(re.escape(row) + r".*40 versions\s+[\d.]+ \w+\s+ratio ([\d.]+)x", out) > 0


def test_rollout_bench_counts_one_write_per_step_and_one_for_the_rollback() -> None:
    report = json.loads(run("rollout.py", "--runs", "1", "--json"))
    for healthy in report["healthy_4_step"]:
        assert healthy["status"] == "promoted" and healthy["history"] == [10, 25, 50, 100]
        assert healthy["calls"]["UpdateAlias"] == 4 and healthy["alias_writes_per_weight_change"] == 1.0
        assert healthy["alias_reads_per_step"] <= 1.0
    for failed in report["failed"].values():
        assert failed["history"] == [10, 0] and failed["rollback_alias_writes"] == [1]
        assert failed["verdict_to_restored_ms"]["median"] > 0


def test_pulumi_program_bench_prints_both_totals_and_the_per_resource_ratio() -> None:
    out = run("pulumi_program.py", "--services", "2", "--functions", "2", "--rounds", "1")
    raw = number(r"raw\s+(\d+) resources", out)
    ours = number(r"fcinfra\s+(\d+) resources", out)
    assert ours > raw > 0  # fcinfra registers more resources, and the output says so
    assert number(r"ratio per registered resource \(fcinfra / raw\): ([\d.]+)", out) > 0
    assert number(r"ratio of totals \(fcinfra / raw\): ([\d.]+)", out) > 0


def test_credentials_bench_prints_each_source_against_fixed_keys() -> None:
    out = run("credentials.py", "--calls", "20", "--rounds", "1")
    for name in ("fixed keys (baseline)", "env chain", "assumed role"):
        assert re.search(rf"^{re.escape(name)}\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), out
    assert number(r"AssumeRole calls for \d+ role-signed requests: (\d+)", out) == 1


def test_cli_startup_prints_help_beside_a_bare_interpreter() -> None:
    out = run("cli_startup.py", "--rounds", "2")
    assert number(r"python -c pass\s+([\d.]+)", out) > 0
    assert number(r"fcinfra --help\s+([\d.]+)", out) > 0
    assert number(r"ratio fcinfra --help / python -c pass: ([\d.]+) \(median\)", out) > 0
    assert "target: fcinfra --help < 0.5 s:" in out
