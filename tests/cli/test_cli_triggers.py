"""`fcinfra trigger list|create|bind|delete` and `fcinfra alias list|delete` against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import Result

from fcinfra.fc import FcClient


def test_create_list_bind_delete_a_trigger(run: Callable[..., Result], shop, client: FcClient) -> None:
    s = shop.service
    created = run("trigger", "create", s, "quote", "http-prod", "-q", "prod", "-o", "json")
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["qualifier"] == "prod"
    assert client.get_trigger(s, "quote", "http-prod").trigger_config["authType"] == "function"  # type: ignore[index]

    listed = json.loads(run("trigger", "list", s, "-o", "json").stdout)
    assert [(r["function"], r["trigger_name"], r["qualifier"]) for r in listed] == [("quote", "http-prod", "prod")]
    assert json.loads(run("trigger", "list", s, "quote", "-o", "json").stdout) == listed

    client.create_alias(s, "staging", "2")
    bound = run("trigger", "bind", s, "quote", "http-prod", "staging")
    assert bound.exit_code == 0, bound.output
    assert "prod -> staging" in bound.stdout
    assert client.get_trigger(s, "quote", "http-prod").qualifier == "staging"
    assert run("trigger", "bind", s, "quote", "http-prod", "3").exit_code == 0
    assert client.get_trigger(s, "quote", "http-prod").qualifier == "3"

    deleted = run("trigger", "delete", s, "quote", "http-prod", "-o", "json")
    assert json.loads(deleted.stdout) == {"deleted": ["quote/http-prod"]}
    assert client.list_triggers(s, "quote") == []


def test_bind_or_create_to_a_qualifier_that_does_not_exist_changes_nothing(run: Callable[..., Result], shop,
                                                                            client: FcClient) -> None:
    s = shop.service
    client.create_trigger(s, "quote", "http-prod", "http", {"authType": "anonymous", "methods": ["GET"]},
                          qualifier="prod")
    for qualifier in ("prdo", "42"):
        result = run("trigger", "bind", s, "quote", "http-prod", qualifier)
        assert result.exit_code == 2, result.output
        assert f"no {'alias' if qualifier == 'prdo' else 'version'} {qualifier}" in result.output
    assert client.get_trigger(s, "quote", "http-prod").qualifier == "prod"
    refused = run("trigger", "create", s, "quote", "other", "-q", "prdo")
    assert refused.exit_code == 2
    assert [t.trigger_name for t in client.list_triggers(s, "quote")] == ["http-prod"]


def test_non_http_trigger_needs_a_config_and_config_must_be_an_object(run: Callable[..., Result], shop) -> None:
    assert run("trigger", "create", shop.service, "quote", "t", "--type", "timer").exit_code == 2
    assert run("trigger", "create", shop.service, "quote", "t", "--config", "[1]").exit_code == 2
    assert run("trigger", "create", shop.service, "quote", "t", "--config", "{nope").exit_code == 2
    timer = run("trigger", "create", shop.service, "quote", "t", "--type", "timer", "-q", "prod",
                "--config", '{"cronExpression": "@every 1h", "enable": true}', "-o", "json")
    assert timer.exit_code == 0, timer.output
    assert json.loads(timer.stdout)["trigger_type"] == "timer"


def test_alias_list_and_delete(run: Callable[..., Result], shop, client: FcClient) -> None:
    s = shop.service
    client.create_alias(s, "staging", "2", additional_version_weight={"3": 0.1})
    text = run("alias", "list", s).stdout
    assert "alias prod: 100% -> version 1" in text
    assert "alias staging: 90% -> version 2, 10% -> version 3" in text
    listed = json.loads(run("alias", "list", s, "-o", "json").stdout)
    assert [a["alias_name"] for a in listed] == ["prod", "staging"]

    deleted = run("alias", "delete", s, "staging", "-o", "json")
    assert deleted.exit_code == 0, deleted.output
    assert json.loads(deleted.stdout) == {"deleted": ["staging"]}
    assert [a.alias_name for a in client.list_aliases(s)] == ["prod"]
    assert run("alias", "delete", s, "staging").exit_code == 1  # gone: FC's 404


def test_deleting_an_alias_a_trigger_uses_is_refused_naming_the_trigger(run: Callable[..., Result], shop,
                                                                        client: FcClient) -> None:
    s = shop.service
    client.create_trigger(s, "quote", "http-prod", "http", {"authType": "anonymous", "methods": ["GET"]},
                          qualifier="prod")
    refused = run("alias", "delete", s, "prod")
    assert refused.exit_code == 1
    assert "quote/http-prod" in refused.output
    assert client.get_alias(s, "prod").version_id == "1"

    client.update_trigger(s, "quote", "http-prod", qualifier="1")
    assert run("alias", "delete", s, "prod").exit_code == 0
    assert client.list_aliases(s) == []
