"""End-to-end harness: the real ``pulumi`` CLI, language host and alicloud provider against ``fcinfra emulator``.

The tools come from ``python3 tasks.py tools`` (``FCINFRA_TOOLS_BIN``, which ``tasks.py test`` sets when Go is
on PATH). Each test gets its own emulator (https, its own CA), its own file backend and Pulumi home, and a
workspace that holds a copy of the example's ``Pulumi.yaml`` next to links to the example's files, so stack
files never land in the repository. Any connection off loopback fails at once: HTTPS_PROXY/HTTP_PROXY point
at a closed loopback port and only 127.0.0.1/localhost bypass it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fcinfra.fc import FcClient

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
FCINFRA = VENV_BIN / "fcinfra"
AK, SK = "E2EACCESSKEYID", "e2e-secret-access-key-0123456789"
ACCOUNT = "1234567890"
REGION = "cn-hangzhou"
PASSPHRASE = "e2e-passphrase"
# Variables of the developer's shell that would steer the engine, the providers or the plugins elsewhere.
_SCRUB = re.compile(r"^(PULUMI_|ALIBABA_?CLOUD_|ALICLOUD_|FC_|FCINFRA_|HTTPS?_PROXY|ALL_PROXY|NO_PROXY|"
                    r"REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|SSL_CERT_)", re.I)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With FCINFRA_E2E_REQUIRED=1 (``tasks.py test`` with Go on PATH) a skipped e2e test is a failure."""
    outcome: Any = yield
    report = outcome.get_result()
    skipped = report.skipped and not hasattr(report, "wasxfail")  # an expected failure is not a skip
    if skipped and os.environ.get("FCINFRA_E2E_REQUIRED") == "1" and item.get_closest_marker("e2e"):
        report.outcome = "failed"
        report.longrepr = f"e2e test skipped although the Pulumi tools are required here: {report.longrepr}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def tools_bin() -> Path:
    value = os.environ.get("FCINFRA_TOOLS_BIN")
    if not value:
        pytest.skip("e2e: FCINFRA_TOOLS_BIN is not set (run `python3 tasks.py test` with Go on PATH, or "
                    'FCINFRA_TOOLS_BIN="$(python3 tasks.py tools | tail -n 1)")')
    path = Path(value)
    missing = [n for n in ("pulumi", "pulumi-language-python", "pulumi-resource-alicloud") if not (path / n).exists()]
    if missing:
        pytest.fail(f"FCINFRA_TOOLS_BIN={path} lacks {', '.join(missing)}")
    return path


