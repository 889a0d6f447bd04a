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


# What Pulumi's dynamic-provider host does for a `pulumi preview` of a CanaryRelease: unpickle each provider from
# its state blob, then `check` the declared inputs. It starts once per preview, so whatever this imports is paid
# on every preview (bench/pulumi_up.py): the checks need the naming rules and the strategy, never the wire models
# (pydantic), the FC client, the rollout runner or the traffic gates.
_HOST_CHECK = """
import base64, sys, dill
blobs = sys.stdin.read().split()
sv, shift, trigger = (dill.loads(base64.b64decode(b)) for b in blobs)
failures = [
    sv.check({}, {"service": "svc", "fingerprint": "sha256:ab", "retain": True}).failures,
    shift.check({}, {"service": "svc", "alias": "prod", "version_id": "1", "fingerprint": "sha256:ab",
                     "strategy": {"type": "steps", "weights": [10, 100], "interval": 30}, "health": []}).failures,
    trigger.check({}, {"service": "svc", "function": "fn", "name": "http-fn", "trigger_type": "http",
                       "qualifier": "prod", "trigger_config": {"authType": "anonymous"}}).failures,
]
heavy = ("pydantic", "requests", "fcinfra.fc.models", "fcinfra.fc.client", "fcinfra.rollout.runner",
         "fcinfra.rollout.traffic", "fcinfra.providers.function_version")
print(sum(len(f) for f in failures), sorted(m for m in heavy if m in sys.modules))
"""


def test_the_provider_host_checks_without_heavy_imports() -> None:
    import subprocess
    import sys

    from fcinfra.providers.alias_shift import AliasShiftProvider
    from fcinfra.providers.alias_trigger import AliasTriggerProvider
    from fcinfra.providers.service_version import ServiceVersionProvider

    providers = (ServiceVersionProvider, AliasShiftProvider, AliasTriggerProvider)
    blobs = [str(serialize_provider(cls())) for cls in providers]
    done = subprocess.run([sys.executable, "-c", _HOST_CHECK], input="\n".join(blobs), capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "0 []", done.stdout + done.stderr


def test_package_names_resolve_to_their_objects() -> None:
    """The package imports its names on first use; ``fingerprint`` is the function, not its submodule."""
    import fcinfra.providers as providers
    from fcinfra.providers.fingerprint import fingerprint
    from fcinfra.providers.service_version import ServiceVersion

    assert providers.fingerprint is fingerprint
    assert providers.ServiceVersion is ServiceVersion
    assert set(providers.__all__) <= set(dir(providers))
