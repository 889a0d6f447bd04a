"""What a function sees when the fake invokes it, and the protocol for running zip code.

``FcContext`` mirrors the context object of FC's Python runtime (``context.request_id``,
``context.function.name``, ``context.service.qualifier``, ``context.service.version_id`` ...). It is plain data,
so it can be rebuilt from a dict in a worker process (``to_dict`` / ``from_dict``). ``HttpRequest`` is what an
HTTP trigger received, from which the WSGI ``environ`` of an HTTP function is built (FC 2.0 calls an HTTP
function as ``handler(environ, start_response)``, an event function as ``handler(event, context)``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ErrorType = Literal["HandledInvocationError", "UnhandledInvocationError"]


@dataclass(frozen=True)
class FunctionMeta:
    """``context.function`` as FC's Python runtime gives it to handlers."""

    name: str
    handler: str = ""
    memory_size: int = 128
    timeout: int = 3
    initializer: str | None = None

    @property
    def memory(self) -> int:
        """FC's runtime calls it ``memory``."""
        return self.memory_size


@dataclass(frozen=True)
class ServiceMeta:
    """``context.service``; ``version_id`` is the resolved version, ``qualifier`` what the caller named."""

    name: str
    qualifier: str = "LATEST"
    version_id: str = "LATEST"
    log_project: str | None = None
    log_store: str | None = None


@dataclass(frozen=True)
class Credentials:
    """Dummy temporary credentials: the fake never hands out anything real."""

    access_key_id: str = "STS.fake-access-key-id"
    access_key_secret: str = "fake-access-key-secret"
    security_token: str = "fake-security-token"

    def __repr__(self) -> str:
        return "Credentials(<fake>)"


class TailLogger:
    """``context.logger``: what a handler logs ends up in the invocation's log tail (``X-Fc-Log-Type: Tail``)."""

    def __init__(self, request_id: str, clock: Any = time.time) -> None:
        self.request_id = request_id
        self.lines: list[str] = []
        self._clock = clock

    def _log(self, level: str, message: object, *args: object) -> None:
        text = str(message) % args if args else str(message)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self._clock()))
        self.lines.append(f"{stamp} {self.request_id} [{level}] {text}")

    def debug(self, message: object, *args: object) -> None:
        self._log("DEBUG", message, *args)

    def info(self, message: object, *args: object) -> None:
        self._log("INFO", message, *args)

    def warning(self, message: object, *args: object) -> None:
        self._log("WARNING", message, *args)

    def error(self, message: object, *args: object) -> None:
        self._log("ERROR", message, *args)

    def exception(self, message: object, *args: object) -> None:
        self._log("ERROR", message, *args)


@dataclass(frozen=True)
class FcContext:
    """The context a handler receives, shaped like FC's Python runtime context."""

    request_id: str
    function: FunctionMeta
    service: ServiceMeta
    credentials: Credentials = field(default_factory=Credentials)
    region: str = "cn-hangzhou"
    account_id: str = "1234567890"
    logger: TailLogger | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a worker process (the logger stays behind: the worker makes its own)."""
        return {
            "request_id": self.request_id,
            "function": dict(self.function.__dict__),
            "service": dict(self.service.__dict__),
            "credentials": dict(self.credentials.__dict__),
            "region": self.region,
            "account_id": self.account_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FcContext:
        """Rebuild a context from plain data (it crosses the process boundary to the emulator's workers)."""
        return cls(
            request_id=data["request_id"],
            function=FunctionMeta(**data["function"]),
            service=ServiceMeta(**data["service"]),
            credentials=Credentials(**data.get("credentials", {})),
            region=data.get("region", "cn-hangzhou"),
            account_id=data.get("account_id", "1234567890"),
        )


@dataclass(frozen=True)
class HttpRequest:
    """A request an HTTP trigger received, as plain data (it crosses the process boundary to the workers).

    ``path_info`` is the decoded path after the function's part of the trigger URL
    (``/2016-08-15/proxy/{service}.{qualifier}/{function}``); ``request_uri`` is the path and query as sent.
    """

    method: str
    path_info: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    request_uri: str
    host: str
    scheme: str = "https"
    remote_addr: str = "127.0.0.1"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``worker.wsgi_environ`` (the body stays bytes; the runner encodes it for the pipe)."""
        return {
            "method": self.method, "path_info": self.path_info, "query": self.query,
            "headers": [list(pair) for pair in self.headers], "body": self.body,
            "request_uri": self.request_uri, "host": self.host, "scheme": self.scheme,
            "remote_addr": self.remote_addr,
        }


@dataclass(frozen=True)
class InvocationSpec:
    """Everything a code runner needs to run one invocation of zip code."""

    key: tuple[str, str, str, str]  # (account, service, version or "LATEST", function): warm-worker identity
    runtime: str
    handler: str
    code_zip: bytes
    code_checksum: str
    memory_size: int
    timeout: int
    environment_variables: dict[str, str]
    event: bytes
    context: dict[str, Any]
    want_log_tail: bool = False
    initializer: str | None = None
    http: HttpRequest | None = None  # set: an HTTP trigger's request, the handler is called as a WSGI app


@dataclass(frozen=True)
class InvocationOutcome:
    """What running a handler produced: payload, FC's error type if it failed, and the log tail."""

    payload: bytes
    error_type: ErrorType | None = None
    log_tail: str = ""
    duration_ms: float = 0.0
    max_memory_mb: float | None = None
    http_status: int | None = None  # an HTTP function's answer: status and headers from start_response
    http_headers: tuple[tuple[str, str], ...] = ()


class CodeRunner(Protocol):
    """Runs zip code for invocations that have no registered Python callable (the emulator sets one)."""

    def run(self, spec: InvocationSpec) -> InvocationOutcome:
        """Run the spec's handler and report the outcome; a crash or a limit is an outcome, not an exception."""
        ...
