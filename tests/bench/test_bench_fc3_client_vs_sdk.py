"""bench/fc3_client_vs_sdk.py keeps working (a tiny run; the real numbers come from running it directly)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fc3_client_vs_sdk.py"


def test_bench_runs_and_prints_the_ratio() -> None:
    pytest.importorskip("alibabacloud_fc20230330")
    out = subprocess.run(
        [sys.executable, str(BENCH), "--get", "20", "--update", "10", "--invoke", "10", "--rounds", "2"],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout
    assert "ratio fcinfra/SDK = " in out
    assert "'GetAlias': 20" in out and "'UpdateAlias': 10" in out and "'InvokeFunction': 10" in out
