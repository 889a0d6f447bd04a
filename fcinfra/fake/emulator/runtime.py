"""Real execution of Python handlers from a function's zip, isolated from the fake (the emulator's runtime).

``PythonCodeRunner`` implements the fake's ``CodeRunner`` protocol. Each invocation runs in a worker
process (``fcinfra/fake/emulator/worker.py``, started as a plain script with ``python -I -S -u``, in its own
session; ``-S`` keeps the emulator's site-packages out of the function's reach) so user code can crash, hang,
exhaust memory or call ``os._exit`` without touching the emulator:

* warm workers are kept per (account, service, version-or-LATEST, function) and reused while the
  function's code and config are unchanged; the pool is bounded (``max_workers``), the least recently
  used idle worker is evicted first, and idle workers die after ``idle_seconds``;
* ``timeout`` is enforced by killing the worker's process group: "Function timed out after N seconds";
* ``memory_size`` is enforced inside the worker with RLIMIT_AS = the interpreter's own address space at
  start-up + ``memory_size`` MB (so the handler gets about ``memory_size`` MB for itself); an allocation past
  it fails with ``MemoryError`` and the worker is recycled;
* a function behind an HTTP trigger is called as a WSGI app (``spec.http``), any other as ``handler(event, context)``;
* a failure in user code is answered the way FC answers it: error type ``UnhandledInvocationError`` and a JSON
  payload ``{"errorMessage", "errorType", "stackTrace"}``;
* stdout, stderr and ``logging`` of the worker land in a log file whose end is the ``X-Fc-Log-Type: Tail``.

Code is extracted once per distinct zip into a private temporary directory, removed by ``close()``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from fcinfra.fake.context import ErrorType, InvocationOutcome, InvocationSpec

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
LOG_TAIL_BYTES = 4096
UNHANDLED: ErrorType = "UnhandledInvocationError"


def error_payload(message: str, error_type: str, stack: list[str] | None = None) -> bytes:
    """FC's error body for a failed function."""
    return json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": stack or []}).encode()


def is_supported_runtime(runtime: str | None) -> bool:
    """Only Python runtimes can run here; others get a clear function error rather than a crash."""
    return bool(runtime) and str(runtime).startswith("python3")


@dataclass
class _Reply:
    payload: bytes = b""
    error: dict[str, Any] | None = None
    fatal: bool = False
    max_memory_mb: float | None = None
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(eq=False)
class _Worker:
    """One live worker process and the pipe and log file that go with it."""

    key: tuple[str, str, str, str]
    fingerprint: str
    proc: subprocess.Popen[bytes]
    conn: Connection
    log_path: Path
    memory_size: int
    last_used: float = 0.0
    dead: bool = False
    invocations: int = field(default=0)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL the whole process group (the handler may have started children) and reap it."""
        self.dead = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(OSError):
            self.log_path.unlink()

    def peak_memory_mb(self) -> float | None:
        """VmHWM of a live worker (read before killing it on a timeout)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024.0, 2)
        except (OSError, ValueError):
            return None
        return None

    def take_log(self) -> str:
        """Everything the worker wrote since the last call; the file is then emptied (it is O_APPEND)."""
        try:
            with open(self.log_path, "rb") as fh:
                data = fh.read()
            os.truncate(self.log_path, 0)
        except OSError:
            return ""
        return data.decode("utf-8", "replace")


