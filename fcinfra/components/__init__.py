"""Pulumi components (type tokens ``fcinfra:index:<Type>``): ``FcService``, ``Fc3Function`` and ``CanaryRelease``.

Importing this package imports ``pulumi`` and ``pulumi_alicloud``; ``fcinfra`` itself and the CLI never do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fcinfra._lazy import lazy_exports

# Names are imported on first use (PEP 562): `fcinfra.components.code` alone must not import every component.
_EXPORTS: dict[str, str] = {
    "CanaryRelease": "fcinfra.components.canary_release",
    "CanaryReleaseArgs": "fcinfra.components.canary_release",
    "TriggerSpec": "fcinfra.components.canary_release",
    "CodePackage": "fcinfra.components.code",
    "package_code": "fcinfra.components.code",
    "Fc3Function": "fcinfra.components.fc3_function",
    "Fc3FunctionArgs": "fcinfra.components.fc3_function",
    "FcService": "fcinfra.components.fc_service",
    "FcServiceArgs": "fcinfra.components.fc_service",
    "FunctionSpec": "fcinfra.components.fc_service",
}

__all__ = [
    "CanaryRelease",
    "CanaryReleaseArgs",
    "CodePackage",
    "Fc3Function",
    "Fc3FunctionArgs",
    "FcService",
    "FcServiceArgs",
    "FunctionSpec",
    "TriggerSpec",
    "package_code",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from fcinfra.components.canary_release import CanaryRelease, CanaryReleaseArgs, TriggerSpec
    from fcinfra.components.code import CodePackage, package_code
    from fcinfra.components.fc3_function import Fc3Function, Fc3FunctionArgs
    from fcinfra.components.fc_service import FcService, FcServiceArgs, FunctionSpec


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
