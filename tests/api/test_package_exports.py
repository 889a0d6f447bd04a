"""The curated top-level API: every exported name resolves, and importing fcinfra stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import fcinfra


@pytest.mark.parametrize("name", sorted(set(fcinfra.__all__) - {"__version__"}))
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(fcinfra, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = fcinfra.NoSuchThing  # type: ignore[attr-defined]


def test_import_fcinfra_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, fcinfra; "
        "heavy = [m for m in ('pulumi', 'pulumi_alicloud', 'requests', 'pydantic', 'matplotlib') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_same_objects_as_their_home_modules() -> None:
    from fcinfra.fake import mock_fc
    from fcinfra.fc import FcClient
    from fcinfra.rollout import Rollout

    assert fcinfra.FcClient is FcClient
    assert fcinfra.mock_fc is mock_fc
    assert fcinfra.Rollout is Rollout


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert set(fcinfra.__all__) == set(fcinfra._EXPORTS) | {"__version__"}


@pytest.mark.parametrize("package", ["fcinfra.rollout", "fcinfra.providers", "fcinfra.components"])
def test_lazy_packages_resolve_every_exported_name_to_its_home_object(package: str) -> None:
    """These packages import their names on first use (PEP 562); each name is the object its module defines."""
    import importlib
    import types

    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        assert not isinstance(value, types.ModuleType), (package, name)  # not shadowed by a same-named submodule
        home = importlib.import_module(getattr(value, "__module__", package))
        assert getattr(home, name, value) is value, (package, name)
    with pytest.raises(AttributeError):
        _ = module.NoSuchThing
