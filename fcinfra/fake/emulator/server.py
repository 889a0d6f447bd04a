"""The emulator: the same fake as ``mock_fc()``, served over HTTP(S) on loopback by cheroot (a threaded WSGI server).

From Python (tests, the demo)::

    with Emulator(access_keys={"AK": "SK"}) as emu:          # free port, background thread
        client = FcClient(emu.account_id, emu.region, "AK", "SK", endpoint=emu.endpoint)

From the command line, ``fcinfra emulator`` calls :func:`run_emulator`, which blocks until SIGINT or SIGTERM.

With a state file the state is loaded at start (no file: start empty), written atomically every
``save_interval`` seconds when it changed, on ``stop()``, and on SIGINT/SIGTERM. With ``tls=True`` a throw-away
CA and a server certificate for 127.0.0.1/localhost are made with trustme; the CA's PEM is written to
``ca_file`` for clients to trust. Functions with zip code run for real in ``PythonCodeRunner`` workers.
Requests under ``/_fcinfra/`` go to the control endpoints (``control.py``); ``/metrics``, Log Service and
CloudMonitor requests to the observability services (``fcinfra.fake.observability``); a fault that drops the
connection closes the socket without an answer.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from cheroot import server as cheroot_server
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from werkzeug.wrappers import Request, Response

from fcinfra.errors import EmulatorError  # the emulator may raise fcinfra's errors (DESIGN.md)
from fcinfra.fake import FakeFc
from fcinfra.fake.context import CodeRunner
from fcinfra.fake.emulator.control import ControlApi, is_control_path
from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fake.faults import DropConnection
from fcinfra.fake.handlers import FakeRequest

DEFAULT_ACCOUNT_ID = "1234567890"
DEFAULT_REGION = "cn-hangzhou"

StartResponse = Callable[..., Any]


class _Drop(Exception):
    """Raised by the WSGI app to make the gateway close the connection without answering."""


class _DroppingGateway(wsgi.Gateway_10):
    """cheroot's WSGI 1.0 gateway, plus: an app raising ``_Drop`` gets the connection closed, no bytes sent."""

    def respond(self) -> None:
        try:
            super().respond()
        except _Drop:
            self.req.close_connection = True
            self.req.sent_headers = True  # cheroot then writes nothing and closes the socket


class _AbsoluteFormRequest(cheroot_server.HTTPRequest):
    """Accepts absolute-form request targets (``POST http://proj.host/logstores/...``): Log Service's SDKs reach
    the emulator as an HTTP proxy because Log Service names the project in the host. Nothing is forwarded."""

    def __init__(self, server: Any, conn: Any, proxy_mode: bool = True, strict_mode: bool = True) -> None:
        super().__init__(server, conn, proxy_mode=True, strict_mode=strict_mode)


class _AbsoluteFormConnection(cheroot_server.HTTPConnection):
    RequestHandlerClass = _AbsoluteFormRequest