class EmulatorProcess:
    """``fcinfra emulator --tls`` in a subprocess on a free loopback port."""

    def __init__(self, workdir: Path, state_file: Path | None = None) -> None:
        self.port = _free_port()
        self.ca_file = workdir / "emulator-ca.pem"
        args = [str(FCINFRA), "emulator", "--tls", "--port", str(self.port), "--access-key", f"{AK}:{SK}",
                "--account-id", ACCOUNT, "--region", REGION]
        if state_file is not None:
            args += ["--state-file", str(state_file)]
        env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
        self.log = workdir / "emulator.log"
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(args, stdout=self._out, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = self.log.read_text()
            found = re.search(r"CA file: (\S+)", text)
            if "control:" in text and found:
                self.ca_file = Path(found.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise AssertionError("emulator did not start:\n" + self.log.read_text())
        if self.proc.poll() is not None:
            raise AssertionError("emulator exited:\n" + self.log.read_text())
        self.endpoint = f"https://127.0.0.1:{self.port}"

    def client(self) -> FcClient:
        return FcClient(ACCOUNT, REGION, AK, SK, endpoint=self.endpoint, verify=str(self.ca_file))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(tmp_path)
    yield emu
    emu.stop()


@dataclass
class Pulumi:
    """One project workspace driven with the real ``pulumi`` binary."""

    tools: Path
    emulator: EmulatorProcess
    workdir: Path
    home: Path
    credentials_in_env: bool = True
    account_in_env: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    closed_port: int = field(default_factory=_free_port)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
        proxy = f"http://127.0.0.1:{self.closed_port}"  # nothing listens there: off-loopback calls fail at once
        no_proxy = f"127.0.0.1,localhost,127.0.0.1:{self.emulator.port}"
        env.update({
            "PATH": os.pathsep.join([str(self.tools), env.get("PATH", "")]),
            "PULUMI_HOME": str(self.home / "pulumi-home"),
            "PULUMI_BACKEND_URL": (self.home / "backend").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "SSL_CERT_FILE": str(self.emulator.ca_file),  # the Go provider trusts the emulator's CA
            "FC_CA_BUNDLE": str(self.emulator.ca_file),  # fcinfra's providers too
            "FC_ENDPOINT": self.emulator.endpoint,
            "ALIBABA_CLOUD_ENDPOINT_FC": f"127.0.0.1:{self.emulator.port}",
            "ALIBABA_CLOUD_ACCOUNT_TYPE": "Domestic",  # else the provider asks BSS
            "HTTPS_PROXY": proxy,
            "HTTP_PROXY": proxy,
            "https_proxy": proxy,
            "http_proxy": proxy,
            # the emulator's host:port too: the Tea SDK under the provider's FC 3.0 resources skips the proxy
            # only for a NO_PROXY entry equal to the request's host *with* its port
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        })
        if self.credentials_in_env:
            env.update({"ALIBABA_CLOUD_ACCESS_KEY_ID": AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK})
        if self.account_in_env:
            env["ALIBABA_CLOUD_ACCOUNT_ID"] = ACCOUNT
        env.update(self.extra_env)
        return env

    def run(self, *args: str, check: bool = True, timeout: float = 300,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        out = subprocess.run([str(self.tools / "pulumi"), *args, "--non-interactive"] if args[0] not in (
            "version",) else [str(self.tools / "pulumi"), *args], cwd=self.workdir, env=self.env(),
            capture_output=True, text=True, timeout=timeout, input=input)
        if check and out.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} exited {out.returncode}\n--- stdout\n{out.stdout}"
                                 f"\n--- stderr\n{out.stderr}")
        return out

    def popen(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        """Start ``pulumi`` in its own process group (so a test can SIGKILL the whole group)."""
        with log.open("wb") as handle:  # the child keeps its own descriptor
            return subprocess.Popen([str(self.tools / "pulumi"), *args, "--non-interactive"], cwd=self.workdir,
                                    env=self.env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)

    def up(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *args, check=check, timeout=timeout)

    def config(self, key: str, value: str, *, secret: bool = False) -> None:
        self.run("config", "set", *(["--secret"] if secret else []), key, value)

    def outputs(self) -> dict[str, Any]:
        import json

        return dict(json.loads(self.run("stack", "output", "--json").stdout))

    def export(self) -> str:
        return self.run("stack", "export").stdout


def workspace(tmp_path: Path, project: str, editable: str | None = None, root: Path = ROOT) -> Path:
    """A workspace for ``project`` (``"."`` or ``"examples/<name>"``) outside the repository.

    It holds a copy of the project's Pulumi.yaml, ``.venv`` (a link to this interpreter's virtualenv) and
    ``examples/`` with a link to each example, so the relative paths of Pulumi.yaml and the programs resolve
    as in the repository. ``editable`` (an example folder) is copied instead of linked, for tests that edit it.
    """
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / ".venv").symlink_to(Path(sys.prefix))
    (ws / "examples").mkdir()
    for example in (root / "examples").iterdir():
        rel = f"examples/{example.name}"
        if rel == editable:
            shutil.copytree(example, ws / rel, ignore=shutil.ignore_patterns("Pulumi.*.yaml", "__pycache__"))
        elif rel == project:
            (ws / rel).mkdir()
            for entry in example.iterdir():
                if entry.name == "Pulumi.yaml":
                    shutil.copyfile(entry, ws / rel / entry.name)
                elif not entry.name.startswith("Pulumi.") and entry.name != "__pycache__":
                    (ws / rel / entry.name).symlink_to(entry)
        else:
            (ws / rel).symlink_to(example)
    if project == ".":
        shutil.copyfile(root / "Pulumi.yaml", ws / "Pulumi.yaml")
        return ws
    return ws / project


@pytest.fixture
def make_pulumi(tools_bin: Path, emulator: EmulatorProcess, tmp_path: Path) -> Any:
    def make(project: str, *, stack: str = "dev", credentials_in_env: bool = True, account_in_env: bool = True,
             init: bool = True, editable: str | None = None, root: Path = ROOT) -> Pulumi:
        p = Pulumi(tools_bin, emulator, workspace(tmp_path, project, editable, root), tmp_path,
                   credentials_in_env, account_in_env)
        (tmp_path / "backend").mkdir(exist_ok=True)
        if init:
            p.run("stack", "init", stack)  # a file backend's default secrets provider: the passphrase
        return p

    return make


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process in ``proc``'s group (the CLI, its language host, program and providers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

