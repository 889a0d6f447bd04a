"""Issue 12 item 3: `fcinfra status --watch` shows a rollout live (a second process) until it ends."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from click.testing import Result

from fcinfra.fc import FcClient

from .conftest import watch_while


def test_watch_shows_each_weight_and_ends_with_the_rollout(env: dict[str, str], run: Callable[..., Result], shop,
                                                          client: FcClient) -> None:
    first, rest, result = watch_while(env, ["status", shop.service, "prod"], lambda: run(
        "rollout", shop.service, "prod", "2", "--steps", "50,100", "--interval", "1.5s"))
    assert first["aliases"][0]["state"] == "stable"  # the watcher was up and had looked once
    assert result.exit_code == 0, result.output
    docs = [first, *rest]
    seen = [(d["aliases"][0]["main_version"], d["aliases"][0]["canary_weight"], d["aliases"][0]["state"])
            for d in docs]
    assert ("1", 50, "rollout_in_progress") in seen
    assert seen[-1] == ("2", 0, "stable")
    assert all(d["at"] <= time.time() for d in docs)
    assert all(list(d) == ["service", "aliases", "triggers", "versions", "at"] for d in docs)  # docs/cli.md's row


def test_watch_shows_the_running_rollouts_gate_verdicts(env: dict[str, str], run: Callable[..., Result], shop,
                                                        client: FcClient) -> None:
    """The rollout publishes its latest verdicts in one service tag (fcinfra/gate_board.py): another process
    sees them; the rollout makes no extra alias write for it, and the tag is gone when it ends."""
    first, docs, result = watch_while(env, ["status", shop.service, "prod"], lambda: run(
        "rollout", shop.service, "prod", "2", "--steps", "50,100", "--interval", "1.5s", "--probe-function", "quote",
        "--samples", "3", "-o", "json"))
    assert first["aliases"][0]["gates"] is None
    assert result.exit_code == 0, result.output
    gates = [d["aliases"][0]["gates"] for d in docs if d["aliases"][0]["gates"]]
    assert gates and gates[0]["weight"] == 50
    assert {v["status"] for g in gates for v in g["verdicts"]} <= {"pass", "fail", "inconclusive"}
    assert any(v["gate"].startswith("invoke") for g in gates for v in g["verdicts"])
    assert docs[-1]["aliases"][0]["gates"] is None and docs[-1]["aliases"][0]["state"] == "stable"
    assert not [k for k in client.service_tags(shop.service) if k.startswith("fcinfra-gates-")]
    result_line = json.loads(result.stdout.splitlines()[-1])
    assert result_line["alias_writes"] == 2  # 50 %, 100 %: the verdicts cost no alias write
