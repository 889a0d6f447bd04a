"""The demo's function code: the folders under ``examples/functions``, zipped by :mod:`fcinfra.packaging`."""

from __future__ import annotations

from pathlib import Path

from fcinfra.errors import InvalidArgumentError
from fcinfra.packaging import zip_folder

__all__ = ["examples_dir", "function_code", "zip_folder"]


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
