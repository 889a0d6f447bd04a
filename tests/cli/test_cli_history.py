"""Issue 12 items 1 and 2 against the emulator: release history in the service's tags read by fresh processes,
`fcinfra history`, `fcinfra undo` (one alias write) and a prune that never removes the undo target."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

from click.testing import Result

from fcinfra.fc import FcClient

FAST = ("--interval", "0.2s", "--check-every", "0.1s")
GATE = ("--probe-function", "quote", "--samples", "5", "--payload", '{"item": "fig"}')


def fcinfra(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A fresh `fcinfra` process: nothing but FC (the emulator) carries memory between two of them."""
    return subprocess.run([sys.executable, "-m", "fcinfra.cli.main", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_a_fresh_process_refuses_a_version_an_earlier_process_rolled_back(env: dict[str, str], shop,
                                                                          client: FcClient) -> None:
    s = shop.service
    promoted = fcinfra(env, "rollout", s, "prod", "2", "--steps", "50,100", *FAST, *GATE)
    assert promoted.returncode == 0, promoted.stderr
    rolled_back = fcinfra(env, "rollout", s, "prod", "3", "--steps", "50,100", *FAST, *GATE)
    assert rolled_back.returncode == 3, rolled_back.stderr
    etag = client.get_alias(s, "prod").etag

    refused = fcinfra(env, "rollout", s, "prod", "3", "--steps", "50,100", *FAST, *GATE, "-o", "json")
    assert refused.returncode == 2, refused.stderr
    assert "version 3 was rolled back on" in refused.stderr and "--force" in refused.stderr
    assert json.loads(refused.stdout.splitlines()[-1])["status"] == "refused"
    assert client.get_alias(s, "prod").etag == etag  # nothing written

    shown = json.loads(fcinfra(env, "history", s, "prod", "-o", "json").stdout)
    assert [(e["from_version"], e["to_version"], e["outcome"]) for e in shown] == \
        [("1", "2", "promoted"), ("2", "3", "rolled_back")]
    assert {e["by"] for e in shown} == {env["ALIBABA_CLOUD_ACCESS_KEY_ID"]}
    assert "error" in shown[1]["reason"]
    text = fcinfra(env, "history", s, "prod").stdout
    assert "rolled_back" in text and "promoted" in text

    forced = fcinfra(env, "rollout", s, "prod", "3", "--steps", "100", "--interval", "0", "--force")
    assert forced.returncode == 0, forced.stderr  # --force: no gate this time, it goes through
    assert client.get_alias(s, "prod").version_id == "3"


def test_undo_goes_back_to_the_previous_main_version_in_one_write(run: Callable[..., Result], shop, client: FcClient,
                                                                  alias_writes: list[str]) -> None:
    s = shop.service
    assert run("rollout", s, "prod", "2", "--steps", "50,100", "--interval", "0").exit_code == 0
    assert run("rollout", s, "prod", "3", "--steps", "100", "--interval", "0").exit_code == 0
    alias_writes.clear()

    undone = run("undo", s, "prod", "-o", "json")
    assert undone.exit_code == 0, undone.output
    assert alias_writes == ["prod"]
    assert client.get_alias(s, "prod").version_id == "2"
    assert client.get_alias(s, "prod").additional_version_weight == {}
    assert json.loads(undone.stdout)["status"] == "rolled_back"
    history = json.loads(run("history", s, "prod", "-o", "json").stdout)
    assert (history[-1]["from_version"], history[-1]["to_version"], history[-1]["outcome"]) == ("2", "3", "undone")

    # undone: canarying 3 again needs --force, like a rollback
    assert run("rollout", s, "prod", "3", "--steps", "100", "--interval", "0").exit_code == 2
    # a second undo goes one further back: 2 was promoted from 1
    alias_writes.clear()
    assert run("undo", s, "prod").exit_code == 0
    assert alias_writes == ["prod"] and client.get_alias(s, "prod").version_id == "1"
    # version 1 was never promoted by fcinfra: nothing recorded to go back to
    alias_writes.clear()
    nothing = run("undo", s, "prod")
    assert nothing.exit_code == 2 and "no previous version" in nothing.stderr
    assert alias_writes == []


def test_undo_is_refused_when_the_previous_version_is_gone_or_a_canary_is_live(run: Callable[..., Result], shop,
                                                                              client: FcClient,
                                                                              alias_writes: list[str]) -> None:
    s = shop.service
    assert run("rollout", s, "prod", "2", "--steps", "100", "--interval", "0").exit_code == 0
    client.update_alias(s, "prod", version_id="2", additional_version_weight={"3": 0.1})
    alias_writes.clear()
    live = run("undo", s, "prod")
    assert live.exit_code == 2 and "fcinfra rollback" in live.stderr

    client.update_alias(s, "prod", version_id="2", additional_version_weight={})
    client.delete_version(s, "1")  # behind fcinfra's back: prune would never do it
    alias_writes.clear()
    gone = run("undo", s, "prod")
    assert gone.exit_code == 2 and "version 1" in gone.stderr and "deleted" in gone.stderr
    assert alias_writes == [] and client.get_alias(s, "prod").version_id == "2"


def test_prune_never_deletes_the_undo_target_and_asks_first(run: Callable[..., Result], shop,
                                                            client: FcClient) -> None:
    s = shop.service
    assert run("rollout", s, "prod", "2", "--steps", "100", "--interval", "0").exit_code == 0
    client.update_function(s, "quote", description="4")
    client.publish_version(s)  # version 4: newest; 1 is unused by any alias but is prod's undo target

    preview = json.loads(run("versions", "prune", s, "--keep-last", "1", "--dry-run", "-o", "json").stdout)
    assert preview["would_delete"] == ["3"]  # 1: undo target, 2: prod, 4: newest

    asked = run("versions", "prune", s, "--keep-last", "1")  # no terminal answer: nothing deleted
    assert asked.exit_code == 1
    assert "delete versions 3" in asked.stderr
    assert {v.version_id for v in client.list_versions(s)} == {"1", "2", "3", "4"}

    pruned = run("versions", "prune", s, "--keep-last", "0", "--yes", "-o", "json")
    assert json.loads(pruned.stdout)["deleted"] == ["3", "4"]
    assert {v.version_id for v in client.list_versions(s)} == {"1", "2"}
    assert run("undo", s, "prod").exit_code == 0
    assert client.get_alias(s, "prod").version_id == "1"


def test_prune_answered_yes_on_the_terminal_deletes(run: Callable[..., Result], env: dict[str, str], shop,
                                                    client: FcClient) -> None:
    from click.testing import CliRunner

    from fcinfra.cli.main import cli

    result = CliRunner().invoke(cli, ["versions", "prune", shop.service, "--keep-last", "1"], env=env, input="y\n")
    assert result.exit_code == 0, result.output
    assert {v.version_id for v in client.list_versions(shop.service)} == {"1", "3"}


def test_retry_is_rollout_with_force(run: Callable[..., Result], shop, client: FcClient) -> None:
    s = shop.service
    assert run("rollout", s, "prod", "3", "--steps", "100", *FAST, *GATE).exit_code == 3
    assert run("rollout", s, "prod", "3", "--steps", "100", "--interval", "0").exit_code == 2
    retried = run("retry", s, "prod", "3", "--steps", "100", "--interval", "0", "-o", "json")
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.stdout.splitlines()[-1])["status"] == "promoted"
    assert client.get_alias(s, "prod").version_id == "3"
    assert "rollout" in run("retry", "--help").stdout


def test_without_a_region_history_is_unavailable_and_the_release_goes_on(env: dict[str, str], shop,
                                                                         client: FcClient) -> None:
    from click.testing import CliRunner

    from fcinfra.cli.main import cli

    bare = {k: v for k, v in env.items() if k != "ALIBABA_CLOUD_REGION"}  # only --endpoint: no ARN to tag
    result = CliRunner().invoke(cli, ["rollout", shop.service, "prod", "2", "--steps", "100", "--interval", "0"],
                                env={**bare, "ALIBABA_CLOUD_REGION": ""})
    assert result.exit_code == 0, result.output
    assert "release history unavailable" in result.stderr and "release history not recorded" in result.stderr
    assert client.get_alias(shop.service, "prod").version_id == "2"
    assert client.service_tags(shop.service) == {}
