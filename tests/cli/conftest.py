"""Fixtures for the CLI tests: one emulator per module, a deployed service per test, the environment a user sets."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result

from fcinfra.cli.main import cli
from fcinfra.demo.package import function_code
from fcinfra.fake import handlers
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.fc3 import Fc3Client

AK, SK = "cli-test-ak", "cli-test-secret"
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
