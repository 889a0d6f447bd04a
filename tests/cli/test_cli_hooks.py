"""Issue 12 item 4 against the emulator: pre- and post-traffic hooks are FC functions (here in another service)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import pytest
from click.testing import Result

from fcinfra.fc import FcClient
from fcinfra.testing.helpers import code_zip

HOOK = '''
import json

def handler(event, context):
    e = json.loads(event)
    assert set(e) == {"hook", "service", "alias", "from_version", "to_version"}, e
    if e["to_version"] in ("%s",):
        return json.dumps({"status": "failed", "reason": e["hook"] + " smoke test failed for " + e["to_version"]})
    if e["to_version"] == "raise":
        raise RuntimeError("never")
    return json.dumps({"status": "succeeded"})
'''
_names = itertools.count(1)


@pytest.fixture
def hooks(client: FcClient) -> Callable[[str], str]:
    """A hook service whose function ``check`` fails for the given to_version: returns 'SERVICE/check'."""

    def make(failing: str) -> str:
        name = f"hooks{next(_names)}"
        client.create_service(name)
        client.create_function(name, "check", "python3.10", "index.handler", code=code_zip(HOOK % failing))
        return f"{name}/check"

    return make


def lines(result: Result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_failing_post_traffic_hook_rolls_back_after_100_before_success(run: Callable[..., Result], shop,
                                                                         client: FcClient, hooks,
                                                                         alias_writes: list[str]) -> None:
    result = run("rollout", shop.service, "prod", "2", "--steps", "50,100", "--interval", "0",
                 "--post-traffic-hook", hooks("2"), "--post-traffic-bake", "0.2s", "-o", "json")

    assert result.exit_code == 3, result.output
    last = lines(result)[-1]
    assert (last["kind"], last["status"]) == ("result", "rolled_back")
    assert last["history"] == [50, 100, 0]  # 100% was reached, then one write back
    assert "post_traffic smoke test failed for 2" in last["reason"]
    assert alias_writes == ["prod", "prod", "prod"]
    alias = client.get_alias(shop.service, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    history = json.loads(run("history", shop.service, "prod", "-o", "json").stdout)
    assert [(e["to_version"], e["outcome"]) for e in history] == [("2", "rolled_back")]


def test_a_passing_post_traffic_hook_lets_the_promotion_stand(run: Callable[..., Result], shop, client: FcClient,
                                                             hooks) -> None:
    result = run("rollout", shop.service, "prod", "2", "--steps", "100", "--interval", "0",
                 "--post-traffic-hook", hooks("9"), "-o", "json")
    assert result.exit_code == 0, result.output
    assert "post-traffic hook" in lines(result)[-1]["reason"] and "passed" in lines(result)[-1]["reason"]
    assert client.get_alias(shop.service, "prod").version_id == "2"


def test_a_failing_pre_traffic_hook_moves_nothing(run: Callable[..., Result], shop, client: FcClient, hooks,
                                                  alias_writes: list[str]) -> None:
    result = run("rollout", shop.service, "prod", "3", "--steps", "50,100", "--interval", "0",
                 "--pre-traffic-hook", hooks("3"), "-o", "json")
    assert result.exit_code == 3, result.output
    assert lines(result)[-1]["history"] == []
    assert "pre_traffic smoke test failed for 3" in lines(result)[-1]["reason"]
    assert alias_writes == []
    assert client.get_alias(shop.service, "prod").version_id == "1"


def test_a_hook_that_raises_fails(client: FcClient, shop, hooks) -> None:
    from fcinfra.rollout.hooks import POST_TRAFFIC, TrafficHook

    service, _, function = hooks("x").partition("/")
    verdict = TrafficHook(function, POST_TRAFFIC, service).run(client, shop.service, "prod", "1", "raise")
    assert verdict.status == "fail"
    assert "raised" in verdict.reason
