"""Zip a function's code folder the way FC wants it (handler module at the zip's root), reproducibly.

Sorted entries, a fixed timestamp and normalised permissions make the same folder content always give
the same bytes, so a code checksum or fingerprint changes exactly when the code does (and a publish sees
a change only when there is one). Caches and virtual environments are left out. One implementation for
the Pulumi components, the CLI's ``deploy``, the demo and the examples.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from fcinfra.errors import InvalidArgumentError

__all__ = ["code_files", "zip_folder"]

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", ".git", ".pytest_cache", ".mypy_cache", ".venv"}
_SKIP_SUFFIXES = (".pyc", ".pyo")


def code_files(folder: Path) -> list[Path]:
    """The files that belong in the package, sorted."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file()
        and not any(part in _SKIP_DIRS for part in p.relative_to(folder).parts)
        and not p.name.endswith(_SKIP_SUFFIXES)
    )


def zip_folder(folder: str | os.PathLike[str]) -> bytes:
    """The folder's files as a reproducible zip (same content -> same bytes), paths relative to the folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidArgumentError(f"function code folder {folder} does not exist")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in code_files(folder):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _FIXED_TIME)
            executable = os.access(path, os.X_OK)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
