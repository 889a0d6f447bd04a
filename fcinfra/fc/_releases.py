"""FcClient's release calls: publishing immutable versions (safely: never two for one call) and aliases."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

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
from fcinfra.fc.transport import api_path


class VersionsAndAliases(ClientCore):
    """Versions and the aliases that split traffic between them."""

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
        req = arguments.validated(PublishVersionRequest, "version", description=description)
        path = api_path("services", self._svc(service), "versions")
        try:
            before: int | None = self._newest_version_number(service)
        except FcinfraError:
            # Best effort, one attempt: a caller allowed to publish but not to list (or a test stubbing only the
            # publish) still publishes; only an ambiguous failure then cannot be resolved.
            before = None

        def attempt() -> Version:
            try:
                headers = arguments.if_match(if_match)
                resp = self._call("PublishServiceVersion", "POST", path, body=req, headers=headers, idempotent=False)
            except FcinfraError as exc:
                if retry.is_refused(exc) or not retry.is_transient(exc):
                    raise
                if before is None:
                    raise AmbiguousPublishError(
                        f"publishing service {service!r} failed ambiguously ({exc}) and its versions could not be "
                        "listed beforehand to find out whether a version was created; check with list_versions "
                        "before retrying"
                    ) from exc
                created = self._find_published(service, before, description, exc)
                if created is not None:
                    return created
                raise  # the version was not created: retrying (if attempts remain) is safe
            return answers.parse(Version, resp, "version")

        return retry.call(attempt, self.retry_policy, self._sleep, retry.is_transient)

    def _newest_version_number(self, service: str) -> int:
        """One attempt, no retries: see ``publish_version``."""
        resp = self._transport.send(
            "ListServiceVersions",
            "GET",
            api_path("services", self._svc(service), "versions"),
            query=[("limit", "1"), ("direction", "BACKWARD")],
        )
        versions = answers.json_object(resp, "ListServiceVersions").get("versions") or []
        try:
            return max((int(v["versionId"]) for v in versions), default=0)
        except (KeyError, TypeError, ValueError):
            raise FcApiError(
                "InvalidResponse",
                f"ListServiceVersions answered unreadable versions: {versions!r:.200}",
                resp.status_code,
            ) from None

    def _find_published(self, service: str, before: int, description: str | None, cause: Exception) -> Version | None:
        """After an ambiguous publish: our version if it exists, None if certainly not created."""
        try:
            new = [v for v in self._iter_versions(service, stop_at=before) if int(v.version_id) > before]
        except FcinfraError as exc:
            raise AmbiguousPublishError(
                f"publishing service {service!r} failed ambiguously ({cause}) and its versions could not be "
                f"listed to find out whether a version was created ({exc}); check with list_versions before retrying"
            ) from exc
        if not new:
            return None
        if len(new) == 1 and (new[0].description or None) == (description or None):
            return new[0]
        ids = ", ".join(v.version_id for v in new)
        raise AmbiguousPublishError(
            f"publishing service {service!r} failed ambiguously ({cause}); versions {ids} appeared since, and it "
            "cannot be told which one (if any) this call created; check with list_versions before retrying"
        )

    def _iter_versions(self, service: str, stop_at: int = 0) -> Iterator[Version]:
        path = api_path("services", self._svc(service), "versions")
        for item in self._pages("ListServiceVersions", path, "versions", [("direction", "BACKWARD")]):
            version = Version.model_validate(item)
            if stop_at and int(version.version_id) <= stop_at:
                return
            yield version

    def list_versions(self, service: str) -> list[Version]:
        """Every version of the service, newest first."""
        try:
            versions = list(self._iter_versions(service))
        except ValidationError as exc:
            raise FcApiError("InvalidResponse", f"ListServiceVersions: {str(exc).splitlines()[0]}", 200) from None
        return sorted(versions, key=lambda v: int(v.version_id), reverse=True)

    def delete_version(self, service: str, version_id: str) -> None:
        """The raw DeleteServiceVersion call: FC deletes even a version that aliases or triggers still use.

        Use ``fcinfra.lifecycle.delete_version_safely`` to refuse that.
        """
        if version_id == LATEST:
            raise InvalidArgumentError("LATEST cannot be deleted: it is the service's mutable head")
        arguments.check(check_version_id, str(version_id))
        path = api_path("services", self._svc(service), "versions", str(version_id))
        self._delete("DeleteServiceVersion", path)

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
        req = arguments.validated(
            CreateAliasRequest,
            "alias",
            alias_name=name,
            version_id=version_id,
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight) or None,
        )
        path = api_path("services", self._svc(service), "aliases")
        return answers.parse(Alias, self._call("CreateAlias", "POST", path, body=req, idempotent=False), "alias")

    def get_alias(self, service: str, name: str) -> Alias:
        """The alias with its weights and ETag (pass ``.etag`` to ``update_alias(if_match=)`` to avoid lost updates)."""
        arguments.check(check_alias_name, name)
        path = api_path("services", self._svc(service), "aliases", name)
        return answers.parse(Alias, self._call("GetAlias", "GET", path), "alias")

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
        arguments.check(check_alias_name, name)
        req = arguments.validated(
            UpdateAliasRequest,
            "alias update",
            version_id=version_id,
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight),
        )
        path = api_path("services", self._svc(service), "aliases", name)
        return self._update("UpdateAlias", path, req, Alias, if_match, lambda: self.get_alias(service, name))

    def delete_alias(self, service: str, name: str, *, if_match: str | None = None) -> None:
        """Delete an alias. A 404 after an ambiguous first attempt counts as done."""
        arguments.check(check_alias_name, name)
        path = api_path("services", self._svc(service), "aliases", name)
        self._delete("DeleteAlias", path, if_match)

    def list_aliases(self, service: str, prefix: str | None = None) -> list[Alias]:
        """Every alias of the service, all pages."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Alias, "ListAliases", api_path("services", self._svc(service), "aliases"), "aliases", query)
