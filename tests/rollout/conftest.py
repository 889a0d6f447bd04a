"""A service with two published versions and a `prod` alias on version 1, in mock_fc, with a fake clock.

The wire log (``world.wire``) records every HTTP attempt the client made, as FC saw it, so tests count
alias reads and writes independently of the engine's own bookkeeping.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from fcinfra.fake import MockFc, mock_fc
from fcinfra.fc import FcClient, RequestEvent, RetryPolicy


def _zip(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("index.py", text)
    return buf.getvalue()


class FakeClock:
    """Monotonic time that moves only when slept (or when a handler simulates latency)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class World:
    fake: MockFc
    client: FcClient
    clock: FakeClock
    wire: list[RequestEvent] = field(default_factory=list)
    behaviour: dict[str, Callable[[bytes, Any], Any]] = field(default_factory=dict)

    def ops(self, name: str, ok_only: bool = False) -> int:
        return sum(1 for e in self.wire if e.operation == name and (not ok_only or (e.status or 0) < 300))

    def alias(self) -> Any:
        return self.client.get_alias("svc", "prod")

    def split(self) -> tuple[str, dict[str, float]]:
        a = self.alias()
        return a.version_id, dict(a.additional_version_weight)

    def set_version_behaviour(self, version: str, fn: Callable[[bytes, Any], Any]) -> None:
        self.behaviour[version] = fn


def make_world(fake: MockFc) -> World:
    clock = FakeClock()
    wire: list[RequestEvent] = []
    client = FcClient("1234567890", "cn-hangzhou", "AK", "SK", retry_policy=RetryPolicy(attempts=6, initial_wait=0.01),
                      sleep=lambda s: None, on_request=wire.append)
    world = World(fake, client, clock, wire)

    def handler(event: bytes, context: Any) -> Any:
        fn = world.behaviour.get(context.service.version_id)
        return fn(event, context) if fn else {"version": context.service.version_id}

    fake.register_handler("svc", "fn", handler)
    client.create_service("svc")
    client.create_function("svc", "fn", "python3.10", "index.handler", code=_zip("def handler(e, c):\n    return 1\n"))
    client.publish_version("svc", "v1")
    client.update_function("svc", "fn", environment_variables={"RELEASE": "2"})
    client.publish_version("svc", "v2")
    client.update_function("svc", "fn", environment_variables={"RELEASE": "3"})
    client.publish_version("svc", "v3")
    client.create_alias("svc", "prod", "1")
    wire.clear()
    return world


@pytest.fixture
def world() -> Iterator[World]:
    with mock_fc(access_keys={"AK": "SK"}, seed=7) as fake:
        yield make_world(fake)
