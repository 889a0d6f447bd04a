"""A fake FC with a service whose versions 1..6 exist, and a client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fcinfra.fake import mock_fc
from fcinfra.fake.mock import MockFc
from fcinfra.fc import FcClient, RetryPolicy


@pytest.fixture
def fake() -> Iterator[MockFc]:
    with mock_fc(access_keys={"AK": "SK"}, seed=3) as f:
        yield f


@pytest.fixture
def client(fake: MockFc) -> FcClient:
    return FcClient("1234567890", "cn-hangzhou", "AK", "SK", retry_policy=RetryPolicy.none())


@pytest.fixture
def six_versions(client: FcClient) -> FcClient:
    client.create_service("svc")
    client.create_function("svc", "fn", "python3.10", "index.handler", code=b"PK\x05\x06" + b"\x00" * 18)
    client.create_function("svc", "other", "python3.10", "index.handler", code=b"PK\x05\x06" + b"\x00" * 18)
    for n in range(1, 7):
        client.update_function("svc", "fn", description=f"change {n}")
        assert client.publish_version("svc").version_id == str(n)
    return client
