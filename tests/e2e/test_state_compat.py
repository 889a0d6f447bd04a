"""5: a stack made by the real engine with fcinfra at commit e394ea5 still previews as no change.

The fixture (``fixtures/state-e394ea5/``) holds what that run left: the stack's exported state (with that
commit's pickled dynamic providers), its stack config file (passphrase salt and config), the emulator's
state file, and the program itself (``program/``: e394ea5's examples/canary, the user's code, which later
changes to the example must not alter, with its function code). It was made by running this module as a
script with e394ea5's tree first on PYTHONPATH:

    git archive e394ea5 | tar -x -C /tmp/e394
    FCINFRA_TOOLS_BIN="$(python3 tasks.py tools | tail -n 1)" .venv/bin/python -m tests.e2e.test_state_compat /tmp/e394

Keep the fixture as it is: it stands for stacks users already have.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import EmulatorProcess, Pulumi, workspace

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "state-e394ea5"
PROJECT = "examples/canary"
# Code packages land here in both runs, so pulumi-alicloud's `filename` inputs are the same paths.
BUILD_DIR = "/tmp/fcinfra-e2e-build"


def test_e394ea5_stack_previews_as_no_change(tools_bin: Path, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    shutil.copyfile(FIXTURE / "emulator-state.json", state_file)
    emu = EmulatorProcess(tmp_path, state_file=state_file)
    try:
        p = Pulumi(tools_bin, emu, workspace(tmp_path, PROJECT), tmp_path)
        for entry in ("__main__.py", "Pulumi.yaml"):  # the program as it was, run with today's fcinfra
            (p.workdir / entry).unlink()
            shutil.copyfile(FIXTURE / "program" / entry, p.workdir / entry)
        functions = p.workdir.parent / "functions"  # and the function code it deployed
        functions.unlink()
        shutil.copytree(FIXTURE / "program" / "functions", functions)
        p.extra_env["FCINFRA_BUILD_DIR"] = BUILD_DIR
        (tmp_path / "backend").mkdir()
        shutil.copyfile(FIXTURE / "Pulumi.dev.yaml", p.workdir / "Pulumi.dev.yaml")
        p.run("stack", "init", "dev")
        p.run("stack", "import", "--file", str(FIXTURE / "stack.json"))
        preview = p.run("preview", "--expect-no-changes", check=False)
        assert preview.returncode == 0, preview.stdout + preview.stderr
        assert p.outputs()["status"] == "promoted"
    finally:
        emu.stop()


def make_fixture(old_tree: Path) -> None:
    """Run examples/canary from ``old_tree`` (v1, then a canary to v2) and keep what it leaves."""
    import os
    import tempfile

    tools = Path(os.environ["FCINFRA_TOOLS_BIN"])
    FIXTURE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        state_file = tmp_path / "emulator-state.json"
        emu = EmulatorProcess(tmp_path, state_file=state_file)
        try:
            p = Pulumi(tools, emu, workspace(tmp_path, PROJECT, root=old_tree), tmp_path)
            p.extra_env.update({"FCINFRA_BUILD_DIR": BUILD_DIR, "PYTHONPATH": str(old_tree)})
            (tmp_path / "backend").mkdir()
            p.run("stack", "init", "dev")
            p.config("stepInterval", "1")
            p.up()
            p.config("codeDir", "../functions/v2")
            p.up()
            exported = json.loads(p.export())
            assert "fcinfra" in json.dumps(exported)
            (FIXTURE / "stack.json").write_text(json.dumps(exported, indent=2) + "\n")
            shutil.copyfile(p.workdir / "Pulumi.dev.yaml", FIXTURE / "Pulumi.dev.yaml")
            program = FIXTURE / "program"
            shutil.rmtree(program, ignore_errors=True)
            program.mkdir()
            for entry in ("__main__.py", "Pulumi.yaml"):
                shutil.copyfile(old_tree / PROJECT / entry, program / entry)
            for version in ("v1", "v2"):
                shutil.copytree(old_tree / "examples" / "functions" / version, program / "functions" / version)
        finally:
            emu.stop()
        shutil.copyfile(state_file, FIXTURE / "emulator-state.json")


if __name__ == "__main__":
    make_fixture(Path(sys.argv[1]).resolve())
