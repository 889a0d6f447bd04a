"""Users' stack state refers to provider classes by import path (dill pickles them by reference).

Renaming or moving any of these breaks every existing stack that uses them, so they are pinned here.
"""

from __future__ import annotations

import base64
import importlib

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

PINNED = [
    ("fcinfra.providers.service_version", "ServiceVersionProvider"),
    ("fcinfra.providers.alias_shift", "AliasShiftProvider"),
    ("fcinfra.providers.alias_trigger", "AliasTriggerProvider"),
    ("fcinfra.providers.function_version", "FunctionVersionProvider"),
    ("fcinfra.providers.function_alias_shift", "FunctionAliasShiftProvider"),
]


@pytest.mark.parametrize(("module", "name"), PINNED)
def test_provider_is_pickled_by_its_public_path(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert (cls.__module__, cls.__qualname__) == (module, name)
    raw = base64.b64decode(serialize_provider(cls()))
    assert module.encode() in raw and name.encode() in raw
    assert type(dill.loads(raw)) is cls


def test_an_old_state_blob_still_loads() -> None:
    """A ``__provider`` value as written by this release: protocol-4 pickle of the class reference."""
    blob = (
        "gASVRgAAAAAAAACMIWZjaW5mcmEucHJvdmlkZXJzLnNlcnZpY2VfdmVyc2lvbpSMFlNlcnZpY2VWZXJzaW9uUHJvdmlkZXKUk5Qp"
        "gZR9lGIu"
    )
    from fcinfra.providers.service_version import ServiceVersionProvider

    assert type(dill.loads(base64.b64decode(blob))) is ServiceVersionProvider


def test_resource_type_tokens_are_stable() -> None:
    from fcinfra.providers import AliasShift, AliasTrigger, ServiceVersion

    assert ServiceVersion._resource_type_name == "dynamic/fcinfra:ServiceVersion"
    assert AliasShift._resource_type_name == "dynamic/fcinfra:AliasShift"
    assert AliasTrigger._resource_type_name == "dynamic/fcinfra:AliasTrigger"
