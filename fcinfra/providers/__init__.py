"""Pulumi dynamic providers for what pulumi-alicloud cannot do: publish, alias traffic, alias-bound triggers.

Each resource's provider is pickled (dill) into users' stack state *by import path*, so these paths are
public and stable (pinned by ``tests/providers/test_import_paths.py``):

- ``fcinfra.providers.service_version.ServiceVersionProvider``  (resource ``ServiceVersion``)
- ``fcinfra.providers.alias_shift.AliasShiftProvider``          (resource ``AliasShift``)
- ``fcinfra.providers.alias_trigger.AliasTriggerProvider``      (resource ``AliasTrigger``)
- ``fcinfra.providers.function_version.FunctionVersionProvider`` (resource ``FunctionVersion``, FC 3.0)
- ``fcinfra.providers.function_alias_shift.FunctionAliasShiftProvider`` (resource ``FunctionAliasShift``, FC 3.0)

Importing this package imports ``pulumi``; ``fcinfra`` itself and the CLI never do.
"""

from __future__ import annotations

from fcinfra.providers.alias_shift import AliasShift, AliasShiftProvider
from fcinfra.providers.alias_trigger import AliasTrigger, AliasTriggerProvider
from fcinfra.providers.fingerprint import code_digest, fingerprint
from fcinfra.providers.function_alias_shift import FunctionAliasShift, FunctionAliasShiftProvider
from fcinfra.providers.function_version import FunctionVersion, FunctionVersionProvider
from fcinfra.providers.service_version import ServiceVersion, ServiceVersionProvider

__all__ = [
    "AliasShift",
    "AliasShiftProvider",
    "AliasTrigger",
    "AliasTriggerProvider",
    "FunctionAliasShift",
    "FunctionAliasShiftProvider",
    "FunctionVersion",
    "FunctionVersionProvider",
    "ServiceVersion",
    "ServiceVersionProvider",
    "code_digest",
    "fingerprint",
]
