"""Pulumi mocks for unit-testing fcinfra stacks: realistic alicloud FC outputs, dynamic providers that really run.

``run_stack(program, FcMocks(client))`` (or ``pulumi.runtime.set_mocks(FcMocks(client))``) makes every
resource registration go through :meth:`FcMocks.new_resource`:

- ``alicloud:fc/*`` resources get the outputs pulumi-alicloud would give (ids ``svc``, ``svc:fn``,
  ``svc:alias``, ``svc:fn:trigger``, ``function_arn``, ``service_id`` ...). With a ``client`` (e.g. bound
  to ``mock_fc()``) the same resources are also created, and on a later run updated, in FC.
- fcinfra's dynamic resources (``pulumi-python:dynamic/...``) run for real: their pickled
  ``__provider`` is unpickled exactly as Pulumi's provider host does it, bound to the client, then
  ``check`` and ``create`` run -- or, when the same resource was registered by an earlier run with the
  same mocks, ``check``, ``diff`` and ``update`` (or a replacement), like a second ``pulumi up``.
  Without a client they get their inputs back (graph-only tests and benchmarks).

Each registration is recorded with the action taken (``create``/``update``/``replace``/``same``).
Limits of this small engine, by design: no deletes of resources dropped from the program, and an
``alicloud.fc.Alias`` update applies only its description (fcinfra's components keep its traffic
fields in ``ignore_changes``; the mocks cannot see resource options).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dill
import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.mocks import MockMonitor

from fcinfra.errors import ConflictError

__all__ = ["FcMocks", "Registration", "run_stack", "set_fc_mocks", "unpickle_provider"]

PROVIDER_KEY = "__provider"
DYNAMIC_PREFIX = "pulumi-python:dynamic"
_TIMESTAMP = "2024-01-01T00:00:00Z"


@dataclass(frozen=True)
class Registration:
    """One resource registration seen by the mocks, and what was done about it."""

    typ: str
    name: str
    inputs: dict[str, Any]
    id: str
    outputs: dict[str, Any]
    action: str  # "create" | "update" | "replace" | "same"


def unpickle_provider(serialized: Any) -> Any:
    """The provider object from a ``__provider`` value, decoded exactly as ``pulumi.dynamic``'s host does."""
    if isinstance(serialized, Mapping) and "value" in serialized:  # a secret's wire form
        serialized = serialized["value"]
    return dill.loads(base64.b64decode(serialized))


