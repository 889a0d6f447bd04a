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

from typing import TYPE_CHECKING, Any

import pulumi

from fcinfra.providers._base import FcResource
from fcinfra.providers.service_version import ServiceVersionProvider

__all__ = ["FunctionVersion", "FunctionVersionProvider"]


class FunctionVersionProvider(ServiceVersionProvider):
    """Publishes, adopts, retains and (safely) deletes an FC 3.0 function's versions."""

    owner_key = "function"
    lifecycle_module = "fcinfra.fc3.lifecycle"

    def _client_class(self) -> Any:
        from fcinfra.fc3 import Fc3Client

        return Fc3Client


class FunctionVersion(FcResource, module="fcinfra", name="FunctionVersion"):
    """A published version of an FC 3.0 function, re-published whenever ``fingerprint`` changes."""

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        function: pulumi.Output[str]
        fingerprint: pulumi.Output[str]
        version_id: pulumi.Output[str]
        adopted: pulumi.Output[bool]
        retain_on_delete: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        function: pulumi.Input[str],
        fingerprint: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        retain_on_delete: pulumi.Input[bool] = True,
        keep_last: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        optional = {"description": description, "keep_last": keep_last}
        props: dict[str, Any] = {
            "function": function,
            "fingerprint": fingerprint,
            "retain_on_delete": retain_on_delete,
            **{k: v for k, v in optional.items() if v is not None},
            "version_id": None,
            "adopted": None,
        }
        super().__init__(FunctionVersionProvider(), resource_name, props, opts)
