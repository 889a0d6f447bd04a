"""Issue 15 item 5 with issue 12's operator features on FC 3.0: `fcinfra fc3 history|undo|abort|retry`,
`status --watch`'s gate board and the rollout hooks (FC 3.0 functions), against the emulator's FC 3.0 API, with
the release history in the function's tags. Each mirrors its FC 2.0 test (test_cli_history.py,
test_cli_abort.py, test_cli_watch.py, test_cli_hooks.py)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import Result

from fcinfra.fake.fc3.backend import Fc3Backend
from fcinfra.fc3 import Fc3Client
from fcinfra.history import KEY_PREFIX
from fcinfra.testing.helpers import code_zip

from .conftest import TOKEN, Receiver, watch_while
from .test_cli_notify import WEBHOOK_SECRET

FAST = ("--interval", "0.2s", "--check-every", "0.1s")
_names = itertools.count(1)


def _gate(fn: str) -> tuple[str, ...]:
    return ("--probe-function", fn, "--samples", "5", "--payload", '{"item": "fig"}')


@pytest.fixture
def writes3(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every FC 3.0 UpdateAlias the emulator applies (from any process), counted on its side."""
    seen: list[str] = []
    real = Fc3Backend.update_alias

    def counting(self: Fc3Backend, function: str, name: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(f"{function}/{name}")
        return real(self, function, name, *args, **kwargs)

    monkeypatch.setattr(Fc3Backend, "update_alias", counting)
    yield seen


def fcinfra(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A fresh `fcinfra` process: only FC (the emulator) carries memory between two of them."""
    return subprocess.run([sys.executable, "-m", "fcinfra.cli.main", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_a_fresh_process_refuses_a_version_an_earlier_one_rolled_back(env: dict[str, str], fn: str,
                                                                     client3: Fc3Client) -> None:
    promoted = fcinfra(env, "fc3", "rollout", fn, "prod", "2", "--steps", "50,100", *FAST, *_gate(fn))
    assert promoted.returncode == 0, promoted.stderr
    rolled_back = fcinfra(env, "fc3", "rollout", fn, "prod", "3", "--steps", "50,100", *FAST, *_gate(fn))
    assert rolled_back.returncode == 3, rolled_back.stderr
    recorded = {k: v for k, v in client3.function_tags(fn).items() if k.startswith(KEY_PREFIX)}
    assert len(recorded) == 2 and all(len(v) <= 128 for v in recorded.values())  # on the function, FC's limits
    etag = client3.get_alias(fn, "prod").etag

    refused = fcinfra(env, "fc3", "rollout", fn, "prod", "3", "--steps", "50,100", *FAST, *_gate(fn), "-o", "json")
    assert refused.returncode == 2, refused.stderr
    assert "version 3 was rolled back on" in refused.stderr and "`fcinfra fc3 retry`" in refused.stderr
    assert json.loads(refused.stdout.splitlines()[-1])["status"] == "refused"
    assert client3.get_alias(fn, "prod").etag == etag  # nothing written

    shown = json.loads(fcinfra(env, "fc3", "history", fn, "prod", "-o", "json").stdout)
    assert [(e["from_version"], e["to_version"], e["outcome"]) for e in shown] == \
        [("1", "2", "promoted"), ("2", "3", "rolled_back")]
    assert {e["by"] for e in shown} == {env["ALIBABA_CLOUD_ACCESS_KEY_ID"]}
    assert list(shown[0]) == ["seq", "at", "alias", "from_version", "to_version", "outcome", "by", "reason"]
    assert "rolled_back" in fcinfra(env, "fc3", "history", fn, "prod").stdout

    retried = fcinfra(env, "fc3", "retry", fn, "prod", "3", "--steps", "100", "--interval", "0")
    assert retried.returncode == 0, retried.stderr  # `retry` is rollout --force, without a gate it goes through
    assert client3.get_alias(fn, "prod").version_id == "3"


def test_undo_goes_back_in_one_write_and_prune_keeps_its_target(run: Callable[..., Result], fn: str,
                                                                client3: Fc3Client, writes3: list[str]) -> None:
    assert run("fc3", "rollout", fn, "prod", "2", "--steps", "100", "--interval", "0").exit_code == 0
    assert run("fc3", "rollout", fn, "prod", "3", "--steps", "100", "--interval", "0").exit_code == 0
    client3.update_function(fn, description="4")
    client3.publish_version(fn)  # version 4: newest
    preview = json.loads(run("fc3", "versions", "prune", fn, "--keep-last", "1", "--dry-run", "-o", "json").stdout)
    assert preview["would_delete"] == ["1"]  # 2: prod's undo target (3 was promoted from it), 3: prod, 4: newest
    writes3.clear()

    undone = run("fc3", "undo", fn, "prod", "-o", "json")
    assert undone.exit_code == 0, undone.output
    assert writes3 == [f"{fn}/prod"]
    assert json.loads(undone.stdout)["status"] == "rolled_back"
    alias = client3.get_alias(fn, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("2", {})
    history = json.loads(run("fc3", "history", fn, "prod", "-o", "json").stdout)
    assert (history[-1]["from_version"], history[-1]["to_version"], history[-1]["outcome"]) == ("2", "3", "undone")
    assert run("fc3", "rollout", fn, "prod", "3", "--steps", "100", "--interval", "0").exit_code == 2  # undone

    client3.update_alias(fn, "prod", additional_version_weight={"3": 0.1})
    writes3.clear()
    live = run("fc3", "undo", fn, "prod")
    assert live.exit_code == 2 and "`fcinfra fc3 rollback" in live.stderr and writes3 == []
    client3.update_alias(fn, "prod", additional_version_weight={})
    client3.delete_version(fn, "1")  # behind fcinfra's back: prune never would, it was 2's undo target
    writes3.clear()
    gone = run("fc3", "undo", fn, "prod")
    assert gone.exit_code == 2 and "version 1" in gone.stderr and "deleted" in gone.stderr and writes3 == []


def test_abort_from_a_second_process_ends_the_rollout_aborted_with_one_write(env: dict[str, str], fn: str,
                                                                            client3: Fc3Client,
                                                                            writes3: list[str]) -> None:
    rollout = subprocess.Popen(
        [sys.executable, "-m", "fcinfra.cli.main", "fc3", "rollout", fn, "prod", "2", "--steps", "10,50,100",
         "--interval", "60s", "--check-every", "0.2s", "--probe-function", fn, "--samples", "5", "-o", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while client3.get_alias(fn, "prod").additional_version_weight != {"2": 0.1}:
            assert time.monotonic() < deadline and rollout.poll() is None, "the rollout never reached 10%"
            time.sleep(0.1)
        writes3.clear()
        stopped = fcinfra(env, "fc3", "abort", fn, "prod", "-o", "json")
        assert stopped.returncode == 0, stopped.stderr
        assert json.loads(stopped.stdout)["status"] == "aborted"
        out, err = rollout.communicate(timeout=60)
    finally:
        if rollout.poll() is None:
            rollout.kill()
    assert rollout.returncode == 1, err
    last = json.loads(out.splitlines()[-1])
    assert (last["kind"], last["status"]) == ("result", "aborted") and "aborted by" in last["reason"]
    assert writes3 == [f"{fn}/prod"]  # the abort's one write; the rollout wrote nothing after it
    alias = client3.get_alias(fn, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    shown = json.loads(fcinfra(env, "fc3", "history", fn, "prod", "-o", "json").stdout)
    assert [(e["to_version"], e["outcome"]) for e in shown] == [("2", "aborted")]  # told twice, recorded once
    writes3.clear()
    nothing = fcinfra(env, "fc3", "abort", fn, "prod")
    assert nothing.returncode == 0 and "nothing to abort" in nothing.stdout and writes3 == []


def test_watch_shows_the_running_rollouts_gate_verdicts(env: dict[str, str], run: Callable[..., Result], fn: str,
                                                        client3: Fc3Client) -> None:
    """The rollout publishes its verdicts in one function tag; another process watching sees them; the tag is
    gone when it ends and cost no alias write."""
    first, docs, result = watch_while(env, ["fc3", "status", fn, "prod"], lambda: run(
        "fc3", "rollout", fn, "prod", "2", "--steps", "50,100", "--interval", "1.5s", "--probe-function", fn,
        "--samples", "3", "-o", "json"))
    assert first["aliases"][0]["gates"] is None
    assert result.exit_code == 0, result.output
    gates = [d["aliases"][0]["gates"] for d in docs if d["aliases"][0]["gates"]]
    assert gates and gates[0]["weight"] == 50
    assert any(v["gate"].startswith("invoke") for g in gates for v in g["verdicts"])
    assert docs[-1]["aliases"][0]["gates"] is None and docs[-1]["aliases"][0]["state"] == "stable"
    assert not [k for k in client3.function_tags(fn) if k.startswith("fcinfra-gates-")]
    assert json.loads(result.stdout.splitlines()[-1])["alias_writes"] == 2


HOOK = """
import json

def handler(event, context):
    e = json.loads(event)
    assert set(e) == {"hook", "service", "alias", "from_version", "to_version"}, e
    if e["to_version"] in ("%s",):
        return json.dumps({"status": "failed", "reason": e["hook"] + " smoke test failed for " + e["service"]
                           + "/" + e["alias"] + " " + e["from_version"] + "->" + e["to_version"]})
    return json.dumps({"status": "succeeded"})
"""


@pytest.fixture
def hook(client3: Fc3Client) -> Callable[[str], str]:
    """An FC 3.0 function of its own that fails for the given to_version: returns its name."""

    def make(failing: str) -> str:
        name = f"hook{next(_names)}"
        client3.create_function(name, "python3.10", "index.handler", code=code_zip(HOOK % failing))
        return name

    return make


def _lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_failing_post_traffic_hook_rolls_back_after_100_before_success(run: Callable[..., Result], fn: str,
                                                                         client3: Fc3Client, hook: Any,
                                                                         writes3: list[str]) -> None:
    result = run("fc3", "rollout", fn, "prod", "2", "--steps", "50,100", "--interval", "0",
                 "--post-traffic-hook", hook("2"), "--post-traffic-bake", "0.2s", "-o", "json")
    assert result.exit_code == 3, result.output
    last = _lines(result)[-1]
    assert (last["kind"], last["status"], last["history"]) == ("result", "rolled_back", [50, 100, 0])
    assert f"post_traffic smoke test failed for {fn}/prod 1->2" in last["reason"]  # the event named them
    assert writes3 == [f"{fn}/prod"] * 3
    alias = client3.get_alias(fn, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    shown = json.loads(run("fc3", "history", fn, "prod", "-o", "json").stdout)
    assert [(e["to_version"], e["outcome"]) for e in shown] == [("2", "rolled_back")]


def test_a_passing_post_traffic_hook_lets_the_promotion_stand(run: Callable[..., Result], fn: str,
                                                             client3: Fc3Client, hook: Any) -> None:
    result = run("fc3", "rollout", fn, "prod", "2", "--steps", "100", "--interval", "0",
                 "--post-traffic-hook", hook("9"), "-o", "json")
    assert result.exit_code == 0, result.output
    assert "post-traffic hook" in _lines(result)[-1]["reason"] and "passed" in _lines(result)[-1]["reason"]
    assert client3.get_alias(fn, "prod").version_id == "2"


def test_a_failing_pre_traffic_hook_moves_nothing(run: Callable[..., Result], fn: str, client3: Fc3Client,
                                                  hook: Any, writes3: list[str]) -> None:
    result = run("fc3", "rollout", fn, "prod", "3", "--steps", "50,100", "--interval", "0",
                 "--pre-traffic-hook", hook("3"), "-o", "json")
    assert result.exit_code == 3, result.output
    assert _lines(result)[-1]["history"] == [] and "pre_traffic smoke test failed" in _lines(result)[-1]["reason"]
    assert writes3 == [] and client3.get_alias(fn, "prod").version_id == "1"
    again = run("fc3", "rollout", fn, "prod", "3", "--steps", "100", "--interval", "0", "--pre-traffic-hook",
                hook("9"))
    assert again.exit_code == 2 and "was rolled back" in again.stderr  # the pre-traffic failure is in the history
    missing = run("fc3", "rollout", fn, "prod", "3", "--steps", "100", "--interval", "0", "--force",
                  "--pre-traffic-hook", "no-such-hook", "-o", "json")
    assert missing.exit_code == 3 and "no-such-hook" in _lines(missing)[-1]["reason"]  # a hook that cannot run fails
    assert writes3 == []


def test_triggers_and_aliases_of_a_function(run: Callable[..., Result], fn: str, client3: Fc3Client) -> None:
    """`fcinfra fc3 trigger list|create|bind|delete` and `alias list|delete` on the function's own triggers, with
    `trigger list`'s and `alias list`'s documented JSON keys; deleting an alias a trigger invokes is refused."""
    from .test_cli_docs import documented

    docs = documented()
    created = _json_of(run("fc3", "trigger", "create", fn, "web", "-q", "prod", "-o", "json"))
    assert list(created) == docs["`trigger create`, `trigger bind`"]
    assert (created["function"], created["trigger_name"], created["qualifier"]) == (fn, "web", "prod")
    assert created["url_internet"] and client3.get_trigger(fn, "web").qualifier == "prod"
    assert client3.get_trigger(fn, "web").trigger_config == {"authType": "function", "methods": ["GET", "POST"]}
    listed = _json_of(run("fc3", "trigger", "list", fn, "-o", "json"))
    assert [list(r) for r in listed] == [docs["`trigger list`"]] and listed[0]["trigger_name"] == "web"

    bad = run("fc3", "trigger", "bind", fn, "web", "staging")
    assert bad.exit_code == 2 and f"function {fn} has no alias staging" in bad.stderr
    assert client3.get_trigger(fn, "web").qualifier == "prod"  # nothing changed
    refused = run("fc3", "alias", "delete", fn, "prod")
    assert refused.exit_code == 1 and f"{fn}/web" in refused.stderr and "`fcinfra fc3 trigger bind`" in refused.stderr
    assert f"of function {fn}" in refused.stderr and [a.alias_name for a in client3.list_aliases(fn)] == ["prod"]

    run("fc3", "alias", "set", fn, "staging", "--version", "2")
    aliases = _json_of(run("fc3", "alias", "list", fn, "-o", "json"))
    assert [a["alias_name"] for a in aliases] == ["prod", "staging"]
    assert list(aliases[0]) == docs["`alias list`"]
    bound = _json_of(run("fc3", "trigger", "bind", fn, "web", "staging", "-o", "json"))
    assert bound["qualifier"] == "staging" and client3.get_trigger(fn, "web").qualifier == "staging"
    assert _json_of(run("fc3", "alias", "delete", fn, "prod", "-o", "json")) == {"deleted": ["prod"]}
    assert [a.alias_name for a in client3.list_aliases(fn)] == ["staging"]
    assert _json_of(run("fc3", "trigger", "delete", fn, "web", "-o", "json")) == {"deleted": [f"{fn}/web"]}
    assert client3.list_triggers(fn) == []
    timer = run("fc3", "trigger", "create", fn, "nightly", "--type", "timer", "-q", "9")
    assert timer.exit_code == 2  # no --config for a timer, then no version 9: nothing created
    assert client3.list_triggers(fn) == []


def _json_of(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_notifications_and_report_of_an_fc3_rollout(run: Callable[..., Result], env: dict[str, str], fn: str,
                                                    client3: Fc3Client, receiver: Callable[..., Receiver],
                                                    tmp_path: Any) -> None:
    """--webhook (retried past two 500s, signed) and --report on `fcinfra fc3 rollout`, as on FC 2.0; no URL
    token or secret reaches the output or the function's history tags."""
    from click.testing import CliRunner

    from fcinfra.cli.main import cli

    rec = receiver([500, 500])
    path = tmp_path / "fc3.html"
    result = CliRunner().invoke(cli, ["fc3", "rollout", fn, "prod", "3", "--steps", "50,100", "--interval", "0.2s",
                                      "--check-every", "0.1s", *_gate(fn), "--webhook", rec.url, "--report",
                                      str(path), "-o", "json"],
                                env={**env, "FCINFRA_WEBHOOK_SECRET": WEBHOOK_SECRET}, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    kinds = [json.loads(body)["kind"] for _, _, body in rec.got()]
    assert kinds[0] == "start" and kinds[-1] == "rolled_back" and len(rec.requests) == len(kinds) + 2
    assert {json.loads(body)["service"] for _, _, body in rec.got()} == {fn}
    page = path.read_text()
    assert "<svg" in page and "rolled back" in page and f"{fn}/prod" in page
    tags = json.dumps(client3.function_tags(fn))
    assert any(k.startswith(KEY_PREFIX) for k in client3.function_tags(fn))
    for secret in (TOKEN, WEBHOOK_SECRET):
        assert secret not in result.stdout and secret not in result.stderr and secret not in tags
