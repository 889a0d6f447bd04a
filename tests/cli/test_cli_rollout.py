"""The CLI used as a new user would, against the emulator: rollouts, promote/rollback, status, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

from click.testing import Result

from fcinfra.fc import FcClient

FAST = ("--interval", "0.2s", "--check-every", "0.1s")
PROBE = ("--probe-function", "quote", "--samples", "10")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_rollout_of_a_healthy_version_promotes_with_exit_0(run: Callable[..., Result], shop, client: FcClient) -> None:
    result = run("rollout", shop.service, "prod", "2", *FAST, *PROBE, "--payload", '{"item": "fig"}')

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Rolling out version 2 to alias prod" in out
    for weight in (10, 25, 50):
        assert f"version 2 now receives {weight}%" in out
    assert "invoke:quote: pass" in out
    assert "✔ promoted" in out
    assert "weights applied: 10% -> 25% -> 50% -> 100%" in out
    alias = client.get_alias(shop.service, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})


def test_rollout_of_a_failing_version_rolls_back_with_nonzero_exit(
    run: Callable[..., Result], shop, client: FcClient
) -> None:
    client.update_alias(shop.service, "prod", version_id="2")
    result = run("rollout", shop.service, "prod", "3", *FAST, *PROBE, "--payload", '{"item": "lime"}')

    assert result.exit_code == 3, result.output
    assert "rolling back: gate failed at 10%" in result.stdout
    assert "✖ rolled back" in result.stdout
    alias = client.get_alias(shop.service, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})


def test_rollout_json_output_is_json_lines_of_engine_events(run: Callable[..., Result], shop) -> None:
    result = run("rollout", shop.service, "prod", "2", "--steps", "50,100", *FAST, *PROBE, "-o", "json")

    assert result.exit_code == 0, result.output
    events = json_lines(result.stdout)  # every stdout line is JSON: nothing else is mixed in
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "start"
    assert "check" in kinds
    assert [e["weight"] for e in events if e["kind"] == "weight"] == [50]
    assert kinds[-2:] == ["promoted", "result"]
    assert events[-1]["status"] == "promoted"
    assert events[-1]["history"] == [50, 100]


def test_failing_rollout_json_reports_rolled_back(run: Callable[..., Result], shop) -> None:
    result = run("rollout", shop.service, "prod", "3", *FAST, *PROBE, "--payload", '{"item": "fig"}', "-o", "json",
                 "--probe-mode", "direct")

    assert result.exit_code == 3
    events = json_lines(result.stdout)
    assert events[-1]["status"] == "rolled_back"
    assert events[-1]["history"] == [10, 0]
    failed = [v for e in events if e["kind"] == "check" for v in e["data"]["verdicts"] if v["status"] == "fail"]
    assert failed and failed[0]["details"]["canary"] == {"count": 10, "errors": 10, "error_rate": 1.0,
                                                         "p95_ms": failed[0]["details"]["canary"]["p95_ms"]}
    assert "main" not in failed[0]["details"] or failed[0]["details"]["main"]["count"] == 0  # direct: only v3


def test_pre_traffic_check_refuses_before_any_traffic_moves(run: Callable[..., Result], shop, client) -> None:
    result = run("rollout", shop.service, "prod", "3", *FAST, *PROBE, "--payload", '{"item": "fig"}',
                 "--pre-traffic", "-o", "json")

    assert result.exit_code == 3
    assert json_lines(result.stdout)[-1]["history"] == []  # not a single alias write
    assert client.get_alias(shop.service, "prod").version_id == "1"


def test_dry_run_prints_the_exact_schedule_and_changes_nothing(run: Callable[..., Result], shop, client) -> None:
    before = client.get_alias(shop.service, "prod")
    text = run("rollout", shop.service, "prod", "2", "--linear", "30", "--interval", "2m", "--dry-run")
    doc = json_lines(run("rollout", shop.service, "prod", "2", "--canary", "10", "--interval", "5m",
                         "--pause-at", "10:10m", "--dry-run", "-o", "json").stdout)[0]

    assert text.exit_code == 0
    assert "30% on the new version" in text.stdout and "90% on the new version" in text.stdout
    assert "total: 6m" in text.stdout
    assert doc["schedule"] == [10, 100]
    assert doc["total_duration"] == 900.0
    assert doc["stages"][0]["pause"] == 600.0
    assert client.get_alias(shop.service, "prod").etag == before.etag


def test_bad_schedules_are_refused_before_anything_changes(run: Callable[..., Result], shop, client) -> None:
    before = client.get_alias(shop.service, "prod").etag
    decreasing = run("rollout", shop.service, "prod", "2", "--steps", "50,10")
    two = run("rollout", shop.service, "prod", "2", "--steps", "10,100", "--canary", "10")
    not_a_step = run("rollout", shop.service, "prod", "2", "--steps", "10,100", "--pause-at", "20")

    assert decreasing.exit_code == 2 and "Invalid value for --steps: step weights must be strictly increasing" in (
        decreasing.stderr)
    assert "Traceback" not in decreasing.output
    assert two.exit_code == 2 and "choose one strategy" in two.stderr
    assert not_a_step.exit_code == 2 and "no step at 20%" in not_a_step.stderr
    assert client.get_alias(shop.service, "prod").etag == before


def test_status_promote_and_rollback(run: Callable[..., Result], shop, client: FcClient) -> None:
    client.update_alias(shop.service, "prod", version_id="1", additional_version_weight={"2": 0.25})
    client.create_trigger(shop.service, "quote", "http-prod", "http", {"authType": "anonymous", "methods": ["GET"]},
                          qualifier="prod")
    client.create_trigger(shop.service, "quote", "pinned", "http", {"authType": "anonymous", "methods": ["GET"]},
                          qualifier="3")

    status = run("status", shop.service, "--steps", "10,25,50,100", "--interval", "1m")
    doc = json_lines(run("status", shop.service, "prod", "-o", "json").stdout)[0]
    assert status.exit_code == 0
    assert "rollout in progress" in status.stdout and "version 2 at 25%" in status.stdout
    assert "still to come: [50, 100]" in status.stdout
    assert doc["aliases"][0]["state"] == "rollout_in_progress"
    assert {v["version_id"]: v["used_by"] for v in doc["versions"]} == {
        "3": ["trigger quote/pinned"], "2": ["prod (25%)"], "1": ["prod"]}
    assert {(t["trigger"], t["qualifier"]) for t in doc["triggers"]} == {("http-prod", "prod"), ("pinned", "3")}
    assert "triggers of" in status.stdout

    rolled = run("rollback", shop.service, "prod")
    assert rolled.exit_code == 0 and "rolled back" in rolled.stdout
    assert client.get_alias(shop.service, "prod").additional_version_weight == {}

    nothing = run("rollback", shop.service, "prod")
    assert nothing.exit_code == 0 and "nothing to do" in nothing.stdout

    promoted = json_lines(run("promote", shop.service, "prod", "--version", "3", "-o", "json").stdout)[0]
    assert promoted["status"] == "promoted"
    assert client.get_alias(shop.service, "prod").version_id == "3"


def test_a_real_subprocess_rollout_against_the_emulator(env: dict[str, str], shop) -> None:
    """The installed entry point, in its own process, as a CI job would run it."""
    proc = subprocess.run(
        [sys.executable, "-m", "fcinfra.cli.main", "rollout", shop.service, "prod", "2", *FAST, *PROBE,
         "--output", "json"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[-1]["status"] == "promoted"

    failing = subprocess.run(
        [sys.executable, "-m", "fcinfra.cli.main", "rollout", shop.service, "prod", "3", *FAST, *PROBE,
         "--payload", '{"item": "fig"}'],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )
    assert failing.returncode == 3
    assert "rolled back" in failing.stdout


def test_ctrl_c_leaves_the_alias_in_place_and_the_same_command_resumes(
    env: dict[str, str], shop, client: FcClient, run: Callable[..., Result]
) -> None:
    import signal

    cmd = [sys.executable, "-m", "fcinfra.cli.main", "rollout", shop.service, "prod", "2", "--steps", "10,100",
           "--interval", "30s", "-o", "json"]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until the first weight is applied
        if json.loads(line)["kind"] == "weight":
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)

    assert proc.returncode == 130
    assert "Interrupted at 10% on version 2" in err and "Traceback" not in err
    assert client.get_alias(shop.service, "prod").additional_version_weight == {"2": 0.1}

    resumed = run("rollout", shop.service, "prod", "2", "--steps", "10,100", *FAST)
    assert resumed.exit_code == 0
    assert "resuming at 10%" in resumed.stdout
    assert "weights applied: 100%" in resumed.stdout


def test_time_budget_stops_at_a_planned_weight_with_exit_4_and_a_manual_gate_waits_for_promote(
    run: Callable[..., Result], shop, client: FcClient
) -> None:
    stopped = run("rollout", shop.service, "prod", "2", "--steps", "25,50,100", "--interval", "1s", "--timeout",
                  "1.5s", "-o", "json")
    assert stopped.exit_code == 4
    assert json_lines(stopped.stdout)[-1]["status"] == "in_progress"
    assert json_lines(stopped.stdout)[-1]["history"] == [25]  # 50 % could not be baked within the budget
    assert client.get_alias(shop.service, "prod").additional_version_weight == {"2": 0.25}

    # resumed with a manual gate at 25%: it waits there until a promote from elsewhere (what `fcinfra promote` does)
    import threading
    import time

    from fcinfra.rollout import promote

    def promote_soon() -> None:
        time.sleep(0.6)
        promote(client, shop.service, "prod")

    helper = threading.Thread(target=promote_soon)
    helper.start()
    gated = run("rollout", shop.service, "prod", "2", "--steps", "25,100", "--pause-at", "25", "--interval", "0.1s",
                "--check-every", "0.1s")
    helper.join()
    assert gated.exit_code == 0, gated.output
    assert "waiting at 25% for promote" in gated.stdout
    assert "moved on to 50% by `fcinfra promote`" in gated.stdout  # one step, as the interrupted run planned
    assert "weights applied: 100%" in gated.stdout
