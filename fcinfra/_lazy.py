"""A package's exported names, imported on first use (PEP 562).

``import fcinfra`` (and the CLI's ``--help``, a preview's dynamic-provider host) must not pay for pydantic,
requests or the rollout engine until a name that needs them is used; each package lists where its names live and
gets its ``__getattr__``/``__dir__`` from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    namespace: dict[str, Any],
    submodules: frozenset[str] = frozenset(),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: ``exports`` maps a name to the module defining it (the
    value is cached in ``namespace``, the package's globals); ``submodules`` are reachable as attributes, as they
    were when the package imported them eagerly."""

    def __getattr__(name: str) -> Any:
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
