"""Fixtures for component tests: the public fcinfra.testing fixtures and a function code folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from fcinfra.testing.helpers import handler_source
from fcinfra.testing.plugin import fc_client, fc_fake

__all__ = ["fc_client", "fc_fake"]


@pytest.fixture
def code_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FCINFRA_BUILD_DIR", str(tmp_path / "build"))
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "index.py").write_text(handler_source("v1"))
    return folder
