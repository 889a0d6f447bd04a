"""FC 3.0 with the real engine and the real alicloud provider: ``examples/fc3-canary`` (``Fc3Function`` +
``CanaryRelease``, ``alicloud.fc.V3Function``/``V3Alias``/``V3Trigger``) against the emulator.

One test walks the whole story (v1 created, v2 promoted, v3 rolled back twice without a second canary, the
trigger untouched, destroy) so the e2e run pays for one stack instead of several."""

from __future__ import annotations

import pytest
import requests

from fcinfra.fc3 import Fc3Client
from tests.e2e.conftest import ACCOUNT, AK, REGION, SK, Pulumi
from tests.e2e.test_quickstart import readme_setup

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

FUNCTION = "fcinfra-fc3-quote"


def fc3(p: Pulumi) -> Fc3Client:
    return Fc3Client(ACCOUNT, REGION, AK, SK, endpoint=p.emulator.endpoint, verify=str(p.emulator.ca_file))


def fc3_canary(make_pulumi) -> Pulumi:
    """The example's README steps: credentials and the account id in stack config (the secret as a secret)."""
    p = make_pulumi("examples/fc3-canary", credentials_in_env=False, account_in_env=False)
    readme_setup(p)
    p.config("alicloud:region", REGION)  # the function's ARN, which its release-history tags need
    p.config("stepInterval", "1")
    return p


def test_healthy_promoted_bad_rolled_back_trigger_unchanged_then_destroyed(make_pulumi) -> None:
    p = fc3_canary(make_pulumi)
    fc = fc3(p)

    p.up()
    fn = fc.get_function(FUNCTION)
    assert fn.runtime == "python3.10" and fn.handler == "index.handler" and fn.memory_size == 128
    assert [v.version_id for v in fc.list_versions(FUNCTION)] == ["1"]
    assert fc.get_alias(FUNCTION, "prod").version_id == "1"
    trigger = fc.get_trigger(FUNCTION, "http")
    assert trigger.qualifier == "prod" and trigger.trigger_type == "http"
    assert trigger.trigger_config == {"authType": "anonymous", "methods": ["GET", "POST"]}
    outputs = p.outputs()
    assert outputs["trigger_id"] == trigger.trigger_id and outputs["trigger_url"] == trigger.url_internet
    served = requests.get(trigger.url_internet, params={"item": "pear"}, verify=str(p.emulator.ca_file), timeout=30)
    assert served.status_code == 200 and served.json()["versionId"] == "1"  # the URL serves the alias
    # what the provider reads back from FC 3.0 matches what it sent: no drift, nothing published
    assert p.run("preview", "--expect-no-changes").returncode == 0

    p.config("codeDir", "../functions/v2")
    p.up()
    outputs = p.outputs()
    assert outputs["status"] == "promoted" and outputs["live_version"] == "2"
    assert outputs["history"] == [10, 25, 50, 100]  # walked as a canary, one alias write per step
    alias = fc.get_alias(FUNCTION, "prod")
    assert alias.version_id == "2" and not alias.additional_version_weight
    assert [v.version_id for v in fc.list_versions(FUNCTION)] == ["2", "1"]  # each published once

    p.config("codeDir", "../functions/v3")
    failed = p.up(check=False)
    assert failed.returncode != 0
    assert "version 3 was rolled back" in failed.stdout + failed.stderr
    alias = fc.get_alias(FUNCTION, "prod")
    assert alias.version_id == "2" and not alias.additional_version_weight
    touched = alias.last_modified_time

    again = p.up(check=False)
    assert again.returncode != 0
    assert "version 3 was rolled back" in again.stdout + again.stderr
    assert [v.version_id for v in fc.list_versions(FUNCTION)] == ["3", "2", "1"]
    assert fc.get_alias(FUNCTION, "prod").last_modified_time == touched  # no traffic moved this time
    # the release history in the function's tags survives the V3Function's updates (it is not the provider's)
    history = [t["Value"].split(";")[3:6] for t in fc.get_function(FUNCTION).tags or []
               if t["Key"].startswith("fcinfra-release-")]
    assert history == [["1", "2", "promoted"], ["2", "3", "rolled_back"]]

    after = fc.get_trigger(FUNCTION, "http")  # the canaries moved the alias, never the trigger
    assert (after.trigger_id, after.url_internet, after.qualifier) == (trigger.trigger_id, trigger.url_internet,
                                                                      "prod")
    assert [t.trigger_name for t in fc.list_triggers(FUNCTION)] == ["http"]
    served = requests.get(after.url_internet, params={"item": "pear"}, verify=str(p.emulator.ca_file), timeout=30)
    assert served.status_code == 200 and served.json()["versionId"] == "2"

    # pulumi destroy: trigger, alias, then the function (the published versions are retained until it goes)
    p.run("destroy", "--yes")
    assert FUNCTION not in [f.function_name for f in fc.list_functions()]
    assert p.run("stack", "export").stdout.count('"urn"') <= 1  # only the stack itself (or nothing) remains
