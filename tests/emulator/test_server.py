"""The emulator over loopback: real invocations, limits, HTTP triggers, TLS, faults, control, state, signatures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from fcinfra.errors import AccessDeniedError, ThrottledError
from fcinfra.fake import FakeFc, FakeRequest
from fcinfra.fake.emulator.control import ControlApi
from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fake.emulator.server import Emulator, EmulatorError, run_emulator
from fcinfra.fc import FcClient
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc.signing import authorization, http_date

from .conftest import make_zip

KEYS = {"AK-emu": "SK-emu"}

FUNCTIONS = '''
import ctypes, json, os, time

def ok(event, context):
    return {"version": context.service.version_id, "qualifier": context.service.qualifier, "pid": os.getpid()}

def crash(event, context):
    os._exit(9)

def segfault(event, context):
    ctypes.string_at(0)

def sleeper(event, context):
    time.sleep(5)
    return "too late"

def hog(event, context):
    data = bytearray(4 * 1024 * 1024 * 1024)
    return str(len(data))

def echo(event, context):
    return event

def raiser(event, context):
    raise KeyError("missing thing")

def web(environ, start_response):  # an HTTP function: a WSGI app, as FC 2.0 calls it
    from urllib.parse import parse_qsl
    body = json.dumps({"version": environ["fc.context"].service.version_id,
                       "queries": dict(parse_qsl(environ["QUERY_STRING"]))}).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("X-Seen-Path", environ["PATH_INFO"])])
    return [body]
'''
CODE = make_zip({"index.py": FUNCTIONS})


@pytest.fixture(scope="module")
def emu(runner: PythonCodeRunner) -> Iterator[Emulator]:
    with Emulator(access_keys=KEYS, seed=3, code_runner=runner) as emulator:
        yield emulator


def client(emu: Emulator, **kw: Any) -> FcClient:
    return FcClient(emu.account_id, emu.region, "AK-emu", "SK-emu", endpoint=emu.endpoint, **kw)


def deploy(c: FcClient, service: str, handlers: list[str], timeout: int = 1, memory: int = 128) -> None:
    c.create_service(service)
    for name in handlers:
        c.create_function(service, name, runtime="python3.10", handler=f"index.{name}", code=CODE,
                          timeout=timeout, memory_size=memory)


def error_body(inv: Any) -> dict[str, Any]:
    assert inv.error_type == "UnhandledInvocationError", inv
    body: dict[str, Any] = json.loads(inv.payload)
    return body


# ------------------------------------------------------------------------------------------------ invocations


def test_crash_timeout_and_memory_give_clear_errors_while_the_emulator_keeps_serving(emu: Emulator) -> None:
    c = client(emu)
    deploy(c, "limits", ["ok", "crash", "segfault", "sleeper", "hog", "raiser"])
    healthy = c.invoke("limits", "ok")
    assert healthy.ok and json.loads(healthy.payload)["version"] == "LATEST"

    # while a function hangs until its timeout, the API and other functions answer promptly
    hung: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: hung.setdefault("inv", c.invoke("limits", "sleeper")))
    started = time.monotonic()
    thread.start()
    for _ in range(5):
        assert c.invoke("limits", "ok").ok
        assert c.get_function("limits", "ok").timeout == 1
    assert time.monotonic() - started < 0.9
    thread.join(5)
    assert error_body(hung["inv"])["errorMessage"].startswith("Function timed out after 1 seconds")
    assert time.monotonic() - started < 3

    assert "Process exited unexpectedly" in error_body(c.invoke("limits", "crash"))["errorMessage"]
    assert "SIGSEGV" in error_body(c.invoke("limits", "segfault"))["errorMessage"]
    hog = error_body(c.invoke("limits", "hog"))
    assert hog["errorType"] == "MemoryError" and "memory_size is 128 MB" in hog["errorMessage"]
    raised = error_body(c.invoke("limits", "raiser"))
    assert (raised["errorType"], raised["errorMessage"]) == ("KeyError", "'missing thing'")
    assert c.invoke("limits", "ok").ok
    assert requests.get(f"{emu.endpoint}/_fcinfra/health", timeout=5).json()["status"] == "ok"


def test_log_tail_and_warm_workers_for_latest_and_versions(emu: Emulator) -> None:
    c = client(emu)
    deploy(c, "warm", ["ok"])
    c.publish_version("warm")
    pids = {json.loads(c.invoke("warm", "ok", qualifier=q).payload)["pid"] for q in ("LATEST", "1") for _ in range(3)}
    assert len(pids) == 2  # one warm worker for LATEST, one for version 1
    tail = c.invoke("warm", "ok", log_type="Tail")
    assert tail.log_result and f"FC Invoke End RequestId: {tail.request_id}" in tail.log_result


def test_a_chunked_request_body_reaches_the_function(emu: Emulator) -> None:
    c = client(emu)
    deploy(c, "chunked", ["echo"])
    path = "/2016-08-15/services/chunked/functions/echo/invocations"
    headers = _signed("POST", path, "SK-emu", extra={"Content-Type": "application/octet-stream"})
    resp = requests.post(emu.endpoint + path, data=iter([b"first ", b"second"]), headers=headers, timeout=5)
    assert resp.status_code == 200 and resp.content == b"first second"


def test_unsupported_runtime_is_a_clear_error(emu: Emulator) -> None:
    c = client(emu)
    c.create_service("node")
    c.create_function("node", "fn", runtime="nodejs14", handler="index.handler", code=CODE)
    assert "nodejs14" in error_body(c.invoke("node", "fn"))["errorMessage"]


def test_registered_callables_still_work(emu: Emulator) -> None:
    c = client(emu)
    c.create_service("callable")
    c.create_function("callable", "fn", runtime="python3.10", handler="index.ok", code=CODE)
    emu.fake.register_handler("callable", "fn", lambda event, ctx: {"in_process": True, "event": event.decode()})
    assert json.loads(c.invoke("callable", "fn", b"hi").payload) == {"in_process": True, "event": "hi"}


# ----------------------------------------------------------------------------------------------- HTTP trigger


def test_http_trigger_reaches_the_function_through_alias_weights(emu: Emulator) -> None:
    c = client(emu)
    deploy(c, "web", ["web"])
    c.publish_version("web")
    c.update_function("web", "web", memory_size=192)
    c.publish_version("web")
    c.create_alias("web", "prod", "1", additional_version_weight={"2": 0.3})
    c.create_trigger("web", "web", "public", "http", {"authType": "anonymous", "methods": ["GET"]}, qualifier="prod")
    url = f"{emu.endpoint}/2016-08-15/proxy/web.prod/web/hello/world?item=fig&qty=2"

    counts: Counter[str] = Counter()
    with requests.Session() as plain:  # unsigned, like curl
        for _ in range(400):
            resp = plain.get(url, timeout=5)
            assert resp.status_code == 201 and resp.headers["X-Seen-Path"] == "/hello/world"
            body = resp.json()
            assert body["queries"] == {"item": "fig", "qty": "2"}
            assert body["version"] == resp.headers["X-Fc-Invocation-Service-Version"]
            counts[body["version"]] += 1
    assert abs(counts["2"] / 400 - 0.3) < 0.08, counts
    assert plain.post(url, timeout=5).status_code == 405  # not an allowed method

    if shutil.which("curl"):
        out = subprocess.run(["curl", "-s", "-i", url], capture_output=True, text=True, timeout=10).stdout
        assert "201" in out.splitlines()[0] and "X-Seen-Path: /hello/world" in out


def test_http_trigger_with_function_auth_needs_a_signature(emu: Emulator) -> None:
    c = client(emu)
    deploy(c, "private", ["web"])
    c.create_trigger("private", "web", "signed", "http", {"authType": "function", "methods": ["GET"]})
    url = f"{emu.endpoint}/2016-08-15/proxy/private.LATEST/web/x"
    assert requests.get(url, timeout=5).status_code in (400, 403)
    signed = c.http_trigger_request("private", "LATEST", "web", "/x", query={"a": "1"})
    assert signed.status_code == 201 and json.loads(signed.body)["queries"] == {"a": "1"}


# --------------------------------------------------------------------------------------------------- signatures


def _signed(method: str, path: str, secret: str, key_id: str = "AK-emu", query: str = "",
            extra: dict[str, str] | None = None) -> dict[str, str]:
    headers = {"Date": http_date(time.time()), "Content-Type": "application/json", **(extra or {})}
    from fcinfra.fc.signing import query_pairs

    pairs = query_pairs(query) if "/proxy/" in path else []
    headers["Authorization"] = authorization(key_id, secret, method, path, headers, pairs)
    return headers


def test_signatures_are_verified_exactly_like_in_process(emu: Emulator) -> None:
    """The same requests, through HTTP and straight into a FakeFc's handle(), get the same verdicts."""
    in_process = FakeFc(access_keys=KEYS)
    c = client(emu)
    c.create_service("sig-a")
    in_process.handle(FakeRequest("POST", "/2016-08-15/services", "", _signed("POST", "/2016-08-15/services",
                      "SK-emu"), b'{"serviceName": "sig-a"}', "127.0.0.1"))
    good = "/2016-08-15/services/sig-a"
    cases: list[tuple[str, str, dict[str, str]]] = [
        ("good", good, _signed("GET", good, "SK-emu")),
        ("percent-encoded path", "/2016-08-15/services/sig%2Da", _signed("GET", good, "SK-emu")),
        ("wrong secret", good, _signed("GET", good, "not-the-secret")),
        ("unknown key", good, _signed("GET", good, "whatever", key_id="AK-nobody")),
        ("x-fc header changed after signing",
         good, {**_signed("GET", good, "SK-emu", extra={"x-fc-trace-id": "a"}), "x-fc-trace-id": "b"}),
        ("no authorization", good, {"Date": http_date(time.time())}),
        ("stale date", good, {**_signed("GET", good, "SK-emu"), "Date": http_date(time.time() - 3600)}),
    ]
    verdicts = {}
    for name, path, headers in cases:
        over_http = requests.get(emu.endpoint + path, headers=headers, timeout=5)
        direct = in_process.handle(FakeRequest("GET", path, "", headers, b"", "127.0.0.1"))
        code_http = over_http.json().get("ErrorCode") if over_http.status_code >= 400 else None
        code_direct = json.loads(direct.body).get("ErrorCode") if direct.status >= 400 else None
        assert (over_http.status_code, code_http) == (direct.status, code_direct), name
        verdicts[name] = (over_http.status_code, code_http)
    assert verdicts["good"] == (200, None) and verdicts["percent-encoded path"] == (200, None)
    assert verdicts["wrong secret"] == (403, "SignatureNotMatch")
    assert verdicts["unknown key"] == (403, "InvalidAccessKeyID")
    assert verdicts["x-fc header changed after signing"] == (403, "SignatureNotMatch")
    with pytest.raises(AccessDeniedError):
        FcClient(emu.account_id, emu.region, "AK-emu", "wrong", endpoint=emu.endpoint).get_service("sig-a")


