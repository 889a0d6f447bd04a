"""Fixtures for the CLI tests: one emulator per module, a deployed service per test, the environment a user sets."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fcinfra.cli.main import cli
from fcinfra.demo.package import function_code
from fcinfra.fake import handlers
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.fc3 import Fc3Client

AK, SK = "cli-test-ak", "cli-test-secret"
TOKEN = "tok-9f8e7d-never-printed"  # in receivers' URLs: never printed, logged or tagged
_names = itertools.count(1)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(port=0, access_keys={AK: SK}, save_interval=None) as emu:
        yield emu


@pytest.fixture(scope="module")
def env(emulator: Emulator) -> dict[str, str]:
    """What a user exports after `fcinfra emulator` (the CLI reads nothing else)."""
    return {
        "FC_ENDPOINT": emulator.endpoint,
        "ALIBABA_CLOUD_ACCOUNT_ID": emulator.account_id,
        "ALIBABA_CLOUD_REGION": emulator.region,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": AK,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK,
    }


@pytest.fixture(scope="module")
def client(emulator: Emulator) -> Iterator[FcClient]:
    with FcClient(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint) as c:
        yield c


@dataclass
class Shop:
    """A service with function ``quote``: versions 1 (v1), 2 (v2, healthy), 3 (v3, fails on fig/lime); prod -> 1."""

    service: str
    function: str = "quote"
    alias: str = "prod"


@pytest.fixture
def shop(client: FcClient) -> Shop:
    service = f"shop{next(_names)}"
    client.create_service(service)
    client.create_function(service, "quote", "python3.10", "index.handler", code=function_code("v1"))
    client.publish_version(service, description="v1")
    client.create_alias(service, "prod", "1")
    for code in ("v2", "v3"):
        client.update_function(service, "quote", code=function_code(code))
        client.publish_version(service, description=code)
    return Shop(service)


@pytest.fixture(scope="module")
def client3(emulator: Emulator) -> Iterator[Fc3Client]:
    with Fc3Client(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint) as c:
        yield c


@pytest.fixture
def fn(client3: Fc3Client) -> str:
    """An FC 3.0 function with versions 1 (v1), 2 (v2, healthy), 3 (v3, fails on fig/lime); alias prod -> 1."""
    name = f"quote{next(_names)}"
    client3.create_function(name, "python3.10", "index.handler", code=function_code("v1"))
    client3.publish_version(name, "v1")
    client3.create_alias(name, "prod", "1")
    for code in ("v2", "v3"):
        client3.update_function(name, code=function_code(code))
        client3.publish_version(name, code)
    return name


@pytest.fixture
def run(env: dict[str, str]) -> Callable[..., Result]:
    """Invoke the CLI in-process with the user's environment; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def alias_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every UpdateAlias the emulator serves (from any process), counted on its side, not the CLI's own claim."""
    seen: list[str] = []
    real = handlers.HANDLERS["UpdateAlias"]

    def counting(c: handlers.Call) -> handlers.FakeResponse:
        seen.append(c.params["aliasName"])
        return real(c)

    monkeypatch.setitem(handlers.HANDLERS, "UpdateAlias", counting)
    yield seen


@dataclass
class Receiver:
    """A loopback HTTP receiver: answers ``statuses`` in turn (then 200) and keeps every request."""

    statuses: list[int] = field(default_factory=list)
    answer: bytes = b"ok"
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    def got(self) -> list[tuple[str, dict[str, str], bytes]]:
        return [r for r, status in zip(self.requests, self._answered, strict=True) if status == 200]

    def __post_init__(self) -> None:
        self._answered: list[int] = []


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def start(statuses: list[int] | None = None, answer: bytes = b"ok") -> Receiver:
        rec = Receiver(list(statuses or []), answer)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = rec.statuses.pop(0) if rec.statuses else 200
                rec.requests.append((self.path, dict(self.headers), body))
                rec._answered.append(status)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(rec.answer if status == 200 else b"busy")

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/{TOKEN}"
        return rec

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def watch_while(env: dict[str, str], status_args: list[str],
                act: Callable[[], Result]) -> tuple[dict[str, Any], list[dict[str, Any]], Result]:
    """`fcinfra STATUS_ARGS --watch -o json` in a second process while ``act()`` (a rollout, here) runs: the
    watcher's first document (it has looked once before ``act``), every later one, and ``act``'s result."""
    watcher = subprocess.Popen([sys.executable, "-m", "fcinfra.cli.main", *status_args, "--watch", "--every", "0.1s",
                                "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env})
    try:
        assert watcher.stdout is not None
        first = json.loads(watcher.stdout.readline())
        result = act()
        rest, err = watcher.communicate(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert watcher.returncode == 0, err
    return first, [json.loads(line) for line in rest.splitlines()], result
