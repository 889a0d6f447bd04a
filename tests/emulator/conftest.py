"""Fixtures for the emulator tests: zip code builders and a shared runner (warm workers keep tests fast)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest

from fcinfra.fake.emulator.runtime import PythonCodeRunner


def make_zip(files: dict[str, str]) -> bytes:
    """A function's code package from {path: source}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in files.items():
            archive.writestr(name, source)
    return buf.getvalue()


@pytest.fixture(scope="module")
def runner() -> Iterator[PythonCodeRunner]:
    with PythonCodeRunner(max_workers=8) as code_runner:
        yield code_runner
