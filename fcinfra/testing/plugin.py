"""pytest fixtures for testing code and stacks that use fcinfra, with no cloud account.

Enable them in a top-level ``conftest.py``::

    pytest_plugins = ["fcinfra.testing.plugin"]

or import the fixtures you need into any ``conftest.py``. Fixtures:

- ``fc_fake``:      ``mock_fc()`` active for the test (in-process; access key ``AK``/``SK``)
- ``fc_client``:    an ``FcClient`` signed with that key, talking to ``fc_fake``
- ``fc_emulator``:  the emulator on a free loopback port (real HTTP, real code execution)
- ``fc_emulator_client``: an ``FcClient`` for ``fc_emulator``
- ``fc_pulumi_mocks``: Pulumi mocks (:class:`~fcinfra.testing.pulumi_mocks.FcMocks`) bound to
  ``fc_client``, so a whole stack can be unit-tested and its dynamic providers run against the fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fcinfra.fake import MockFc
    from fcinfra.fake.server import Emulator
    from fcinfra.fc import FcClient
    from fcinfra.testing.pulumi_mocks import FcMocks

TEST_ACCESS_KEY_ID = "AK"
TEST_ACCESS_KEY_SECRET = "SK-test-secret"  # a dummy key the fake accepts


@pytest.fixture
def fc_fake() -> Iterator[MockFc]:
    """``mock_fc()`` active for the test, with the test key (AK / a dummy secret)."""
    from fcinfra.fake import mock_fc

    with mock_fc(access_keys={TEST_ACCESS_KEY_ID: TEST_ACCESS_KEY_SECRET}) as fake:
        yield fake


@pytest.fixture
def fc_client(fc_fake: MockFc) -> FcClient:
    """An FcClient signed with the test key, talking to ``fc_fake``."""
    from fcinfra.fc import FcClient

    return FcClient(fc_fake.account_id, fc_fake.region, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET)


@pytest.fixture
def fc_emulator() -> Iterator[Emulator]:
    """The emulator on a free loopback port, for tests that need real HTTP or real code execution."""
    from fcinfra.fake.server import Emulator

    with Emulator(access_keys={TEST_ACCESS_KEY_ID: TEST_ACCESS_KEY_SECRET}, save_interval=None) as emulator:
        yield emulator


@pytest.fixture
def fc_emulator_client(fc_emulator: Emulator) -> FcClient:
    """An FcClient for ``fc_emulator``."""
    from fcinfra.fc import FcClient

    return FcClient(fc_emulator.account_id, fc_emulator.region, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET,
                    endpoint=fc_emulator.endpoint)


@pytest.fixture
def fc_pulumi_mocks(fc_client: FcClient) -> FcMocks:
    """Pulumi mocks bound to ``fc_client``: a whole stack runs its dynamic providers against the fake."""
    from fcinfra.testing.pulumi_mocks import FcMocks, set_fc_mocks

    return set_fc_mocks(FcMocks(fc_client))
