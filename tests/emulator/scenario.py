"""The seeds' scenario (issue 2's "Must show") as one function, so it runs against the emulator unchanged,
once straight through and once with the emulator restarted from its state file in the middle."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

import pytest

from fcinfra.errors import NoChangesToPublishError, NotFoundError, VersionInUseError
from fcinfra.fc import FcClient
from fcinfra.lifecycle import delete_version_safely

from .conftest import make_zip

SERVICE, FUNCTION, ALIAS, TRIGGER = "seeds-svc", "quote", "prod", "timer-prod"
# A timer trigger, not an HTTP one: on FC 2.0 a function with an HTTP trigger is an HTTP function and refuses
# InvokeFunction, and this scenario invokes through the API (the seeds' own example is an OSS trigger).
TIMER = {"cronExpression": "@every 5m", "enable": True, "payload": "tick"}


def code(label: str) -> bytes:
    """A real handler that reports its code label and what FC's context says about the invocation."""
    return make_zip({"index.py": f'''
import json

def handler(event, context):
    return {{"code": "{label}", "qualifier": context.service.qualifier, "version": context.service.version_id,
            "function": context.function.name, "service": context.service.name}}
'''})


def run_seeds_scenario(c: FcClient, restart: Callable[[], None] = lambda: None, samples: int = 5000) -> None:
    c.create_service(SERVICE, description="seeds scenario")
    c.create_function(SERVICE, FUNCTION, runtime="python3.10", handler="index.handler", code=code("v1"),
                      memory_size=128, timeout=1)
    assert c.publish_version(SERVICE).version_id == "1"
    with pytest.raises(NoChangesToPublishError):
        c.publish_version(SERVICE)

    c.update_function(SERVICE, FUNCTION, memory_size=256, code=code("v2"))
    assert c.publish_version(SERVICE).version_id == "2"
    assert c.get_function(SERVICE, FUNCTION, qualifier="1").memory_size == 128
    assert c.get_function(SERVICE, FUNCTION, qualifier="2").memory_size == 256

    delete_version_safely(c, SERVICE, "2")  # nothing refers to it
    c.update_function(SERVICE, FUNCTION, memory_size=192, code=code("v3"))
    assert c.publish_version(SERVICE).version_id == "3"  # "2" is never reused

    c.create_alias(SERVICE, ALIAS, "1")
    trigger = c.create_trigger(SERVICE, FUNCTION, TRIGGER, "timer", TIMER, qualifier=ALIAS)
    assert trigger.qualifier == ALIAS

    restart()  # the emulator goes down and comes back from its state file here (or not at all)

    assert [v.version_id for v in c.list_versions(SERVICE)] == ["3", "1"]
    assert c.get_trigger(SERVICE, FUNCTION, TRIGGER).qualifier == ALIAS
    inv = c.invoke(SERVICE, FUNCTION, b"{}", qualifier=ALIAS)
    assert inv.ok and inv.version_id == "1"
    seen = json.loads(inv.payload)
    assert seen == {"code": "v1", "qualifier": ALIAS, "version": "1", "function": FUNCTION, "service": SERVICE}

    c.update_alias(SERVICE, ALIAS, additional_version_weight={"3": 0.2})
    counts: Counter[str] = Counter()
    for _ in range(samples):
        inv = c.invoke(SERVICE, FUNCTION, b"{}", qualifier=ALIAS)
        body = json.loads(inv.payload)
        assert body["version"] == inv.version_id and body["code"] == {"1": "v1", "3": "v3"}[inv.version_id]
        counts[inv.version_id or ""] += 1
    assert set(counts) == {"1", "3"}
    assert abs(counts["3"] / samples - 0.2) <= 0.02, counts

    c.update_alias(SERVICE, ALIAS, version_id="3", additional_version_weight={})
    assert c.invoke(SERVICE, FUNCTION, b"{}", qualifier=ALIAS).version_id == "3"
    c.update_alias(SERVICE, ALIAS, version_id="1")
    alias = c.get_alias(SERVICE, ALIAS)
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    assert c.invoke(SERVICE, FUNCTION, b"{}", qualifier=ALIAS).version_id == "1"

    with pytest.raises(VersionInUseError) as refused:
        delete_version_safely(c, SERVICE, "1")
    assert refused.value.referrers == [f"alias {ALIAS}", f"trigger {FUNCTION}/{TRIGGER} (via alias {ALIAS})"]
    assert [v.version_id for v in c.list_versions(SERVICE)] == ["3", "1"]

    c.delete_version(SERVICE, "1")  # FC itself allows it and leaves the alias dangling
    with pytest.raises(NotFoundError) as gone:
        c.invoke(SERVICE, FUNCTION, b"{}", qualifier=ALIAS)
    assert gone.value.code == "VersionNotFound"
