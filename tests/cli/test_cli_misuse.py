"""How people misuse the CLI: each mistake is one clear line and a sensible exit status, and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from fcinfra.cli.main import cli
from fcinfra.fc import FcClient


def _plain_env(env: dict[str, str], **changes: str | None) -> dict[str, str | None]:
    """The user's environment with some variables removed (None) or changed; nothing else leaks in."""
    names = ("FC_ENDPOINT", "ALIBABA_CLOUD_ACCOUNT_ID", "ALIBABA_CLOUD_REGION", "ALIBABA_CLOUD_ACCESS_KEY_ID",
             "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCOUNT_ID", "ALICLOUD_REGION", "ALICLOUD_ACCESS_KEY",
             "ALICLOUD_SECRET_KEY", "ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ENDPOINT_FC")
    return {**{n: None for n in names}, **env, **changes}


def test_missing_secret_names_the_variable_and_the_emulator(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["status", "svc"], env=_plain_env(env, ALIBABA_CLOUD_ACCESS_KEY_SECRET=None))

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no credentials: set ALIBABA_CLOUD_ACCESS_KEY_SECRET.")
    assert "fcinfra emulator --access-key" in result.stderr
    assert "Pulumi" not in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_endpoint_names_the_flags(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["status", "svc"], env=_plain_env(env, FC_ENDPOINT=None,
                                                                          ALIBABA_CLOUD_REGION=None))

    assert result.exit_code == 1
    assert "no FC endpoint: set --region / ALIBABA_CLOUD_REGION" in result.stderr
    assert "--endpoint / FC_ENDPOINT" in result.stderr


def test_wrong_secret_is_one_line_naming_the_signature(env: dict[str, str], shop) -> None:
    result = CliRunner().invoke(cli, ["status", shop.service], env={**env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "nope"})

    assert result.exit_code == 1
    assert "SignatureNotMatch" in result.stderr and "nope" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("version", ["LATEST", "prod", "0", "-1"])
def test_rollout_to_something_that_is_not_a_published_version_is_usage(run: Callable[..., Result], shop,
                                                                      client: FcClient, version: str) -> None:
    before = client.get_alias(shop.service, "prod").etag
    result = run("rollout", shop.service, "prod", "--", version) if version.startswith("-") else run(
        "rollout", shop.service, "prod", version)

    assert result.exit_code == 2
    assert "is not a published version number" in result.stderr and "versions publish" in result.stderr
    assert client.get_alias(shop.service, "prod").etag == before


def test_rollout_to_a_missing_alias_shows_only_the_error(run: Callable[..., Result], shop) -> None:
    result = run("rollout", shop.service, "nosuch", "2", "--interval", "0")

    assert result.exit_code == 2  # found before traffic moves: refused like a typo, nothing written
    assert "alias 'nosuch' of service" in result.stderr and "AliasNotFound" in result.stderr
    assert result.stdout == ""  # no "Rolling out ..." header for a rollout that never started


def test_rollout_to_a_missing_version_changes_nothing(run: Callable[..., Result], shop, client: FcClient) -> None:
    before = client.get_alias(shop.service, "prod")
    result = run("rollout", shop.service, "prod", "99", "--interval", "0")

    assert result.exit_code == 2 and f"version 99 of service '{shop.service}' does not exist" in result.stderr
    after = client.get_alias(shop.service, "prod")
    assert (after.version_id, after.additional_version_weight) == (before.version_id, before.additional_version_weight)


def test_interrupted_json_rollout_ends_with_a_result_line(run: Callable[..., Result], shop,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from fcinfra.rollout import Rollout

    def interrupted(self: Rollout) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Rollout, "run", interrupted)
    result = run("rollout", shop.service, "prod", "2", "-o", "json")

    assert result.exit_code == 130
    last = json.loads(result.stdout.splitlines()[-1])
    assert last == {"kind": "result", "status": "interrupted", "service": shop.service, "alias": "prod",
                    "to_version": "2", "weight": 0, "reason": "interrupted by Ctrl-C"}
    assert "Run the same command to resume" in result.stderr


