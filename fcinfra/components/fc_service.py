"""``FcService``: an FC service and its functions (real pulumi-alicloud resources) plus their fingerprint.

The fingerprint covers exactly what an FC version snapshots (service config, every function's config
and code), so a ``ServiceVersion`` fed with it publishes when, and only when, the code or config changed.
The ``fingerprint`` output also depends on every function resource, so a version that uses it is
published after the functions are updated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NotRequired, Required, TypedDict

import pulumi
import pulumi_alicloud as alicloud

from fcinfra.components.code import package_code
from fcinfra.providers._props import is_plain
from fcinfra.providers.fingerprint import SERVICE_FIELDS, fingerprint

__all__ = ["FcService", "FcServiceArgs", "FunctionSpec"]

TYPE = "fcinfra:index:FcService"


class FunctionSpec(TypedDict, total=False):
    """One function: its code (a folder or a .zip) and its FC configuration."""

    runtime: Required[str]
    handler: Required[str]
    code: Required[str]
    memory_size: NotRequired[int]
    timeout: NotRequired[int]
    environment_variables: NotRequired[pulumi.Input[dict[str, str]]]
    description: NotRequired[str]
    initializer: NotRequired[str]
    initialization_timeout: NotRequired[int]
    instance_concurrency: NotRequired[int]
    instance_type: NotRequired[str]
    layers: NotRequired[list[str]]
    ca_port: NotRequired[int]


class FcServiceArgs(TypedDict, total=False):
    """An FC service. ``service_name`` defaults to the component's name."""

    functions: Required[dict[str, FunctionSpec]]
    service_name: NotRequired[str]
    description: NotRequired[pulumi.Input[str]]
    role: NotRequired[pulumi.Input[str]]
    internet_access: NotRequired[bool]
    log_config: NotRequired[pulumi.Input[dict[str, Any]]]
    vpc_config: NotRequired[pulumi.Input[dict[str, Any]]]
    nas_config: NotRequired[pulumi.Input[dict[str, Any]]]
    tracing_config: NotRequired[pulumi.Input[dict[str, Any]]]
    tags: NotRequired[pulumi.Input[dict[str, str]]]


_FUNCTION_ARGS = ("memory_size", "timeout", "environment_variables", "description", "initializer",
                  "initialization_timeout", "instance_concurrency", "instance_type", "layers", "ca_port")


class FcService(pulumi.ComponentResource):
    """``alicloud.fc.Service`` + one ``alicloud.fc.Function`` per declared function, and a fingerprint."""

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        service: alicloud.fc.Service
        functions: dict[str, alicloud.fc.Function]
        service_name: pulumi.Output[str]
        fingerprint: pulumi.Output[str]
        code_digests: dict[str, str]

    def __init__(self, name: str, args: FcServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        functions = args.get("functions") or {}
        if not functions:
            from fcinfra.errors import InvalidArgumentError

            raise InvalidArgumentError(f"FcService {name!r} declares no functions")
        given: dict[str, Any] = dict(args)  # plain mapping: alicloud's typed args accept these dicts
        service_name = given.get("service_name") or name
        child = pulumi.ResourceOptions(parent=self)

        self.service = alicloud.fc.Service(
            name,
            name=service_name,
            description=given.get("description"),
            role=given.get("role"),
            internet_access=given.get("internet_access"),
            log_config=given.get("log_config"),
            vpc_config=given.get("vpc_config"),
            nas_config=given.get("nas_config"),
            tracing_config=given.get("tracing_config"),
            tags=given.get("tags"),
            publish=False,  # ServiceVersion publishes, from the fingerprint
            opts=child,
        )
        self.service_name = self.service.name

        self.functions = {}
        self.code_digests = {}
        snapshot: dict[str, Any] = {}
        for fn_name, spec in functions.items():
            package = package_code(spec["code"])
            self.code_digests[fn_name] = package.digest
            given_fn: dict[str, Any] = dict(spec)
            extra = {k: given_fn[k] for k in _FUNCTION_ARGS if given_fn.get(k) is not None}
            fn_args: dict[str, Any] = {"service": self.service.name, "name": fn_name, "runtime": spec["runtime"],
                                       "handler": spec["handler"], "filename": package.path, **extra}
            self.functions[fn_name] = alicloud.fc.Function(f"{name}-{fn_name}", opts=child, **fn_args)
            snapshot[fn_name] = {"runtime": spec["runtime"], "handler": spec["handler"], **extra,
                                 "code": package.digest}

        service_config = {k: given.get(k) for k in SERVICE_FIELDS}
        function_ids = [fn.id for fn in self.functions.values()]
        # The fingerprint waits for every function (so a version is published after them).
        if is_plain(service_config) and is_plain(snapshot):
            known = fingerprint(service_config, snapshot)  # the common case: no Output among the settings
            self.fingerprint = pulumi.Output.all(*function_ids).apply(lambda _ids: known)
        else:
            self.fingerprint = pulumi.Output.all(
                pulumi.Output.from_input(service_config), pulumi.Output.from_input(snapshot), *function_ids
            ).apply(lambda resolved: fingerprint(resolved[0], resolved[1]))

        self.register_outputs(
            {
                "service_name": self.service_name,
                "function_names": list(self.functions),
                "fingerprint": self.fingerprint,
                "code_digests": self.code_digests,
            }
        )
