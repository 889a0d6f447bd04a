"""fcinfra traffic: simulated users through an alias, against the emulator (v3 fails on fig and lime)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import Result

from fcinfra.fc import FcClient


def test_mix_through_a_weighted_alias_shows_which_version_fails(run: Callable[..., Result], shop: Any,
                                                                client: FcClient) -> None:
    client.update_alias(shop.service, "prod", "1", additional_version_weight={"3": 0.5})
    result = run("traffic", shop.service, "prod", "-f", "quote", "--rate", "200", "-n", "60",
                 "-p", '{"item": "pear"}', "-p", '{"item": "fig"}', "--weights", "1,1", "-o", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report) == ["service", "alias", "function", "sent", "failed", "seconds", "by_version", "errors"]
    assert report["sent"] == 60 and set(report["by_version"]) == {"1", "3"}
    assert report["by_version"]["1"]["errors"] == 0
    assert 0 < report["by_version"]["3"]["errors"] < report["by_version"]["3"]["calls"]
    assert report["failed"] == report["by_version"]["3"]["errors"] == sum(report["errors"].values())


def test_text_summary(run: Callable[..., Result], shop: Any) -> None:
    result = run("traffic", shop.service, "prod", "-f", "quote", "--rate", "100", "--duration", "0.1s")
    assert result.exit_code == 0, result.output
    assert "10 calls to" in result.output and "prod/quote" in result.output


def test_must_stop_by_itself(run: Callable[..., Result], shop: Any) -> None:
    for args in ([], ["-n", "5", "-d", "1s"]):
        result = run("traffic", shop.service, "prod", "-f", "quote", *args)
        assert result.exit_code == 2 and "exactly one of --count and --duration" in result.output
    result = run("traffic", shop.service, "prod", "-f", "quote", "-n", "5", "-p", "a", "--weights", "1,2")
    assert result.exit_code == 2 and "2 weights for 1 payloads" in result.output
    result = run("traffic", shop.service, "prod", "-n", "5")  # FC 2.0: a service has many functions
    assert result.exit_code == 2 and "Missing option '--function'" in result.output


def test_rollout_gate_option(run: Callable[..., Result], shop: Any) -> None:
    bad = run("rollout", shop.service, "prod", "3", "--gate", "datadog:x=1")
    assert bad.exit_code == 2 and "Invalid value for --gate" in bad.output and "datadog" in bad.output
    # a traffic gate whose source does not answer fails, and the rollout rolls back (never promotes blind)
    result = run("rollout", shop.service, "prod", "3", "--steps", "50,100", "--interval", "1s",
                 "--gate", "prometheus:url=http://127.0.0.1:9,function=quote")
    assert result.exit_code == 3, result.output
    assert "did not answer" in result.output
