"""``AliasTrigger``: an FC trigger bound to its qualifier (alias, version or LATEST) from the first moment.

pulumi-alicloud's legacy ``fc.Trigger`` has no ``qualifier`` argument, so the triggers it creates run
LATEST's unpublished code until something re-binds them. CreateTrigger accepts a qualifier, so this
resource passes it at creation; a later qualifier change is an in-place UpdateTrigger, never a
replacement (which would drop events between the delete and the create). Name, function, type and
source ARN are immutable in FC and replace the trigger.

The import path of :class:`AliasTriggerProvider` is public and stable: users' state refers to it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from fcinfra.errors import NotFoundError
from fcinfra.fc.names import TRIGGER_TYPES, check_name, check_qualifier
from fcinfra.providers._base import FcProviderBase, FcResource
from fcinfra.providers._props import as_json, changed, known_failures, plain

__all__ = ["AliasTrigger", "AliasTriggerProvider"]

_REPLACE_KEYS = ("service", "function", "name", "trigger_type", "source_arn")
_UPDATE_KEYS = ("qualifier", "trigger_config", "invocation_role", "description")


class AliasTriggerProvider(FcProviderBase):
    """Creates triggers with their qualifier and re-binds them in place."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Refuse bad inputs at preview time, with per-field messages, before FC is called."""
        failures: list[CheckFailure] = []
        for key, what in (("service", "service name"), ("function", "function name"), ("name", "trigger name")):
            try:
                check_name(news.get(key), what)  # type: ignore[arg-type]
            except ValueError as exc:
                failures.append(CheckFailure(key, str(exc)))
        if news.get("trigger_type") not in TRIGGER_TYPES:
            failures.append(
                CheckFailure("trigger_type", f"trigger_type must be one of {', '.join(TRIGGER_TYPES)}")
            )
        qualifier = news.get("qualifier") or "LATEST"
        try:
            check_qualifier(str(qualifier))
        except ValueError as exc:
            failures.append(CheckFailure("qualifier", str(exc)))
        config = news.get("trigger_config")
        if isinstance(config, str):
            try:
                json.loads(config)
            except ValueError:
                failures.append(CheckFailure("trigger_config", "trigger_config must be a JSON object or mapping"))
        elif config is not None and not isinstance(config, dict):
            failures.append(CheckFailure("trigger_config", "trigger_config must be a JSON object or mapping"))
        return CheckResult({**news, "qualifier": qualifier}, known_failures(failures, news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: a new qualifier or config updates in place; identity fields replace."""
        news = {**news, "trigger_config": _config(news.get("trigger_config"))}
        olds = {**olds, "trigger_config": _config(olds.get("trigger_config"))}
        replaces = changed(olds, news, _REPLACE_KEYS)
        updates = changed(olds, news, _UPDATE_KEYS)
        return DiffResult(changes=bool(replaces or updates), replaces=replaces, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the trigger already bound to its qualifier, so it never invokes unpublished LATEST code."""
        inputs = plain(props)
        trigger = self.client().create_trigger(
            inputs["service"],
            inputs["function"],
            inputs["name"],
            inputs["trigger_type"],
            _config(inputs.get("trigger_config")),
            qualifier=inputs.get("qualifier") or "LATEST",
            source_arn=inputs.get("source_arn") or None,
            invocation_role=inputs.get("invocation_role") or None,
            description=inputs.get("description") or None,
        )
        return CreateResult(_id(inputs), _outputs(inputs, trigger))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Re-bind or reconfigure in place (only a changed config is sent, so FC's defaults are not overwritten)."""
        inputs = plain(news)
        config_new, config_old = _config(inputs.get("trigger_config")), _config(olds.get("trigger_config"))
        trigger = self.client().update_trigger(
            inputs["service"],
            inputs["function"],
            inputs["name"],
            qualifier=inputs.get("qualifier") or "LATEST",
            trigger_config=config_new if config_new != config_old else None,
            invocation_role=inputs.get("invocation_role") or None,
            description=inputs.get("description") or None,
        )
        return UpdateResult(_outputs(inputs, trigger))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from FC; a changed qualifier shows up as drift that the next update re-binds."""
        state = plain(props)
        service, function, name = _parse_id(id_, state)
        try:
            trigger = self.client().get_trigger(service, function, name)
        except NotFoundError:
            return ReadResult("", {})
        recorded = _config(state.get("trigger_config")) or {}
        live = _ints(trigger.trigger_config or {})
        # Report drift only in the keys the user declared (FC's own defaults are not drift).
        config = {k: live.get(k) for k in recorded} if recorded else None
        inputs = {**state, "service": service, "function": function, "name": name, "trigger_config": config}
        return ReadResult(id_, _outputs(inputs, trigger))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the trigger; already gone counts as deleted."""
        service, function, name = _parse_id(id_, plain(props))
        try:
            self.client().delete_trigger(service, function, name)
        except NotFoundError:
            return


def _config(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else None
    return {key: _ints(item) for key, item in dict(value).items()}


def _ints(value: Any) -> Any:
    """Pulumi carries numbers as floats; give FC back the whole numbers it was given."""
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _id(inputs: dict[str, Any]) -> str:
    return f"{inputs['service']}:{inputs['function']}:{inputs['name']}"


def _parse_id(id_: str, state: dict[str, Any]) -> tuple[str, str, str]:
    if state.get("service") and state.get("function") and state.get("name"):
        return state["service"], state["function"], state["name"]
    service, function, name = id_.split(":", 2)
    return service, function, name


def _outputs(inputs: dict[str, Any], trigger: Any) -> dict[str, Any]:
    return {
        "service": inputs["service"],
        "function": inputs["function"],
        "name": inputs["name"],
        "trigger_type": trigger.trigger_type or inputs.get("trigger_type"),
        "qualifier": trigger.qualifier or "LATEST",
        # What the user declared: FC may add defaults to a config, which must not read as a change.
        "trigger_config": _config(inputs.get("trigger_config")),
        "source_arn": trigger.source_arn or inputs.get("source_arn"),
        "invocation_role": trigger.invocation_role or inputs.get("invocation_role"),
        "description": trigger.description if trigger.description is not None else inputs.get("description"),
        "trigger_id": trigger.trigger_id,
        "url_internet": trigger.url_internet,
        "url_intranet": trigger.url_intranet,
        "last_modified_time": trigger.last_modified_time,
    }


class AliasTrigger(FcResource, module="fcinfra", name="AliasTrigger"):
    """An FC trigger that invokes ``service.qualifier/function`` from its creation on."""

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        service: pulumi.Output[str]
        function: pulumi.Output[str]
        name: pulumi.Output[str]
        trigger_type: pulumi.Output[str]
        qualifier: pulumi.Output[str]
        trigger_id: pulumi.Output[str | None]
        url_internet: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        service: pulumi.Input[str],
        function: pulumi.Input[str],
        trigger_type: pulumi.Input[str],
        qualifier: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        trigger_config: pulumi.Input[dict[str, Any]] | None = None,
        source_arn: pulumi.Input[str] | None = None,
        invocation_role: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        optional = {"trigger_config": as_json(trigger_config), "source_arn": source_arn,
                    "invocation_role": invocation_role, "description": description}
        props: dict[str, Any] = {
            "service": service,
            "function": function,
            "name": name if name is not None else resource_name,
            "trigger_type": trigger_type,
            "qualifier": qualifier,
            **{k: v for k, v in optional.items() if v is not None},  # unset inputs cost nothing
            "trigger_id": None,
            "url_internet": None,
        }
        super().__init__(AliasTriggerProvider(), resource_name, props, opts)
