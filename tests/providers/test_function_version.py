"""FunctionVersionProvider (FC 3.0) against the in-process fake: publish on a new fingerprint only, adopt, and
retain versions on delete and replace; only keep_last / prune_versions remove old unreferenced ones."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest

from fcinfra.errors import VersionInUseError
from fcinfra.fake import mock_fc
from fcinfra.fc3 import Fc3Client
from fcinfra.fc3.lifecycle import prune_versions
from fcinfra.providers.function_version import FunctionVersionProvider
from fcinfra.testing.helpers import code_zip, handler_source


@pytest.fixture
def client() -> Iterator[Fc3Client]:
    """Function ``fn`` (code v1) on FC 3.0; nothing published yet."""
    with mock_fc(access_keys={"AK": "SK"}, seed=1):
        c = Fc3Client("1234567890", "cn-hangzhou", "AK", "SK")
        c.create_function("fn", "python3.10", "index.handler", code=code_zip(handler_source("v1")))
        yield c


def provider(client: Fc3Client) -> FunctionVersionProvider:
    p = FunctionVersionProvider()
    p.use_client(lambda: client)  # type: ignore[arg-type, return-value]
    return p


def _ids(client: Fc3Client) -> list[str]:
    return [v.version_id for v in client.list_versions("fn")]


def test_publishes_exactly_when_the_fingerprint_changes(client: Fc3Client) -> None:
    p = provider(client)
    first = p.create({"function": "fn", "fingerprint": "fp1"}).outs
    assert first is not None and (first["function"], first["version_id"], first["adopted"]) == ("fn", "1", False)
    same = p.update("fn@1", first, {"function": "fn", "fingerprint": "fp1", "description": "d"}).outs
    assert same is not None and same["version_id"] == "1" and _ids(client) == ["1"]  # no publish
    client.update_function("fn", code=code_zip(handler_source("v2")))
    assert p.diff("fn@1", first, {"function": "fn", "fingerprint": "fp2"}).changes is True
    second = p.update("fn@1", first, {"function": "fn", "fingerprint": "fp2"}).outs
    assert second is not None and second["version_id"] == "2" and _ids(client) == ["2", "1"]


def test_another_function_is_a_replace_and_nothing_changed_adopts(client: Fc3Client) -> None:
    p = provider(client)
    olds = {"function": "fn", "fingerprint": "fp1", "version_id": "1", "retain_on_delete": True}
    assert p.diff("fn@1", olds, {"function": "other", "fingerprint": "fp1"}).replaces == ["function"]
    client.publish_version("fn", "by hand")
    adopted = p.create({"function": "fn", "fingerprint": "fp1"}).outs  # FC: "No changes were made"
    assert adopted is not None and (adopted["version_id"], adopted["adopted"]) == ("1", True)


def test_versions_are_retained_on_delete_and_only_pruning_removes_them(client: Fc3Client) -> None:
    p = provider(client)
    outs = p.create({"function": "fn", "fingerprint": "fp1"}).outs
    assert outs is not None and outs["retain_on_delete"] is True
    client.create_alias("fn", "prod", "1")
    client.update_function("fn", code=code_zip(handler_source("v2")))
    newer = p.create({"function": "fn", "fingerprint": "fp2"}).outs  # a replace creates the new one first...
    assert newer is not None
    p.delete("fn@1", outs)  # ...then deletes the old resource: the version the alias serves stays
    assert _ids(client) == ["2", "1"] and client.get_alias("fn", "prod").version_id == "1"
    with pytest.raises(VersionInUseError):  # retain_on_delete=False still never breaks the alias
        p.delete("fn@1", {**outs, "retain_on_delete": False})
    client.update_alias("fn", "prod", version_id="2")
    assert prune_versions(client, "fn", keep_last=1) == ["1"]  # only pruning removes it
    assert _ids(client) == ["2"]


def test_keep_last_prunes_unreferenced_versions_after_publishing(client: Fc3Client) -> None:
    p = provider(client)
    outs = p.create({"function": "fn", "fingerprint": "fp1", "keep_last": 1}).outs
    client.update_function("fn", code=code_zip(handler_source("v2")))
    outs = p.update("fn@1", outs or {}, {"function": "fn", "fingerprint": "fp2", "keep_last": 1}).outs
    assert outs is not None and outs["pruned"] == ["1"] and _ids(client) == ["2"]


def test_pickles_by_its_public_path_with_no_client() -> None:
    p = FunctionVersionProvider()
    p.use_client(lambda: None)  # type: ignore[arg-type, return-value]
    blob = pickle.dumps(p)
    assert b"fcinfra.providers.function_version" in blob and b"FunctionVersionProvider" in blob
    assert type(pickle.loads(blob)) is FunctionVersionProvider


def test_builds_an_fc3_client_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"FC_ENDPOINT": "http://127.0.0.1:9", "ALIBABA_CLOUD_ACCOUNT_ID": "1234567890",
                       "ALIBABA_CLOUD_REGION": "cn-hangzhou", "ALIBABA_CLOUD_ACCESS_KEY_ID": "AK",
                       "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "SK"}.items():
        monkeypatch.setenv(key, value)
    assert type(FunctionVersionProvider().client()) is Fc3Client
