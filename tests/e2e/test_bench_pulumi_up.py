"""bench/pulumi_up.py keeps running against the real engine and printing each phase's ratio and both sides'
FC calls (one service with one function, one round: the real figures come from running it, docs/pulumi.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_pulumi_up_bench_prints_ratios_and_fc_calls_per_side(tools_bin: Path) -> None:
    env = {**os.environ, "PATH": os.pathsep.join([str(tools_bin), os.environ.get("PATH", "")])}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "pulumi_up.py"), "--services", "1", "--functions",
                           "1", "--repeat", "1"], env=env, capture_output=True, text=True, timeout=540)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for phase in ("preview (create)", "up (create)", "preview (no change)"):
        assert re.search(rf"^{re.escape(phase)}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.MULTILINE), out
    # one service, one function: both sides create the same FC resources and publish once
    for side in ("raw", "fcinfra"):
        calls = re.search(rf"FC calls per round, {side}: \d+ \((.*)\)", out)
        assert calls, out
        assert "CreateService 1" in calls.group(1) and "CreateFunction 1" in calls.group(1), out
        assert "PublishServiceVersion 1" in calls.group(1) and "CreateTrigger 1" in calls.group(1), out
