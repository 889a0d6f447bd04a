"""Fc3Client's release calls: function-level versions (published safely: never two for one call) and aliases.
The rules are :mod:`fcinfra.fc._versions`' (shared with FC 2.0); this is FC 3.0's public surface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from fcinfra.fc._versions import ReleaseCalls
from fcinfra.fc3._functions import function_path
from fcinfra.fc3.models import Alias, Version


class VersionsAndAliases(ReleaseCalls):
    """A function's immutable versions and the aliases that split its traffic between them."""

    owner_kind: ClassVar[str] = "function"
    _publish_op: ClassVar[str] = "PublishFunctionVersion"
    _list_versions_op: ClassVar[str] = "ListFunctionVersions"
    _delete_version_op: ClassVar[str] = "DeleteFunctionVersion"

    def _owner_path(self, owner: str, *rest: str) -> str:
        return function_path(owner, *rest)

    # ---------------------------------------------------------------------------------------- versions

    def publish_version(self, function: str, description: str | None = None) -> Version:
        """Publish the function's LATEST as a new immutable version, never creating two versions for one call.

        PublishFunctionVersion is not idempotent, so it is resent only when FC certainly did not run it
        (throttled, never connected). After an ambiguous failure (5xx, timeout, connection lost after sending)
        the function's versions are compared with the newest one before the call: exactly one new version with
        our description is ours and is returned; none means trying again is safe; anything else raises
        ``AmbiguousPublishError`` rather than guess (as does an ambiguous failure when the versions could not be
        listed beforehand). Nothing changed since the last version: ``NoChangesToPublishError``.
        """
        return self._publish(function, description)

    def list_versions(self, function: str) -> list[Version]:
        """Every version of the function (all pages), newest first."""
        return self._list_versions(function)

    def delete_version(self, function: str, version_id: str | int) -> None:
        """The raw DeleteFunctionVersion call (FC deletes a version even if an alias still serves it)."""
        self._delete_version(function, version_id)

    # ----------------------------------------------------------------------------------------- aliases

    def create_alias(
        self,
        function: str,
        name: str,
        version_id: str | int,
        description: str | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
    ) -> Alias:
        """Point a new alias at ``version_id``, optionally sending a weight in [0, 1] to one other version."""
        return self._create_alias(function, name, version_id, description, additional_version_weight)

    def get_alias(self, function: str, name: str) -> Alias:
        """The alias with its weights (and ETag, when FC sends one)."""
        return self._get_alias(function, name)

    def update_alias(
        self,
        function: str,
        name: str,
        version_id: str | int | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
        description: str | None = None,
        if_match: str | None = None,
    ) -> Alias:
        """Change what the alias points at. ``additional_version_weight=None`` keeps the weights, ``{}`` clears them.

        ``if_match`` makes the write conditional on the ETag of an earlier read (a stale one raises
        ``PreconditionFailedError``), so the rollout engine can drive FC 3.0 aliases as it drives FC 2.0's.
        """
        return self._update_alias(function, name, version_id, additional_version_weight, description, if_match)

    def delete_alias(self, function: str, name: str) -> None:
        """Delete an alias. A 404 after an ambiguous first attempt counts as done."""
        self._delete_alias(function, name)

    def list_aliases(self, function: str, prefix: str | None = None) -> list[Alias]:
        """Every alias of the function, all pages."""
        return self._list_aliases(function, prefix)
