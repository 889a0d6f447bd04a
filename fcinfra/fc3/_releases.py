"""Fc3Client's release calls: function-level versions (published safely: never two for one call) and aliases."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import ValidationError

from fcinfra.errors import AmbiguousPublishError, FcApiError, FcinfraError, InvalidArgumentError
from fcinfra.fc import answers, arguments, retry
from fcinfra.fc._core import ClientCore
from fcinfra.fc.models import check_alias_name, check_version_id
from fcinfra.fc3._functions import function_path
from fcinfra.fc3.models import LATEST, Alias, CreateAliasRequest, PublishVersionRequest, UpdateAliasRequest, Version


class VersionsAndAliases(ClientCore):
    """A function's immutable versions and the aliases that split its traffic between them."""

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
        req = arguments.validated(PublishVersionRequest, "version", description=description)
        path = function_path(function, "versions")
        try:
            before: int | None = self._newest_version_number(function)
        except FcinfraError:
            before = None  # allowed to publish but not to list: publish, and only an ambiguous failure is unresolvable

        def attempt() -> Version:
            try:
                resp = self._call("PublishFunctionVersion", "POST", path, body=req, idempotent=False)
            except FcinfraError as exc:
                if retry.is_refused(exc) or not retry.is_transient(exc):
                    raise
                if before is None:
                    raise AmbiguousPublishError(
                        f"publishing function {function!r} failed ambiguously ({exc}) and its versions could not be "
                        "listed beforehand to find out whether a version was created; check with list_versions "
                        "before retrying"
                    ) from exc
                created = self._find_published(function, before, description, exc)
                if created is not None:
                    return created
                raise  # certainly not created: retrying (if attempts remain) is safe
            return answers.parse(Version, resp, "version")

        return retry.call(attempt, self.retry_policy, self._sleep, retry.is_transient)

    def _newest_version_number(self, function: str) -> int:
        """One attempt, no retries (see ``publish_version``): 0 when the function has no version yet."""
        resp = self._transport.send(
            "ListFunctionVersions",
            "GET",
            function_path(function, "versions"),
            query=[("direction", "BACKWARD"), ("limit", "1")],
        )
        versions = answers.json_object(resp, "ListFunctionVersions").get("versions") or []
        try:
            return max((int(v["versionId"]) for v in versions), default=0)
        except (KeyError, TypeError, ValueError):
            raise FcApiError(
                "InvalidResponse", f"ListFunctionVersions answered unreadable versions: {versions!r:.200}", 200
            ) from None

    def _find_published(self, function: str, before: int, description: str | None, cause: Exception) -> Version | None:
        """After an ambiguous publish: our version if it exists, None if it certainly was not created."""
        try:
            new = [v for v in self._iter_versions(function, stop_at=before) if int(v.version_id) > before]
        except FcinfraError as exc:
            raise AmbiguousPublishError(
                f"publishing function {function!r} failed ambiguously ({cause}) and its versions could not be "
                f"listed to find out whether a version was created ({exc}); check with list_versions before retrying"
            ) from exc
        if not new:
            return None
        if len(new) == 1 and (new[0].description or None) == (description or None):
            return new[0]
        ids = ", ".join(v.version_id for v in new)
        raise AmbiguousPublishError(
            f"publishing function {function!r} failed ambiguously ({cause}); versions {ids} appeared since, and it "
            "cannot be told which one (if any) this call created; check with list_versions before retrying"
        )

    def _iter_versions(self, function: str, stop_at: int = 0) -> Iterator[Version]:
        path = function_path(function, "versions")
        for item in self._pages("ListFunctionVersions", path, "versions", [("direction", "BACKWARD")]):
            version = Version.model_validate(item)
            if stop_at and int(version.version_id) <= stop_at:
                return
            yield version

    def list_versions(self, function: str) -> list[Version]:
        """Every version of the function (all pages), newest first."""
        try:
            versions = list(self._iter_versions(function))
        except ValidationError as exc:
            raise FcApiError("InvalidResponse", f"ListFunctionVersions: {str(exc).splitlines()[0]}", 200) from None
        return sorted(versions, key=lambda v: int(v.version_id), reverse=True)

    def delete_version(self, function: str, version_id: str | int) -> None:
        """The raw DeleteFunctionVersion call (FC deletes a version even if an alias still serves it)."""
        version_id = str(arguments.version_text(version_id))
        if version_id == LATEST:
            raise InvalidArgumentError("LATEST cannot be deleted: it is the function's mutable head")
        arguments.check(check_version_id, version_id)
        self._delete("DeleteFunctionVersion", function_path(function, "versions", version_id))

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
        req = arguments.validated(
            CreateAliasRequest,
            "alias",
            alias_name=name,
            version_id=arguments.version_text(version_id),
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight) or None,
        )
        path = function_path(function, "aliases")
        return answers.parse(Alias, self._call("CreateAlias", "POST", path, body=req, idempotent=False), "alias")

    def get_alias(self, function: str, name: str) -> Alias:
        """The alias with its weights (and ETag, when FC sends one)."""
        arguments.check(check_alias_name, name)
        return answers.parse(Alias, self._call("GetAlias", "GET", function_path(function, "aliases", name)), "alias")

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
        arguments.check(check_alias_name, name)
        req = arguments.validated(
            UpdateAliasRequest,
            "alias update",
            version_id=arguments.version_text(version_id),
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight),
        )
        path = function_path(function, "aliases", name)
        return self._update("UpdateAlias", path, req, Alias, if_match, lambda: self.get_alias(function, name))

    def delete_alias(self, function: str, name: str) -> None:
        """Delete an alias. A 404 after an ambiguous first attempt counts as done."""
        arguments.check(check_alias_name, name)
        self._delete("DeleteAlias", function_path(function, "aliases", name))

    def list_aliases(self, function: str, prefix: str | None = None) -> list[Alias]:
        """Every alias of the function, all pages."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Alias, "ListAliases", function_path(function, "aliases"), "aliases", query)
