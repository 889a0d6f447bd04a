"""Fixtures for provider tests: the public fcinfra.testing fixtures plus a small deployed service."""

from __future__ import annotations

from typing import Any

import pytest

from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.plugin import fc_client, fc_emulator, fc_emulator_client, fc_fake

__all__ = ["fc_client", "fc_emulator", "fc_emulator_client", "fc_fake"]


@pytest.fixture
def deployed(fc_client: Any) -> Any:
    """Service ``svc`` with function ``fn`` (code v1); nothing published yet."""
    fc_client.create_service("svc", description="demo")
    fc_client.create_function("svc", "fn", "python3.10", "index.handler", code=code_zip(handler_source("v1")))
    return fc_client
