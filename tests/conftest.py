"""Shared test configuration: no test may reach the network beyond loopback."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("FCINFRA_LIVE") == "1":
        return
    skip_live = pytest.mark.skip(reason="live test: set FCINFRA_LIVE=1 and real credentials to run")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip_live)
