"""Function-level safe deletion and retention on FC 3.0: never break an alias or a trigger."""

from __future__ import annotations

import pickle

import pytest

from fcinfra.errors import InvalidArgumentError, VersionInUseError
from fcinfra.fc3 import Fc3Client
from fcinfra.fc3.lifecycle import delete_version_safely, prune_versions
from fcinfra.testing.helpers import code_zip

from .conftest import ACCOUNT, AK, REGION, SECRET, Fake


def _client_with_versions(count: int) -> Fc3Client:
    client = Fc3Client(ACCOUNT, REGION, AK, SECRET, sleep=lambda _: None)
    client.create_function("fn", "python3.10", "index.handler", code=code_zip("x = 0\n"))
    for i in range(count):
        client.update_function("fn", code=code_zip(f"x = {i + 1}\n"))
        client.publish_version("fn")
    return client


def test_delete_version_safely_names_every_referrer(fc3_fake: Fake) -> None:
    client = _client_with_versions(4)
    client.create_alias("fn", "prod", "1", additional_version_weight={"2": 0.1})
    client.create_trigger("fn", "web", "http", {"authType": "anonymous"}, qualifier="prod")
    client.create_trigger("fn", "tick", "timer", {"cronExpression": "@every 1m"}, qualifier="3")
    with pytest.raises(VersionInUseError) as exc:
        delete_version_safely(client, "fn", "2")
    assert exc.value.referrers == ["alias prod (additional version, weight 0.1)", "trigger fn/web (via alias prod)"]
    assert "of function 'fn'" in str(exc.value)
    assert pickle.loads(pickle.dumps(exc.value)).owner == "function"
    with pytest.raises(VersionInUseError):
        delete_version_safely(client, "fn", 3)
    with pytest.raises(InvalidArgumentError):
        delete_version_safely(client, "fn", "LATEST")
    delete_version_safely(client, "fn", "4")
    assert [v.version_id for v in client.list_versions("fn")] == ["3", "2", "1"]


def test_prune_keeps_the_newest_and_everything_in_use(fc3_fake: Fake) -> None:
    client = _client_with_versions(6)
    client.create_alias("fn", "prod", "1")
    client.create_trigger("fn", "tick", "timer", {"cronExpression": "@every 1m"}, qualifier="2")
    assert prune_versions(client, "fn", keep_last=2, dry_run=True) == ["3", "4"]
    assert [v.version_id for v in client.list_versions("fn")] == ["6", "5", "4", "3", "2", "1"]
    assert prune_versions(client, "fn", keep_last=2) == ["3", "4"]
    assert [v.version_id for v in client.list_versions("fn")] == ["6", "5", "2", "1"]
    with pytest.raises(InvalidArgumentError):
        prune_versions(client, "fn", keep_last=-1)
