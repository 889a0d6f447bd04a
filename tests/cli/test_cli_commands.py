"""invoke, versions, alias, connection settings and error display, against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from fcinfra.cli.main import cli
from fcinfra.fc import FcClient


def test_invoke_shows_the_version_a_qualifier_resolved_to(run: Callable[..., Result], shop) -> None:
    text = run("invoke", shop.service, "quote", "-q", "prod", "-p", '{"item": "pear", "qty": 2}')
    doc = json.loads(run("invoke", shop.service, "quote", "-q", "2", "-p", '{"item": "pear"}', "-o", "json").stdout)

    assert text.exit_code == 0
    assert "qualifier prod -> version 1" in text.stdout
    assert '"versionId": "1"' in text.stdout
    assert doc["version_id"] == "2" and doc["error_type"] is None
    assert (doc["calls"], doc["by_version"]) == (1, {"2": {"calls": 1, "errors": 0}})  # the keys of -n N too
    assert json.loads(doc["payload"])["currency"] == "CNY"


def test_invoke_many_times_shows_the_split(run: Callable[..., Result], shop, client: FcClient) -> None:
    client.update_alias(shop.service, "prod", version_id="1", additional_version_weight={"2": 0.5})
    doc = json.loads(run("invoke", shop.service, "quote", "-q", "prod", "-n", "60", "-o", "json").stdout)

    assert doc["calls"] == 60
    assert set(doc["by_version"]) == {"1", "2"}  # P(one version gets all 60) = 2 * 2**-60
    assert sum(row["calls"] for row in doc["by_version"].values()) == 60


def test_invoke_of_a_failing_function_exits_1_and_names_the_error(run: Callable[..., Result], shop) -> None:
    result = run("invoke", shop.service, "quote", "-q", "3", "-p", '{"item": "lime"}')

    assert result.exit_code == 1
    assert "UnhandledInvocationError" in result.stdout
    assert "KeyError" in result.stdout


def test_versions_list_publish_delete_prune(run: Callable[..., Result], shop, client: FcClient) -> None:
    listed = json.loads(run("versions", "list", shop.service, "-o", "json").stdout)
    assert [(v["version_id"], v["aliases"]) for v in listed] == [("3", []), ("2", []), ("1", ["prod"])]

    nothing = run("versions", "publish", shop.service)
    assert nothing.exit_code == 1
    assert "No changes were made since last publish" in nothing.stderr
    assert "Traceback" not in nothing.output

    client.update_function(shop.service, "quote", description="config change")
    published = run("versions", "publish", shop.service, "-d", "v4")
    assert published.exit_code == 0 and "published version 4" in published.stdout

    in_use = run("versions", "delete", shop.service, "1")
    assert in_use.exit_code == 1
    assert in_use.stderr.startswith("Error: version 1 of service") and "alias prod" in in_use.stderr

    deleted = run("versions", "delete", shop.service, "3")
    assert deleted.exit_code == 0
    preview = json.loads(run("versions", "prune", shop.service, "--keep-last", "1", "--dry-run", "-o", "json").stdout)
    assert preview == {"dry_run": True, "deleted": [], "would_delete": ["2"]}  # 1 is used by prod, 4 is the newest
    pruned = run("versions", "prune", shop.service, "--keep-last", "1", "--yes")
    assert pruned.exit_code == 0 and "deleted versions 2" in pruned.stdout
    assert [v.version_id for v in client.list_versions(shop.service)] == ["4", "1"]


def test_alias_set_creates_updates_and_get_shows_the_split(run: Callable[..., Result], shop, client) -> None:
    created = run("alias", "set", shop.service, "staging", "--version", "2")
    split = run("alias", "set", shop.service, "staging", "--version", "2", "--canary-version", "3", "--weight", "20")
    got = run("alias", "get", shop.service, "staging")
    bad = run("alias", "set", shop.service, "staging", "--version", "2", "--weight", "20")

    assert created.exit_code == 0 and "created alias staging" in created.stdout
    assert split.exit_code == 0 and "updated alias staging" in split.stdout
    assert "80% -> version 2, 20% -> version 3" in got.stdout
    assert client.get_alias(shop.service, "staging").additional_version_weight == {"3": 0.2}
    assert bad.exit_code == 2 and "go together" in bad.stderr


def test_fc_errors_are_one_clear_line(run: Callable[..., Result]) -> None:
    result = run("status", "no-such-service")

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: 404 ServiceNotFound")
    assert "Traceback" not in result.output


def test_missing_credentials_say_what_to_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["versions", "list", "svc"], env={
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "", "ALICLOUD_ACCESS_KEY": "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "",
        "ALICLOUD_SECRET_KEY": "", "FC_ENDPOINT": "", "ALIBABA_CLOUD_ENDPOINT_FC": "",
        "HOME": str(tmp_path), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})

    assert result.exit_code == 1
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in result.stderr
    assert "Traceback" not in result.output


def test_flags_override_the_environment(env: dict[str, str], shop) -> None:
    """A wrong endpoint in the environment, the right one on the command line."""
    result = CliRunner().invoke(cli, ["alias", "get", shop.service, "prod", "--endpoint", env["FC_ENDPOINT"]],
                                env={**env, "FC_ENDPOINT": "http://127.0.0.1:9"})

    assert result.exit_code == 0, result.output
    assert "100% -> version 1" in result.stdout


def test_deploy_uploads_a_folder_and_publishes_only_real_changes(run: Callable[..., Result], client: FcClient) -> None:
    from fcinfra.demo.package import examples_dir

    v1, v2 = (str(examples_dir() / "functions" / v) for v in ("v1", "v2"))
    created = json.loads(run("deploy", "fresh", "quote", v1, "--publish", "--timeout", "10", "-o", "json").stdout)
    again = json.loads(run("deploy", "fresh", "quote", v1, "--publish", "-o", "json").stdout)
    updated = run("deploy", "fresh", "quote", v2, "--publish", "-d", "v2")

    assert created == {"service": "fresh", "function": "quote", "action": "created", "version_id": "1",
                       "published": True}
    assert again == {**created, "action": "unchanged", "published": False}  # same zip bytes: nothing to publish
    assert updated.exit_code == 0 and "published version 2" in updated.stdout
    assert client.get_function("fresh", "quote").timeout == 10
    assert json.loads(client.invoke("fresh", "quote", qualifier="2").payload)["currency"] == "CNY"


def test_profile_flag_takes_credentials_from_an_aliyun_profile(env: dict[str, str], shop, tmp_path: Path) -> None:
    """`--profile` wins over keys in the environment, as an explicit choice should."""
    from tests.cli.conftest import AK, SK

    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps({"current": "other", "profiles": [
        {"name": "other", "mode": "AK", "access_key_id": "LTAIwrong", "access_key_secret": "wrong"},
        {"name": "ops", "mode": "AK", "access_key_id": AK, "access_key_secret": SK}]}))
    cli_env = {**env, "HOME": str(tmp_path), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
               "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIwrong", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"}
    result = CliRunner().invoke(cli, ["alias", "get", shop.service, "prod", "--profile", "ops"], env=cli_env)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["alias", "get", shop.service, "prod"], env=cli_env)
    assert result.exit_code == 1 and "InvalidAccessKeyID" in result.stderr
    no_keys = {**cli_env, "ALIBABA_CLOUD_ACCESS_KEY_ID": None, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": None,
               "ALIBABA_CLOUD_PROFILE": "ops"}
    result = CliRunner().invoke(cli, ["alias", "get", shop.service, "prod"], env=no_keys)
    assert result.exit_code == 0, result.output