class FcMocks(Mocks):
    """Mocks for alicloud FC types and fcinfra's dynamic providers (see the module docstring).

    Rollouts run on virtual time (``sleep`` not given: waits take no real time).
    """

    def __init__(
        self,
        client: Any | None = None,
        account_id: str = "1234567890",
        region: str = "cn-hangzhou",
        sleep: Callable[[float], None] | None = None,
        client3: Any | None = None,
    ) -> None:
        self.client: Any = client
        self.client3: Any = client3  # an Fc3Client: alicloud.fc.V3* resources and fcinfra's FC 3.0 providers
        self.account_id = getattr(client or client3, "account_id", None) or account_id
        self.region = getattr(client or client3, "region", None) or region
        self.sleep = sleep
        self.registrations: list[Registration] = []
        self.state: dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any]]] = {}
        self.monitor: MockMonitor | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------ Mocks API

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        """No provider functions are mocked: invokes answer empty."""
        return {}, None

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        """Record the resource; for a dynamic resource, run its provider against the fake like the engine would."""
        with self._lock:  # the fake and the records are shared by the SDK's worker threads
            inputs = dict(args.inputs)
            key = (args.typ, args.name)
            previous = self.state.get(key)
            if args.typ.startswith(DYNAMIC_PREFIX):
                rid, outs, action = self._dynamic(args.typ, args.name, inputs, previous)
            else:
                handler = _ALICLOUD.get(args.typ)
                inputs = _snake(inputs)  # pulumi-alicloud sends camelCase property names
                if handler is None:
                    rid, outs, action = f"{args.name}-id", dict(inputs), "create" if previous is None else "same"
                else:
                    rid, outs, action = handler(self, args.name, inputs, previous)
                self.state[key] = (rid, inputs, outs)
                self.registrations.append(Registration(args.typ, args.name, inputs, rid, outs, action))
                return rid, _camel(outs)
            self.state[key] = (rid, _without_provider(inputs), outs)
            self.registrations.append(Registration(args.typ, args.name, _without_provider(inputs), rid, outs, action))
            return rid, outs

    # ------------------------------------------------------------------------------------ queries

    def of_type(self, typ: str) -> list[Registration]:
        """Registrations whose type token ends with ``typ`` (e.g. ``"fc/function:Function"``)."""
        return [r for r in self.registrations if r.typ.endswith(typ)]

    def one(self, typ: str) -> Registration:
        """The single registration of ``typ`` (an assertion helper that says what was found instead)."""
        found = self.of_type(typ)
        if len(found) != 1:
            raise AssertionError(f"expected one {typ} registration, found {len(found)}")
        return found[0]

    def urns(self) -> list[str]:
        """URNs of everything registered in the current run (they encode each resource's parent chain)."""
        return sorted(self.monitor.resources) if self.monitor is not None else []

    # ------------------------------------------------------------------------------------ dynamic

    def _provider(self, serialized: Any) -> Any:
        provider = unpickle_provider(serialized)
        client = self.client3 if provider.fc3 else self.client
        provider.use_client(lambda: client)
        provider.use_clock(self.sleep or (lambda _seconds: None))
        return provider

    def _dynamic(
        self, typ: str, name: str, inputs: dict[str, Any], previous: Any
    ) -> tuple[str, dict[str, Any], str]:
        serialized = inputs.get(PROVIDER_KEY)
        if serialized is None or (self.client3 if unpickle_provider(serialized).fc3 else self.client) is None:
            kind = typ.rsplit(":", 1)[-1]
            outs = {**_PLACEHOLDER_OUTPUTS.get(kind, {}), **{k: v for k, v in inputs.items() if v is not None}}
            return f"{name}-id", outs, "create" if previous is None else "same"
        provider = self._provider(serialized)
        news = _without_provider(inputs)
        olds = previous[2] if previous is not None else {}
        checked = provider.check(_without_provider(olds), news)
        if checked.failures:
            problems = "; ".join(f"{f.property}: {f.reason}" for f in checked.failures)
            raise ValueError(f"{typ} {name!r} failed its provider's check: {problems}")
        props = _without_provider(dict(checked.inputs))
        if previous is None:
            result = provider.create(props)
            rid, outs, action = result.id, dict(result.outs or {}), "create"
        else:
            old_id, old_outs = previous[0], _without_provider(previous[2])
            diff = provider.diff(old_id, old_outs, props)
            if diff.replaces:
                result = provider.create(props)
                provider.delete(old_id, old_outs)
                rid, outs, action = result.id, dict(result.outs or {}), "replace"
            elif diff.changes:
                rid, outs, action = old_id, dict(provider.update(old_id, old_outs, props).outs or {}), "update"
            else:
                rid, outs, action = old_id, dict(old_outs), "same"
        outs[PROVIDER_KEY] = serialized
        return rid, outs, action

    # ------------------------------------------------------------------------------------ alicloud

    def _service(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        service = inputs.get("name") or name
        action = _action(previous, inputs)
        if self.client is not None and action == "create":
            _ignore_exists(lambda: self.client.create_service(
                service, description=inputs.get("description"), role=inputs.get("role")
            ))
        elif self.client is not None and action == "update":
            self.client.update_service(service, description=inputs.get("description"), role=inputs.get("role"))
        outs = {**inputs, "name": service, "service_id": f"{service}-id", "last_modified": _TIMESTAMP, "version": ""}
        return service, outs, action

    def _function(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        service, function = inputs["service"], inputs.get("name") or name
        action = _action(previous, inputs)
        checksum = previous[2].get("code_checksum") if previous is not None else None
        if self.client is not None and action != "same":
            config = {k: _whole(inputs[k]) for k in ("memory_size", "timeout", "environment_variables",
                                                      "description", "initializer") if inputs.get(k) is not None}
            code = Path(inputs["filename"]).read_bytes() if inputs.get("filename") else None
            if action == "create":
                answer = _ignore_exists(lambda: self.client.create_function(
                    service, function, inputs["runtime"], inputs["handler"], code=code, **config
                ))
            else:
                changes = {**config, "runtime": inputs["runtime"], "handler": inputs["handler"]}
                if code is not None and inputs.get("filename") != previous[1].get("filename"):
                    changes["code"] = code
                answer = self.client.update_function(service, function, **changes)
            if answer is not None:
                checksum = answer.code_checksum
        arn = f"acs:fc:{self.region}:{self.account_id}:services/{service}.LATEST/functions/{function}"
        outs = {
            **inputs, "name": function, "function_id": f"{function}-id", "function_arn": arn,
            "code_checksum": checksum or "", "last_modified": _TIMESTAMP,
            "memory_size": inputs.get("memory_size") or 128, "timeout": inputs.get("timeout") or 3,
        }
        return f"{service}:{function}", outs, action

    def _alias(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        service, alias = inputs["service_name"], inputs["alias_name"]
        action = _action(previous, inputs)
        if self.client is not None and action == "create":
            routing = inputs.get("routing_config") or {}
            weights = routing.get("additionalVersionWeights") or routing.get("additional_version_weights")
            _ignore_exists(lambda: self.client.create_alias(
                service, alias, str(inputs["service_version"]), description=inputs.get("description"),
                additional_version_weight=weights or None,
            ))
        elif self.client is not None and action == "update" and inputs.get("description") != previous[1].get(
            "description"
        ):
            self.client.update_alias(service, alias, description=inputs.get("description") or "")
        return f"{service}:{alias}", dict(inputs), action

    def _trigger(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        service, function, trigger = inputs["service"], inputs["function"], inputs.get("name") or name
        action = _action(previous, inputs)
        config = json.loads(inputs["config"]) if inputs.get("config") else None
        if self.client is not None and action == "create":
            _ignore_exists(lambda: self.client.create_trigger(
                service, function, trigger, inputs["type"], config,
                source_arn=inputs.get("source_arn"), invocation_role=inputs.get("role"),
            ))
        elif self.client is not None and action == "update":
            self.client.update_trigger(service, function, trigger, trigger_config=config)
        outs = {**inputs, "name": trigger, "trigger_id": f"{trigger}-id", "last_modified": _TIMESTAMP}
        return f"{service}:{function}:{trigger}", outs, action

    # ------------------------------------------------------------------------------------ alicloud FC 3.0

    def _v3_function(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        function = inputs.get("function_name") or name
        action = _action(previous, inputs)
        zipped = _zip_of(inputs)
        if self.client3 is not None and action != "same":
            config = {k: _whole(inputs[k]) for k in ("memory_size", "timeout", "environment_variables",
                                                      "description") if inputs.get(k) is not None}
            data = base64.b64decode(zipped) if zipped else None
            if action == "create":
                _ignore_exists(lambda: self.client3.create_function(
                    function, inputs["runtime"], inputs["handler"], code=data, **config))
            else:
                changes = {**config, "runtime": inputs["runtime"], "handler": inputs["handler"]}
                if data is not None and zipped != _zip_of(previous[1]):
                    changes["code"] = data
                self.client3.update_function(function, **changes)
        arn = f"acs:fc:{self.region}:{self.account_id}:functions/{function}"
        return function, {**inputs, "function_name": function, "function_arn": arn, "create_time": _TIMESTAMP}, action

    def _v3_alias(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        function, alias = inputs["function_name"], inputs["alias_name"]
        action = _action(previous, inputs)
        if self.client3 is not None and action == "create":
            _ignore_exists(lambda: self.client3.create_alias(
                function, alias, str(inputs["version_id"]), description=inputs.get("description"),
                additional_version_weight=inputs.get("additional_version_weight") or None))
        elif self.client3 is not None and action == "update" and inputs.get("description") != previous[1].get(
            "description"
        ):  # like _alias: the components leave the traffic fields to their AliasShift (ignore_changes)
            self.client3.update_alias(function, alias, description=inputs.get("description") or "")
        return f"{function}:{alias}", dict(inputs), action

    def _v3_trigger(self, name: str, inputs: dict[str, Any], previous: Any) -> tuple[str, dict[str, Any], str]:
        function, trigger = inputs["function_name"], inputs.get("trigger_name") or name
        action = _action(previous, inputs)
        if previous is not None and inputs.get("qualifier") != previous[1].get("qualifier"):
            action = "replace"  # the real provider forces a new trigger (and URL) when the qualifier changes
        made = previous[2] if previous is not None and action != "replace" else {}
        if self.client3 is not None and action in ("create", "replace"):
            if action == "replace":
                self.client3.delete_trigger(function, trigger)
            made = self.client3.create_trigger(
                function, trigger, inputs["trigger_type"], inputs.get("trigger_config"),
                qualifier=inputs.get("qualifier"), source_arn=inputs.get("source_arn"),
                invocation_role=inputs.get("invocation_role"), description=inputs.get("description"),
            ).model_dump()
        elif self.client3 is not None and action == "update":
            self.client3.update_trigger(function, trigger, trigger_config=inputs.get("trigger_config"))
        outs = {**inputs, "trigger_name": trigger, "trigger_id": made.get("trigger_id") or f"{trigger}-id",
                "http_trigger": made.get("http_trigger"), "create_time": _TIMESTAMP}
        return f"{function}:{trigger}", outs, action


def _zip_of(inputs: Mapping[str, Any]) -> str | None:
    """A V3Function's base64 ``code.zip_file`` (nested keys may arrive camelCased)."""
    code = inputs.get("code") or {}
    return code.get("zip_file") or code.get("zipFile")


def _snake(props: Mapping[str, Any]) -> dict[str, Any]:
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in props.items()}


def _camel(props: Mapping[str, Any]) -> dict[str, Any]:
    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)

    return {camel(k): v for k, v in props.items()}


def _action(previous: Any, inputs: dict[str, Any]) -> str:
    if previous is None:
        return "create"
    return "same" if previous[1] == _without_provider(inputs) else "update"


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ignore_exists(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ConflictError:
        return None


def _without_provider(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k != PROVIDER_KEY}


# Graph-only runs (no client): what each dynamic resource would plausibly report after a first `pulumi up`.
_PLACEHOLDER_OUTPUTS: dict[str, dict[str, Any]] = {
    "ServiceVersion": {"version_id": "1", "adopted": False, "pruned": []},
    "AliasShift": {"status": "promoted", "history": [], "canary_version": None, "canary_percent": 0, "reason": ""},
    "AliasTrigger": {"trigger_id": "trigger-id"},
}
_PLACEHOLDER_OUTPUTS["FunctionVersion"] = _PLACEHOLDER_OUTPUTS["ServiceVersion"]  # FC 3.0's, the same shapes
_PLACEHOLDER_OUTPUTS["FunctionAliasShift"] = _PLACEHOLDER_OUTPUTS["AliasShift"]

_Handler = Callable[[FcMocks, str, dict[str, Any], Any], tuple[str, dict[str, Any], str]]
_ALICLOUD: dict[str, _Handler] = {
    "alicloud:fc/service:Service": FcMocks._service,
    "alicloud:fc/function:Function": FcMocks._function,
    "alicloud:fc/alias:Alias": FcMocks._alias,
    "alicloud:fc/trigger:Trigger": FcMocks._trigger,
    "alicloud:fc/v3Function:V3Function": FcMocks._v3_function,
    "alicloud:fc/v3Alias:V3Alias": FcMocks._v3_alias,
    "alicloud:fc/v3Trigger:V3Trigger": FcMocks._v3_trigger,
}


def set_fc_mocks(mocks: FcMocks, project: str = "fcinfra", stack: str = "test", preview: bool = False) -> FcMocks:
    """Install ``mocks`` as Pulumi's runtime (``pulumi.runtime.set_mocks`` with a monitor we keep)."""
    _ensure_event_loop()  # set_mocks builds the root Stack, which needs a current event loop
    mocks.monitor = MockMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=mocks.monitor)
    return mocks


def _ensure_event_loop() -> None:
    """Pulumi's SDK drives the thread's event loop; ``asyncio.run`` elsewhere may have closed or unset it."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_closed():
            return
    except RuntimeError:
        pass
    asyncio.set_event_loop(asyncio.new_event_loop())


def run_stack(
    program: Callable[[], Any],
    mocks: FcMocks,
    *,
    project: str = "fcinfra",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
) -> FcMocks:
    """Run a Pulumi program once under ``mocks`` (a fresh "pulumi up"); errors in the program are raised.

    ``config`` is the stack config (``{"fcinfra:codeDir": "..."}``). Call again with the same ``mocks``
    to simulate the next ``pulumi up`` of the same stack.
    """
    from pulumi.runtime import config as runtime_config
    from pulumi.runtime import settings

    _ensure_event_loop()
    mocks.registrations = []
    runtime_config.set_all_config(dict(config or {}))  # each run sees exactly the config it is given
    settings.ROOT.set(None)  # a new run registers a new root Stack
    set_fc_mocks(mocks, project=project, stack=stack)

    @pulumi.runtime.test
    def run() -> Any:
        return program()

    run()
    return mocks
