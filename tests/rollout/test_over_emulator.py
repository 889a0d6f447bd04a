"""The engine over real HTTP: the emulator on loopback, handlers run from zip code in worker processes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest

from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient, RequestEvent
from fcinfra.rollout import InvokeProbe, Rollout, Steps


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("index.py", source)
    return buf.getvalue()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(access_keys={"AK": "SK"}, save_interval=None) as emu:
        yield emu


def test_promote_healthy_and_roll_back_broken_over_http(emulator: Emulator) -> None:
    wire: list[RequestEvent] = []
    client = FcClient("1234567890", "cn-hangzhou", "AK", "SK", endpoint=emulator.endpoint, on_request=wire.append)
    client.create_service("over-http")
    client.create_function("over-http", "fn", "python3.10", "index.handler",
                           code=_zip("def handler(event, context):\n    return 'ok'\n"))
    client.publish_version("over-http")
    client.update_function("over-http", "fn", environment_variables={"R": "2"})
    client.publish_version("over-http")
    client.update_function("over-http", "fn", code=_zip("def handler(event, context):\n    raise ValueError('bad')\n"))
    client.publish_version("over-http")
    client.create_alias("over-http", "prod", "1")

    def run(to: str) -> object:
        return Rollout(client, "over-http", "prod", to, strategy=Steps([10, 25, 50, 100], interval=60),
                       health=[InvokeProbe("fn", samples=5, mode="direct")], sleep=lambda s: None).run()

    wire.clear()
    good = run("2")
    assert good.status == "promoted"  # type: ignore[attr-defined]
    assert sum(e.operation == "UpdateAlias" for e in wire) == 4
    assert sum(e.operation == "GetAlias" for e in wire) <= 4
    wire.clear()
    bad = run("3")
    assert bad.status == "rolled_back" and bad.history == [10, 0]  # type: ignore[attr-defined]
    assert sum(e.operation == "UpdateAlias" for e in wire) == 2
    alias = client.get_alias("over-http", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
