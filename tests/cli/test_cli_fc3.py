"""`fcinfra fc3 ...` against the emulator's FC 3.0 API: the FC 2.0 commands' options, JSON and exit statuses."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from click.testing import Result

from fcinfra.fc3 import Fc3Client

_names = itertools.count(1)


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


def test_versions_and_alias_are_the_functions(run: Callable[..., Result], fn: str, client3: Fc3Client) -> None:
    listed = _json(run("fc3", "versions", "list", fn, "-o", "json"))
    assert [v["version_id"] for v in listed] == ["3", "2", "1"]
    assert listed[2]["aliases"] == ["prod"]
    got = _json(run("fc3", "alias", "set", fn, "prod", "--version", "1", "--canary-version", "2", "--weight", "10",
                    "-o", "json"))
    assert got["additional_version_weight"] == {"2": 0.1}
    assert client3.get_alias(fn, "prod").additional_version_weight == {"2": 0.1}  # written on FC 3.0
    assert _json(run("fc3", "alias", "get", fn, "prod", "-o", "json"))["version_id"] == "1"
    # the same usage errors as FC 2.0's `alias set`
    assert run("fc3", "alias", "set", fn, "prod", "--version", "1", "--weight", "10").exit_code == 2


def test_versions_delete_and_prune_keep_what_an_alias_uses(run: Callable[..., Result], fn: str,
                                                           client3: Fc3Client) -> None:
    refused = run("fc3", "versions", "delete", fn, "1")
    assert refused.exit_code == 1 and "prod" in refused.stderr
    dry = _json(run("fc3", "versions", "prune", fn, "--keep-last", "0", "--dry-run", "-o", "json"))
    assert dry == {"dry_run": True, "deleted": [], "would_delete": ["2", "3"]}
    assert [v.version_id for v in client3.list_versions(fn)] == ["3", "2", "1"]
    assert _json(run("fc3", "versions", "delete", fn, "3", "-o", "json")) == {"deleted": ["3"]}
    assert [v.version_id for v in client3.list_versions(fn)] == ["2", "1"]


def test_invoke_shows_the_version_the_alias_resolved_to(run: Callable[..., Result], fn: str,
                                                        client3: Fc3Client) -> None:
    one = _json(run("fc3", "invoke", fn, "-q", "prod", "-p", '{"item": "pear", "qty": 2}', "-o", "json"))
    assert one["version_id"] == "1" and one["status_code"] == 200 and one["error_type"] is None
    assert one["by_version"] == {"1": {"calls": 1, "errors": 0}}
    bad = run("fc3", "invoke", fn, "-q", "3", "-p", '{"item": "fig", "qty": 1}', "-o", "json")
    assert bad.exit_code == 1 and _json(bad)["error_type"]  # a function error: exit 1, as on FC 2.0
    client3.update_alias(fn, "prod", additional_version_weight={"2": 0.5})
    many = _json(run("fc3", "invoke", fn, "-q", "prod", "-n", "30", "-o", "json"))
    assert many["calls"] == 30 and set(many["by_version"]) == {"1", "2"}


def test_rollout_promotes_a_healthy_version(run: Callable[..., Result], fn: str, client3: Fc3Client) -> None:
    result = run("fc3", "rollout", fn, "prod", "2", "--steps", "50,100", "--interval", "0.2s",
                 "--probe-function", fn, "--payload", '{"item": "fig", "qty": 1}', "--samples", "3", "-o", "json")
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["kind"] == "result" and last["status"] == "promoted" and last["history"] == [50, 100]
    alias = client3.get_alias(fn, "prod")
    assert alias.version_id == "2" and not alias.additional_version_weight


def test_rollout_rolls_back_a_bad_version(run: Callable[..., Result], fn: str, client3: Fc3Client) -> None:
    result = run("fc3", "rollout", fn, "prod", "3", "--steps", "50,100", "--interval", "0.2s",
                 "--probe-function", fn, "--payload", '{"item": "fig", "qty": 1}', "--samples", "3",
                 "--probe-mode", "direct", "-o", "json")
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout.splitlines()[-1])["status"] == "rolled_back"
    alias = client3.get_alias(fn, "prod")
    assert alias.version_id == "1" and not alias.additional_version_weight


def test_rollout_refusals_are_exit_2(run: Callable[..., Result], fn: str) -> None:
    other = run("fc3", "rollout", fn, "prod", "2", "--probe-function", "another")
    assert other.exit_code == 2 and "belongs to function" in other.output
    missing = run("fc3", "rollout", fn, "prod", "9", "--dry-run")
    assert missing.exit_code == 2 and f"version 9 of function '{fn}' does not exist" in missing.stderr
    assert f"`fcinfra fc3 versions publish {fn}`" in missing.stderr  # FC 3.0's words and commands, not FC 2.0's
    no_alias = run("fc3", "rollout", fn, "staging", "2")
    assert no_alias.exit_code == 2 and f"alias 'staging' of function '{fn}'" in no_alias.stderr
    assert f"`fcinfra fc3 alias set {fn} staging --version N`" in no_alias.stderr
    newer = run("fc3", "rollback", fn, "prod", "--to-version", "2")
    assert newer.exit_code == 2 and f"`fcinfra fc3 promote {fn} prod --version 2`" in newer.stderr
    for result in (missing, no_alias, newer):
        assert "service" not in result.stderr
    dry = _json(run("fc3", "rollout", fn, "prod", "2", "--steps", "10,100", "--dry-run", "-o", "json"))
    assert dry["service"] == fn and dry["next_weights"] == [10, 100]
    hooked = run("fc3", "rollout", fn, "prod", "2", "--pre-traffic-hook", f"svc/{fn}")  # FC 3.0 has no services
    assert hooked.exit_code == 2 and "FC 3.0 has no services" in hooked.output
    gated = run("fc3", "rollout", fn, "prod", "2", "--gate", "sls:project=p,logstore=l")
    assert gated.exit_code == 2 and "not available on FC 3.0" in gated.output


def test_promote_rollback_and_status(run: Callable[..., Result], fn: str, client3: Fc3Client) -> None:
    client3.create_trigger(fn, "web", "http", {"authType": "anonymous", "methods": ["GET"]}, qualifier="prod")
    client3.update_alias(fn, "prod", additional_version_weight={"2": 0.1})
    status = _json(run("fc3", "status", fn, "-o", "json"))
    assert status["service"] == fn
    (prod,) = status["aliases"]
    assert (prod["main_version"], prod["canary_version"], prod["canary_weight"]) == ("1", "2", 10)
    assert [t["qualifier"] for t in status["triggers"]] == ["prod"]
    back = _json(run("fc3", "rollback", fn, "prod", "-o", "json"))
    assert back["status"] == "rolled_back"
    assert client3.get_alias(fn, "prod").additional_version_weight == {}
    client3.update_alias(fn, "prod", additional_version_weight={"2": 0.1})
    full = _json(run("fc3", "promote", fn, "prod", "--full", "-o", "json"))
    assert full["status"] == "promoted" and client3.get_alias(fn, "prod").version_id == "2"
    older = run("fc3", "rollback", fn, "prod", "--to-version", "3")
    assert older.exit_code == 2  # a newer version is a release, not a rollback


def test_deploy_creates_updates_and_publishes_once(run: Callable[..., Result], client3: Fc3Client) -> None:
    from fcinfra.demo.package import examples_dir

    name = f"dep{next(_names)}"
    v1, v2 = (str(examples_dir() / "functions" / v) for v in ("v1", "v2"))
    first = _json(run("fc3", "deploy", name, v1, "--memory-size", "256", "--publish", "-d", "v1", "-o", "json"))
    assert first == {"service": name, "function": name, "action": "created", "version_id": "1", "published": True}
    assert client3.get_function(name).memory_size == 256
    again = _json(run("fc3", "deploy", name, v1, "--publish", "-o", "json"))
    assert (again["action"], again["version_id"], again["published"]) == ("unchanged", "1", False)
    second = _json(run("fc3", "deploy", name, v2, "--publish", "-o", "json"))
    assert (second["action"], second["version_id"], second["published"]) == ("updated", "2", True)
    assert [v.version_id for v in client3.list_versions(name)] == ["2", "1"]
    never = f"dep{next(_names)}"
    bad = run("fc3", "deploy", never, v1, "--memory-size", "100")
    assert bad.exit_code == 2  # checked before anything is created
    assert never not in {f.function_name for f in client3.list_functions()}


def test_every_fc3_command_is_documented_and_prints_the_documented_keys(run: Callable[..., Result], fn: str) -> None:
    import re

    import click

    from fcinfra.cli.commands_fc3 import fc3

    from .test_cli_docs import DOC, documented

    section = DOC.split("## FC 3.0: `fcinfra fc3`")[1]
    in_docs = set(re.findall(r"^\| `fcinfra fc3 ([a-z]+(?: [a-z]+)?) [A-Z]", section, re.MULTILINE))

    def names(group: click.Group, prefix: str = "") -> set[str]:
        found: set[str] = set()
        for name, command in group.commands.items():
            found |= names(command, f"{prefix}{name} ") if isinstance(command, click.Group) else {prefix + name}
        return found

    assert in_docs == names(fc3)
    docs = documented()
    assert list(_json(run("fc3", "versions", "list", fn, "-o", "json"))[0]) == docs["`versions list`"]
    assert list(_json(run("fc3", "versions", "prune", fn, "--dry-run", "-o", "json"))) == docs["`versions prune`"]
    assert list(_json(run("fc3", "alias", "get", fn, "prod", "-o", "json"))) == docs["`alias get`, `alias set`"]
    assert list(_json(run("fc3", "invoke", fn, "-q", "prod", "-o", "json"))) == docs["`invoke`"]
    status = _json(run("fc3", "status", fn, "-o", "json"))
    assert list(status) == docs["`status`"] and list(status["aliases"][0]) == docs["`status`: each of `aliases`"]
    assert list(status["versions"][0]) == docs["`status`: each of `versions`"]
    dry = _json(run("fc3", "rollout", fn, "prod", "2", "--dry-run", "-o", "json"))
    assert list(dry) == docs["`rollout --dry-run`"]
