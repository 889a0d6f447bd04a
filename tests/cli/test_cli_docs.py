"""docs/cli.md's JSON table is what the commands print: every documented key, and no other."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from fcinfra.fc import FcClient

DOC = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
ROW = re.compile(r"^\| (`[^|]+`[^|]*) \| ([^|]+) \|$", re.MULTILINE)


def documented() -> dict[str, list[str]]:
    """Table rows as {first cell: [keys in backticks]} (only rows whose second cell lists keys)."""
    table = DOC.split("## JSON output")[1].split("Details:")[0]
    rows = {}
    for command, keys in ROW.findall(table):
        names = re.findall(r"`([a-z_]+)`", keys)
        if names:
            rows[command.strip()] = names
    return rows


def _json(result: Result) -> Any:
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


def test_the_table_is_what_the_commands_print(run: Callable[..., Result], shop, client: FcClient,
                                              tmp_path: Path) -> None:
    from fcinfra.demo.package import examples_dir

    docs = documented()
    s = shop.service
    # a timer, not an HTTP trigger: `invoke` below goes through InvokeFunction, which FC 2.0 refuses for a function
    # with an HTTP trigger
    client.create_trigger(s, "quote", "timer-prod", "timer", {"cronExpression": "@every 5m", "enable": True},
                          qualifier="prod")
    seen: dict[str, list[str]] = {}
    seen["`deploy`"] = list(_json(run("deploy", s, "quote", str(examples_dir() / "functions" / "v2"), "--publish",
                                      "-o", "json")))
    seen["`versions list`"] = list(_json(run("versions", "list", s, "-o", "json"))[0])
    client.update_function(s, "quote", description="changed")
    seen["`versions publish`"] = list(_json(run("versions", "publish", s, "-o", "json")))
    seen["`versions prune`"] = list(_json(run("versions", "prune", s, "--dry-run", "-o", "json")))
    seen["`alias get`, `alias set`"] = list(_json(run("alias", "set", s, "staging", "--version", "2", "-o", "json")))
    assert list(_json(run("alias", "get", s, "staging", "-o", "json"))) == seen["`alias get`, `alias set`"]
    seen["`invoke`"] = list(_json(run("invoke", s, "quote", "-q", "prod", "-p", '{"item": "pear"}', "-o", "json")))
    seen["`invoke -n N` (N > 1)"] = list(_json(run("invoke", s, "quote", "-q", "prod", "-n", "3", "-o", "json")))
    seen["`traffic`"] = list(_json(run("traffic", s, "prod", "-f", "quote", "--rate", "100", "-n", "3", "-o", "json")))
    status = _json(run("status", s, "-o", "json"))
    seen["`status`"] = list(status)
    seen["`status --watch`: each line"] = [*status, "at"]  # checked for real in test_cli_watch.py
    seen["`status`: each of `aliases`"] = list(status["aliases"][0])
    seen["`status`: each of `versions`"] = list(status["versions"][0])
    seen["`rollout --dry-run`"] = list(_json(run("rollout", s, "prod", "2", "--dry-run", "-o", "json")))
    lines = [json.loads(line) for line in run("rollout", s, "prod", "2", "--steps", "50,100", "--interval", "0",
                                               "-o", "json").stdout.splitlines()]
    assert {tuple(e) for e in lines[:-1]} == {tuple(docs["`rollout`: each event line"])}
    seen["`rollout`: each event line"] = list(lines[0])
    seen["`rollout`: the last line"] = list(lines[-1])
    refused = run("rollout", s, "prod", "99", "-o", "json")
    assert refused.exit_code == 2
    seen["`rollout`: the last line when it ends early"] = list(json.loads(refused.stdout.splitlines()[-1]))
    operator = "`promote`, `rollback`, `undo`, `abort`"
    seen[operator] = list(_json(run("rollback", s, "prod", "--to-version", "1", "-o", "json")))
    seen["`history`"] = list(_json(run("history", s, "prod", "-o", "json"))[0])
    assert run("rollout", s, "prod", "2", "--steps", "100", "--interval", "0", "--force").exit_code == 0
    assert list(_json(run("undo", s, "prod", "-o", "json"))) == seen["`promote`, `rollback`, `undo`, `abort`"]
    client.update_alias(s, "prod", version_id="1", additional_version_weight={"2": 0.5})
    assert list(_json(run("abort", s, "prod", "-o", "json"))) == seen["`promote`, `rollback`, `undo`, `abort`"]
    seen["`versions delete`"] = list(_json(run("versions", "delete", s, "3", "-o", "json")))
    seen["`alias list`"] = list(_json(run("alias", "list", s, "-o", "json"))[0])
    seen["`trigger create`, `trigger bind`"] = list(_json(run("trigger", "create", s, "quote", "t1", "-q", "prod",
                                                              "-o", "json")))
    assert list(_json(run("trigger", "bind", s, "quote", "t1", "2", "-o", "json"))) == \
        seen["`trigger create`, `trigger bind`"]
    seen["`trigger list`"] = list(_json(run("trigger", "list", s, "-o", "json"))[0])
    seen["`trigger delete`"] = list(_json(run("trigger", "delete", s, "quote", "t1", "-o", "json")))
    seen["`alias delete`"] = list(_json(run("alias", "delete", s, "staging", "-o", "json")))

    assert docs["`promote`, `rollback`, `undo`, `abort`"] == ["kind"]  # "the keys of rollout's last line, without kind"
    docs["`promote`, `rollback`, `undo`, `abort`"] = [k for k in docs["`rollout`: the last line"] if k != "kind"]
    assert seen == docs
