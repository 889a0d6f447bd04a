"""PythonCodeRunner: real handlers from zip code in isolated, warm, resource-limited workers."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest

from fcinfra.fake.context import InvocationSpec
from fcinfra.fake.emulator.runtime import PythonCodeRunner

from .conftest import make_zip

SOURCE = '''
import json, logging, os, sys, time
calls = 0

def handler(event, context):
    global calls
    calls += 1
    print("printed", event.decode())
    logging.info("logged %s", context.request_id)
    kind = event.decode()
    if kind == "raise":
        raise ValueError("bad event: " + kind)
    if kind == "exit":
        os._exit(3)
    if kind == "segv":
        import ctypes
        ctypes.string_at(0)
    if kind == "sleep":
        time.sleep(30)
    if kind == "hog":
        hog = bytearray(2 * 1024 * 1024 * 1024)
        return "allocated %d" % len(hog)
    if kind == "fifty":
        block = bytearray(50 * 1024 * 1024)
        return "ok %d" % len(block)
    if kind == "str":
        return "plain text"
    if kind == "bytes":
        return b"\\x00\\x01raw"
    if kind == "child":
        import subprocess
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        with open("child.pid", "w") as fh:
            fh.write(str(proc.pid))
        time.sleep(30)
    return {
        "pid": os.getpid(),
        "calls": calls,
        "request_id": context.request_id,
        "function": context.function.name,
        "service": context.service.name,
        "qualifier": context.service.qualifier,
        "version_id": context.service.version_id,
        "memory": context.function.memory,
        "credentials": bool(context.credentials.access_key_id),
        "env": os.environ.get("GREETING"),
    }
'''
CODE = make_zip({"index.py": SOURCE})


def spec(
    event: str, *, version: str = "LATEST", code: bytes = CODE, checksum: str = "c1", **changes: Any
) -> InvocationSpec:
    fields: dict[str, Any] = dict(
        key=("1234567890", "svc", version, "fn"),
        runtime="python3.10",
        handler="index.handler",
        code_zip=code,
        code_checksum=checksum,
        memory_size=128,
        timeout=1,
        environment_variables={"GREETING": "hi"},
        event=event.encode(),
        context={
            "request_id": f"req-{event}",
            "function": {"name": "fn", "handler": "index.handler", "memory_size": 128, "timeout": 1},
            "service": {"name": "svc", "qualifier": "prod", "version_id": version},
            "credentials": {"access_key_id": "STS.x", "access_key_secret": "y", "security_token": "z"},
        },
        want_log_tail=True,
    )
    fields.update(changes)
    return InvocationSpec(**fields)


def ok(runner: PythonCodeRunner, event: str = "x", **kw: Any) -> dict[str, Any]:
    outcome = runner.run(spec(event, **kw))
    assert outcome.error_type is None, outcome.payload
    result: dict[str, Any] = json.loads(outcome.payload)
    return result


def error_of(runner: PythonCodeRunner, event: str, **kw: Any) -> dict[str, Any]:
    outcome = runner.run(spec(event, **kw))
    assert outcome.error_type == "UnhandledInvocationError"
    body: dict[str, Any] = json.loads(outcome.payload)
    assert set(body) == {"errorMessage", "errorType", "stackTrace"}
    return body


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except OSError:
        return False


def test_context_and_environment_reach_the_handler(runner: PythonCodeRunner) -> None:
    result = ok(runner, version="1")
    assert result["request_id"] == "req-x"
    seen = (result["function"], result["service"], result["qualifier"], result["version_id"])
    assert seen == ("fn", "svc", "prod", "1")
    assert result["memory"] == 128 and result["credentials"] is True
    assert result["env"] == "hi"
    assert result["pid"] != os.getpid()


def test_str_and_bytes_are_returned_verbatim(runner: PythonCodeRunner) -> None:
    assert runner.run(spec("str")).payload == b"plain text"
    assert runner.run(spec("bytes")).payload == b"\x00\x01raw"


def test_warm_worker_is_reused_per_key(runner: PythonCodeRunner) -> None:
    first = ok(runner, version="7")
    second = ok(runner, version="7")
    other = ok(runner, version="8")
    assert second["pid"] == first["pid"] and second["calls"] == first["calls"] + 1
    assert other["pid"] != first["pid"]


def test_changed_code_gets_a_fresh_worker(runner: PythonCodeRunner) -> None:
    before = ok(runner, version="LATEST")
    new_code = make_zip({"index.py": "def handler(event, context):\n    return 'v2'\n"})
    assert runner.run(spec("x", code=new_code, checksum="c2")).payload == b"v2"
    assert not alive(before["pid"])


def test_exception_is_an_unhandled_invocation_error_and_the_worker_survives(runner: PythonCodeRunner) -> None:
    before = ok(runner, version="20")
    body = error_of(runner, "raise", version="20")
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad event: raise"
    assert any("index.py" in line and "handler" in line for line in body["stackTrace"])
    assert not any("worker.py" in line for line in body["stackTrace"])
    assert ok(runner, version="20")["pid"] == before["pid"]


@pytest.mark.parametrize(("event", "how"), [("exit", "exit code 3"), ("segv", "SIGSEGV")])
def test_a_crashing_worker_is_reported_and_replaced(runner: PythonCodeRunner, event: str, how: str) -> None:
    before = ok(runner, version="30")
    body = error_of(runner, event, version="30")
    assert "Process exited unexpectedly" in body["errorMessage"] and how in body["errorMessage"]
    after = ok(runner, version="30")
    assert after["pid"] != before["pid"] and not alive(before["pid"])


def test_timeout_kills_the_worker(runner: PythonCodeRunner) -> None:
    before = ok(runner, version="40")
    started = time.monotonic()
    body = error_of(runner, "sleep", version="40")
    assert time.monotonic() - started < 3
    assert body["errorMessage"].startswith("Function timed out after 1 seconds")
    assert not alive(before["pid"])
    assert ok(runner, version="40")["calls"] == 1


def test_memory_size_is_a_hard_limit(runner: PythonCodeRunner) -> None:
    body = error_of(runner, "hog", version="50")
    assert body["errorType"] == "MemoryError"
    assert "memory_size is 128 MB" in body["errorMessage"]
    # 50 MB fits in 128 MB, and the recycled worker serves it
    assert runner.run(spec("fifty", version="50")).payload == b"ok 52428800"


def test_log_tail_has_prints_logging_and_request_markers(runner: PythonCodeRunner) -> None:
    outcome = runner.run(spec("x", version="60"))
    assert "printed x" in outcome.log_tail
    assert "req-x [INFO] logged req-x" in outcome.log_tail
    assert "FC Invoke Start RequestId: req-x" in outcome.log_tail
    assert "FC Invoke End RequestId: req-x" in outcome.log_tail
    # only this invocation's log, and nothing when no tail is asked for
    assert outcome.log_tail.count("FC Invoke Start") == 1
    assert runner.run(spec("x", version="60", want_log_tail=False)).log_tail == ""


def test_other_runtimes_are_refused_clearly(runner: PythonCodeRunner) -> None:
    body = error_of(runner, "x", runtime="nodejs14")
    assert "runtime 'nodejs14' is not supported by the emulator" in body["errorMessage"]


def test_bad_handler_and_bad_zip_give_clear_errors(runner: PythonCodeRunner) -> None:
    body = error_of(runner, "x", handler="index.nope", version="70")
    assert "nope" in body["errorMessage"]
    body = error_of(runner, "x", handler="missing.handler", version="71")
    assert body["errorType"] == "ModuleNotFoundError"
    body = error_of(runner, "x", code=b"not a zip", checksum="bad", version="72")
    assert "not a valid zip" in body["errorMessage"]


def test_pool_is_bounded_and_close_leaves_no_process() -> None:
    with PythonCodeRunner(max_workers=2) as small:
        pids = {ok(small, version=str(v))["pid"] for v in (1, 2, 3)}
        assert len(pids) == 3
        assert len(small.worker_pids()) <= 2
        live = small.worker_pids()
    assert all(not alive(pid) for pid in live)
    assert small.worker_pids() == []


def test_close_kills_a_hanging_worker_and_its_children(tmp_path: Any) -> None:
    small = PythonCodeRunner(max_workers=2)
    code_root = None
    try:
        outcome = small.run(spec("child", version="90", timeout=1))
        assert outcome.error_type == "UnhandledInvocationError"
        code_root = small._root  # the child wrote its pid next to the code
        pid_files = list(code_root.glob("code/*/child.pid"))
        assert pid_files
        child_pid = int(pid_files[0].read_text())
        deadline = time.monotonic() + 3
        while alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not alive(child_pid), "the timed-out handler's child process was left behind"
        ok(small, version="91")
    finally:
        small.close()
    assert small.worker_pids() == []
    assert code_root is not None and not code_root.exists()


def test_concurrent_invocations_of_one_function_get_separate_workers(runner: PythonCodeRunner) -> None:
    from concurrent.futures import ThreadPoolExecutor

    slow = make_zip({"index.py": "import os, time\ndef handler(event, context):\n    time.sleep(0.3)\n"
                                 "    return str(os.getpid())\n"})
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(lambda _: runner.run(spec("x", version="100", code=slow, checksum="slow")), range(3)))
    assert all(o.error_type is None for o in outcomes)
    assert len({o.payload for o in outcomes}) == 3


def test_mock_fc_users_can_opt_in_to_real_execution(runner: PythonCodeRunner) -> None:
    from fcinfra.fake import mock_fc
    from fcinfra.fc import FcClient

    with mock_fc(access_keys={"AK": "SK"}, code_runner=runner):
        c = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
        c.create_service("inproc")
        c.create_function("inproc", "fn", runtime="python3.10", handler="index.handler", code=CODE, timeout=1)
        c.publish_version("inproc")
        inv = c.invoke("inproc", "fn", b"x", qualifier="1")
        result = json.loads(inv.payload)
        assert (inv.version_id, result["version_id"], result["service"]) == ("1", "1", "inproc")
        assert result["pid"] != os.getpid()
        assert json.loads(c.invoke("inproc", "fn", b"raise").payload)["errorType"] == "ValueError"


VALUES_SOURCE = '''
import datetime
def handler(event, context):
    return {"dict": {"a": 1, "ok": True, "none": None}, "list": [1, 2.5, "x"], "true": True, "int": 7,
            "date": datetime.date(2024, 1, 2)}[event.decode()]
'''


@pytest.mark.parametrize("kind", ["dict", "list", "true", "int", "date"])
def test_a_handler_answers_the_same_bytes_in_process_and_in_the_emulator(runner: PythonCodeRunner, kind: str) -> None:
    """mock_fc() and the emulator are one fake: a returned value must be encoded alike by both."""
    from fcinfra.fake.invoke import to_payload

    namespace: dict[str, Any] = {}
    exec(VALUES_SOURCE, namespace)  # the very handler, run in this process
    in_process = to_payload(namespace["handler"](kind.encode(), None))
    outcome = runner.run(spec(kind, code=make_zip({"index.py": VALUES_SOURCE}), checksum="values"))
    assert outcome.error_type is None, outcome.payload
    assert outcome.payload == in_process