def _raw_path_and_query(environ: Mapping[str, Any], request: Request) -> tuple[str, str]:
    """The path as the client sent it (percent-encoded: signatures are checked on it) and the raw query."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not raw:
        return request.path, request.query_string.decode("latin-1")
    if "://" in raw.split("?", 1)[0]:  # absolute-form request target
        raw = "/" + raw.split("://", 1)[1].partition("/")[2]
    path, _, query = raw.partition("?")
    return path or "/", query


class FakeWsgiApp:
    """WSGI adapter: HTTP request -> ``FakeRequest`` -> ``FakeFc.handle`` -> HTTP response."""

    def __init__(self, fake: FakeFc, control: ControlApi) -> None:
        self.fake = fake
        self.control = control

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        path, query = _raw_path_and_query(environ, request)
        body = request.get_data(cache=False)
        if is_control_path(path):
            control = self.control.handle(request.method, path, body, request.remote_addr)
            response = Response(control.encode(), status=control.status, content_type="application/json")
            return response(environ, start_response)
        observed = self.fake.observability.route({**environ, "PATH_INFO": path})
        if observed is not None:  # /metrics, Log Service, CloudMonitor (issue 14): see fake/observability/hub.py
            environ["wsgi.input"] = io.BytesIO(body)  # the body was read above; let the service read it again
            environ["CONTENT_LENGTH"] = str(len(body))
            return self.fake.observability.app_for(observed)(environ, start_response)
        fake_request = FakeRequest(
            method=request.method,
            path=path,
            query=query,
            headers={key: value for key, value in request.headers.items()},
            body=body,
            host=request.host,
            scheme=request.scheme,
        )
        try:
            answer = self.fake.handle(fake_request)
        except DropConnection as exc:
            raise _Drop() from exc
        except Exception:  # the fake answers errors itself; this is a bug in it, not a reason to hang up
            traceback.print_exc(file=sys.stderr)
            request_id = str(uuid.uuid4())
            error = {"ErrorCode": "InternalServerError", "ErrorMessage": "the emulator failed on this request"}
            response = Response(json.dumps(error), status=500, content_type="application/json")
            response.headers["X-Fc-Request-Id"] = request_id
            return response(environ, start_response)
        response = Response(answer.body, status=answer.status)
        response.headers.clear()
        for key, value in answer.headers.items():
            response.headers[key] = value
        if "Content-Type" not in response.headers and answer.body:
            response.headers["Content-Type"] = "application/json"
        return response(environ, start_response)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file next to ``path``, fsync it, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Emulator:
    """The fake served on ``host:port`` in background threads; a context manager (``start()`` / ``stop()``)."""

    def __init__(
        self,
        port: int = 0,
        access_keys: Mapping[str, str] | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        state_file: str | os.PathLike[str] | None = None,
        tls: bool = False,
        *,
        ca_file: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        strict: bool = True,
        seed: int | None = None,
        code_runner: CodeRunner | None = None,
        save_interval: float | None = 30.0,
        threads: int = 16,
        fake: FakeFc | None = None,
    ) -> None:
        self.host = host
        self.requested_port = port
        self.account_id = account_id
        self.region = region
        self.state_file = Path(state_file) if state_file is not None else None
        self.tls = tls
        self.save_interval = save_interval
        self.threads = threads
        self._owned_runner: PythonCodeRunner | None = None
        if code_runner is None:
            code_runner = self._owned_runner = PythonCodeRunner()
        self.fake = fake if fake is not None else FakeFc(
            access_keys=dict(access_keys) if access_keys else None,
            strict=strict,
            account_id=account_id,
            region=region,
            seed=seed,
            code_runner=code_runner,
        )
        if fake is not None:
            self.fake.code_runner = code_runner
        self.access_key_ids = sorted(access_keys or {})
        self.strict = strict
        self._ca_path = Path(ca_file) if ca_file is not None else None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._server: wsgi.Server | None = None
        self._thread: threading.Thread | None = None
        self._saver: threading.Thread | None = None
        self._stopping = threading.Event()
        self._save_lock = threading.Lock()
        self._last_saved: bytes | None = None
        self.loaded_from_state = False
        self.port = 0

    # ------------------------------------------------------------------ properties

    @property
    def scheme(self) -> str:
        """``https`` with ``tls=True``, else ``http``."""
        return "https" if self.tls else "http"

    @property
    def endpoint(self) -> str:
        """Give this to a client as its explicit endpoint."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def ca_file(self) -> str | None:
        """PEM of the CA that signed the server certificate (``tls=True`` only)."""
        return str(self._ca_path) if self.tls and self._ca_path is not None else None

    @property
    def running(self) -> bool:
        """True while the serving thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Emulator:
        """Bind, then serve in a background thread; ``endpoint`` is valid when this returns."""
        if self._owned_runner is not None and self._owned_runner.closed:  # started again after stop()
            self._owned_runner = PythonCodeRunner()
            self.fake.code_runner = self._owned_runner
        try:
            self.load_state()
            control = ControlApi(self.fake, self.info, self.save_state)
            app = FakeWsgiApp(self.fake, control)
            if self.tls:
                adapter = self._make_tls()
            for attempt in range(5):
                # An explicit port gets SO_REUSEADDR from cheroot (port 0 does not), so a restart on the same
                # port works even while the previous run's connections linger in TIME_WAIT.
                port = self.requested_port or _free_port(self.host)
                server = wsgi.Server((self.host, port), app, numthreads=self.threads, max=max(self.threads, 64),
                                     shutdown_timeout=2)
                server.gateway = _DroppingGateway
                server.ConnectionClass = _AbsoluteFormConnection
                if self.tls:
                    server.ssl_adapter = adapter
                try:
                    server.prepare()
                    break
                except OSError as exc:
                    if self.requested_port or attempt == 4:
                        raise EmulatorError(f"cannot listen on {self.host}:{port}: {exc}") from exc
        except BaseException:
            self._cleanup_tls()
            if self._owned_runner is not None:
                self._owned_runner.close()
            raise
        self._server = server
        self.port = int(server.bind_addr[1])
        self._stopping.clear()
        self._thread = threading.Thread(target=server.serve, name=f"fcinfra-emulator-{self.port}", daemon=True)
        self._thread.start()
        if self.state_file is not None and self.save_interval:
            self._saver = threading.Thread(target=self._save_periodically, name="fcinfra-emulator-saver", daemon=True)
            self._saver.start()
        return self

    def stop(self) -> None:
        """Stop serving, save the state file, kill function workers. Idempotent."""
        if self._server is None:
            return
        self._stopping.set()
        server, self._server = self._server, None
        server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._saver is not None:
            self._saver.join(timeout=10)
        self.save_state()
        if self._owned_runner is not None:
            self._owned_runner.close()
        self._cleanup_tls()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ state file

    def load_state(self) -> None:
        """Load the state file if it exists (an empty or missing file means: start empty)."""
        if self.state_file is None or not self.state_file.exists():
            return
        raw = self.state_file.read_bytes()
        if not raw.strip():
            return
        try:
            data = json.loads(raw)
            self.fake.load_state(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmulatorError(
                f"state file {self.state_file} cannot be loaded ({exc}); fix it or move it away to start empty"
            ) from exc
        self._last_saved = raw
        self.loaded_from_state = True

    def save_state(self) -> str | None:
        """Write the state file now if the state changed since the last write; returns its path (None: no file)."""
        if self.state_file is None:
            return None
        with self._save_lock:
            data = json.dumps(self.fake.dump_state(), sort_keys=True, separators=(",", ":")).encode()
            if data != self._last_saved or not self.state_file.exists():
                write_atomically(self.state_file, data)
                self._last_saved = data
        return str(self.state_file)

    def _save_periodically(self) -> None:
        assert self.save_interval
        while not self._stopping.wait(self.save_interval):
            try:
                self.save_state()
            except Exception:  # keep serving; the next save (or the one at exit) may work
                traceback.print_exc(file=sys.stderr)

    # ------------------------------------------------------------------ TLS

    def _make_tls(self) -> BuiltinSSLAdapter:
        import trustme

        self._tmpdir = tempfile.TemporaryDirectory(prefix="fcinfra-emulator-tls-")
        ca = trustme.CA(organization_name="fcinfra emulator")
        names = [self.host, "127.0.0.1", "localhost", f"*.{self.region}.fc.aliyuncs.com"]
        leaf = ca.issue_cert(*dict.fromkeys(names))
        pem = Path(self._tmpdir.name) / "server.pem"
        leaf.private_key_and_cert_chain_pem.write_to_path(str(pem))
        if self._ca_path is None:
            self._ca_path = Path(self._tmpdir.name) / "ca.pem"
        self._ca_path.parent.mkdir(parents=True, exist_ok=True)
        ca.cert_pem.write_to_path(str(self._ca_path))
        return BuiltinSSLAdapter(str(pem), str(pem))

    def _cleanup_tls(self) -> None:
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    # ------------------------------------------------------------------ reporting

    def info(self) -> dict[str, Any]:
        """What a client needs to reach this emulator (endpoint, account, region, CA file), as plain data."""
        return {
            "endpoint": self.endpoint,
            "account_id": self.account_id,
            "region": self.region,
            "tls": self.tls,
            "ca_file": self.ca_file,
            "state_file": str(self.state_file) if self.state_file else None,
            "access_key_ids": self.access_key_ids,
        }

    def banner(self) -> str:
        """What ``fcinfra emulator`` prints: where to point a client (no secret in it)."""
        keys = ", ".join(self.access_key_ids) if self.access_key_ids else "none registered"
        lines = [
            f"fcinfra emulator: FC 2.0 API at {self.endpoint}",
            f"  account id: {self.account_id}   region: {self.region}",
            f"  access key ids: {keys}",
        ]
        if self.ca_file:
            lines.append(f"  CA file: {self.ca_file}   (trust it: FC_CA_BUNDLE={self.ca_file} for fcinfra, "
                         f"REQUESTS_CA_BUNDLE for other requests clients, SSL_CERT_FILE for Go tools)")
        if self.state_file is not None:
            how = "loaded" if self.loaded_from_state else "starting empty; saved on exit"
            lines.append(f"  state file: {self.state_file} ({how})")
        lines += [
            f"  control: {self.endpoint}/_fcinfra/health",
            f"  use: FC_ENDPOINT={self.endpoint} ALIBABA_CLOUD_ACCOUNT_ID={self.account_id} "
            f"ALIBABA_CLOUD_REGION={self.region}",
        ]
        return "\n".join(lines)


def _print_flushed(text: str) -> None:
    """Print and flush: a parent reading the banner through a pipe must see it now, not at exit."""
    print(text, flush=True)


def run_emulator(
    port: int = 0,
    access_keys: Mapping[str, str] | None = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    state_file: str | os.PathLike[str] | None = None,
    tls: bool = False,
    *,
    ca_file: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    strict: bool = True,
    seed: int | None = None,
    save_interval: float | None = 30.0,
    echo: Callable[[str], None] | None = None,
    stop_event: threading.Event | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM (or ``stop_event``), then save the state file and return 0.

    Prints the banner (endpoint, account, CA file) through ``echo`` once the port is open. Signal handlers are
    installed only when called from the main thread; the previous ones are restored on return. The default
    ``echo`` flushes each line, so a parent process reading the banner through a pipe sees it at once.
    """
    echo = echo if echo is not None else _print_flushed
    stop = stop_event if stop_event is not None else threading.Event()
    emulator = Emulator(
        port, access_keys, account_id, region, state_file, tls,
        ca_file=ca_file, host=host, strict=strict, seed=seed, save_interval=save_interval,
    )
    previous: dict[signal.Signals, Any] = {}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        emulator.start()
        try:
            echo(emulator.banner())
            while not stop.wait(0.5):
                if not emulator.running:
                    raise EmulatorError("the emulator's server thread stopped unexpectedly")
        finally:
            emulator.stop()
        if emulator.state_file is not None:
            echo(f"fcinfra emulator: state saved to {emulator.state_file}")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
