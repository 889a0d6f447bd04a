"""Test helpers for the observability services: serve a WSGI app on loopback, run a real Prometheus.

``serve_wsgi(app)`` yields ``127.0.0.1:port`` while the app is served in a thread. ``PrometheusServer`` runs
Debian's ``prometheus`` package, scraping given targets every second:

    with PrometheusServer(["127.0.0.1:8123"]) as prom:
        prom.url                      # http://127.0.0.1:<free port>
        prom.wait_for("fc_invocations_total", lambda v: v >= 10)

``tasks.py test`` installs the package when it is missing (``.ci/run`` goes through it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
from werkzeug.serving import make_server

from fcinfra.errors import ConfigurationError

__all__ = ["PrometheusServer", "prometheus_binary", "serve_wsgi"]


@contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields ``127.0.0.1:port``."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def prometheus_binary() -> str | None:
    """Path of the ``prometheus`` executable, or None."""
    return shutil.which("prometheus")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrometheusServer:
    """Start ``prometheus`` on a free loopback port with a 1 s scrape of ``targets``; stop it on exit."""

    def __init__(self, targets: Sequence[str], metrics_path: str = "/metrics", scrape_interval: str = "1s") -> None:
        self.targets = list(targets)
        self.metrics_path = metrics_path
        self.scrape_interval = scrape_interval
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None

    def __enter__(self) -> PrometheusServer:
        binary = prometheus_binary()
        if binary is None:
            raise ConfigurationError("the prometheus executable is not installed (apt-get install prometheus)")
        self._dir = tempfile.TemporaryDirectory(prefix="fcinfra-prom-")
        root = Path(self._dir.name)
        quoted = ", ".join(f"'{t}'" for t in self.targets)
        (root / "prometheus.yml").write_text(
            "global:\n"
            f"  scrape_interval: {self.scrape_interval}\n"
            f"  evaluation_interval: {self.scrape_interval}\n"
            "scrape_configs:\n"
            "  - job_name: fcinfra\n"
            f"    metrics_path: {self.metrics_path}\n"
            f"    static_configs:\n      - targets: [{quoted}]\n"
        )
        self._stderr = (root / "stderr.log").open("wb")
        self._proc = subprocess.Popen(
            [binary, f"--config.file={root / 'prometheus.yml'}", f"--storage.tsdb.path={root / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=self._stderr,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                message = (root / "stderr.log").read_text()[-2000:]
                self.__exit__(None, None, None)
                raise ConfigurationError("prometheus exited at start: " + message)
            try:
                if requests.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise ConfigurationError("prometheus did not become ready within 30 s")

    def query(self, promql: str) -> float:
        """Sum of an instant query's result vector (0 when empty)."""
        body = requests.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5).json()
        return sum(float(series["value"][1]) for series in body["data"]["result"])

    def wait_for(self, promql: str, ok: Callable[[float], bool], timeout: float = 20.0) -> float:
        """Poll ``promql`` until ``ok(value)``: scrapes land asynchronously."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.query(promql)
            if ok(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.25)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
