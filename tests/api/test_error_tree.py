"""Every error class fcinfra raises lives in fcinfra/errors.py and derives from FcinfraError (the developer guide),
checked over the source (AST), so a new ``class XError(Exception)`` elsewhere is named the moment it appears."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fcinfra
from fcinfra import errors

ROOT = Path(fcinfra.__file__).parent
# Exceptions that are not fcinfra's errors, each with the reason it stays where it is:
NOT_FCINFRA_ERRORS = {
    # the fake's wire answer ({"ErrorCode", "ErrorMessage"} + status), turned into HTTP at the fake's edge; the
    # fake below the emulator may not import fcinfra.errors (DESIGN.md: it mirrors FC, not our client)
    "FakeApiError",
    # a fault-injection signal ("drop this connection"), caught by whoever serves the fake, never raised to users
    "DropConnection",
    # private control flow inside the emulator (a server-side drop, a worker pool's internal states)
    "_Drop", "_PoolExhausted", "_StartFailed",
}


def _exception_classes(path: Path) -> list[str]:
    """Classes whose bases name an exception (``...Error``, ``...Exception``, or an exception builtin)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ClassDef):
            names = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                     for b in node.bases]
            if any(n.endswith(("Error", "Exception")) for n in names):
                found.append(node.name)
    return found


def test_error_classes_live_only_in_errors_py() -> None:
    elsewhere = {f"{path.relative_to(ROOT.parent)}: {name}"
                 for path in ROOT.rglob("*.py") if path.name != "errors.py" or path.parent != ROOT
                 for name in _exception_classes(path) if name not in NOT_FCINFRA_ERRORS}
    assert sorted(elsewhere) == []


@pytest.mark.parametrize("name", [n for n in _exception_classes(ROOT / "errors.py")])
def test_every_error_derives_from_fcinfra_error(name: str) -> None:
    assert issubclass(getattr(errors, name), errors.FcinfraError)


def test_the_moved_errors_keep_their_old_import_paths_and_bases() -> None:
    from fcinfra.fake.server import EmulatorError
    from fcinfra.fc.retry import CertificateNotTrusted, ConnectionNotEstablished

    assert (EmulatorError, ConnectionNotEstablished, CertificateNotTrusted) == (
        errors.EmulatorError, errors.ConnectionNotEstablished, errors.CertificateNotTrusted)
    assert issubclass(errors.EmulatorError, RuntimeError)  # `except RuntimeError` callers still catch it
    assert issubclass(errors.ConnectionNotEstablished, errors.FcConnectionError)


def test_the_checker_sees_an_error_class(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("class Oops(ValueError):\n    pass\nclass Fine:\n    pass\nclass Boom(errors.FcinfraError): ...\n")
    assert _exception_classes(probe) == ["Oops", "Boom"]
