"""fake -> fc.models and fc.signing only: never the client, never fcinfra.errors (DESIGN.md import direction)."""

from __future__ import annotations

import ast
from pathlib import Path

import fcinfra.fake

ALLOWED_OUTSIDE_FAKE = {"fcinfra.fc.models", "fcinfra.fc.signing"}


def test_fake_modules_import_only_models_and_signing() -> None:
    root = Path(fcinfra.fake.__file__).parent
    offenders = []
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("fcinfra") and not name.startswith("fcinfra.fake") \
                        and name not in ALLOWED_OUTSIDE_FAKE:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_docs_list_every_implemented_operation() -> None:
    """Issue 2: "a list of implemented operations is kept in the docs": docs/fake.md names every route."""
    from fcinfra.fake import routes

    docs = (Path(fcinfra.fake.__file__).parents[2] / "docs" / "fake.md").read_text()
    table = docs.split("## Implemented operations", 1)[1].split("\n## ", 1)[0]
    missing = [op for op in routes.OPERATIONS if op not in table]
    assert missing == []
