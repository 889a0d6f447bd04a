"""``FunctionVersion``: publish an FC 3.0 function version when the function's code or config really changed.

Chosen over ``alicloud.fc.V3FunctionVersion`` replaced on the fingerprint: that resource's delete removes the
version (a replace would delete the version the alias still serves), and it fails where FC answers "No changes
were made since last publish". This provider is ``ServiceVersion``'s rules on FC 3.0, one function owning its
versions: a new ``fingerprint`` publishes, an unchanged one does nothing, "no changes" adopts the newest
version, versions are **retained** on delete and on replace (``retain_on_delete`` defaults to True; False deletes
only an unreferenced version, through :mod:`fcinfra.fc3.lifecycle`), and only ``keep_last`` (or
``fcinfra.fc3.lifecycle.prune_versions``) removes old unreferenced ones.

The import path of :class:`FunctionVersionProvider` is public and stable: users' state refers to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from fcinfra.providers.service_version import ServiceVersion, ServiceVersionProvider

__all__ = ["FunctionVersion", "FunctionVersionProvider"]


class FunctionVersionProvider(ServiceVersionProvider):
    """Publishes, adopts, retains and (safely) deletes an FC 3.0 function's versions."""

    owner_key = "function"
    lifecycle_module = "fcinfra.fc3.lifecycle"
    fc3 = True


class FunctionVersion(ServiceVersion, module="fcinfra", name="FunctionVersion"):
    """A published version of an FC 3.0 function, re-published whenever ``fingerprint`` changes.

    Constructed like ``ServiceVersion`` with the function's name in place of the service's
    (``FunctionVersion(name, function, fingerprint, ...)``); the state records it as ``function``.
    """

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        function: pulumi.Output[str]

    _owner_key = "function"

    @staticmethod
    def _new_provider() -> ServiceVersionProvider:
        return FunctionVersionProvider()
