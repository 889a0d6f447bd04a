"""Zip a function folder the way FC wants it (handler module at the zip's root), reproducibly.

Fixed timestamps and sorted entries make the same folder always give the same bytes, so the code
checksum only changes when the code does (and ``publish`` only sees a change when there is one).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fcinfra.errors import InvalidArgumentError

_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache"}


def zip_folder(folder: Path) -> bytes:
    """The folder's files (not ``__pycache__``) as deterministic zip bytes, paths relative to the folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidArgumentError(f"function code folder {folder} does not exist")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_dir() or _SKIP_DIRS.intersection(rel.parts) or path.suffix == ".pyc":
                continue
            info = zipfile.ZipInfo(rel.as_posix(), date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def examples_dir() -> Path:
    """``examples/`` of this checkout (the demo runs from the repository, installed in editable mode)."""
    root = Path(__file__).resolve().parents[2]
    candidate = root / "examples"
    if not (candidate / "functions").is_dir():
        raise InvalidArgumentError(
            f"cannot find examples/functions next to the fcinfra package (looked in {root}); "
            "run the demo from a checkout of the repository: python3 tasks.py demo"
        )
    return candidate


def function_code(version: str) -> bytes:
    """The zip of ``examples/functions/<version>`` (``v1``, ``v2`` or ``v3``)."""
    return zip_folder(examples_dir() / "functions" / version)
