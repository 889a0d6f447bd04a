"""``fcinfra --help``: fast (no heavy imports), and something a new user can act on."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fcinfra.cli.main import cli
from fcinfra.fc import FcClient

HEAVY = ("pulumi", "pulumi_alicloud", "matplotlib", "grpc", "dill")  # never on the CLI's start-up path
PROBE = f"HEAVY = {HEAVY!r}\n" + """
import json, sys
from fcinfra.cli.main import cli
try:
    cli.main(["--help"], prog_name="fcinfra")
except SystemExit:
    pass
print(json.dumps({"heavy": sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))}), file=sys.stderr)
"""


def test_help_runs_without_heavy_imports() -> None:
    """A whole `fcinfra --help` process imports nothing heavy. Its speed (target 0.5 s) is measured by
    bench/cli_startup.py against `python -c pass`: a timed unit test fails on a loaded machine."""
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert "Usage: fcinfra" in proc.stdout


@pytest.mark.parametrize("command", [
    ["rollout"], ["promote"], ["rollback"], ["status"], ["deploy"], ["invoke"], ["versions", "list"],
    ["versions", "publish"], ["versions", "delete"], ["versions", "prune"], ["alias", "get"], ["alias", "set"],
    ["emulator"], ["demo"], ["versions"], ["alias"], ["alias", "list"], ["alias", "delete"], ["trigger"],
    ["trigger", "list"], ["trigger", "create"], ["trigger", "bind"], ["trigger", "delete"], ["history"], ["undo"],
    ["retry"], ["abort"],
])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])

    assert result.exit_code == 0
    assert "Example" in result.output
    assert "fcinfra " in result.output


def test_top_level_help_lists_commands_settings_and_exit_codes() -> None:
    text = CliRunner().invoke(cli, ["--help"]).output

    for word in ("rollout", "promote", "rollback", "status", "deploy", "invoke", "versions", "alias", "emulator",
                 "demo", "FC_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "Exit status"):
        assert word in text


def test_emulator_command_serves_and_saves_state_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "fc-state.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "fcinfra.cli.main", "emulator", "--port", "0", "--access-key", "K1:S1",
         "--account-id", "555", "--region", "cn-shanghai", "--state-file", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        endpoint = banner.split(" at ")[1].strip()
        with FcClient("555", "cn-shanghai", "K1", "S1", endpoint=endpoint) as client:
            client.create_service("kept")
            assert client.get_service("kept").service_name == "kept"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        with proc:  # closes its pipes and reaps it
            proc.kill()
    assert state.exists()
    assert "kept" in state.read_text()


def test_emulator_rejects_a_malformed_access_key() -> None:
    result = CliRunner().invoke(cli, ["emulator", "--access-key", "no-colon"])

    assert result.exit_code == 2
    assert "Invalid value for --access-key: use the form ACCESS_KEY_ID:ACCESS_KEY_SECRET" in result.output


def test_emulator_command_tls_flag_serves_https_with_a_ca_file() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "fcinfra.cli.main", "emulator", "--port", "0", "--tls"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(4)]
        assert banner[0].split(" at ")[1].startswith("https://127.0.0.1:")
        ca_line = next(line for line in banner if "CA file:" in line)
        ca_file = ca_line.split("CA file:")[1].split()[0]
        assert Path(ca_file).read_text().startswith("-----BEGIN CERTIFICATE-----")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        with proc:  # closes its pipes and reaps it
            proc.kill()


def test_the_command_list_is_not_cut_off_at_80_columns() -> None:
    """Each command's one-line summary fits, so `fcinfra --help` never ends a line with "..."."""
    text = CliRunner().invoke(cli, ["--help"], terminal_width=80).output

    commands = text.split("Commands:")[1]
    assert "..." not in commands
    assert len(commands.strip().splitlines()) == len(cli.commands)
