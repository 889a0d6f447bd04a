"""DESIGN.md contract for the emulator (``fcinfra emulator`` and ``Emulator``), TLS trust and ``fcinfra --help``."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fcinfra.errors import AccessDeniedError, FcConnectionError, FcinfraError
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from tests.contract.conftest import AK, SK, zip_bytes

FCINFRA = str(Path(sys.executable).with_name("fcinfra"))
CODE = zip_bytes({"index.py": (
    "import json\n"
    "def handler(event, context):\n"
    "    return json.dumps({'rid': context.request_id, 'fn': context.function.name,\n"
    "                       'svc': context.service.name, 'q': context.service.qualifier,\n"
    "                       'v': context.service.version_id, 'event': event.decode()})\n"
)})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------- in-process Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(access_keys={AK: SK}) as e:
        yield e


def test_fcclient_against_the_emulator_with_only_an_endpoint(emu: Emulator) -> None:
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=emu.endpoint)
    c.create_service("emu-svc")
    c.create_function("emu-svc", "fn", "python3.10", "index.handler", code=CODE)
    inv = c.invoke("emu-svc", "fn", payload=b"hello")
    assert inv.ok, inv.payload
    got = json.loads(inv.payload)
    assert got == {"rid": inv.request_id, "fn": "fn", "svc": "emu-svc", "q": "LATEST", "v": "LATEST",
                   "event": "hello"}
    v1 = c.publish_version("emu-svc").version_id
    c.create_alias("emu-svc", "prod", v1)
    via = c.invoke("emu-svc", "fn", qualifier="prod")
    assert via.version_id == "1"
    assert (json.loads(via.payload)["q"], json.loads(via.payload)["v"]) == ("prod", "1")


def test_emulator_checks_signatures(emu: Emulator) -> None:
    with pytest.raises(AccessDeniedError):
        FcClient(access_key_id=AK, access_key_secret="wrong", endpoint=emu.endpoint).list_services()


# ------------------------------------------------------------------------------------------ TLS trust


@pytest.fixture(scope="module")
def tls_emu() -> Iterator[Emulator]:
    with Emulator(access_keys={AK: SK}, tls=True) as e:
        yield e


@pytest.fixture
def foreign_ca_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE point at a bundle that does not hold the emulator's CA."""
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())


def test_tls_without_trust_fails_fast_with_a_clear_error(tls_emu: Emulator, foreign_ca_env: None) -> None:
    slept: list[float] = []
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=tls_emu.endpoint, sleep=slept.append)
    with pytest.raises(FcConnectionError) as info:
        c.list_services()
    assert "verify" in str(info.value) and "FC_CA_BUNDLE" in str(info.value)
    assert str(info.value).startswith(f"cannot reach {tls_emu.endpoint}: its TLS certificate is not trusted (")
    assert "_ssl.c" not in str(info.value) and "…" not in str(info.value)  # whole, not cut mid-text
    assert slept == []  # an untrusted certificate is not retried


def test_verify_ca_bundle_wins_over_requests_ca_bundle(tls_emu: Emulator, foreign_ca_env: None) -> None:
    assert tls_emu.endpoint.startswith("https://") and tls_emu.ca_file
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=tls_emu.endpoint, verify=tls_emu.ca_file)
    c.create_service("tls-svc")
    assert c.get_service("tls-svc").service_name == "tls-svc"


def test_verify_false_skips_verification(tls_emu: Emulator, foreign_ca_env: None) -> None:
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=tls_emu.endpoint, verify=False)
    with pytest.warns(Warning):  # urllib3 says the request is unverified
        c.list_services()


