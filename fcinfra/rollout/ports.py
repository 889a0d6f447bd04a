"""What the rollout needs from FC: read and conditionally write one alias, nothing else.

The runner and the operator commands (promote, rollback, status) are typed against this Protocol rather
than ``FcClient``: it states the whole surface they touch (DESIGN.md: the rollout meets FC only at its
edges), and any object with these two calls will do, a wrapped or instrumented client included. Health
probes call more (``invoke``, ``http_trigger_request``) on the client they are handed in ``Target``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from fcinfra.fc.models import Alias, Function, Version

__all__ = ["AliasApi", "ReleaseApi"]


class AliasApi(Protocol):
    """The two alias calls of :class:`fcinfra.fc.FcClient` that a rollout makes."""

    def get_alias(self, service: str, name: str) -> Alias:
        """The alias with its ETag (every write is conditional on the last one seen)."""
        ...

    def update_alias(
        self,
        service: str,
        name: str,
        version_id: str | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
        description: str | None = None,
        if_match: str | None = None,
    ) -> Alias:
        """One alias write; a stale ``if_match`` must raise ``PreconditionFailedError``."""
        ...


class ReleaseApi(AliasApi, Protocol):
    """What the checks before a release read besides the alias: the service's versions and functions."""

    def list_versions(self, service: str) -> list[Version]:
        """Every published version, newest first."""
        ...

    def get_function(self, service: str, name: str, qualifier: str | None = None) -> Function:
        """A function; ``NotFoundError`` when the service has no such function."""
        ...
