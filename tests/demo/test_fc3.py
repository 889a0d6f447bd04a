"""`fcinfra demo --fc3`: the seeds' story on FC 3.0 against a local emulator, promoted then rolled back, exit 0."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fcinfra.cli.main import cli


def test_demo_fc3_promotes_v2_rolls_back_v3_and_keeps_the_trigger(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--fc3", "--interval", "0.2s", "--samples", "10",
                                      "--report", str(tmp_path / "r.html"), "-o", "json"])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    summary = lines[-1]
    assert (summary["v2"], summary["v3"], summary["prod"], summary["ok"]) == ("promoted", "rolled_back", "2", True)
    assert summary["versions"] == ["3", "2", "1"]  # function-level versions, none lost or reused
    resolved = [e for e in lines if e.get("qualifier") == "prod" and "version_id" in e]
    assert resolved[0]["version_id"] == "1"  # invoked through the alias at the start
    results = [e for e in lines if e.get("kind") == "result"]
    assert [(r["status"], r["to_version"], r["history"]) for r in results] == [
        ("promoted", "2", [10, 25, 50, 100]), ("rolled_back", "3", [10, 0])]
    # caught by the traffic gate on users' orders (the warm-up probe never orders fig or lime)
    assert "sls:quote" in results[1]["reason"] and "canary fails more often" in results[1]["reason"]
    bound = next(e for e in lines if "url" in e and "unchanged" not in e)
    after = next(e for e in lines if "unchanged" in e)
    assert after["unchanged"] is True and after["url"] == bound["url"] and after["qualifier"] == "prod"
    assert after["version_id"] == "2"  # the same trigger now serves the promoted version
    assert "<svg" in (tmp_path / "r.html").read_text()


def test_demo_fc3_in_text(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--fc3", "--interval", "0.2s", "--samples", "10",
                                      "--report", str(tmp_path / "r.html")])

    assert result.exit_code == 0, result.output
    assert "there is no service: the function owns its versions" in result.output
    assert "qualifier prod resolved to version 1" in result.output
    assert "demo passed" in result.output
