"""AliasTriggerProvider against the in-process fake."""

from __future__ import annotations

from typing import Any

from fcinfra.providers.alias_trigger import AliasTriggerProvider

HTTP = {"authType": "anonymous", "methods": ["GET", "POST"]}


def provider(client: Any) -> AliasTriggerProvider:
    p = AliasTriggerProvider()
    p.use_client(lambda: client)
    return p


def inputs(**over: Any) -> dict[str, Any]:
    base = {"service": "svc", "function": "fn", "name": "web", "trigger_type": "http", "qualifier": "prod",
            "trigger_config": HTTP}
    return {**base, **over}


def released(client: Any) -> Any:
    client.publish_version("svc")
    client.create_alias("svc", "prod", "1")
    client.create_alias("svc", "staging", "1")
    return client


def test_create_binds_the_qualifier_from_the_first_moment(deployed: Any) -> None:
    client = released(deployed)
    result = provider(client).create(inputs())
    assert result.id == "svc:fn:web"
    assert client.get_trigger("svc", "fn", "web").qualifier == "prod"
    assert result.outs is not None and result.outs["qualifier"] == "prod"


def test_check_defaults_the_qualifier_and_rejects_bad_input() -> None:
    p = AliasTriggerProvider()
    ok = p.check({}, {k: v for k, v in inputs().items() if k != "qualifier"})
    assert ok.failures == [] and ok.inputs["qualifier"] == "LATEST"
    bad = p.check({}, inputs(trigger_type="carrier-pigeon", name="9bad"))
    assert {f.property for f in bad.failures} == {"trigger_type", "name"}


def test_qualifier_change_is_an_update_not_a_replace() -> None:
    p = AliasTriggerProvider()  # diff needs no client
    olds = {**inputs(), "trigger_id": "t-1"}
    diff = p.diff("svc:fn:web", olds, inputs(qualifier="staging"))
    assert diff.changes is True and diff.replaces == []
    assert p.diff("svc:fn:web", olds, inputs()).changes is False
    assert p.diff("svc:fn:web", olds, inputs(name="other")).replaces == ["name"]
    # Pulumi carries numbers as floats: 1.0 must equal 1.
    timer = {"cronExpression": "@every 1m", "enable": True, "payload": "x", "n": 1}
    same = p.diff("id", inputs(trigger_config=timer), inputs(trigger_config={**timer, "n": 1.0}))
    assert same.changes is False


def test_update_rebinds_in_place_keeping_the_trigger(deployed: Any) -> None:
    client = released(deployed)
    p = provider(client)
    outs = p.create(inputs()).outs
    assert outs is not None
    before = client.get_trigger("svc", "fn", "web")
    new = p.update("svc:fn:web", outs, inputs(qualifier="staging")).outs
    after = client.get_trigger("svc", "fn", "web")
    assert new is not None and new["qualifier"] == "staging"
    assert after.qualifier == "staging"
    assert after.trigger_id == before.trigger_id and after.created_time == before.created_time


def test_read_reports_a_qualifier_changed_outside(deployed: Any) -> None:
    client = released(deployed)
    p = provider(client)
    outs = p.create(inputs()).outs
    assert outs is not None
    client.update_trigger("svc", "fn", "web", qualifier="staging")
    read = p.read("svc:fn:web", outs)
    assert read.outs is not None and read.outs["qualifier"] == "staging"
    assert p.diff("svc:fn:web", read.outs, inputs()).changes is True


def test_delete_removes_the_trigger_and_tolerates_absence(deployed: Any) -> None:
    client = released(deployed)
    p = provider(client)
    outs = p.create(inputs()).outs
    assert outs is not None
    p.delete("svc:fn:web", outs)
    assert client.list_triggers("svc", "fn") == []
    p.delete("svc:fn:web", outs)  # already gone: no error
    assert not p.read("svc:fn:web", outs).id
