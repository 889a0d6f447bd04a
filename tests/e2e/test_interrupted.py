"""2.6: SIGKILL to the whole ``pulumi up`` process group mid-canary, then Pulumi's recovery path."""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e.conftest import Pulumi, kill_group, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SERVICE = "fcinfra-canary"
INTERVAL = 4


def alias_state(p: Pulumi) -> tuple[str, dict[str, float], str | None]:
    alias = p.emulator.client().get_alias(SERVICE, "prod")
    return alias.version_id, dict(alias.additional_version_weight), alias.last_modified_time


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("moment", ["weight_boundary", "mid_bake"])
def test_sigkill_mid_canary_then_recover(make_pulumi, tmp_path, moment: str) -> None:
    p = make_pulumi("examples/canary")
    p.config("stepInterval", str(INTERVAL))
    p.up()
    p.config("codeDir", "../functions/v2")

    proc = p.popen("up", "--yes", "--skip-preview", log=tmp_path / "killed-up.log")
    wait_for(lambda: bool(alias_state(p)[1]), 240, "the canary's first weight")
    if moment == "mid_bake":
        time.sleep(INTERVAL / 2)
    kill_group(proc)
    assert not group_alive(proc.pid) or wait_for(lambda: not group_alive(proc.pid), 10, "the group to exit") is None

    # No provider process writes afterwards: the alias stays as the kill left it.
    left = alias_state(p)
    time.sleep(INTERVAL * 2 + 1)
    assert alias_state(p) == left

    # Pulumi's path for an interrupted update on a local backend: cancel (drops the lock, if any),
    # refresh (reads real state, clears pending operations), then up.
    p.run("cancel", "--yes", check=False)
    p.run("refresh", "--yes", "--clear-pending-creates")
    p.up()
    version, weights, _ = alias_state(p)
    assert (version, weights) == ("2", {})
    assert sorted((v.version_id for v in p.emulator.client().list_versions(SERVICE)), key=int) == ["1", "2"]
    assert p.outputs()["status"] == "promoted"
    assert p.run("preview", "--expect-no-changes").returncode == 0
