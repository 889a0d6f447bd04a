"""README.md: its first commands are exactly the two promised, and every marked snippet runs as written.

Blocks are marked with an HTML comment just above them: ``<!-- readme-test: run|pulumi|pytest|emulator|cli -->``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fcinfra.fc import FcClient
from fcinfra.testing.plugin import fc_emulator, fc_emulator_client
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack

__all__ = ["fc_emulator", "fc_emulator_client"]

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
BLOCK = re.compile(r"<!-- readme-test: (\w+) -->\n```\w*\n(.*?)```", re.DOTALL)
BIN = Path(sys.executable).parent


def blocks(kind: str) -> list[str]:
    found = [code for marker, code in BLOCK.findall(README) if marker == kind]
    assert found, f"no README block marked {kind}"
    return found


def test_first_commands_are_exactly_demo_and_test() -> None:
    intro, _, rest = README.partition("```")
    first_block = rest.split("```")[0]
    commands = [line for line in first_block.splitlines()[1:] if line.strip()]

    assert intro.count("\n\n") <= 2  # title, then one paragraph
    assert commands == ["python3 tasks.py demo", "python3 tasks.py test"]


def test_python_snippet_runs_and_prints_what_its_comments_say() -> None:
    (code,) = blocks("run")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["1", "promoted [10, 25, 50, 100]", "['1']"]


def test_pulumi_snippet_deploys_under_mocks(fc_emulator_client: FcClient, monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = blocks("pulumi")
    monkeypatch.chdir(ROOT)  # its code path is relative to the repository root, where `pulumi up` runs

    mocks = run_stack(lambda: exec(code, {}), FcMocks(fc_emulator_client))

    alias = fc_emulator_client.get_alias("shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    assert fc_emulator_client.get_trigger("shop", "web", "web-http").qualifier == "prod"
    assert {"fcinfra:index:FcService", "fcinfra:index:CanaryRelease"} <= {r.typ for r in mocks.registrations}


def test_pytest_snippet_passes(tmp_path: Path) -> None:
    (code,) = blocks("pytest")
    conftest, _, test = code.partition("# test_release.py")
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_release.py").write_text(test)

    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_cli_walkthrough_runs_against_the_emulator_it_starts() -> None:
    """The two terminals of the CLI section, with port 9000 swapped for a free one."""
    port = str(_free_port())
    (emulator_block,) = blocks("emulator")
    (cli_block,) = blocks("cli")
    env: dict[str, Any] = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    server = subprocess.Popen(["bash", "-c", "exec " + emulator_block.replace("9000", port).splitlines()[-1]],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert "FC 2.0 API at" in server.stdout.readline()
        script = cli_block.replace("9000", port).replace("source .venv/bin/activate", "true")
        start = time.perf_counter()
        proc = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        print(f"README CLI walkthrough took {time.perf_counter() - start:.1f}s")
    finally:
        with server:  # closes its pipes and reaps it
            server.terminate()
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "published version 1" in out and "published version 4" in out
    assert "total: 3m" in out  # the dry run
    assert "✔ promoted: version 2" in out
    assert "✖ rolled back: gate failed at 10%" in out
    assert '"versionId": "2"' in out  # fig still works: prod serves version 2
    assert '"kind": "result", "status": "promoted"' in out and '"to_version": "4"' in out
    assert "rolled back:" in out and "would delete versions" in out
    assert "Error" not in proc.stderr
