"""2.4 / 2.5: drift shown by ``pulumi refresh`` and restored by ``pulumi up``; ``pulumi destroy``."""

from __future__ import annotations

import json
import subprocess

import pytest

from fcinfra import history as release_history
from fcinfra.errors import InvalidRequestError
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
    """... and keeps the release history fcinfra records in the service's tags. (The FC 3.0 twin lost them: a
    V3Function reads its tags back and its next update removed them. terraform-provider-alicloud 1.285.0's FC 2.0
    Service reads an empty map — its tagsToMap does not take the Go SDK's map[string]string — so this guards
    against that changing under us.)"""
    p = two_versions(make_pulumi)
    fc = p.emulator.client()
    release_history.record(fc, SERVICE, release_history.entry_now("prod", "1", "2", "promoted", "e2e", ""))
    history = fc.service_tags(SERVICE)
    assert any(key.startswith(release_history.KEY_PREFIX) for key in history), history
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
    kept = p.emulator.client().service_tags(SERVICE)
    assert set(history) <= set(kept), (history, kept)


def test_destroy_removes_everything(make_pulumi) -> None:
    p = two_versions(make_pulumi)
    p.run("destroy", "--yes")
    fc = p.emulator.client()
    assert SERVICE not in [s.service_name for s in fc.list_services()]
    assert p.run("stack", "export").stdout.count('"urn"') <= 1  # only the stack itself (or nothing) remains


def test_destroy_retains_versions_while_their_service_stays_and_removes_them_with_it(make_pulumi) -> None:
    """Retained versions (``ServiceVersion`` retains on delete by default) outlive the release's resources, not
    their service: FC refuses DeleteService while versions exist, so destroying the service removes them first
    (pulumi-alicloud's Service delete lists and deletes every version, then the service; docs/pulumi.md)."""
    p = two_versions(make_pulumi)
    fc = p.emulator.client()
    state = json.loads(p.export())
    release = [r["urn"] for r in state["deployment"]["resources"]
               if r["urn"].rsplit("::", 1)[-1] in ("quickstart-version", "quickstart-alias", "quickstart-traffic",
                                                  "quickstart-http")]
    assert len(release) == 4, release
    p.run("destroy", "--yes", *(f"--target={urn}" for urn in release))

    assert sorted(v.version_id for v in fc.list_versions(SERVICE)) == ["1", "2"]  # retained as configured
    assert fc.list_aliases(SERVICE) == [] and fc.list_triggers(SERVICE, "web") == []
    assert sorted(f.function_name for f in fc.list_functions(SERVICE)) == ["quote", "web"]
    with pytest.raises(InvalidRequestError, match="ServiceNotEmpty"):  # as FC: not while versions exist
        fc.delete_service(SERVICE)

    p.run("destroy", "--yes")
    assert SERVICE not in [s.service_name for s in fc.list_services()]
    assert p.export().count('"urn"') <= 1
