"""Versions and aliases, the same on FC 2.0 (a service's) and FC 3.0 (a function's): publishing safely (never two
versions for one call), listing and deleting versions, and the alias calls.

The rules live here once; ``FcClient`` and ``Fc3Client`` say only where their owner's resources are
(:meth:`ReleaseCalls._owner_path`), what FC names the version operations and what the owner is called in
messages, and keep their public methods (whose first argument is named ``service`` or ``function``) as
one-line calls of these.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from pydantic import ValidationError

from fcinfra.errors import AmbiguousPublishError, FcApiError, FcinfraError, InvalidArgumentError
from fcinfra.fc import answers, arguments, retry
from fcinfra.fc._core import ClientCore
from fcinfra.fc.models import (
    LATEST,
    Alias,
    CreateAliasRequest,
    PublishVersionRequest,
    UpdateAliasRequest,
    Version,
    check_alias_name,
    check_version_id,
)


class ReleaseCalls(ClientCore):
    """The owner's versions and the aliases that split its traffic between them."""

    owner_kind: ClassVar[str] = "service"  # how messages name the owner: "service" (FC 2.0), "function" (FC 3.0)
    _publish_op: ClassVar[str] = "PublishServiceVersion"
    _list_versions_op: ClassVar[str] = "ListServiceVersions"
    _delete_version_op: ClassVar[str] = "DeleteServiceVersion"

    def _owner_path(self, owner: str, *rest: str) -> str:
        """The API path of ``owner`` (checked) followed by ``rest``."""
        raise NotImplementedError

    # ---------------------------------------------------------------------------------------- versions

    def _publish(self, owner: str, description: str | None, if_match: str | None = None) -> Version:
        """Publish LATEST as a new immutable version, never creating two versions for one call.

        Publishing is not idempotent, so it is resent only when FC certainly did not run it (throttled, or
        never connected). After an ambiguous failure (5xx, timeout or a connection lost after sending), the
        owner's versions are compared with the newest one before the call: exactly one new version with our
        description is ours and is returned; none means it is safe to try again; anything else raises
        ``AmbiguousPublishError`` rather than guess (as does an ambiguous failure when the versions could not be
        listed before the call).
        """
        req = arguments.validated(PublishVersionRequest, "version", description=description)
        path = self._owner_path(owner, "versions")
        try:
            before: int | None = self._newest_version_number(owner)
        except FcinfraError:
            # Best effort, one attempt: a caller allowed to publish but not to list (or a test stubbing only the
            # publish) still publishes; only an ambiguous failure then cannot be resolved.
            before = None

        def attempt() -> Version:
            try:
                resp = self._call(self._publish_op, "POST", path, body=req, headers=arguments.if_match(if_match),
                                  idempotent=False)
            except FcinfraError as exc:
                if retry.is_refused(exc) or not retry.is_transient(exc):
                    raise
                if before is None:
                    raise AmbiguousPublishError(
                        f"publishing {self.owner_kind} {owner!r} failed ambiguously ({exc}) and its versions could "
                        "not be listed beforehand to find out whether a version was created; check with "
                        "list_versions before retrying"
                    ) from exc
                created = self._find_published(owner, before, description, exc)
                if created is not None:
                    return created
                raise  # the version was not created: retrying (if attempts remain) is safe
            return answers.parse(Version, resp, "version")

        return retry.call(attempt, self.retry_policy, self._sleep, retry.is_transient)

    def _newest_version_number(self, owner: str) -> int:
        """One attempt, no retries (see ``_publish``): 0 when the owner has no version yet."""
        resp = self._transport.send(
            self._list_versions_op,
            "GET",
            self._owner_path(owner, "versions"),
            query=[("limit", "1"), ("direction", "BACKWARD")],
        )
        versions = answers.json_object(resp, self._list_versions_op).get("versions") or []
        try:
            return max((int(v["versionId"]) for v in versions), default=0)
        except (KeyError, TypeError, ValueError):
            raise FcApiError(
                "InvalidResponse",
                f"{self._list_versions_op} answered unreadable versions: {versions!r:.200}",
                resp.status_code,
            ) from None

    def _find_published(self, owner: str, before: int, description: str | None, cause: Exception) -> Version | None:
        """After an ambiguous publish: our version if it exists, None if it certainly was not created."""
        what = f"{self.owner_kind} {owner!r}"
        try:
            new = [v for v in self._iter_versions(owner, stop_at=before) if int(v.version_id) > before]
        except FcinfraError as exc:
            raise AmbiguousPublishError(
                f"publishing {what} failed ambiguously ({cause}) and its versions could not be listed to find out "
                f"whether a version was created ({exc}); check with list_versions before retrying"
            ) from exc
        if not new:
            return None
        if len(new) == 1 and (new[0].description or None) == (description or None):
            return new[0]
        ids = ", ".join(v.version_id for v in new)
        raise AmbiguousPublishError(
            f"publishing {what} failed ambiguously ({cause}); versions {ids} appeared since, and it cannot be told "
            "which one (if any) this call created; check with list_versions before retrying"
        )

    def _iter_versions(self, owner: str, stop_at: int = 0) -> Iterator[Version]:
        path = self._owner_path(owner, "versions")
        for item in self._pages(self._list_versions_op, path, "versions", [("direction", "BACKWARD")]):
            version = Version.model_validate(item)
            if stop_at and int(version.version_id) <= stop_at:
                return
            yield version

    def _list_versions(self, owner: str) -> list[Version]:
        """Every version of the owner (all pages), newest first."""
        try:
            versions = list(self._iter_versions(owner))
        except ValidationError as exc:
            raise FcApiError("InvalidResponse", f"{self._list_versions_op}: {str(exc).splitlines()[0]}", 200) from None
        return sorted(versions, key=lambda v: int(v.version_id), reverse=True)

    def _delete_version(self, owner: str, version_id: str | int) -> None:
        """The raw delete call: FC deletes even a version that aliases or triggers still use."""
        version_id = str(arguments.version_text(version_id))
        if version_id == LATEST:
            raise InvalidArgumentError(f"LATEST cannot be deleted: it is the {self.owner_kind}'s mutable head")
        arguments.check(check_version_id, version_id)
        self._delete(self._delete_version_op, self._owner_path(owner, "versions", version_id))

    # ----------------------------------------------------------------------------------------- aliases

    def _create_alias(self, owner: str, name: str, version_id: str | int, description: str | None,
                      additional_version_weight: Mapping[str, float] | None) -> Alias:
        req = arguments.validated(
            CreateAliasRequest,
            "alias",
            alias_name=name,
            version_id=arguments.version_text(version_id),
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight) or None,
        )
        path = self._owner_path(owner, "aliases")
        return answers.parse(Alias, self._call("CreateAlias", "POST", path, body=req, idempotent=False), "alias")

    def _get_alias(self, owner: str, name: str) -> Alias:
        arguments.check(check_alias_name, name)
        return answers.parse(Alias, self._call("GetAlias", "GET", self._owner_path(owner, "aliases", name)), "alias")

    def _update_alias(self, owner: str, name: str, version_id: str | int | None,
                      additional_version_weight: Mapping[str, float] | None, description: str | None,
                      if_match: str | None) -> Alias:
        arguments.check(check_alias_name, name)
        req = arguments.validated(
            UpdateAliasRequest,
            "alias update",
            version_id=arguments.version_text(version_id),
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight),
        )
        path = self._owner_path(owner, "aliases", name)
        return self._update("UpdateAlias", path, req, Alias, if_match, lambda: self._get_alias(owner, name))

    def _delete_alias(self, owner: str, name: str, if_match: str | None = None) -> None:
        """A 404 after an ambiguous first attempt counts as done."""
        arguments.check(check_alias_name, name)
        self._delete("DeleteAlias", self._owner_path(owner, "aliases", name), if_match)

    def _list_aliases(self, owner: str, prefix: str | None) -> list[Alias]:
        query = [("prefix", prefix)] if prefix else None
        return self._items(Alias, "ListAliases", self._owner_path(owner, "aliases"), "aliases", query)
