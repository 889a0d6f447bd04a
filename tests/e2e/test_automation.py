"""2.8: ``examples/programmatic/automation.py`` (Pulumi's Automation API) runs for real."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import ACCOUNT, ROOT, Pulumi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SCRIPT = ROOT / "examples" / "programmatic" / "automation.py"


def test_automation_up_promotes_previews_and_destroys(make_pulumi) -> None:
    p: Pulumi = make_pulumi(".", init=False)
    p.extra_env["ALIBABA_CLOUD_ACCOUNT_ID"] = ACCOUNT

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(SCRIPT), *args, "--interval", "1"], cwd=p.workdir, env=p.env(),
                              capture_output=True, text=True, timeout=400)

    first = run("up", str(ROOT / "examples" / "functions" / "v1"))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "release of version 1: promoted" in first.stdout
    second = run("up", str(ROOT / "examples" / "functions" / "v2"))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "release of version 2: promoted" in second.stdout
    fc = p.emulator.client()
    assert fc.get_alias("demo-shop", "prod").version_id == "2"
    preview = run("preview", str(ROOT / "examples" / "functions" / "v3"))
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "10% -> 25% -> 50% -> 100%" in preview.stdout  # the rollout the next up would walk
    assert fc.get_alias("demo-shop", "prod").version_id == "2"  # a preview moves nothing
    gone = run("destroy")
    assert gone.returncode == 0, gone.stdout + gone.stderr
