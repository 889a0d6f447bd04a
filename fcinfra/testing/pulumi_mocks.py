"""Pulumi mocks for unit-testing fcinfra stacks: realistic alicloud FC outputs, dynamic providers that really run.

``pulumi.runtime.set_mocks(FcMocks(client))`` makes every resource registration go through
:meth:`FcMocks.new_resource`:

- ``alicloud:fc/*`` resources get the outputs pulumi-alicloud would give (ids ``svc``, ``svc:fn``,
  ``svc:alias``, ``svc:fn:trigger``, ``function_arn``, ``service_id``, ``last_modified`` ...). With a
  ``client`` (for example bound to ``mock_fc()``), the same resources are also created in FC, so
- fcinfra's dynamic resources (``pulumi-python:dynamic/...``) run for real: their pickled
  ``__provider`` is unpickled exactly as Pulumi's provider host does, bound to the client, then
  ``check`` and ``create`` are called and their outputs returned. Without a client, dynamic resources
  get their inputs back plus a placeholder id (graph-only tests and benchmarks).

``registrations`` records every (type, name, inputs) in order, for assertions.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dill
import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from fcinfra.errors import ConflictError

__all__ = ["FcMocks", "Registration", "unpickle_provider"]

PROVIDER_KEY = "__provider"
DYNAMIC_PREFIX = "pulumi-python:dynamic"


@dataclass(frozen=True)
class Registration:
    """One resource registration seen by the mocks."""

    typ: str
    name: str
    inputs: dict[str, Any]
    id: str
    outputs: dict[str, Any]


def unpickle_provider(serialized: Any) -> Any:
    """The provider object from a ``__provider`` value, exactly as ``pulumi.dynamic``'s host decodes it."""
    if isinstance(serialized, Mapping) and "value" in serialized:  # a secret's wire form
        serialized = serialized["value"]
    return dill.loads(base64.b64decode(serialized))


class FcMocks(Mocks):
    """Mocks for alicloud FC types and fcinfra's dynamic providers (see the module docstring)."""

    def __init__(
        self,
        client: Any | None = None,
        account_id: str = "1234567890",
        region: str = "cn-hangzhou",
        on_provider: Callable[[Any], None] | None = None,
    ) -> None:
        self.client: Any = client
        self.account_id = getattr(client, "account_id", None) or account_id
        self.region = getattr(client, "region", None) or region
        self.on_provider = on_provider
        self.registrations: list[Registration] = []
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------ Mocks API

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        with self._lock:  # the fake and the registration list are shared by the SDK's worker threads
            inputs = dict(args.inputs)
            if args.typ.startswith(DYNAMIC_PREFIX):
                rid, outs = self._dynamic(args.typ, args.name, inputs)
            else:
                handler = _ALICLOUD.get(args.typ)
                rid, outs = handler(self, args.name, inputs) if handler else (f"{args.name}-id", inputs)
            self.registrations.append(Registration(args.typ, args.name, _without_provider(inputs), rid, outs))
            return rid, outs

    # ------------------------------------------------------------------------------------ queries

    def of_type(self, typ: str) -> list[Registration]:
        """Registrations whose type token ends with ``typ`` (e.g. ``"fc/function:Function"``)."""
        return [r for r in self.registrations if r.typ.endswith(typ)]

    # ------------------------------------------------------------------------------------ dynamic

    def _dynamic(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        serialized = inputs.get(PROVIDER_KEY)
        if self.client is None or serialized is None:
            return f"{name}-id", dict(inputs)
        provider = unpickle_provider(serialized)
        client = self.client
        provider.use_client(lambda: client)
        if self.on_provider is not None:
            self.on_provider(provider)
        props = _without_provider(inputs)
        checked = provider.check({}, props)
        if checked.failures:
            problems = "; ".join(f"{f.property}: {f.reason}" for f in checked.failures)
            raise ValueError(f"{typ} {name!r} failed its provider's check: {problems}")
        result = provider.create(dict(checked.inputs))
        outs = dict(result.outs or {})
        outs[PROVIDER_KEY] = serialized
        return result.id, outs

    # ------------------------------------------------------------------------------------ alicloud

    def _service(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service = inputs.get("name") or name
        if self.client is not None:
            _ignore_exists(lambda: self.client.create_service(
                service, description=inputs.get("description"), role=inputs.get("role")
            ))
        return service, {**inputs, "name": service, "service_id": f"{service}-{abs(hash(service)) % 10**8}",
                         "last_modified": "2024-01-01T00:00:00Z", "version": ""}

    def _function(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service, function = inputs["service"], inputs.get("name") or name
        checksum = inputs.get("code_checksum")
        if self.client is not None:
            code = Path(inputs["filename"]).read_bytes() if inputs.get("filename") else None
            config = {k: inputs[k] for k in ("memory_size", "timeout", "environment_variables", "description")
                      if inputs.get(k) is not None}
            config = {k: int(v) if isinstance(v, float) else v for k, v in config.items()}
            created = _ignore_exists(lambda: self.client.create_function(
                service, function, inputs["runtime"], inputs["handler"], code=code, **config
            ))
            if created is not None:
                checksum = created.code_checksum
        arn = f"acs:fc:{self.region}:{self.account_id}:services/{service}.LATEST/functions/{function}"
        return f"{service}:{function}", {
            **inputs, "name": function, "function_id": f"{function}-id", "function_arn": arn,
            "code_checksum": checksum or "", "last_modified": "2024-01-01T00:00:00Z",
            "memory_size": inputs.get("memory_size") or 128, "timeout": inputs.get("timeout") or 3,
        }

    def _alias(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service, alias = inputs["service_name"], inputs["alias_name"]
        if self.client is not None:
            weights = (inputs.get("routing_config") or {}).get("additional_version_weights")
            _ignore_exists(lambda: self.client.create_alias(
                service, alias, str(inputs["service_version"]), description=inputs.get("description"),
                additional_version_weight=weights or None,
            ))
        return f"{service}:{alias}", dict(inputs)

    def _trigger(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service, function, trigger = inputs["service"], inputs["function"], inputs.get("name") or name
        if self.client is not None:
            import json

            config = inputs.get("config")
            _ignore_exists(lambda: self.client.create_trigger(
                service, function, trigger, inputs["type"], json.loads(config) if config else None,
                source_arn=inputs.get("source_arn"), invocation_role=inputs.get("role"),
            ))
        return f"{service}:{function}:{trigger}", {**inputs, "name": trigger, "trigger_id": f"{trigger}-id",
                                                     "last_modified": "2024-01-01T00:00:00Z"}


def _ignore_exists(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ConflictError:
        return None


def _without_provider(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k != PROVIDER_KEY}


_Handler = Callable[[FcMocks, str, dict[str, Any]], tuple[str, dict[str, Any]]]
_ALICLOUD: dict[str, _Handler] = {
    "alicloud:fc/service:Service": FcMocks._service,
    "alicloud:fc/function:Function": FcMocks._function,
    "alicloud:fc/alias:Alias": FcMocks._alias,
    "alicloud:fc/trigger:Trigger": FcMocks._trigger,
}


def set_fc_mocks(mocks: FcMocks, project: str = "fcinfra", stack: str = "test", preview: bool = False) -> FcMocks:
    """Install ``mocks`` as Pulumi's runtime (a thin wrapper over ``pulumi.runtime.set_mocks``)."""
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview)
    return mocks