def test_json_rollout_events_all_have_the_same_keys(run: Callable[..., Result], shop) -> None:
    result = run("rollout", shop.service, "prod", "2", "--steps", "50,100", "--interval", "0", "-o", "json")

    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert {tuple(e) for e in events[:-1]} == {("kind", "at", "message", "service", "alias", "to_version", "weight",
                                                 "data")}
    assert events[-1]["kind"] == "result" and events[-1]["status"] == "promoted"


@pytest.mark.parametrize(("args", "message"), [
    (("--canary-version", "2", "--weight", "10", "--canary-version", "3", "--weight", "5"), "at most one canary"),
    (("--canary-version", "2", "--weight", "10.5"), "Invalid value for --weight: '10.5' is not a whole percentage"),
    (("--canary-version", "2", "--weight", "101"), "Invalid value for --weight: 101 is above 100"),
    (("--canary-version", "1", "--weight", "10"), "Invalid value for --canary-version: version 1 is already the main"),
    (("--canary-version", "2"), "--canary-version and --weight go together"),
])
def test_alias_set_misuse_is_a_usage_error(run: Callable[..., Result], shop, client: FcClient,
                                           args: tuple[str, ...], message: str) -> None:
    before = client.get_alias(shop.service, "prod").etag
    result = run("alias", "set", shop.service, "prod", "--version", "1", *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert client.get_alias(shop.service, "prod").etag == before


def test_status_of_one_alias_still_counts_versions_other_aliases_use(run: Callable[..., Result], shop,
                                                                     client: FcClient) -> None:
    client.create_alias(shop.service, "staging", "3", additional_version_weight={"2": 0.1})
    doc = json.loads(run("status", shop.service, "prod", "-o", "json").stdout)

    used = {v["version_id"]: v["used_by"] for v in doc["versions"]}
    assert [a["alias"] for a in doc["aliases"]] == ["prod"]
    assert used == {"3": ["staging"], "2": ["staging (10%)"], "1": ["prod"]}


def test_versions_delete_of_a_referenced_version_refuses(run: Callable[..., Result], shop, client: FcClient) -> None:
    result = run("versions", "delete", shop.service, "1")

    assert result.exit_code == 1
    assert "still in use by: alias prod" in result.stderr
    assert "1" in [v.version_id for v in client.list_versions(shop.service)]


def test_prune_dry_run_deletes_nothing(run: Callable[..., Result], shop, client: FcClient) -> None:
    doc = json.loads(run("versions", "prune", shop.service, "--keep-last", "1", "--dry-run", "-o", "json").stdout)

    assert doc == {"dry_run": True, "deleted": [], "would_delete": ["2"]}  # 3 is the newest, 1 serves prod
    assert [v.version_id for v in client.list_versions(shop.service)] == ["3", "2", "1"]


def test_nothing_to_promote_or_roll_back_says_what_to_name(run: Callable[..., Result], shop) -> None:
    promote = run("promote", shop.service, "prod")
    rollback = run("rollback", shop.service, "prod")

    assert promote.exit_code == 1 and "has no canary; name the version to promote" in promote.stderr
    assert rollback.exit_code == 0 and "nothing to do: " in rollback.stdout  # a stable alias has nothing to undo
    assert "to_version" not in promote.stderr + rollback.stderr  # the library's words suit the CLI as they are


def test_promote_of_an_older_and_rollback_to_a_newer_version_are_refused(run: Callable[..., Result], shop,
                                                                         client: FcClient) -> None:
    client.update_alias(shop.service, "prod", version_id="2")
    before = client.get_alias(shop.service, "prod").etag
    older = run("promote", shop.service, "prod", "--version", "1")
    newer = run("rollback", shop.service, "prod", "--to-version", "3")
    same = run("rollback", shop.service, "prod", "--to-version", "2")

    assert older.exit_code == 2 and "use `fcinfra rollback" in older.stderr
    assert newer.exit_code == 2 and "is newer than version 2" in newer.stderr
    assert same.exit_code == 0 and "nothing to do" in same.stdout
    assert client.get_alias(shop.service, "prod").etag == before


def test_unreadable_payload_file_names_the_option(run: Callable[..., Result], shop, tmp_path) -> None:
    result = run("invoke", shop.service, "quote", "-p", f"@{tmp_path / 'missing.json'}")

    assert result.exit_code == 2
    assert "Invalid value for --payload: cannot read payload file" in result.stderr


@pytest.mark.parametrize("args", [
    ("rollout", "svc", "prod", "2", "--interval", "5 minutes"),
    ("rollout", "svc", "prod", "2", "--timeout", "-1"),
    ("rollout", "svc", "prod", "2", "--check-every", "x"),
    ("status", "svc", "--steps", "10,100", "--interval", "1d"),
    ("demo", "--interval", "fast"),
])
def test_a_bad_duration_names_its_option(args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, list(args))

    assert result.exit_code == 2
    flag = next(a for a in args if a in ("--interval", "--timeout", "--check-every"))
    assert f"Invalid value for '{flag}'" in result.stderr and "is not a duration" in result.stderr


def test_deploy_of_a_folder_without_the_handler_module_creates_nothing(run: Callable[..., Result],
                                                                       client: FcClient) -> None:
    from fcinfra.demo.package import examples_dir
    from fcinfra.errors import NotFoundError

    functions = examples_dir() / "functions"
    result = run("deploy", "wrong-folder", "quote", str(functions), "--publish")

    assert result.exit_code == 2
    assert f"has no index.py for handler index.handler (did you mean {functions / 'v1'}?)" in result.stderr
    with pytest.raises(NotFoundError):
        client.get_service("wrong-folder")


def test_deploy_applies_handler_and_runtime_to_an_existing_function(run: Callable[..., Result], shop,
                                                                    client: FcClient, tmp_path) -> None:
    (tmp_path / "main.py").write_text("def handler(event, context):\n    return 'ok'\n")
    missing = run("deploy", shop.service, "quote", str(tmp_path))  # quote's own handler needs index.py
    result = run("deploy", shop.service, "quote", str(tmp_path), "--handler", "main.handler", "--runtime",
                 "python3.9", "-o", "json")

    assert missing.exit_code == 2 and "has no index.py for handler index.handler" in missing.stderr
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["action"] == "updated"
    fn = client.get_function(shop.service, "quote")
    assert (fn.handler, fn.runtime) == ("main.handler", "python3.9")  # never silently ignored


@pytest.mark.parametrize("option", [("--memory-size", "100"), ("--timeout", "0"), ("--memory-size", "99999")])
def test_deploy_validates_every_value_before_creating_anything(run: Callable[..., Result], client: FcClient,
                                                               option: tuple[str, str]) -> None:
    from fcinfra.demo.package import examples_dir
    from fcinfra.errors import NotFoundError

    result = run("deploy", "bad-settings", "quote", str(examples_dir() / "functions" / "v1"), *option)

    assert result.exit_code == 2, result.output
    assert option[0].lstrip("-").replace("-", "_") in result.stderr
    with pytest.raises(NotFoundError):
        client.get_service("bad-settings")  # no service left behind


def test_deploying_the_same_folder_again_publishes_nothing_new(run: Callable[..., Result], shop,
                                                              client: FcClient) -> None:
    from fcinfra.demo.package import examples_dir

    folder = str(examples_dir() / "functions" / "v2")
    first = json.loads(run("deploy", shop.service, "quote", folder, "--publish", "-o", "json").stdout)
    again = json.loads(run("deploy", shop.service, "quote", folder, "--publish", "--memory-size", "128",
                           "-o", "json").stdout)

    assert again == {**first, "action": "unchanged", "published": False}


def test_rollout_to_the_version_already_serving_is_refused(run: Callable[..., Result], shop) -> None:
    result = run("rollout", shop.service, "prod", "1", "--interval", "0")

    assert result.exit_code == 2
    assert "version 1 already is the main version of alias 'prod' (version 1 alone): nothing to roll out" in (
        result.stderr)
    assert "Rolling out" not in result.stdout  # no header promising a rollout that will not happen


@pytest.mark.parametrize("flag", ["--timeout", "--check-every"])
def test_a_zero_timeout_or_check_interval_is_refused_not_ignored(flag: str) -> None:
    result = CliRunner().invoke(cli, ["rollout", "svc", "prod", "2", flag, "0"])

    assert result.exit_code == 2
    assert f"Invalid value for {flag}: must be more than 0" in result.stderr


def test_emulator_on_a_busy_port_suggests_another() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = CliRunner().invoke(cli, ["emulator", "--port", str(busy.getsockname()[1])])

    assert result.exit_code == 1
    assert "Pick another --port (0 = any free one)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
