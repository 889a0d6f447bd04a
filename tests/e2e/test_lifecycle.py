"""2.4 / 2.5: drift shown by ``pulumi refresh`` and restored by ``pulumi up``; ``pulumi destroy``."""

from __future__ import annotations

import subprocess

import pytest

from tests.e2e.conftest import ACCOUNT, AK, FCINFRA, REGION, SK, Pulumi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

SERVICE = "fcinfra-quickstart"


def two_versions(make_pulumi) -> Pulumi:
    p = make_pulumi(".")
    p.config("fcinfra:accountId", ACCOUNT)
    p.up()
    p.config("fcinfra:codeDir", "../functions/v2")
    p.up()
    assert p.emulator.client().get_alias(SERVICE, "prod").version_id == "2"
    return p


def test_refresh_shows_alias_drift_and_up_restores_it(make_pulumi) -> None:
    p = two_versions(make_pulumi)
    env = {"PATH": "/usr/bin:/bin", "FC_ENDPOINT": p.emulator.endpoint, "FC_CA_BUNDLE": str(p.emulator.ca_file),
           "ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT, "ALIBABA_CLOUD_REGION": REGION,
           "ALIBABA_CLOUD_ACCESS_KEY_ID": AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK}
    moved = subprocess.run([str(FCINFRA), "alias", "set", SERVICE, "prod", "--version", "1"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert p.emulator.client().get_alias(SERVICE, "prod").version_id == "1"

    refreshed = p.run("refresh", "--yes", "--show-replacement-steps")
    assert "quickstart-traffic" in refreshed.stdout and "updated" in refreshed.stdout.lower()
    state = p.run("stack", "export").stdout
    assert '"drifted": true' in state

    p.up()
    assert p.emulator.client().get_alias(SERVICE, "prod").version_id == "2"
    assert p.run("preview", "--expect-no-changes").returncode == 0


def test_destroy_removes_everything(make_pulumi) -> None:
    p = two_versions(make_pulumi)
    p.run("destroy", "--yes")
    fc = p.emulator.client()
    assert SERVICE not in [s.service_name for s in fc.list_services()]
    assert p.run("stack", "export").stdout.count('"urn"') <= 1  # only the stack itself (or nothing) remains
