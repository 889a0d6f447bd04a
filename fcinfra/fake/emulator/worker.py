"""The emulator's function worker: one process that runs one function's Python handler, over and over.

It is started by ``fcinfra.fake.emulator.runtime`` as ``python -I <this file> <fd>`` (a script path, not ``-m``),
so it imports nothing from fcinfra and the emulator's state is out of its reach. It talks to the
emulator over the inherited socket ``fd`` with length-prefixed JSON messages
(``multiprocessing.connection.Connection``); stdout and stderr (fd 1 and 2) go to a log file the
emulator reads for ``X-Fc-Log-Type: Tail``.

Memory: once the interpreter is up, the address space (RLIMIT_AS) is capped at what it uses now plus
the function's ``memory_size``, so the handler gets about ``memory_size`` MB for itself, and an
allocation beyond it fails (``MemoryError``) instead of swapping the host. ``MALLOC_ARENA_MAX`` is set by
the runtime so that glibc's per-thread arenas do not eat that budget.

Packages: the worker runs with ``-S`` as well, so the emulator's own site-packages are out of sight: a function
imports the standard library and what its zip holds, as on FC (where only the runtime's built-in packages are
added); a dependency missing from the zip fails to import here too.

Two calling conventions, as FC 2.0's Python runtime has them: an event function is ``handler(event, context)``;
an HTTP function (one behind an HTTP trigger) is a WSGI app, ``handler(environ, start_response)`` (PEP 3333),
whose ``environ`` is built by :func:`wsgi_environ` and whose answer is collected by :func:`call_wsgi`.

Protocol (each message one JSON object):
    -> {"op": "invoke", "handler": "index.handler", "event": <b64>, "context": {...},
        "http": null | {"method", "path_info", "query", "headers", "body": <b64>, "request_uri", ...}}
    <- {"payload": <b64>, "error": null | {"errorMessage", "errorType", "stackTrace"},
        "fatal": bool, "oom": bool, "max_memory_mb": float, "status": int | null, "headers": [[k, v], ...]}
The first message from the worker is ``{"ready": true, "pid": N}``.
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import logging
import os
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from types import SimpleNamespace
from typing import Any

_LOG_FORMAT = "%(asctime)s %(request_id)s [%(levelname)s] %(message)s"


class _RequestIdFilter(logging.Filter):
    """Adds the current request id to every record, like FC's Python runtime does."""

    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = self.request_id
        return True


_REQUEST_FILTER = _RequestIdFilter()


def _namespace(value: Any) -> Any:
    """Plain dicts -> attribute objects, so handlers write ``context.service.qualifier``."""
    if isinstance(value, dict):
        return SimpleNamespace(**{str(k): _namespace(v) for k, v in value.items()})
    return value


def build_context(data: dict[str, Any]) -> Any:
    """An FC-like context: request_id, function, service, credentials, region, account_id."""
    ctx = _namespace(data)
    function = getattr(ctx, "function", None)
    if function is not None and not hasattr(function, "memory") and hasattr(function, "memory_size"):
        function.memory = function.memory_size  # FC's runtime calls it ``memory``
    for name in ("request_id", "region", "account_id"):
        if not hasattr(ctx, name):
            setattr(ctx, name, "")
    return ctx


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at the current size plus the function's memory (see module docstring)."""
    if memory_mb <= 0:
        return
    current = 0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    current = int(line.split()[1]) * 1024
                    break
    except OSError:
        current = 0
    limit = current + memory_mb * 1024 * 1024
    import resource  # POSIX only; imported here because mock_fc() imports encode_result on any platform

    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _max_memory_mb() -> float:
    import resource

    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss_kb / 1024.0, 2)


