"""``Fc3Function``: an FC 3.0 function (``alicloud.fc.V3Function``) plus the fingerprint of what its versions snapshot.

On FC 3.0 a version snapshots one function's code and config, so the fingerprint covers exactly those
(:func:`fcinfra.providers.fingerprint.fingerprint` with no service settings): a ``FunctionVersion`` fed with it
publishes when, and only when, the code or config changed. It waits for the function resource, so the version is
published after the function is updated.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, Required, TypedDict

import pulumi
import pulumi_alicloud as alicloud

from fcinfra.components.code import package_code
from fcinfra.providers._props import is_plain
from fcinfra.providers.fingerprint import fingerprint

__all__ = ["Fc3Function", "Fc3FunctionArgs"]

TYPE = "fcinfra:index:Fc3Function"


class Fc3FunctionArgs(TypedDict, total=False):
    """An FC 3.0 function: its code (a folder or a .zip) and configuration. ``function_name`` defaults to the
    component's name."""

    runtime: Required[str]
    handler: Required[str]
    code: Required[str]
    function_name: NotRequired[str]
    memory_size: NotRequired[int]
    timeout: NotRequired[int]
    environment_variables: NotRequired[pulumi.Input[dict[str, str]]]
    description: NotRequired[str]
    instance_concurrency: NotRequired[int]
    layers: NotRequired[list[str]]
    role: NotRequired[pulumi.Input[str]]
    internet_access: NotRequired[bool]
    tags: NotRequired[pulumi.Input[dict[str, str]]]


_SNAPSHOT_ARGS = ("memory_size", "timeout", "environment_variables", "description", "instance_concurrency",
                  "layers")
_OTHER_ARGS = ("role", "internet_access", "tags")


class Fc3Function(pulumi.ComponentResource):
    """``alicloud.fc.V3Function`` (code zipped reproducibly from a folder, or a .zip) and its ``fingerprint``."""

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        function: alicloud.fc.V3Function
        function_name: pulumi.Output[str]
        fingerprint: pulumi.Output[str]
        code_digest: str

    def __init__(self, name: str, args: Fc3FunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        given: dict[str, Any] = dict(args)
        package = package_code(args["code"])
        self.code_digest = package.digest
        snapshot_args = {k: given[k] for k in _SNAPSHOT_ARGS if given.get(k) is not None}
        other = {k: given[k] for k in _OTHER_ARGS if given.get(k) is not None}
        zipped = base64.b64encode(Path(package.path).read_bytes()).decode()
        self.function = alicloud.fc.V3Function(
            name,
            function_name=given.get("function_name") or name,
            runtime=args["runtime"],
            handler=args["handler"],
            code={"zip_file": zipped},
            **snapshot_args,
            **other,
            # fcinfra's release history lives in the function's tags (fcinfra.history): a V3Function declared
            # without tags must not read them as drift and untag them on its next update
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=None if "tags" in other else ["tags"]),
        )
        self.function_name = self.function.function_name
        config = {"runtime": args["runtime"], "handler": args["handler"], **snapshot_args, "code": package.digest}
        if is_plain(config):
            known = fingerprint({}, {"function": config})
            self.fingerprint = self.function.id.apply(lambda _id: known)
        else:
            self.fingerprint = pulumi.Output.all(pulumi.Output.from_input(config), self.function.id).apply(
                lambda resolved: fingerprint({}, {"function": resolved[0]}))
        self.register_outputs({"function_name": self.function_name, "fingerprint": self.fingerprint,
                               "code_digest": self.code_digest})
