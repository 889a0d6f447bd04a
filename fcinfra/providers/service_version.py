"""``ServiceVersion``: publish an FC service version when the code or config really changed.

pulumi-alicloud's ``fc.Service(publish=True)`` publishes only when the Service resource itself changes,
never for function code. This resource takes a *fingerprint* of the service config and of every
function's code and config (see :mod:`fcinfra.providers.fingerprint`): a new fingerprint publishes a
new version, an unchanged one does nothing. Create is a publish. When FC answers "No changes were made
since last publish" (the live service already matches a published version) the newest version is adopted
instead of failing. Versions are retained on delete by default; with ``retain_on_delete=False`` only
unreferenced versions are deleted (never one an alias or trigger still uses), and ``keep_last`` prunes
old unreferenced versions through :mod:`fcinfra.lifecycle` after each publish.

The import path of :class:`ServiceVersionProvider` is public and stable: users' state refers to it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from fcinfra.errors import NoChangesToPublishError, NotFoundError
from fcinfra.providers._base import FcProviderBase, FcResource
from fcinfra.providers._props import changed, is_unknown, known_failures, plain

__all__ = ["ServiceVersion", "ServiceVersionProvider"]

_REPLACE_KEYS = ("service",)  # FC 2.0's; the provider uses its owner_key
_PUBLISH_KEYS = ("fingerprint",)
_UPDATE_KEYS = ("description", "retain_on_delete", "keep_last")


class ServiceVersionProvider(FcProviderBase):
    """Publishes, adopts, retains and (safely) deletes service versions."""

    # What owns the versions: FC 2.0's service. ``FunctionVersionProvider`` (FC 3.0) says "function" and builds an
    # Fc3Client; the rules below are the same for both.
    owner_key = "service"
    lifecycle_module = "fcinfra.lifecycle"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Refuse bad inputs at preview time, with per-field messages, before anything is published."""
        failures: list[CheckFailure] = []
        owner, key = news.get(self.owner_key), self.owner_key
        if not isinstance(owner, str) or not owner:
            failures.append(CheckFailure(key, f"{key} must be the name of an FC {key}"))
        fingerprint = news.get("fingerprint")
        if not isinstance(fingerprint, str) or not fingerprint:
            failures.append(CheckFailure("fingerprint", "fingerprint must be a non-empty string"))
        keep_last = news.get("keep_last")
        if keep_last is not None and not is_unknown(keep_last) and (
            isinstance(keep_last, bool) or not isinstance(keep_last, int | float) or not float(keep_last).is_integer()
            or keep_last < 1
        ):
            failures.append(CheckFailure("keep_last", f"keep_last must be a whole number >= 1, got {keep_last!r}"))
        description = news.get("description")
        if description is not None and len(str(description)) > 256:
            failures.append(CheckFailure("description", "description is longer than 256 characters"))
        checked = {**news, "retain_on_delete": news.get("retain_on_delete", True) is not False}
        return CheckResult(checked, known_failures(failures, news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: a new fingerprint publishes (update); another service is another resource (replace)."""
        olds, news = _with_defaults(olds), _with_defaults(news)
        replaces = changed(olds, news, (self.owner_key,))
        updates = changed(olds, news, _PUBLISH_KEYS + _UPDATE_KEYS)
        return DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            stables=[self.owner_key],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Publish LATEST as a version, or adopt the newest one when nothing changed since it was published."""
        inputs = plain(props)
        outs = self._publish(inputs)
        return CreateResult(f"{inputs[self.owner_key]}@{outs['version_id']}", outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Publish again only when the fingerprint changed; other settings change the state only."""
        inputs = plain(news)
        if changed(olds, inputs, _PUBLISH_KEYS) or not olds.get("version_id"):
            return UpdateResult(self._publish(inputs))
        outs = {**_outputs_of(olds, self.owner_key), **_settings_of(inputs)}
        return UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh: the version still exists (outputs unchanged) or it was deleted (resource gone)."""
        state = plain(props)
        service, version_id = state.get(self.owner_key), state.get("version_id")
        if not service or not version_id:
            service, _, version_id = id_.partition("@")
        try:
            versions = self.client().list_versions(service)
        except NotFoundError:
            return ReadResult("", {})
        match = next((v for v in versions if v.version_id == str(version_id)), None)
        if match is None:
            return ReadResult("", {})
        outs = {**state, self.owner_key: service, "version_id": match.version_id,
                "created_time": match.created_time or state.get("created_time")}
        return ReadResult(id_, outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Retain by default; otherwise delete the version unless an alias or trigger still uses it."""
        state = plain(props)
        if state.get("retain_on_delete", True) is not False:
            return
        delete_version_safely = importlib.import_module(self.lifecycle_module).delete_version_safely
        try:
            delete_version_safely(self.client(), state[self.owner_key], str(state["version_id"]))
        except NotFoundError:
            return  # already gone (or the whole service is): nothing to do

    # ------------------------------------------------------------------------------------------ helpers

    def _publish(self, inputs: dict[str, Any]) -> dict[str, Any]:
        client = self.client()
        service = inputs[self.owner_key]
        description = inputs.get("description") or f"fcinfra fingerprint {str(inputs['fingerprint'])[:16]}"
        adopted = False
        try:
            version = client.publish_version(service, description=description)
            version_id, created = version.version_id, version.created_time
        except NoChangesToPublishError:
            # The live service equals an already published version: that version *is* this fingerprint.
            newest = client.list_versions(service)
            if not newest:
                raise
            version_id, created, adopted = newest[0].version_id, newest[0].created_time, True
        pruned: list[str] = []
        keep_last = inputs.get("keep_last")
        if keep_last:
            prune_versions = importlib.import_module(self.lifecycle_module).prune_versions
            pruned = list(prune_versions(client, service, keep_last=int(keep_last)))
        return {
            self.owner_key: service,
            "fingerprint": inputs["fingerprint"],
            "version_id": str(version_id),
            "adopted": adopted,
            "created_time": created,
            "pruned": pruned,
            **_settings_of(inputs),
        }


def _with_defaults(props: dict[str, Any]) -> dict[str, Any]:
    return {**props, "retain_on_delete": props.get("retain_on_delete", True) is not False}


def _settings_of(inputs: dict[str, Any]) -> dict[str, Any]:
    keep_last = inputs.get("keep_last")
    return {
        "description": inputs.get("description"),
        "retain_on_delete": inputs.get("retain_on_delete", True) is not False,
        "keep_last": None if keep_last is None else int(keep_last),
    }


def _outputs_of(olds: dict[str, Any], owner_key: str = "service") -> dict[str, Any]:
    keys = (owner_key, "fingerprint", "version_id", "adopted", "created_time", "pruned")
    return {k: olds.get(k) for k in keys}


class ServiceVersion(FcResource, module="fcinfra", name="ServiceVersion"):
    """A published version of an FC service, re-published whenever ``fingerprint`` changes.

    ``version_id`` is the published (or adopted) version. Make the resource depend on the service's
    functions (FcService's ``fingerprint`` output carries that dependency) so it publishes after them.
    """

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        service: pulumi.Output[str]
        fingerprint: pulumi.Output[str]
        version_id: pulumi.Output[str]
        adopted: pulumi.Output[bool]
        retain_on_delete: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        service: pulumi.Input[str],
        fingerprint: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        retain_on_delete: pulumi.Input[bool] = True,
        keep_last: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        optional = {"description": description, "keep_last": keep_last}
        props: dict[str, Any] = {
            self._owner_key: service,
            "fingerprint": fingerprint,
            "retain_on_delete": retain_on_delete,
            **{k: v for k, v in optional.items() if v is not None},  # unset inputs cost nothing
            "version_id": None,
            "adopted": None,
        }
        super().__init__(self._new_provider(), resource_name, props, opts)

    _owner_key = "service"  # FunctionVersion (FC 3.0): "function"

    @staticmethod
    def _new_provider() -> ServiceVersionProvider:
        return ServiceVersionProvider()
