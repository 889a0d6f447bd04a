"""Shared pieces for the client tests: a client that never sleeps and records its waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from fcinfra.fc import FcClient

BASE = "https://1234567890.cn-hangzhou.fc.aliyuncs.com"
API = BASE + "/2016-08-15"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sleeps: Sleeps) -> FcClient:
    return FcClient("1234567890", "cn-hangzhou", "AK", "SK", sleep=sleeps)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
