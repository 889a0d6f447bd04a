"""fcinfra: safe, declarative releases on Alibaba Cloud Function Compute (FC 2.0).

The curated public API. Names are imported on first use, so ``import fcinfra`` stays light (the CLI's
``--help`` must start fast, and pulumi is only imported when a Pulumi name is asked for)::

    from fcinfra import FcClient, mock_fc, Rollout, Steps, InvokeProbe
    from fcinfra.components import FcService, CanaryRelease        # Pulumi programs
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fcinfra._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # the FC 2.0 client and its models
    "FcClient": "fcinfra.fc",
    "RetryPolicy": "fcinfra.fc",
    "Alias": "fcinfra.fc",
    "Function": "fcinfra.fc",
    "Invocation": "fcinfra.fc",
    "Service": "fcinfra.fc",
    "Trigger": "fcinfra.fc",
    "Version": "fcinfra.fc",
    "LATEST": "fcinfra.fc",
    # errors
    "FcinfraError": "fcinfra.errors",
    "FcApiError": "fcinfra.errors",
    "InvalidArgumentError": "fcinfra.errors",
    "NotFoundError": "fcinfra.errors",
    "ConflictError": "fcinfra.errors",
    "PreconditionFailedError": "fcinfra.errors",
    "NoChangesToPublishError": "fcinfra.errors",
    "ThrottledError": "fcinfra.errors",
    "AccessDeniedError": "fcinfra.errors",
    "VersionInUseError": "fcinfra.errors",
    # version lifecycle
    "delete_version_safely": "fcinfra.lifecycle",
    "prune_versions": "fcinfra.lifecycle",
    # progressive delivery
    "Rollout": "fcinfra.rollout",
    "RolloutResult": "fcinfra.rollout",
    "Steps": "fcinfra.rollout",
    "Canary": "fcinfra.rollout",
    "Linear": "fcinfra.rollout",
    "AllAtOnce": "fcinfra.rollout",
    "Pause": "fcinfra.rollout",
    "InvokeProbe": "fcinfra.rollout",
    "HttpProbe": "fcinfra.rollout",
    # offline FC
    "mock_fc": "fcinfra.fake",
    "FakeFc": "fcinfra.fake",
    "Emulator": "fcinfra.fake.server",
}

__all__ = [
    "LATEST",
    "AccessDeniedError",
    "Alias",
    "AllAtOnce",
    "Canary",
    "ConflictError",
    "Emulator",
    "FakeFc",
    "FcApiError",
    "FcClient",
    "FcinfraError",
    "Function",
    "HttpProbe",
    "InvalidArgumentError",
    "Invocation",
    "InvokeProbe",
    "Linear",
    "NoChangesToPublishError",
    "NotFoundError",
    "Pause",
    "PreconditionFailedError",
    "RetryPolicy",
    "Rollout",
    "RolloutResult",
    "Service",
    "Steps",
    "ThrottledError",
    "Trigger",
    "Version",
    "VersionInUseError",
    "__version__",
    "delete_version_safely",
    "mock_fc",
    "prune_versions",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from fcinfra.errors import (
        AccessDeniedError,
        ConflictError,
        FcApiError,
        FcinfraError,
        InvalidArgumentError,
        NoChangesToPublishError,
        NotFoundError,
        PreconditionFailedError,
        ThrottledError,
        VersionInUseError,
    )
    from fcinfra.fake import FakeFc, mock_fc
    from fcinfra.fake.server import Emulator
    from fcinfra.fc import LATEST, Alias, FcClient, Function, Invocation, RetryPolicy, Service, Trigger, Version
    from fcinfra.lifecycle import delete_version_safely, prune_versions
    from fcinfra.rollout import (
        AllAtOnce,
        Canary,
        HttpProbe,
        InvokeProbe,
        Linear,
        Pause,
        Rollout,
        RolloutResult,
        Steps,
    )


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