def _error(exc: BaseException) -> dict[str, Any]:
    """FC's error shape; the stack trace starts at user code (this file's frames are left out)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    stack = traceback.format_list(traceback.extract_tb(tb))
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": stack}


def encode_result(result: Any) -> bytes:
    """A handler's return value as the response payload: str/bytes verbatim, None as empty, anything else as JSON.

    The one encoder for both ways the fake runs handlers (in-process callables and the emulator's workers), so a
    handler answers the same bytes under ``mock_fc()`` and under ``fcinfra emulator``. It lives here because this
    file must import nothing from fcinfra.
    """
    if result is None:
        return b""
    if isinstance(result, bytes | bytearray | memoryview):
        return bytes(result)
    if isinstance(result, str):
        return result.encode("utf-8")
    return json.dumps(result, separators=(",", ":"), default=str).encode("utf-8")


def wsgi_environ(request: dict[str, Any], context: Any) -> dict[str, Any]:
    """The PEP 3333 ``environ`` of an HTTP function, with FC's own keys ``fc.context`` and ``fc.request_uri``.

    ``request`` is ``HttpRequest.to_dict()`` (body as bytes). The one builder for both ways the fake runs
    handlers (in-process callables and the emulator's workers), so an app sees the same environ under both.
    """
    host = str(request.get("host") or "localhost")
    scheme = str(request.get("scheme") or "https")
    name, _, port = host.rpartition(":") if host.rpartition(":")[2].isdigit() else (host, "", "")
    body = bytes(request.get("body") or b"")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": str(request["method"]).upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": str(request.get("path_info") or "/"),
        "QUERY_STRING": str(request.get("query") or ""),
        "SERVER_NAME": name or host,
        "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": str(request.get("remote_addr") or "127.0.0.1"),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "fc.context": context,
        "fc.request_uri": str(request.get("request_uri") or ""),
    }
    for key, value in request.get("headers") or []:
        lowered = str(key).lower()
        if lowered == "content-type":
            environ["CONTENT_TYPE"] = str(value)
            continue
        if lowered == "content-length":
            continue  # the body's own length is what wsgi.input holds
        cgi_name = "HTTP_" + lowered.upper().replace("-", "_")
        environ[cgi_name] = f"{environ[cgi_name]},{value}" if cgi_name in environ else str(value)
    return environ


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call a WSGI app as a server would (PEP 3333): status, headers and the whole body it produced.

    A handler that is not a WSGI app (an event handler behind an HTTP trigger) fails here with a message that says
    what FC expects; that failure is the function's error, as any other exception in user code.
    """
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is None and started:
            raise AssertionError("start_response() was called twice without exc_info (PEP 3333)")
        code = str(status).split(" ", 1)[0]
        if not isinstance(status, str) or len(code) != 3 or not code.isdigit():
            raise ValueError(f"start_response() got status {status!r}: expected a str such as '200 OK' (PEP 3333)")
        pairs = [(str(k), str(v)) for k, v in headers]
        started[:] = [int(code), pairs]  # nothing is sent before the body is complete, so exc_info may replace
        return written.append

    result = app(environ, start_response)
    chunks: list[bytes] = []
    try:
        if isinstance(result, str | bytes) or not hasattr(result, "__iter__"):
            raise TypeError(
                f"an HTTP function must be a WSGI app: handler(environ, start_response) returning an iterable of "
                f"bytes, but the handler returned {type(result).__name__} (FC 2.0 calls functions behind an HTTP "
                "trigger that way; event functions, handler(event, context), are invoked through InvokeFunction)")
        for chunk in result:
            if not isinstance(chunk, bytes):
                raise TypeError(f"a WSGI app must yield bytes, got {type(chunk).__name__}")
            chunks.append(chunk)
    finally:
        close = getattr(result, "close", None)
        if callable(close):
            close()
    if not started:
        raise TypeError("the WSGI app returned without calling start_response(status, headers)")
    return started[0], started[1], b"".join(written) + b"".join(chunks)


class _Function:
    """The loaded handler (imported on first use, then kept: that is what makes a worker warm)."""

    def __init__(self) -> None:
        self.handler_name = ""
        self.handler: Any = None
        self.initialized = False

    def load(self, handler_name: str, initializer: str | None, context: Any) -> Any:
        if self.handler is not None and handler_name == self.handler_name:
            return self.handler
        module_name, _, attr = handler_name.rpartition(".")
        if not module_name or not attr:
            raise ValueError(f"handler {handler_name!r} is invalid: expected 'module.function', e.g. 'index.handler'")
        module = importlib.import_module(module_name)
        handler = getattr(module, attr, None)
        if not callable(handler):
            raise AttributeError(f"handler {handler_name!r} not found: module {module_name!r} has no function {attr!r}")
        if initializer and not self.initialized:
            init_module, _, init_attr = str(initializer).rpartition(".")
            getattr(importlib.import_module(init_module), init_attr)(context)
            self.initialized = True
        self.handler_name, self.handler = handler_name, handler
        return handler


def _invoke(function: _Function, message: dict[str, Any]) -> dict[str, Any]:
    context = build_context(message.get("context") or {})
    _REQUEST_FILTER.request_id = str(getattr(context, "request_id", ""))
    request_id = _REQUEST_FILTER.request_id
    event = base64.b64decode(message.get("event") or "")
    print(f"FC Invoke Start RequestId: {request_id}", file=sys.stderr, flush=True)
    reply: dict[str, Any] = {"payload": "", "error": None, "fatal": False, "oom": False}
    try:
        initializer = message.get("initializer") or getattr(getattr(context, "function", None), "initializer", None)
        handler = function.load(str(message["handler"]), initializer, context)
        http = message.get("http")
        if http is not None:
            request = dict(http, body=base64.b64decode(http.get("body") or ""))
            status, headers, payload = call_wsgi(handler, wsgi_environ(request, context))
            reply.update(status=status, headers=headers)
        else:
            payload = encode_result(handler(event, context))
        reply["payload"] = base64.b64encode(payload).decode("ascii")
    except MemoryError as exc:
        reply.update(error=_error(exc), oom=True, fatal=True)
    except SystemExit as exc:  # sys.exit() in user code ends the instance in FC as well
        reply.update(error=_error(exc), fatal=True)
    except BaseException as exc:
        logging.getLogger().error("%s", "".join(traceback.format_exception_only(type(exc), exc)).strip())
        reply["error"] = _error(exc)
        if function.handler is None:
            reply["fatal"] = True  # an import that failed may have left half a module behind
    finally:
        sys.stdout.flush()
        print(f"FC Invoke End RequestId: {request_id}", file=sys.stderr, flush=True)
    reply["max_memory_mb"] = _max_memory_mb()
    return reply


def _watch_parent(parent_pid: int) -> None:
    """Exit when the emulator is gone, even while a handler hangs (the pipe's EOF is not seen then)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(0)


def main(argv: list[str]) -> int:
    """The worker's entry point: serve invocations over the inherited socket until told to stop or orphaned."""
    conn = Connection(int(argv[1]))
    if len(argv) > 4:
        threading.Thread(target=_watch_parent, args=(int(argv[4]),), daemon=True).start()
    memory_mb = int(argv[2]) if len(argv) > 2 else 0
    code_dir = argv[3] if len(argv) > 3 else os.getcwd()
    sys.path.insert(0, code_dir)
    os.chdir(code_dir)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler.addFilter(_REQUEST_FILTER)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    _limit_memory(memory_mb)
    conn.send_bytes(json.dumps({"ready": True, "pid": os.getpid()}).encode())
    function = _Function()
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return 0
        message = json.loads(raw)
        if message.get("op") != "invoke":
            return 0
        reply = _invoke(function, message)
        try:
            data = json.dumps(reply).encode()
        except MemoryError:
            os._exit(70)
        conn.send_bytes(data)
        if reply["fatal"]:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