# ------------------------------------------------------------------------------------------------------- TLS


def test_tls_works_with_the_printed_ca(tmp_path: Path, runner: PythonCodeRunner, monkeypatch: Any) -> None:
    import certifi

    ca_file = tmp_path / "ca.pem"
    with Emulator(access_keys=KEYS, tls=True, ca_file=ca_file, code_runner=runner) as emu:
        assert emu.endpoint.startswith("https://127.0.0.1:") and emu.ca_file == str(ca_file)
        assert f"FC_CA_BUNDLE={ca_file}" in emu.banner()
        # requests lets REQUESTS_CA_BUNDLE override Session.verify, so the banner's advice is the reliable one
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        c = client(emu)
        deploy(c, "tls", ["ok"])
        assert json.loads(c.invoke("tls", "ok").payload)["version"] == "LATEST"
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{emu.endpoint}/_fcinfra/health", verify=certifi.where(), timeout=5)  # public CAs: no
        assert requests.get(f"{emu.endpoint}/_fcinfra/health", verify=emu.ca_file, timeout=5).ok


# ---------------------------------------------------------------------------------------------------- faults


def test_release_completes_through_retries_with_30_percent_faults(runner: PythonCodeRunner) -> None:
    with Emulator(access_keys=KEYS, seed=21, code_runner=runner) as emu:
        c = client(emu, retry_policy=RetryPolicy(attempts=12, initial_wait=0.0, max_wait=0.0, jitter=0.0),
                   sleep=lambda _s: None)
        deploy(c, "rel", ["ok"])
        assert c.publish_version("rel", description="release 1").version_id == "1"
        c.create_alias("rel", "prod", "1")
        faults = {
            "seed": 21,
            "rules": {
                "*": {"throttle": 0.1, "unavailable": 0.1, "error": 0.05, "drop": 0.05},
                # an invocation may have run unless FC refused it, so only refusals are retried: inject those
                "InvokeFunction": {"throttle": 0.15, "unavailable": 0.15},
                # publishing is not idempotent: include the ambiguous cases the client must resolve
                "PublishServiceVersion": {"throttle": 0.1, "unavailable": 0.05, "error": 0.05, "drop": 0.05,
                                          "drop_after": 0.1},
            },
        }
        put = requests.put(f"{emu.endpoint}/_fcinfra/faults", json=faults, timeout=5)
        assert put.ok and put.json()["rules"]["*"]["throttle"] == 0.1

        versions: Counter[str] = Counter()
        for release in (2, 3, 4):
            c.update_function("rel", "ok", memory_size=128 + 64 * release)
            new = c.publish_version("rel", description=f"release {release}").version_id
            assert new == str(release)
            for weight in (0.1, 0.5):
                c.update_alias("rel", "prod", additional_version_weight={new: weight})
                assert c.get_alias("rel", "prod").additional_version_weight == {new: weight}
            c.update_alias("rel", "prod", version_id=new, additional_version_weight={})
            for _ in range(34 if release < 4 else 32):
                inv = c.invoke("rel", "ok", qualifier="prod")
                assert inv.ok
                versions[inv.version_id or ""] += 1
        injected = list(emu.fake.faults.injected)
        requests.delete(f"{emu.endpoint}/_fcinfra/faults", timeout=5)

        assert sum(versions.values()) == 100 and set(versions) == {"2", "3", "4"}
        assert [v.version_id for v in c.list_versions("rel")] == ["4", "3", "2", "1"]  # none duplicated or missing
        assert [v.description for v in c.list_versions("rel")] == [f"release {n}" for n in (4, 3, 2, 1)]
        alias = c.get_alias("rel", "prod")
        assert (alias.version_id, alias.additional_version_weight) == ("4", {})
        kinds = Counter(kind for _op, kind in injected)
        assert len(injected) >= 40 and {"throttle", "unavailable", "error", "drop"} <= set(kinds), kinds


