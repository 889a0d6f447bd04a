"""Pulumi components (type tokens ``fcinfra:index:<Type>``): ``FcService``, ``Fc3Function`` and ``CanaryRelease``.

Importing this package imports ``pulumi`` and ``pulumi_alicloud``; ``fcinfra`` itself and the CLI never do.
"""

from __future__ import annotations

from fcinfra.components.canary_release import CanaryRelease, CanaryReleaseArgs, TriggerSpec
from fcinfra.components.code import CodePackage, package_code
from fcinfra.components.fc3_function import Fc3Function, Fc3FunctionArgs
from fcinfra.components.fc_service import FcService, FcServiceArgs, FunctionSpec

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
