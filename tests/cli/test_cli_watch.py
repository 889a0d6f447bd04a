"""Issue 12 item 3: `fcinfra status --watch` shows a rollout live (a second process) until it ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

from click.testing import Result

from fcinfra.fc import FcClient


def test_watch_shows_each_weight_and_ends_with_the_rollout(env: dict[str, str], run: Callable[..., Result], shop,
                                                          client: FcClient) -> None:
    watcher = subprocess.Popen([sys.executable, "-m", "fcinfra.cli.main", "status", shop.service, "prod", "--watch",
                                "--every", "0.1s", "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, **env})
    try:
        first = watcher.stdout.readline()  # type: ignore[union-attr]  (the watcher is up and has looked once)
        assert json.loads(first)["aliases"][0]["state"] == "stable"
        result = run("rollout", shop.service, "prod", "2", "--steps", "50,100", "--interval", "1.5s")
        assert result.exit_code == 0, result.output
        rest, err = watcher.communicate(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert watcher.returncode == 0, err
    docs = [json.loads(first)] + [json.loads(line) for line in rest.splitlines()]
    seen = [(d["aliases"][0]["main_version"], d["aliases"][0]["canary_weight"], d["aliases"][0]["state"])
            for d in docs]
    assert ("1", 50, "rollout_in_progress") in seen
    assert seen[-1] == ("2", 0, "stable")
    assert all(d["at"] <= time.time() for d in docs)
    assert all(list(d) == ["service", "aliases", "triggers", "versions", "at"] for d in docs)  # docs/cli.md's row
