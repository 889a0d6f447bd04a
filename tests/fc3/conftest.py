"""The FC 3.0 fake through the public ``mock_fc()``, for the client and the official SDK alike (no sockets).

``mock_fc()`` answers FC 3.0 on every host the clients use: ``{account}.{region}.fc.aliyuncs.com`` (ours, the
docs', the alicloud provider's), ``fcv3.{region}.aliyuncs.com`` (the official SDK's endpoint map) and the HTTP
triggers' ``*.fcapp.run``. Signatures are verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from fcinfra.fake import mock_fc
from fcinfra.fake.fc3.api import Fc3Api
from fcinfra.fake.fc3.backend import Fc3Backend
from fcinfra.fake.mock import MockFc

ACCOUNT, REGION, AK, SECRET = "1234567890", "cn-hangzhou", "test-ak", "test-secret"


@dataclass
class Fake:
    api: Fc3Api
    backend: Fc3Backend
    mock: MockFc


@pytest.fixture
def fc3_fake() -> Iterator[Fake]:
    with mock_fc(access_keys={AK: SECRET}, account_id=ACCOUNT, region=REGION, seed=3) as fake:
        yield Fake(fake.fc3, fake.fc3.backend, fake)
