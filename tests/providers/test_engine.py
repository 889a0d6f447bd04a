"""providers._engine: a provider whose engine was killed stops at its next look, before any further write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fcinfra.providers._engine import EngineWatch, engine_bound_sleep

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

# The engine (bash here) starts `sh -c python ...` in a process group of its own, as Pulumi starts its
# Python provider plugin; the child writes a line a second, standing for the rollout's alias writes.
CHILD = """
import sys, time
from fcinfra.providers._engine import engine_bound_sleep
for n in range(60):
    print(n, flush=True)
    engine_bound_sleep(1.0)
"""


def test_a_living_parent_keeps_the_watch_alive() -> None:
    assert EngineWatch().alive()
    started = time.monotonic()
    engine_bound_sleep(0.05)
    assert 0.04 <= time.monotonic() - started < 1.0


def test_killing_the_engine_stops_the_provider_before_its_next_write(tmp_path: Path) -> None:
    out = tmp_path / "writes.log"
    engine = subprocess.Popen(
        ["bash", "-c", f'setsid sh -c \'"{sys.executable}" -c "$0" >> "{out}"\' "$CHILD" & echo $! ; wait'],
        env={**os.environ, "CHILD": CHILD}, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert engine.stdout is not None
    plugin_pid = int(engine.stdout.readline())
    deadline = time.monotonic() + 30
    while (not out.exists() or len(out.read_text().split()) < 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(out.read_text().split()) >= 2, "the provider never started writing"
    os.killpg(engine.pid, signal.SIGKILL)  # the engine's group only: the plugin's group survives, as with Pulumi
    engine.wait()
    engine.stdout.close()
    time.sleep(1.0)  # at most one look (0.5 s) for the watch to see it
    written = len(out.read_text().split())
    time.sleep(2.5)  # a provider still running would have written two or three more lines by now
    assert len(out.read_text().split()) == written
    try:
        os.killpg(plugin_pid, 0)
        still_there = True
    except ProcessLookupError:
        still_there = False
    if still_there:  # the sh may linger as a zombie-less orphan briefly; the python child must be gone
        os.killpg(plugin_pid, signal.SIGKILL)
