"""Rollouts on FC 3.0: ``Rollout(Fc3Client(...), function="fn", alias="prod", to_version=...)`` walks a function's
alias through the same engine (the ``AliasApi`` port, conditional writes, leases), judged by an ``InvokeProbe``
that invokes the function through FC 3.0's InvokeFunction, or an ``HttpProbe`` calling the URL of the function's
HTTP trigger bound to the alias; hooks are FC 3.0 functions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.fc3 import Fc3Client
from fcinfra.rollout import Rollout
from fcinfra.rollout.clock import VirtualClock
from fcinfra.rollout.health import HttpProbe, InvokeProbe, Target
from fcinfra.rollout.hooks import POST_TRAFFIC, PRE_TRAFFIC, TrafficHook, after_promotion
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
    with pytest.raises(InvalidArgumentError, match="belongs to one function"):
        _rollout(client, "2", health=[HttpProbe(function="other")])
    with pytest.raises(InvalidArgumentError, match="belongs to one function"):
        _rollout(client, "2", health=[InvokeProbe(function="other")])
    with pytest.raises(InvalidArgumentError, match=r"FC 3\.0 has no services"):
        _rollout(client, "2", pre_traffic=[TrafficHook("check", PRE_TRAFFIC, service="ops")])
    with pytest.raises(InvalidArgumentError):
        Rollout(client, function="9bad", alias="prod", to_version="2")
    assert client.get_alias("fn", "prod").version_id == "1"  # nothing was written


@pytest.mark.parametrize("auth", ["anonymous", "function"])
def test_http_probe_calls_the_url_of_the_trigger_bound_to_the_alias(fc3_fake: Fake, auth: str) -> None:
    client = _setup(fc3_fake)
    client.create_trigger("fn", "web", "http", {"authType": auth, "methods": ["GET"]}, qualifier="prod")
    client.create_trigger("fn", "old", "http", {"authType": "anonymous", "methods": ["GET"]}, qualifier="1")
    url = client.get_trigger("fn", "web").url_internet
    assert url and client.http_trigger_url("fn", "prod") == url.rstrip("/")

    probe = HttpProbe("fn", "/health", samples=10, max_error_rate=0.0, sign=auth == "function")
    promoted = _rollout(client, "2", health=[probe]).run()
    assert promoted.status == "promoted", promoted.reason
    assert client.calls["HttpTriggerInvoke"] >= 20 and client.calls["InvokeFunction"] == 0  # over HTTP only
    assert client.calls["ListTriggers"] == 2  # the check above, and the probe once for all its calls
    rolled_back = _rollout(client, "3", health=[HttpProbe("fn", samples=10, max_error_rate=0.0,
                                                          sign=auth == "function")]).run()
    assert rolled_back.status == "rolled_back" and "http:fn" in rolled_back.reason, rolled_back.reason
    assert client.get_alias("fn", "prod").version_id == "2"


def test_a_signed_trigger_refuses_an_unsigned_call_and_no_trigger_is_a_clear_error(fc3_fake: Fake) -> None:
    from fcinfra.errors import ConfigurationError

    client = _setup(fc3_fake)
    with pytest.raises(ConfigurationError, match="no HTTP trigger bound to 'prod'"):
        client.http_trigger_url("fn", "prod")
    client.create_trigger("fn", "web", "http", {"authType": "function", "methods": ["GET", "POST"]},
                          qualifier="prod")
    assert client.http_trigger_request("fn", "prod", "/x", sign=False).status_code == 403
    signed = client.http_trigger_request("fn", "prod", "/x", "POST", body="{}", query={"a": "1"})
    assert signed.ok and signed.version_id == "1" and signed.body == b"ok"
    wrong = Fc3Client(ACCOUNT, REGION, AK, "not-the-secret", sleep=lambda _: None)
    url = client.http_trigger_url("fn", "prod")
    assert wrong.http_trigger_request("fn", "prod", "/x", url=url).status_code == 403


def test_fc3_hooks_are_functions_invoked_with_the_fc3_client(fc3_fake: Fake) -> None:
    client = _setup(fc3_fake)
    events: list[bytes] = []

    def smoke(event: bytes, context: Any) -> str:
        events.append(event)
        return '{"status": "failed", "reason": "smoke says no"}' if b'"to_version": "2"' in event else "{}"

    fc3_fake.api.register_handler("smoke", smoke)
    client.create_function("smoke", "python3.10", "index.handler", code=code_zip("x = 0\n"))
    pre = TrafficHook("smoke", PRE_TRAFFIC, function_level=True)
    refused = _rollout(client, "2", pre_traffic=[pre]).run()
    assert refused.status == "rolled_back" and refused.history == [] and "smoke says no" in refused.reason
    assert json.loads(events[-1]) == {"hook": "pre_traffic", "service": "fn", "alias": "prod", "from_version": "1",
                                      "to_version": "2"}
    post = TrafficHook("smoke", POST_TRAFFIC, function_level=True)
    result = after_promotion(client, _rollout(client, "3", health=[]).run(), post, sleep=lambda _: None)
    assert result.status == "promoted" and "post-traffic hook smoke passed" in result.reason
    assert client.get_alias("fn", "prod").version_id == "3"
