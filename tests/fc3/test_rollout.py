"""Rollouts on FC 3.0: ``Rollout(Fc3Client(...), function="fn", alias="prod", to_version=...)`` walks a function's
alias through the same engine (the ``AliasApi`` port, conditional writes, leases), judged by an ``InvokeProbe``
that invokes the function through FC 3.0's InvokeFunction."""

from __future__ import annotations

from typing import Any

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.fc3 import Fc3Client
from fcinfra.rollout import Rollout
from fcinfra.rollout.clock import VirtualClock
from fcinfra.rollout.health import HttpProbe, InvokeProbe, Target
from fcinfra.rollout.spec import Steps
from fcinfra.testing.helpers import code_zip

from .conftest import ACCOUNT, AK, REGION, SECRET, Fake


def _setup(fake: Fake) -> Fc3Client:
    client = Fc3Client(ACCOUNT, REGION, AK, SECRET, sleep=lambda _: None)

    def handler(event: bytes, context: Any) -> str:
        if context.service.version_id == "3":
            raise RuntimeError("v3 is broken")
        return "ok"

    fake.api.register_handler("fn", handler)
    client.create_function("fn", "python3.10", "index.handler", code=code_zip("x = 1\n"))
    for n in (1, 2, 3):
        client.update_function("fn", code=code_zip(f"x = {n}\n"))
        client.publish_version("fn")
    client.create_alias("fn", "prod", "1")
    return client


def _rollout(client: Fc3Client, to: str, **kw: Any) -> Rollout:
    clock = VirtualClock()
    kw.setdefault("health", [InvokeProbe(function="fn", samples=10, max_error_rate=0.0)])
    return Rollout(client, function="fn", alias="prod", to_version=to, strategy=Steps([10, 50, 100], interval=30),
                   sleep=clock.sleep, clock=clock, check_every=10, **kw)


def test_rollout_promotes_and_rolls_back_an_fc3_alias(fc3_fake: Fake) -> None:
    client = _setup(fc3_fake)
    promoted = _rollout(client, "2").run()
    assert promoted.status == "promoted", promoted.reason
    alias = client.get_alias("fn", "prod")
    assert alias.version_id == "2" and alias.canary is None
    assert promoted.history == [10, 50, 100] and promoted.service == "fn"

    rolled_back = _rollout(client, "3").run()
    assert rolled_back.status == "rolled_back", rolled_back.reason
    alias = client.get_alias("fn", "prod")
    assert alias.version_id == "2" and alias.canary is None
    assert rolled_back.history[-1] == 0


def test_a_callable_gate_sees_the_function_level_target(fc3_fake: Fake) -> None:
    client = _setup(fc3_fake)
    seen: list[Target] = []

    def gate(target: Target) -> bool:
        seen.append(target)
        return bool(target.client.invoke(target.service, qualifier=target.canary_version).ok)

    assert _rollout(client, "2", health=[gate]).run().status == "promoted"
    assert seen and all(t.function_level and t.service == "fn" for t in seen)


def test_exactly_one_of_service_and_function(fc3_fake: Fake) -> None:
    client = _setup(fc3_fake)
    for kwargs in ({"service": "svc", "function": "fn"}, {}):
        with pytest.raises(InvalidArgumentError, match="exactly one of service"):
            Rollout(client, alias="prod", to_version="2", **kwargs)
    with pytest.raises(InvalidArgumentError, match="HttpProbe"):
        _rollout(client, "2", health=[HttpProbe(function="fn")])
    with pytest.raises(InvalidArgumentError, match="belongs to one function"):
        _rollout(client, "2", health=[InvokeProbe(function="other")])
    with pytest.raises(InvalidArgumentError):
        Rollout(client, function="9bad", alias="prod", to_version="2")
    assert client.get_alias("fn", "prod").version_id == "1"  # nothing was written