class PythonCodeRunner:
    """Runs ``python3*`` handlers from zip code in warm, isolated, resource-limited worker processes."""

    def __init__(
        self,
        max_workers: int = 16,
        idle_seconds: float = 300.0,
        start_timeout: float = 30.0,
        python: str = sys.executable,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_workers = max_workers
        self.idle_seconds = idle_seconds
        self.start_timeout = start_timeout
        self.python = python
        self._clock = clock
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []  # most recently used last
        self._all: set[_Worker] = set()
        self._starting = 0
        self._closed = False
        self._root = Path(tempfile.mkdtemp(prefix="fcinfra-emulator-"))
        self._code_dirs: dict[str, Path] = {}
        self._code_lock = threading.Lock()
        self._seq = 0
        # Runs on close(), on garbage collection, or at interpreter exit, whichever comes first.
        self._finalizer = weakref.finalize(self, _cleanup, self._all, self._root)

    # ------------------------------------------------------------------ public

    def run(self, spec: InvocationSpec) -> InvocationOutcome:
        """Run one invocation in a warm worker for its function (starting one if needed), within its limits."""
        started = time.perf_counter()
        if not is_supported_runtime(spec.runtime):
            return self._outcome(
                error_payload(
                    f"runtime {spec.runtime!r} is not supported by the emulator: it only executes python3* "
                    "functions (register a Python callable with register_handler() to fake others)",
                    "RuntimeNotSupported",
                ),
                UNHANDLED,
                "",
                started,
                None,
            )
        fingerprint = self._fingerprint(spec)
        try:
            worker = self._acquire(spec, fingerprint)
        except _PoolExhausted as exc:
            return self._outcome(error_payload(str(exc), "ResourceExhausted"), UNHANDLED, "", started, None)
        except _StartFailed as exc:
            return self._outcome(error_payload(str(exc), "RuntimeStartError"), UNHANDLED, exc.log, started, None)
        reply, log, keep = self._invoke(worker, spec)
        self._release(worker, keep)
        log_tail = log[-LOG_TAIL_BYTES:] if spec.want_log_tail else ""
        if reply.error is not None:
            err = reply.error
            payload = error_payload(str(err.get("errorMessage", "")), str(err.get("errorType", "")),
                                    list(err.get("stackTrace") or []))
            return self._outcome(payload, UNHANDLED, log_tail, started, reply.max_memory_mb)
        return self._outcome(reply.payload, None, log_tail, started, reply.max_memory_mb, reply.status, reply.headers)

    @property
    def closed(self) -> bool:
        """True after close(): no more invocations are accepted."""
        return self._closed

    def worker_pids(self) -> list[int]:
        """Pids of the live workers (tests use it to prove nothing is left behind)."""
        with self._cond:
            return sorted(w.pid for w in self._all if not w.dead)

    def close(self) -> None:
        """Kill every worker and remove the extracted code. Safe to call twice."""
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()
        self._finalizer()

    def __enter__(self) -> PythonCodeRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ pool

    @staticmethod
    def _fingerprint(spec: InvocationSpec) -> str:
        code = spec.code_checksum or hashlib.sha256(spec.code_zip).hexdigest()
        env = sorted((spec.environment_variables or {}).items())
        raw = json.dumps(
            [spec.runtime, spec.handler, spec.initializer, code, len(spec.code_zip), spec.memory_size, env]
        )
        return hashlib.sha256(raw.encode()).hexdigest()

    def _acquire(self, spec: InvocationSpec, fingerprint: str) -> _Worker:
        key = tuple(spec.key)
        deadline = self._clock() + max(float(spec.timeout), 1.0)
        while True:
            victims: list[_Worker] = []
            with self._cond:
                if self._closed:
                    raise _PoolExhausted("the emulator's runtime is shutting down")
                victims.extend(self._expired_locked())
                found = None
                for worker in reversed(self._idle):
                    if worker.key == key and not worker.dead and worker.proc.poll() is None:
                        if worker.fingerprint == fingerprint:
                            found = worker
                            break
                        victims.append(worker)  # same function, older code or config
                for worker in victims:
                    self._forget_locked(worker)
                if found is not None:
                    self._idle.remove(found)
                elif len(self._all) + self._starting < self.max_workers:
                    self._starting += 1
                elif self._idle:
                    lru = self._idle[0]
                    self._forget_locked(lru)
                    victims.append(lru)
                    self._starting += 1
                else:
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        raise _PoolExhausted(
                            f"all {self.max_workers} function workers of the emulator are busy; try again later"
                        )
                    self._cond.wait(remaining)
                    continue
            for victim in victims:
                victim.kill()
            if found is not None:
                return found
            try:
                worker = self._spawn(spec, fingerprint)
            finally:
                with self._cond:
                    self._starting -= 1
            with self._cond:
                if self._closed:
                    worker.kill()
                    raise _PoolExhausted("the emulator's runtime is shutting down")
                self._all.add(worker)
            return worker

    def _release(self, worker: _Worker, keep: bool) -> None:
        with self._cond:
            worker.last_used = self._clock()
            if keep and not self._closed and not worker.dead:
                self._idle.append(worker)
            else:
                self._forget_locked(worker)
            self._cond.notify()
        if not keep or worker.dead or self._closed:
            worker.kill()

    def _expired_locked(self) -> list[_Worker]:
        now = self._clock()
        expired = [w for w in self._idle if now - w.last_used > self.idle_seconds or w.proc.poll() is not None]
        for worker in expired:
            self._forget_locked(worker)
        return expired

    def _forget_locked(self, worker: _Worker) -> None:
        if worker in self._idle:
            self._idle.remove(worker)
        self._all.discard(worker)

    # ------------------------------------------------------------------ processes

    def _code_dir(self, code_zip: bytes) -> Path:
        digest = hashlib.sha256(code_zip).hexdigest()[:40]
        with self._code_lock:
            cached = self._code_dirs.get(digest)
            if cached is not None and cached.is_dir():
                return cached
            target = self._root / "code" / digest
            staging = Path(tempfile.mkdtemp(dir=self._root, prefix="extract-"))
            try:
                with zipfile.ZipFile(io.BytesIO(code_zip)) as archive:
                    archive.extractall(staging)  # zipfile drops absolute and '..' path parts
            except zipfile.BadZipFile as exc:
                raise _StartFailed(f"the function's code is not a valid zip file: {exc}", "") from exc
            target.parent.mkdir(exist_ok=True)
            os.replace(staging, target)
            self._code_dirs[digest] = target
            return target

    def _spawn(self, spec: InvocationSpec, fingerprint: str) -> _Worker:
        code_dir = self._code_dir(spec.code_zip)
        _account, service, _qualifier, function = spec.key
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(code_dir),
            "TZ": "UTC",
            "MALLOC_ARENA_MAX": "2",  # glibc arenas reserve 64 MB of address space per thread otherwise
            "FC_FUNC_CODE_PATH": str(code_dir),
            "FC_SERVICE_NAME": service,
            "FC_FUNCTION_NAME": function,
            "FC_FUNCTION_HANDLER": spec.handler,
            "FC_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "FC_RUNTIME": spec.runtime,
        }
        env.update({str(k): str(v) for k, v in (spec.environment_variables or {}).items()})
        with self._code_lock:
            self._seq += 1
            log_path = self._root / f"worker-{self._seq}.log"
        parent, child = Pipe(duplex=True)
        # O_APPEND: the runner truncates the log between invocations while the worker keeps writing.
        with open(log_path, "ab") as log_file:
            try:
                proc = subprocess.Popen(
                    [self.python, "-I", "-S", "-u", str(WORKER_SCRIPT), str(child.fileno()), str(spec.memory_size),
                     str(code_dir), str(os.getpid())],
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=log_file,
                    pass_fds=(child.fileno(),),
                    cwd=str(code_dir),
                    env=env,
                    start_new_session=True,
                    close_fds=True,
                )
            finally:
                child.close()
        worker = _Worker(spec.key, fingerprint, proc, parent, log_path, spec.memory_size)
        if parent.poll(self.start_timeout):
            try:
                hello = json.loads(parent.recv_bytes())
            except (EOFError, OSError, ValueError):
                hello = {}
            if hello.get("ready"):
                return worker
        log = worker.take_log()
        worker.kill()
        raise _StartFailed("the function's worker process failed to start", log)

    def _invoke(self, worker: _Worker, spec: InvocationSpec) -> tuple[_Reply, str, bool]:
        """Send one event; returns the reply, the log written meanwhile, and whether to keep the worker."""
        message = {
            "op": "invoke",
            "handler": spec.handler,
            "event": base64.b64encode(spec.event).decode("ascii"),
            "context": spec.context,
            "initializer": spec.initializer,
            "http": None,
        }
        if spec.http is not None:
            request = spec.http.to_dict()
            message["http"] = dict(request, body=base64.b64encode(spec.http.body).decode("ascii"))
        worker.invocations += 1
        try:
            worker.conn.send_bytes(json.dumps(message).encode())
            ready = worker.conn.poll(float(spec.timeout))
        except OSError:
            ready = True
        if not ready:
            peak = worker.peak_memory_mb()
            worker.kill()
            usage = f" (maxMemoryUsage: {peak}MB)" if peak is not None else ""
            text = f"Function timed out after {spec.timeout} seconds{usage}"
            log = worker.take_log() + f"{text}\n"
            return _Reply(error={"errorMessage": text, "errorType": "FunctionTimeout"}, fatal=True,
                          max_memory_mb=peak), log, False
        try:
            raw = json.loads(worker.conn.recv_bytes())
        except (EOFError, OSError, ValueError):
            return self._crashed(worker, spec), worker.take_log(), False
        reply = _Reply(
            payload=base64.b64decode(raw.get("payload") or ""),
            error=raw.get("error"),
            fatal=bool(raw.get("fatal")),
            max_memory_mb=raw.get("max_memory_mb"),
            status=raw.get("status"),
            headers=tuple((str(k), str(v)) for k, v in raw.get("headers") or []),
        )
        if raw.get("oom") and reply.error is not None:
            detail = str(reply.error.get("errorMessage") or "").strip()
            reply.error["errorMessage"] = (
                f"Function ran out of memory: memory_size is {spec.memory_size} MB"
                + (f" ({reply.error.get('errorType')}: {detail})" if detail else "")
            )
        return reply, worker.take_log(), not reply.fatal

    @staticmethod
    def _crashed(worker: _Worker, spec: InvocationSpec) -> _Reply:
        try:
            code = worker.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        worker.kill()
        if code is None:
            how = "no exit status"
        elif code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        text = f"Process exited unexpectedly before completing request ({how})"
        return _Reply(error={"errorMessage": text, "errorType": "ProcessExited"}, fatal=True)

    @staticmethod
    def _outcome(
        payload: bytes, error_type: ErrorType | None, log_tail: str, started: float, max_memory_mb: float | None,
        http_status: int | None = None, http_headers: tuple[tuple[str, str], ...] = (),
    ) -> InvocationOutcome:
        return InvocationOutcome(
            payload=payload,
            error_type=error_type,
            log_tail=log_tail,
            duration_ms=round((time.perf_counter() - started) * 1000.0, 3),
            max_memory_mb=max_memory_mb,
            http_status=http_status,
            http_headers=http_headers,
        )


class _PoolExhausted(Exception):
    pass


class _StartFailed(Exception):
    def __init__(self, message: str, log: str) -> None:
        super().__init__(message)
        self.log = log


def _cleanup(workers: set[_Worker], root: Path) -> None:
    """Kill all workers and remove the temp dir (also run at interpreter exit and on garbage collection)."""
    for worker in list(workers):
        worker.kill()
    workers.clear()
    import shutil

    shutil.rmtree(root, ignore_errors=True)
