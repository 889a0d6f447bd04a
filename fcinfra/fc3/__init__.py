"""Function Compute 3.0 (API 2023-03-30): functions are first-level, versions and aliases belong to a function.

Names are imported on first use (PEP 562), as in ``fcinfra.fc``: the FC 3.0 fake imports ``fcinfra.fc3.models``
and ``fcinfra.fc3.signing``, which runs this file, and must not drag the client in with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fcinfra._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Fc3Client": "fcinfra.fc3.client",
    "LATEST": "fcinfra.fc3.models",
    "Alias": "fcinfra.fc3.models",
    "Function": "fcinfra.fc3.models",
    "Invocation": "fcinfra.fc3.models",
    "Trigger": "fcinfra.fc3.models",
    "Version": "fcinfra.fc3.models",
}

__all__ = ["LATEST", "Alias", "Fc3Client", "Function", "Invocation", "Trigger", "Version"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from fcinfra.fc3.client import Fc3Client
    from fcinfra.fc3.models import LATEST, Alias, Function, Invocation, Trigger, Version

_SUBMODULES = frozenset({"client", "lifecycle", "models", "signing", "transport"})


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals(), _SUBMODULES)
