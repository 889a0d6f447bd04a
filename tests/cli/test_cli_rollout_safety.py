"""Issue 11 as a new user meets it: bad input refused before traffic moves, every asked check made, no weight
left unwatched, one rollout per alias, CI-friendly endings (SIGTERM, a JSON result line on every end)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable

import pytest
from click.testing import Result

from fcinfra.fc import FcClient

FAST = ("--interval", "0.2s", "--check-every", "0.1s")


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------------ item 1


@pytest.mark.parametrize("option", [("--max-latency-ms", "200"), ("--max-error-rate", "0.01"), ("--samples", "5"),
                                    ("--payload", "{}"), ("--max-error-rate-increase", "0.02"),
                                    ("--probe-mode", "direct"), ("--pre-traffic",)])
def test_gate_options_without_a_gate_are_a_usage_error(run: Callable[..., Result], shop, client: FcClient,
                                                       option: tuple[str, ...]) -> None:
    before = client.get_alias(shop.service, "prod").etag
    result = run("rollout", shop.service, "prod", "3", *FAST, *option)

    assert result.exit_code == 2, result.output
    assert f"{option[0]} configure a health gate, but no gate was given" in result.stderr
    assert client.get_alias(shop.service, "prod").etag == before


def test_all_at_once_with_a_gate_checks_the_version_before_its_one_write(run: Callable[..., Result], shop,
                                                                         client: FcClient) -> None:
    refused = run("rollout", shop.service, "prod", "3", "--all-at-once", "--probe-function", "quote", "--samples",
                  "5", "--payload", '{"item": "fig"}', "--check-every", "0.1s", "-o", "json")

    assert refused.exit_code == 3, refused.output
    events = lines(refused.stdout)
    assert [e["data"]["pre_traffic"] for e in events if e["kind"] == "check"] == [True]
    assert events[-1]["history"] == []
    assert client.get_alias(shop.service, "prod").version_id == "1"

    healthy = run("rollout", shop.service, "prod", "2", "--all-at-once", "--probe-function", "quote", "--samples",
                  "5", "--check-every", "0.1s", "-o", "json")
    assert healthy.exit_code == 0
    assert any(e["kind"] == "check" for e in lines(healthy.stdout))
    assert lines(healthy.stdout)[-1]["history"] == [100]


# ------------------------------------------------------------------------------------------------ item 2


def test_every_repeated_payload_is_probed(run: Callable[..., Result], shop, client: FcClient) -> None:
    # version 3 fails on fig: with fig first and pear last, probing only the last payload would promote it
    result = run("rollout", shop.service, "prod", "3", *FAST, "--probe-function", "quote", "--samples", "4",
                 "--probe-mode", "direct", "--payload", '{"item": "fig"}', "--payload", '{"item": "pear"}',
                 "-o", "json")

    assert result.exit_code == 3, result.output
    assert lines(result.stdout)[-1]["status"] == "rolled_back"
    assert client.get_alias(shop.service, "prod").version_id == "1"


# ------------------------------------------------------------------------------------------------ item 3


def test_a_missing_probe_function_is_refused_before_any_traffic_moves(run: Callable[..., Result], shop,
                                                                      client: FcClient) -> None:
    before = client.get_alias(shop.service, "prod").etag
    result = run("rollout", shop.service, "prod", "2", *FAST, "--probe-function", "qoute")

    assert result.exit_code == 2
    assert "probe function 'qoute' does not exist in service" in result.stderr
    assert client.get_alias(shop.service, "prod").etag == before


def test_dry_run_makes_the_same_checks_and_shows_where_a_resume_starts(run: Callable[..., Result], shop,
                                                                       client: FcClient) -> None:
    assert run("rollout", shop.service, "prod", "9", "--dry-run").exit_code == 2
    assert run("rollout", shop.service, "prod", "2", "--dry-run", "--probe-function", "nope").exit_code == 2
    client.update_alias(shop.service, "prod", version_id="1", additional_version_weight={"2": 0.25})
    before = client.get_alias(shop.service, "prod").etag

    doc = lines(run("rollout", shop.service, "prod", "2", "--dry-run", "-o", "json").stdout)[0]
    text = run("rollout", shop.service, "prod", "2", "--dry-run").stdout

    assert (doc["current_weight"], doc["next_weights"]) == (25, [50, 100])
    assert "A run now would resume at 25% (found on the alias); next: 50% -> 100%" in text
    assert client.get_alias(shop.service, "prod").etag == before


# ------------------------------------------------------------------------------------------------ item 4


def test_a_timeout_shorter_than_one_bake_is_refused(run: Callable[..., Result], shop, client: FcClient) -> None:
    before = client.get_alias(shop.service, "prod").etag
    result = run("rollout", shop.service, "prod", "2", "--interval", "1h", "--timeout", "10m")

    assert result.exit_code == 2
    assert "Invalid value for --timeout: a time budget of 600s cannot bake a 3600s step" in result.stderr
    assert client.get_alias(shop.service, "prod").etag == before


# ------------------------------------------------------------------------------------------------ item 8


def test_a_second_rollout_on_an_alias_a_live_rollout_moves_is_refused(env: dict[str, str], shop, client: FcClient,
                                                                      run: Callable[..., Result]) -> None:
    cmd = [sys.executable, "-m", "fcinfra.cli.main", "rollout", shop.service, "prod", "2", "--steps", "10,100",
           "--interval", "30s", "-o", "json"]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if json.loads(line)["kind"] == "weight":
                break
        etag = client.get_alias(shop.service, "prod").etag
        second = run("rollout", shop.service, "prod", "2", *FAST, "--probe-function", "quote", "-o", "json")
        plain_set = run("alias", "set", shop.service, "prod", "--version", "3")

        assert second.exit_code == 1, second.output
        last = lines(second.stdout)[-1]
        assert last["status"] == "aborted" and "another live rollout" in last["reason"]
        assert "of version 2 by " in last["reason"]
        assert not any(e["kind"] == "check" for e in lines(second.stdout))  # nothing probed
        assert plain_set.exit_code == 1 and "--force" in plain_set.stderr
        assert client.get_alias(shop.service, "prod").etag == etag  # nothing written by either
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    # the interrupted rollout ended its lease: the same command resumes at once
    resumed = run("rollout", shop.service, "prod", "2", "--steps", "10,100", *FAST)
    assert resumed.exit_code == 0, resumed.output
    assert "resuming at 10%" in resumed.stdout
    assert client.get_alias(shop.service, "prod").description in ("", None)  # the lease is gone after promotion


def test_alias_set_with_force_overrides_a_live_rollout(run: Callable[..., Result], shop, client: FcClient) -> None:
    from fcinfra.rollout.lease import Lease, render

    client.update_alias(shop.service, "prod", version_id="1", additional_version_weight={"2": 0.1},
                        description=render("prod traffic", Lease("0badc0de", "2", 25, 4_000_000_000, "ci@x")))
    refused = run("alias", "set", shop.service, "prod", "--version", "3")
    forced = run("alias", "set", shop.service, "prod", "--version", "3", "--force")

    assert refused.exit_code == 1 and "rollout 0badc0de of version 2 by ci@x" in refused.stderr
    assert forced.exit_code == 0 and "Warning" in forced.stderr
    assert client.get_alias(shop.service, "prod").version_id == "3"


# ------------------------------------------------------------------------------------------------ item 9


def test_sigterm_is_like_ctrl_c_with_exit_143_and_a_result_line(env: dict[str, str], shop, client: FcClient) -> None:
    cmd = [sys.executable, "-m", "fcinfra.cli.main", "rollout", shop.service, "prod", "2", "--steps", "10,100",
           "--interval", "30s", "-o", "json"]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if json.loads(line)["kind"] == "weight":
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)

    assert proc.returncode == 143
    last = json.loads(out.splitlines()[-1])
    assert (last["kind"], last["status"], last["weight"]) == ("result", "interrupted", 10)
    assert "Interrupted by SIGTERM at 10% on version 2" in err and "Traceback" not in err
    assert client.get_alias(shop.service, "prod").additional_version_weight == {"2": 0.1}


def test_json_errors_end_with_a_result_line_too(run: Callable[..., Result], shop) -> None:
    refused = run("rollout", shop.service, "nosuch", "2", "-o", "json")
    failed = run("rollout", "no-such-service", "prod", "2", "-o", "json")
    usage = run("rollout", shop.service, "prod", "2", "--steps", "50,10", "-o", "json")

    assert refused.exit_code == 2 and lines(refused.stdout)[-1]["status"] == "refused"
    assert usage.exit_code == 2 and lines(usage.stdout)[-1]["status"] == "refused"
    assert "strictly increasing" in lines(usage.stdout)[-1]["reason"]
    assert failed.exit_code in (1, 2)
    assert lines(failed.stdout)[-1]["kind"] == "result"
    assert lines(failed.stdout)[-1]["reason"]


def test_error_messages_show_the_access_key_id_but_never_the_secret(env: dict[str, str], shop) -> None:
    from click.testing import CliRunner

    from fcinfra.cli.main import cli

    result = CliRunner().invoke(cli, ["status", shop.service], env={**env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "nope"})

    assert result.exit_code == 1
    assert env["ALIBABA_CLOUD_ACCESS_KEY_ID"] in result.stderr  # which key was refused: the first thing to check
    assert "nope" not in result.output
