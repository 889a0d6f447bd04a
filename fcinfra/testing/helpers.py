"""Small helpers for tests: function code packages built in memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

__all__ = ["code_zip", "handler_source"]


def code_zip(files: str | Mapping[str, str], filename: str = "index.py") -> bytes:
    """A zip holding ``files`` (name -> source), or one ``index.py`` when given a string."""
    entries = {filename: files} if isinstance(files, str) else dict(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in sorted(entries.items()):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), source)
    return buffer.getvalue()


def handler_source(answer: str, fail_every: int = 0) -> str:
    """Source of an ``index.handler`` returning ``answer`` (and raising on every ``fail_every``-th call)."""
    if not fail_every:
        return f"def handler(event, context):\n    return {answer!r}\n"
    return (
        "calls = [0]\n\n"
        "def handler(event, context):\n"
        "    calls[0] += 1\n"
        f"    if calls[0] % {fail_every} == 0:\n"
        "        raise RuntimeError('injected failure')\n"
        f"    return {answer!r}\n"
    )