def test_from_env_fc_ca_bundle(tls_emu: Emulator, foreign_ca_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FC_ENDPOINT", tls_emu.endpoint)
    monkeypatch.setenv("FC_CA_BUNDLE", tls_emu.ca_file or "")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
    c = FcClient.from_env()
    c.list_services()


def test_missing_ca_bundle_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(FcinfraError):
        FcClient(access_key_id=AK, access_key_secret=SK, endpoint="https://127.0.0.1:9",
                 verify=str(tmp_path / "nope.pem"))


# ------------------------------------------------------------------------------------ the CLI command


class Cli:
    """``fcinfra emulator ...`` in a subprocess; stdout collected by a thread."""

    def __init__(self, *args: str) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen([FCINFRA, "emulator", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_ready(self, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = "".join(self.lines)
            if "control:" in text:
                return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("emulator did not start:\n" + "".join(self.lines))

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=20)
        finally:
            self._reader.join(timeout=5)

    def kill(self) -> None:
        with self.proc:  # closes its pipe and reaps it
            self.proc.kill()
        self._reader.join(timeout=5)


@pytest.fixture
def cli_runs() -> Iterator[list[Cli]]:
    started: list[Cli] = []
    yield started
    for run in started:
        run.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_emulator_flags_and_state_saved_on_signal(tmp_path: Path, cli_runs: list[Cli], sig: int) -> None:
    port, state = free_port(), tmp_path / "fc-state.json"
    args = ["--port", str(port), "--access-key", f"{AK}:{SK}", "--access-key", "AK2:SK2",
            "--account-id", "5550042", "--region", "cn-shenzhen", "--state-file", str(state)]
    run = Cli(*args)
    cli_runs.append(run)
    banner = run.wait_ready()
    assert f"http://127.0.0.1:{port}" in banner and "5550042" in banner and "cn-shenzhen" in banner
    assert SK not in banner and "SK2" not in banner
    endpoint = f"http://127.0.0.1:{port}"
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=endpoint)
    c.create_service("kept")
    c.create_function("kept", "fn", "python3.10", "index.handler", code=CODE)
    c.publish_version("kept")
    c.create_alias("kept", "prod", "1")
    FcClient(access_key_id="AK2", access_key_secret="SK2", endpoint=endpoint).get_service("kept")
    with pytest.raises(AccessDeniedError):
        FcClient(access_key_id="AK3", access_key_secret="SK3", endpoint=endpoint).list_services()
    # the account from the flags is the one a bare endpoint gets, and a hostname account is separate
    assert FcClient("5550042", "cn-shenzhen", AK, SK, endpoint=endpoint).get_service("kept").service_name == "kept"
    assert not state.exists() or "kept" not in state.read_text()  # nothing forced a save yet (interval 30 s)
    assert run.stop(sig) == 0
    saved = state.read_text()
    assert "kept" in saved and SK not in saved
    again = Cli(*args)
    cli_runs.append(again)
    again.wait_ready()
    assert c.get_alias("kept", "prod").version_id == "1"
    assert [v.version_id for v in c.list_versions("kept")] == ["1"]
    assert again.stop(signal.SIGTERM) == 0


def test_cli_emulator_without_state_file_starts_empty(tmp_path: Path, cli_runs: list[Cli]) -> None:
    port = free_port()
    run = Cli("--port", str(port), "--state-file", str(tmp_path / "absent.json"))
    cli_runs.append(run)
    run.wait_ready()
    c = FcClient(access_key_id="any", access_key_secret="any", endpoint=f"http://127.0.0.1:{port}")
    assert c.list_services() == []
    assert run.stop(signal.SIGTERM) == 0


def test_cli_emulator_tls(tmp_path: Path, cli_runs: list[Cli], monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    run = Cli("--port", str(port), "--tls", "--access-key", f"{AK}:{SK}")
    cli_runs.append(run)
    banner = run.wait_ready()
    assert f"https://127.0.0.1:{port}" in banner
    match = re.search(r"CA file: (\S+)", banner)
    assert match, banner
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=f"https://127.0.0.1:{port}",
                 verify=match.group(1))
    c.create_service("over-tls")
    assert requests.get(f"https://127.0.0.1:{port}/_fcinfra/health", verify=match.group(1), timeout=5).ok
    assert run.stop(signal.SIGTERM) == 0


# ------------------------------------------------------------------------------------------ --help


def test_fcinfra_help_runs_as_the_installed_script() -> None:
    """Its speed (target 0.5 s) is measured by bench/cli_startup.py, not asserted here (shared machines)."""
    out = subprocess.run([FCINFRA, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "emulator" in out.stdout


def test_importing_the_client_does_not_import_pulumi() -> None:
    code = ("import sys, fcinfra.fc, fcinfra.fake, fcinfra.lifecycle, fcinfra.rollout, fcinfra.errors;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_alicloud')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={k: v for k, v in os.environ.items() if not k.startswith("PULUMI")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"




# ------------------------------------------------------------------ code run by the emulator: limits, warm


LIMITS = zip_bytes({"index.py": (
    "import os, time\n"
    "def handler(event, context):\n"
    "    cmd = event.decode()\n"
    "    if cmd == 'sleep':\n"
    "        time.sleep(5)\n"
    "    if cmd == 'eat':\n"
    "        blob = bytearray(400 * 1024 * 1024)\n"
    "        return str(len(blob))\n"
    "    return str(os.getpid())\n"
)})


def test_emulator_enforces_timeout_and_memory_and_keeps_warm_workers(emu: Emulator) -> None:
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=emu.endpoint)
    c.create_service("limits")
    c.create_function("limits", "fn", "python3.10", "index.handler", code=LIMITS, memory_size=128, timeout=1)
    first, second = c.invoke("limits", "fn", b"pid"), c.invoke("limits", "fn", b"pid")
    assert first.ok and first.payload == second.payload  # LATEST keeps a warm worker
    v = c.publish_version("limits").version_id
    a, b = c.invoke("limits", "fn", b"pid", qualifier=v), c.invoke("limits", "fn", b"pid", qualifier=v)
    assert a.ok and a.payload == b.payload  # so does a version
    started = time.monotonic()
    slow = c.invoke("limits", "fn", b"sleep")
    assert not slow.ok and slow.error_type
    assert b"timed out" in slow.payload.lower()
    assert time.monotonic() - started < 4
    greedy = c.invoke("limits", "fn", b"eat")
    assert not greedy.ok and b"MemoryError" in greedy.payload
    assert c.invoke("limits", "fn", b"pid").ok  # the function still works afterwards


def test_cli_emulator_port_in_use_is_one_clear_error(cli_runs: list[Cli]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([FCINFRA, "emulator", "--port", str(port)], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert str(port) in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_a_session_with_verify_set_by_the_caller_is_honoured(tls_emu: Emulator, foreign_ca_env: None) -> None:
    session = requests.Session()
    session.verify = tls_emu.ca_file or ""
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=tls_emu.endpoint, session=session)
    c.list_services()


def test_cli_trusts_fc_ca_bundle(tls_emu: Emulator, foreign_ca_env: None) -> None:
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint=tls_emu.endpoint, verify=tls_emu.ca_file)
    c.create_service("cli-tls")
    c.create_function("cli-tls", "fn", "python3.10", "index.handler", code=CODE)
    c.publish_version("cli-tls")
    env = dict(os.environ, FC_ENDPOINT=tls_emu.endpoint, FC_CA_BUNDLE=tls_emu.ca_file or "",
               ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK)
    out = subprocess.run([FCINFRA, "versions", "list", "cli-tls"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "1" in out.stdout
    env.pop("FC_CA_BUNDLE")
    out = subprocess.run([FCINFRA, "versions", "list", "cli-tls"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 1 and "FC_CA_BUNDLE" in out.stderr
