"""Issue 12 item 3: `fcinfra abort` from a second process stops a running rollout with one write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

from click.testing import Result

from fcinfra.fc import FcClient


def test_abort_from_a_second_process_ends_the_rollout_aborted_with_one_write(env: dict[str, str], shop,
                                                                            client: FcClient,
                                                                            alias_writes: list[str]) -> None:
    s = shop.service
    rollout = subprocess.Popen(
        [sys.executable, "-m", "fcinfra.cli.main", "rollout", s, "prod", "2", "--steps", "10,50,100", "--interval",
         "60s", "--check-every", "0.2s", "--probe-function", "quote", "--samples", "5", "-o", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while client.get_alias(s, "prod").additional_version_weight != {"2": 0.1}:
            assert time.monotonic() < deadline and rollout.poll() is None, "the rollout never reached 10%"
            time.sleep(0.1)
        alias_writes.clear()
        stopped = subprocess.run([sys.executable, "-m", "fcinfra.cli.main", "abort", s, "prod", "-o", "json"],
                                 capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        assert json.loads(stopped.stdout)["status"] == "aborted"
        noticed = time.monotonic()
        out, err = rollout.communicate(timeout=60)
        noticed = time.monotonic() - noticed
    finally:
        if rollout.poll() is None:
            rollout.kill()
    assert rollout.returncode == 1, err
    assert noticed < 30  # at its next check (every 0.2 s), not at the end of the 60 s bake
    last = json.loads(out.splitlines()[-1])
    assert (last["kind"], last["status"]) == ("result", "aborted")
    assert "aborted by" in last["reason"]
    assert alias_writes == ["prod"]  # the abort's one write; the rollout wrote nothing after it
    alias = client.get_alias(s, "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    history = [(e["to_version"], e["outcome"]) for e in
               json.loads(subprocess.run([sys.executable, "-m", "fcinfra.cli.main", "history", s, "prod", "-o",
                                          "json"], capture_output=True, text=True,
                                         env={**os.environ, **env}).stdout)]
    assert history == [("2", "aborted")]  # told by both processes, recorded once


def test_abort_with_nothing_to_abort_writes_nothing(run: Callable[..., Result], shop, client: FcClient,
                                                   alias_writes: list[str]) -> None:
    result = run("abort", shop.service, "prod")
    assert result.exit_code == 0 and "nothing to abort" in result.stdout
    assert alias_writes == []


def test_a_later_rollout_ignores_an_earlier_abort_mark(run: Callable[..., Result], shop, client: FcClient) -> None:
    s = shop.service
    client.update_alias(s, "prod", version_id="1", additional_version_weight={"2": 0.1},
                        description="prod [fcinfra-rollout 0123abcd to=2 next=50 until=1]")
    assert run("abort", s, "prod").exit_code == 0
    assert client.get_alias(s, "prod").description == "prod [fcinfra-abort 0123abcd by=cli-test-ak]"
    again = run("rollout", s, "prod", "2", "--steps", "50,100", "--interval", "0", "--force")
    assert again.exit_code == 0, again.output
    assert client.get_alias(s, "prod").description == "prod"
