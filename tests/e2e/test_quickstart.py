"""2.1 / 2.7: ``examples/quickstart`` (the root Pulumi.yaml) with the real engine, as the README tells users."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import ACCOUNT, AK, SK, Pulumi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SERVICE = "fcinfra-quickstart"


def readme_setup(p: Pulumi) -> None:
    """The README's Pulumi steps (after `pulumi stack init dev`), word for word apart from the values."""
    p.config("fcinfra:accountId", ACCOUNT)
    p.config("alicloud:accessKey", AK)
    p.config("alicloud:secretKey", SK, secret=True)


def versions(p: Pulumi) -> list[str]:
    return sorted((v.version_id for v in p.emulator.client().list_versions(SERVICE)), key=int)


def test_quickstart_up_noop_code_and_config_changes(make_pulumi, tmp_path: Path) -> None:
    p = make_pulumi(".", credentials_in_env=False, account_in_env=False, editable="examples/quickstart")
    readme_setup(p)
    p.up()
    fc = p.emulator.client()
    assert fc.get_service(SERVICE).service_name == SERVICE
    assert fc.get_function(SERVICE, "quote").runtime == "python3.10"
    assert versions(p) == ["1"]
    alias = fc.get_alias(SERVICE, "prod")
    assert alias.version_id == "1"
    trigger = fc.get_trigger(SERVICE, "web", "http")
    assert trigger.qualifier == "prod"
    assert p.outputs()["alias_version"] == "1"

    # Nothing changed: nothing to do, and no version published.
    second = p.up()
    assert versions(p) == ["1"]
    preview = p.run("preview", "--expect-no-changes")
    assert preview.returncode == 0, second.stdout

    # A code-only change: one version, prod follows.
    p.config("fcinfra:codeDir", "../functions/v2")
    p.up()
    assert versions(p) == ["1", "2"]
    assert fc.get_alias(SERVICE, "prod").version_id == "2"
    assert fc.get_trigger(SERVICE, "web", "http").qualifier == "prod"

    # A setting that is not the service's or a function's: no version.
    p.config("fcinfra:keepVersions", "6")
    p.up()
    assert versions(p) == ["1", "2"]

    # A config-only change of the function (same code): one version, prod follows.
    program = p.workdir / "examples" / "quickstart" / "__main__.py"
    program.write_text(program.read_text().replace('"memory_size": 128', '"memory_size": 256'))
    p.up()
    assert versions(p) == ["1", "2", "3"]
    assert fc.get_function(SERVICE, "quote").memory_size == 256
    assert fc.get_alias(SERVICE, "prod").version_id == "3"
    assert p.run("preview", "--expect-no-changes").returncode == 0


def test_readme_credentials_secret_never_in_plaintext(make_pulumi) -> None:
    p = make_pulumi(".", credentials_in_env=False, account_in_env=False)
    readme_setup(p)
    p.up()
    state = p.export()
    assert SK not in state
    assert SK not in json.dumps(p.outputs())
    # The secret is in the state, encrypted (it went to the explicit provider as a Pulumi secret).
    assert "4dabf18193072939515e22adb298388d" in state  # Pulumi's secret signature


def test_credentials_from_environment(make_pulumi) -> None:
    p = make_pulumi(".", credentials_in_env=True, account_in_env=False)
    p.config("fcinfra:accountId", ACCOUNT)
    p.up()
    assert versions(p) == ["1"]
    state = p.export()
    assert SK not in state and AK not in state  # nothing of the environment's credentials is stored
