"""publish_version against the fake with injected faults: a lost answer never leads to a second version."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fcinfra.errors import AmbiguousPublishError
from fcinfra.fake import mock_fc
from fcinfra.fake.mock import MockFc
from fcinfra.fc import FcClient, RequestEvent, RetryPolicy

ZIP = b"PK\x05\x06" + b"\x00" * 18


@pytest.fixture
def fake() -> Iterator[MockFc]:
    with mock_fc(access_keys={"AK": "SK"}, seed=5) as f:
        f.faults.sleep = lambda s: None
        yield f


@pytest.fixture
def client(fake: MockFc) -> FcClient:
    c = FcClient("1234567890", "cn-hangzhou", "AK", "SK", sleep=lambda s: None)
    c.create_service("svc")
    c.create_function("svc", "fn", "python3.10", "index.handler", code=ZIP)
    return c


def ids(client: FcClient) -> list[str]:
    return [v.version_id for v in client.list_versions("svc")]


def test_answer_lost_after_publishing_returns_the_version_once(fake: MockFc, client: FcClient) -> None:
    fake.faults.set("PublishServiceVersion", drop_after=1.0, times=1)
    assert client.publish_version("svc", "release").version_id == "1"
    assert ids(client) == ["1"]
    assert client.calls["PublishServiceVersion"] == 1


@pytest.mark.parametrize("fault", ["drop", "error", "throttle", "unavailable"])
def test_failure_before_publishing_is_retried(fake: MockFc, client: FcClient, fault: str) -> None:
    fake.faults.set("PublishServiceVersion", **{fault: 1.0}, times=2)
    assert client.publish_version("svc", "release").version_id == "1"
    assert ids(client) == ["1"]
    assert client.calls["PublishServiceVersion"] == 3


def test_listing_also_failing_is_reported_as_ambiguous(fake: MockFc) -> None:
    def break_listing_after_publish(event: RequestEvent) -> None:
        if event.operation == "PublishServiceVersion":
            fake.faults.set("ListServiceVersions", error=1.0)

    client = FcClient("1234567890", "cn-hangzhou", "AK", "SK", sleep=lambda s: None,
                      on_request=break_listing_after_publish)
    client.create_service("svc")
    client.create_function("svc", "fn", "python3.10", "index.handler", code=ZIP)
    fake.faults.set("PublishServiceVersion", drop_after=1.0, times=1)
    with pytest.raises(AmbiguousPublishError, match="could not be listed"):
        client.publish_version("svc", "first")
    fake.faults.clear()
    assert ids(client) == ["1"]  # it had been created; the caller was told it could not be known
    assert client.calls["PublishServiceVersion"] == 1


def test_throttled_reads_are_retried(fake: MockFc, client: FcClient) -> None:
    client.publish_version("svc")
    client.create_alias("svc", "prod", "1")
    client = FcClient("1234567890", "cn-hangzhou", "AK", "SK", sleep=lambda s: None,
                      retry_policy=RetryPolicy(attempts=20))
    fake.faults.set("GetAlias", throttle=0.5)
    assert all(client.get_alias("svc", "prod").version_id == "1" for _ in range(50))
    assert client.calls["GetAlias"] > 50


def test_conditional_alias_update_whose_answer_was_lost(fake: MockFc, client: FcClient) -> None:
    client.publish_version("svc")
    client.update_function("svc", "fn", memory_size=256)
    client.publish_version("svc")
    etag = client.create_alias("svc", "prod", "1").etag
    fake.faults.set("UpdateAlias", drop_after=1.0, times=1)
    alias = client.update_alias("svc", "prod", additional_version_weight={"2": 0.25}, if_match=etag)
    assert alias.additional_version_weight == {"2": 0.25}
    assert client.calls["UpdateAlias"] == 2  # resent once, answered 412, recognised as our own change


def test_delete_whose_answer_was_lost(fake: MockFc, client: FcClient) -> None:
    client.publish_version("svc")
    fake.faults.set("DeleteServiceVersion", drop_after=1.0, times=1)
    client.delete_version("svc", "1")
    assert ids(client) == []
