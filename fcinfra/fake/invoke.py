"""Running one invocation: a registered Python callable in-process, or zip code through a CodeRunner.

An event function's callable gets ``(event: bytes, context: FcContext)``; a returned ``str``/``bytes`` is the
payload verbatim, anything else JSON-serializable (``dict``, ``list``, numbers) is sent as JSON, ``None`` as an
empty payload. An HTTP function's callable (a request through an HTTP trigger) is a WSGI app, called as
``app(environ, start_response)`` with the environ FC 2.0 builds (``worker.wsgi_environ``, shared with the
emulator's workers so both answer alike). An exception becomes FC's function-error shape:
``{"errorMessage", "errorType", "stackTrace"}`` with ``UnhandledInvocationError``. In-process callables are not
held to ``memory_size``/``timeout`` (the emulator's code runner enforces them for zip code).
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from typing import Any

from fcinfra.fake.context import (
    CodeRunner,
    ErrorType,
    FcContext,
    HttpRequest,
    InvocationOutcome,
    InvocationSpec,
    TailLogger,
)
from fcinfra.fake.emulator.worker import call_wsgi, wsgi_environ
from fcinfra.fake.emulator.worker import encode_result as to_payload

# An event handler, handler(event: bytes, context: FcContext), or, for an HTTP function, a WSGI app
# handler(environ, start_response): FC has one handler per function and calls it by the function's type.
Handler = Callable[..., Any]
LOG_TAIL_BYTES = 4096


def error_payload(message: str, error_type: str, stack: list[str]) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": stack}).encode("utf-8")


def run_callable(handler: Handler, event: bytes, context: FcContext,
                 clock: Callable[[], float] = time.perf_counter, http: HttpRequest | None = None) -> InvocationOutcome:
    """Run a registered callable: as ``handler(event, context)``, or as a WSGI app when ``http`` is given."""
    logger = context.logger or TailLogger(context.request_id)
    started = clock()
    lines = [f"FC Invoke Start RequestId: {context.request_id}"]
    error_type: ErrorType | None = None
    status: int | None = None
    headers: list[tuple[str, str]] = []
    try:
        if http is not None:
            status, headers, payload = call_wsgi(handler, wsgi_environ(http.to_dict(), context))
        else:
            payload = to_payload(handler(event, context))
    except Exception as exc:  # the function's own failure is an answer, not a crash of the fake
        stack = [line.rstrip("\n") for line in traceback.format_tb(exc.__traceback__)[1:]]
        payload = error_payload(str(exc), type(exc).__name__, stack)
        error_type = "UnhandledInvocationError"
        logger.error("%s: %s", type(exc).__name__, exc)
    duration = (clock() - started) * 1000.0
    lines += logger.lines
    lines.append(f"FC Invoke End RequestId: {context.request_id}")
    return InvocationOutcome(payload=payload, error_type=error_type, log_tail="\n".join(lines) + "\n",
                             duration_ms=duration, max_memory_mb=None,
                             http_status=None if error_type else status, http_headers=tuple(headers))


def missing_handler(service: str, function: str, runtime: str, has_runner: bool) -> InvocationOutcome:
    """No callable and nothing able to run the code: a clear function error, never a crash."""
    if has_runner:
        why = f"its runtime {runtime!r} cannot be run by the fake's code runner (only python3*)"
    else:
        why = "no code runner is configured (the emulator runs zip code; mock_fc() does not)"
    message = (f"the fake cannot run function '{function}' of service '{service}': no Python handler is registered "
               f"and {why}; call fake.register_handler('{service}', '{function}', handler)")
    return InvocationOutcome(payload=error_payload(message, "FakeHandlerNotFound", []),
                             error_type="UnhandledInvocationError", log_tail=message + "\n")


def run_code(runner: CodeRunner, spec: InvocationSpec) -> InvocationOutcome:
    try:
        return runner.run(spec)
    except Exception as exc:  # a broken runner must still give an FC-shaped answer
        return InvocationOutcome(payload=error_payload(f"the code runner failed: {exc}", type(exc).__name__, []),
                                 error_type="UnhandledInvocationError", log_tail=str(exc) + "\n")
