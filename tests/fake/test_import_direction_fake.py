"""docs/fake.md keeps up with the routes (the fake's import rules live in tests/api/test_import_direction.py)."""

from __future__ import annotations

from pathlib import Path

import fcinfra.fake


def test_docs_list_every_implemented_operation() -> None:
    """Issue 2: "a list of implemented operations is kept in the docs": docs/fake.md names every route."""
    from fcinfra.fake import routes

    docs = (Path(fcinfra.fake.__file__).parents[2] / "docs" / "fake.md").read_text()
    table = docs.split("## Implemented operations", 1)[1].split("\n## ", 1)[0]
    missing = [op for op in routes.OPERATIONS if op not in table]
    assert missing == []
