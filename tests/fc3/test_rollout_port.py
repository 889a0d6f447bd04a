"""Fc3Client satisfies the rollout engine's ``AliasApi`` port: today's ``Rollout`` walks an FC 3.0 alias (the
function's name in the alias-owner slot) with conditional writes, promoting a healthy version and rolling back
a bad one. (``Rollout(..., function=...)`` and the built-in probes on FC 3.0 are not wired yet: see docs/fc3.md.)"""

from __future__ import annotations

from typing import Any

from fcinfra.fc3 import Fc3Client
from fcinfra.rollout import Rollout
from fcinfra.rollout.clock import VirtualClock
from fcinfra.rollout.health import Target
from fcinfra.rollout.ports import AliasApi
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


def _gate(target: Target) -> bool:
    """Invoke the canary version a few times through FC 3.0's InvokeFunction."""
    runs = [target.client.invoke(target.service, qualifier=target.canary_version) for _ in range(5)]
    return all(run.ok for run in runs)


def _rollout(client: AliasApi, to: str) -> Rollout:
    clock = VirtualClock()
    return Rollout(client, "fn", "prod", to, strategy=Steps([10, 50, 100], interval=30), health=[_gate],
                   sleep=clock.sleep, clock=clock, check_every=10)


def test_rollout_promotes_and_rolls_back_an_fc3_alias(fc3_fake: Fake) -> None:
    client = _setup(fc3_fake)
    promoted = _rollout(client, "2").run()
    assert promoted.status == "promoted", promoted.reason
    alias = client.get_alias("fn", "prod")
    assert alias.version_id == "2" and alias.canary is None
    assert promoted.history[-1] == 100 and promoted.alias_writes == len(promoted.history)

    rolled_back = _rollout(client, "3").run()
    assert rolled_back.status == "rolled_back", rolled_back.reason
    alias = client.get_alias("fn", "prod")
    assert alias.version_id == "2" and alias.canary is None
