"""FcClient's release calls: publishing a service's immutable versions (safely: never two for one call) and its
aliases. The rules are :mod:`fcinfra.fc._versions`' (shared with FC 3.0); this is FC 2.0's public surface."""

from __future__ import annotations

from collections.abc import Mapping

from fcinfra.fc._versions import ReleaseCalls
from fcinfra.fc.models import Alias, Version
from fcinfra.fc.transport import api_path


class VersionsAndAliases(ReleaseCalls):
    """Versions and the aliases that split traffic between them."""

    def _owner_path(self, owner: str, *rest: str) -> str:
        return api_path("services", self._svc(owner), *rest)

    # ---------------------------------------------------------------------------------------- versions

    def publish_version(self, service: str, description: str | None = None, *, if_match: str | None = None) -> Version:
        """Publish LATEST as a new immutable version, never creating two versions for one call.

        PublishServiceVersion is not idempotent, so it is resent only when FC certainly did not run it
        (throttled, or never connected). After an ambiguous failure (5xx, timeout or a connection lost
        after sending), the service's versions are compared with those that existed before the call:
        exactly one new version with our description is ours and is returned; none means it is safe to
        try again; anything else raises ``AmbiguousPublishError`` rather than guess. (When the versions
        cannot be listed before the call, publishing goes ahead and an ambiguous failure raises that error.)
        """
        return self._publish(service, description, if_match)

    def list_versions(self, service: str) -> list[Version]:
        """Every version of the service, newest first."""
        return self._list_versions(service)

    def delete_version(self, service: str, version_id: str) -> None:
        """The raw DeleteServiceVersion call: FC deletes even a version that aliases or triggers still use.

        Use ``fcinfra.lifecycle.delete_version_safely`` to refuse that.
        """
        self._delete_version(service, version_id)

    # ----------------------------------------------------------------------------------------- aliases

    def create_alias(
        self,
        service: str,
        name: str,
        version_id: str,
        description: str | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
    ) -> Alias:
        """Point a new alias at ``version_id``, optionally sending a weight of traffic to one other version."""
        return self._create_alias(service, name, version_id, description, additional_version_weight)

    def get_alias(self, service: str, name: str) -> Alias:
        """The alias with its weights and ETag (pass ``.etag`` to ``update_alias(if_match=)`` to avoid lost updates)."""
        return self._get_alias(service, name)

    def update_alias(
        self,
        service: str,
        name: str,
        version_id: str | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
        description: str | None = None,
        if_match: str | None = None,
    ) -> Alias:
        """Change what the alias points at. ``additional_version_weight=None`` keeps the weights, ``{}`` clears them."""
        return self._update_alias(service, name, version_id, additional_version_weight, description, if_match)

    def delete_alias(self, service: str, name: str, *, if_match: str | None = None) -> None:
        """Delete an alias. A 404 after an ambiguous first attempt counts as done."""
        self._delete_alias(service, name, if_match)

    def list_aliases(self, service: str, prefix: str | None = None) -> list[Alias]:
        """Every alias of the service, all pages."""
        return self._list_aliases(service, prefix)