def test_dropped_connection_closes_the_socket_without_an_answer(emu: Emulator) -> None:
    c = client(emu, retry_policy=RetryPolicy.none())
    c.create_service("dropped")
    requests.put(f"{emu.endpoint}/_fcinfra/faults", json={"rules": {"GetService": {"drop": 1.0, "times": 1}}},
                 timeout=5).raise_for_status()
    path = "/2016-08-15/services/dropped"
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(emu.endpoint + path, headers=_signed("GET", path, "SK-emu"), timeout=5)
    assert c.get_service("dropped").service_name == "dropped"  # the rule was used up; serving goes on


# --------------------------------------------------------------------------------------------------- control


def test_control_endpoints(emu: Emulator) -> None:
    base = f"{emu.endpoint}/_fcinfra"
    health = requests.get(f"{base}/health", timeout=5).json()
    assert health["status"] == "ok" and health["account_id"] == emu.account_id and "SK-emu" not in json.dumps(health)
    assert requests.put(f"{base}/faults", json={"rules": {"GetAlias": {"throttle": 2}}}, timeout=5).status_code == 400
    assert requests.put(f"{base}/faults", data=b"{not json", timeout=5).status_code == 400
    assert requests.get(f"{base}/nope", timeout=5).status_code == 404

    c = client(emu, retry_policy=RetryPolicy.none())
    c.create_service("ctl")
    c.create_function("ctl", "fn", runtime="python3.10", handler="index.ok", code=CODE)
    emu.fake.register_handler("ctl", "fn", lambda event, ctx: ctx.service.version_id)
    c.publish_version("ctl")
    c.update_function("ctl", "fn", memory_size=256)
    c.publish_version("ctl")
    c.create_alias("ctl", "prod", "1", additional_version_weight={"2": 0.5})

    def routing() -> list[str]:
        return [c.invoke("ctl", "fn", qualifier="prod").version_id or "" for _ in range(30)]

    requests.put(f"{base}/seed", json={"seed": 99}, timeout=5).raise_for_status()
    first = routing()
    requests.put(f"{base}/seed", json={"seed": 99}, timeout=5).raise_for_status()
    assert routing() == first and set(first) == {"1", "2"}

    requests.put(f"{base}/faults", json={"seed": 1, "rules": {"GetAlias": {"throttle": 1.0}}}, timeout=5)
    assert requests.get(f"{base}/faults", timeout=5).json()["rules"]["GetAlias"]["throttle"] == 1.0
    with pytest.raises(ThrottledError):
        c.get_alias("ctl", "prod")
    requests.delete(f"{base}/faults", timeout=5).raise_for_status()
    assert c.get_alias("ctl", "prod").version_id == "1"

    state = requests.get(f"{base}/state", timeout=5).json()
    other = Emulator(access_keys=KEYS, code_runner=PythonCodeRunner(max_workers=1)).start()
    try:
        assert requests.put(f"{other.endpoint}/_fcinfra/state", json=state, timeout=5).ok
        assert client(other).get_alias("ctl", "prod").additional_version_weight == {"2": 0.5}
        assert requests.post(f"{other.endpoint}/_fcinfra/reset", timeout=5).ok
        assert client(other).list_services() == []
        assert requests.post(f"{other.endpoint}/_fcinfra/state/save", timeout=5).status_code == 409
    finally:
        other.stop()


