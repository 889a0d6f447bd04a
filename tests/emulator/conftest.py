"""Fixtures for the emulator tests: zip code builders and a shared runner (warm workers keep tests fast)."""

from __future__ import annotations

import importlib.metadata
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from fcinfra.fake.emulator.runtime import PythonCodeRunner


def make_zip(files: dict[str, str], vendored: dict[str, bytes] | None = None) -> bytes:
    """A function's code package from {path: source}, plus vendored files {path: bytes} (installed packages)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted((vendored or {}).items()):
            archive.writestr(name, data)
        for name, source in files.items():
            archive.writestr(name, source)
    return buf.getvalue()


def _with_dependencies(name: str) -> list[str]:
    """``name`` and what it needs at run time on this interpreter (extras and other Pythons' markers left out)."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current.lower() in (s.lower() for s in seen):
            continue
        seen.append(current)
        for line in importlib.metadata.requires(current) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def vendor(*names: str) -> dict[str, bytes]:
    """The installed files of packages and their dependencies, as ``pip install --target`` would lay them out
    in a function's zip (what users deploy: FC does not install requirements for them)."""
    files: dict[str, bytes] = {}
    for name in [n for top in names for n in _with_dependencies(top)]:
        dist = importlib.metadata.distribution(name)
        for entry in dist.files or []:
            parts = Path(str(entry)).parts
            if ".." in parts or "__pycache__" in parts:
                continue  # console scripts live outside site-packages; bytecode is rebuilt
            files["/".join(parts)] = Path(str(dist.locate_file(entry))).read_bytes()
    return files


@pytest.fixture(scope="session")
def flask_files() -> dict[str, bytes]:
    """Flask and its dependencies, vendored once per session (taken from the test environment's install)."""
    return vendor("flask")


@pytest.fixture(scope="module")
def runner() -> Iterator[PythonCodeRunner]:
    with PythonCodeRunner(max_workers=8) as code_runner:
        yield code_runner
