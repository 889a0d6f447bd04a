"""fc_pulumi_mocks works after asyncio.run() unset the thread's event loop (seen as an order-dependent error)."""

from __future__ import annotations

import asyncio

from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient
from fcinfra.testing.pulumi_mocks import FcMocks, set_fc_mocks


async def _noop() -> int:
    return 1


def test_set_fc_mocks_after_asyncio_run_left_no_event_loop() -> None:
    assert asyncio.run(_noop()) == 1  # leaves the main thread with no current event loop
    with mock_fc():
        client = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
        mocks = set_fc_mocks(FcMocks(client))
    assert mocks.monitor is not None