def test_control_answers_loopback_only() -> None:
    api = ControlApi(FakeFc(), lambda: {}, lambda: None)
    assert api.handle("GET", "/_fcinfra/health", b"", "127.0.0.1").status == 200
    assert api.handle("GET", "/_fcinfra/health", b"", "::1").status == 200
    assert api.handle("GET", "/_fcinfra/health", b"", "10.0.0.7").status == 403
    assert api.handle("POST", "/_fcinfra/reset", b"", None).status == 403


# ------------------------------------------------------------------------------------------------ state file


def test_state_file_is_saved_periodically_and_atomically(tmp_path: Path, runner: PythonCodeRunner) -> None:
    state = tmp_path / "state.json"
    with Emulator(access_keys=KEYS, state_file=state, save_interval=0.05, code_runner=runner) as emu:
        assert not state.exists()  # no file: start empty, nothing written until there is something
        client(emu).create_service("periodic")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "periodic" not in (state.read_text() if state.exists() else ""):
            time.sleep(0.02)
        assert "periodic" in state.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp files left behind


def test_a_corrupt_state_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{ this is not json")
    with pytest.raises(EmulatorError, match="cannot be loaded"):
        Emulator(state_file=state, code_runner=PythonCodeRunner(max_workers=1)).start()
    assert state.read_text() == "{ this is not json"


def test_run_emulator_blocks_until_stopped_and_saves(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    printed: list[str] = []
    stop = threading.Event()
    result: dict[str, int] = {}
    thread = threading.Thread(target=lambda: result.setdefault("rc", run_emulator(
        0, KEYS, "5555", "cn-shanghai", state, echo=printed.append, stop_event=stop, save_interval=None)))
    thread.start()
    deadline = time.monotonic() + 10
    while not printed and time.monotonic() < deadline:
        time.sleep(0.01)
    endpoint = printed[0].splitlines()[0].split(" at ")[1]
    assert "account id: 5555" in printed[0] and "SK-emu" not in printed[0]
    FcClient("5555", "cn-shanghai", "AK-emu", "SK-emu", endpoint=endpoint).create_service("kept")
    stop.set()
    thread.join(10)
    assert result["rc"] == 0 and "kept" in state.read_text()


SUBPROCESS = (
    "import sys; from fcinfra.fake.server import run_emulator; "
    "run_emulator(0, {'AK-emu': 'SK-emu'}, state_file=sys.argv[1], save_interval=None)"
)


def _spawn(state: Path) -> tuple[subprocess.Popen[str], str]:
    # without PYTHONUNBUFFERED (CI may not set it) the banner must still arrive through the pipe at once
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen([sys.executable, "-c", SUBPROCESS, str(state)], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert " at http://127.0.0.1:" in line, line
    return proc, line.strip().split(" at ")[1]


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_a_signal_saves_the_state_of_a_subprocess_emulator(tmp_path: Path, signum: str) -> None:
    import signal

    state = tmp_path / "state.json"
    proc, endpoint = _spawn(state)
    try:
        c = FcClient("1234567890", "cn-hangzhou", "AK-emu", "SK-emu", endpoint=endpoint)
        c.create_service("survivor")
        c.create_function("survivor", "fn", runtime="python3.10", handler="index.ok", code=CODE)
        c.publish_version("survivor")
        c.create_alias("survivor", "prod", "1")
        proc.send_signal(getattr(signal, signum))
        assert proc.wait(15) == 0
    finally:
        with proc:  # closes its pipe and reaps it
            proc.kill()
    assert "survivor" in state.read_text()

    proc, endpoint = _spawn(state)
    try:
        c = FcClient("1234567890", "cn-hangzhou", "AK-emu", "SK-emu", endpoint=endpoint)
        assert [v.version_id for v in c.list_versions("survivor")] == ["1"]
        assert c.get_alias("survivor", "prod").version_id == "1"
        assert json.loads(c.invoke("survivor", "fn", qualifier="prod").payload)["version"] == "1"
        proc.terminate()
        assert proc.wait(15) == 0
    finally:
        with proc:  # closes its pipe and reaps it
            proc.kill()


def test_workers_exit_when_the_emulator_process_is_killed(tmp_path: Path) -> None:
    import os
    import signal

    proc, endpoint = _spawn(tmp_path / "state.json")
    try:
        c = FcClient("1234567890", "cn-hangzhou", "AK-emu", "SK-emu", endpoint=endpoint)
        deploy(c, "orphans", ["ok"])
        worker_pid = json.loads(c.invoke("orphans", "ok").payload)["pid"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(5)
    finally:
        with proc:  # closes its pipe and reaps it
            proc.kill()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{worker_pid}").exists():
        status = Path(f"/proc/{worker_pid}/status").read_text() if Path(f"/proc/{worker_pid}").exists() else ""
        if "State:\tZ" in status:
            break
        time.sleep(0.05)
    status = Path(f"/proc/{worker_pid}/status").read_text() if Path(f"/proc/{worker_pid}").exists() else ""
    assert not status or "State:\tZ" in status, "a function worker outlived its emulator"


def test_an_emulator_can_be_started_again_after_stop(runner: PythonCodeRunner) -> None:
    emu = Emulator(access_keys=KEYS)
    with emu:
        deploy(client(emu), "again", ["ok"])
        assert client(emu).invoke("again", "ok").ok
    with emu:
        assert client(emu).invoke("again", "ok").ok
