"""ServiceVersionProvider against the in-process fake: create/diff/update/read/delete."""

from __future__ import annotations

from typing import Any

import pytest

from fcinfra.errors import InvalidRequestError, VersionInUseError
from fcinfra.providers.service_version import ServiceVersionProvider
from fcinfra.testing.helpers import code_zip, handler_source


def provider(client: Any) -> ServiceVersionProvider:
    p = ServiceVersionProvider()
    p.use_client(lambda: client)
    return p


def test_create_publishes_version_1(deployed: Any) -> None:
    result = provider(deployed).create({"service": "svc", "fingerprint": "fp1"})
    assert result.outs is not None
    assert result.outs["version_id"] == "1"
    assert result.outs["adopted"] is False
    assert [v.version_id for v in deployed.list_versions("svc")] == ["1"]


def test_create_adopts_newest_version_when_nothing_changed(deployed: Any) -> None:
    deployed.publish_version("svc")
    deployed.update_function("svc", "fn", description="changed")
    deployed.publish_version("svc")
    result = provider(deployed).create({"service": "svc", "fingerprint": "fp1"})
    assert result.outs is not None
    assert (result.outs["version_id"], result.outs["adopted"]) == ("2", True)
    assert [v.version_id for v in deployed.list_versions("svc")] == ["2", "1"]


def test_diff_is_pure_and_publishes_only_on_new_fingerprint() -> None:
    p = ServiceVersionProvider()  # no client at all: diff must not need one
    olds = {"service": "svc", "fingerprint": "fp1", "version_id": "1", "retain_on_delete": True}
    assert p.diff("svc@1", olds, {"service": "svc", "fingerprint": "fp1", "retain_on_delete": True}).changes is False
    changed = p.diff("svc@1", olds, {"service": "svc", "fingerprint": "fp2", "retain_on_delete": True})
    assert changed.changes is True and changed.replaces == []
    moved = p.diff("svc@1", olds, {"service": "other", "fingerprint": "fp1"})
    assert moved.replaces == ["service"]


def test_update_with_new_fingerprint_publishes_after_code_change(deployed: Any) -> None:
    p = provider(deployed)
    first = p.create({"service": "svc", "fingerprint": "fp1"}).outs
    assert first is not None
    deployed.update_function("svc", "fn", code=code_zip(handler_source("v2")))
    outs = p.update("svc@1", first, {"service": "svc", "fingerprint": "fp2"}).outs
    assert outs is not None
    assert outs["version_id"] == "2" and outs["fingerprint"] == "fp2"


def test_update_without_new_fingerprint_does_not_publish(deployed: Any) -> None:
    p = provider(deployed)
    first = p.create({"service": "svc", "fingerprint": "fp1"}).outs
    assert first is not None
    outs = p.update("svc@1", first, {"service": "svc", "fingerprint": "fp1", "description": "x"}).outs
    assert outs is not None and outs["version_id"] == "1"
    assert len(deployed.list_versions("svc")) == 1


def test_update_keep_last_prunes_unreferenced_versions(deployed: Any) -> None:
    p = provider(deployed)
    outs = p.create({"service": "svc", "fingerprint": "fp0"}).outs
    for i in range(1, 4):
        deployed.update_function("svc", "fn", description=f"rev {i}")
        assert outs is not None
        outs = p.update("svc@1", outs, {"service": "svc", "fingerprint": f"fp{i}", "keep_last": 2}).outs
    assert outs is not None and outs["version_id"] == "4"
    assert [v.version_id for v in deployed.list_versions("svc")] == ["4", "3"]


def test_read_reports_deleted_version_as_gone(deployed: Any) -> None:
    p = provider(deployed)
    outs = p.create({"service": "svc", "fingerprint": "fp1"}).outs
    assert outs is not None
    assert p.read("svc@1", outs).id == "svc@1"
    deployed.delete_version("svc", "1")
    assert not p.read("svc@1", outs).id


def test_delete_retains_version_by_default(deployed: Any) -> None:
    p = provider(deployed)
    outs = p.create({"service": "svc", "fingerprint": "fp1"}).outs
    assert outs is not None
    p.delete("svc@1", outs)
    assert [v.version_id for v in deployed.list_versions("svc")] == ["1"]


def test_delete_without_retain_removes_unreferenced_version(deployed: Any) -> None:
    p = provider(deployed)
    outs = p.create({"service": "svc", "fingerprint": "fp1", "retain_on_delete": False}).outs
    assert outs is not None
    p.delete("svc@1", outs)
    assert deployed.list_versions("svc") == []


def test_delete_refuses_a_version_an_alias_uses(deployed: Any) -> None:
    p = provider(deployed)
    outs = p.create({"service": "svc", "fingerprint": "fp1", "retain_on_delete": False}).outs
    assert outs is not None
    deployed.create_alias("svc", "prod", "1")
    with pytest.raises(VersionInUseError) as err:
        p.delete("svc@1", outs)
    assert any("prod" in r for r in err.value.referrers)
    assert [v.version_id for v in deployed.list_versions("svc")] == ["1"]


def test_destroy_order_under_mock_fc_retains_versions_until_their_service_goes(deployed: Any) -> None:
    """``pulumi destroy`` of a release and its service, in the engine's order (dependents first): the retained
    version survives its resource's delete, FC (and the fake) then refuses DeleteService while it exists, and
    pulumi-alicloud's Service delete (every version, then the service) is an order it accepts."""
    p = provider(deployed)
    outs = p.create({"service": "svc", "fingerprint": "fp1"}).outs  # retain_on_delete: True (the default)
    assert outs is not None
    deployed.create_alias("svc", "prod", "1")

    deployed.delete_alias("svc", "prod")  # the alicloud.fc.Alias
    p.delete("svc@1", outs)  # the ServiceVersion: retained
    deployed.delete_function("svc", "fn")  # the alicloud.fc.Function
    assert [v.version_id for v in deployed.list_versions("svc")] == ["1"]
    with pytest.raises(InvalidRequestError, match="ServiceNotEmpty"):
        deployed.delete_service("svc")

    for version in deployed.list_versions("svc"):  # the alicloud.fc.Service delete
        deployed.delete_version("svc", version.version_id)
    deployed.delete_service("svc")
    assert "svc" not in [s.service_name for s in deployed.list_services()]


def test_check_accepts_unknowns_in_a_preview_and_fills_defaults() -> None:
    from pulumi.runtime import rpc

    p = ServiceVersionProvider()
    checked = p.check({}, {"service": "svc", "fingerprint": rpc.UNKNOWN, "keep_last": rpc.UNKNOWN})
    assert checked.failures == [] and checked.inputs["retain_on_delete"] is True
    assert [f.property for f in p.check({}, {"service": "", "fingerprint": "x", "keep_last": 0}).failures] == [
        "service", "keep_last"]
