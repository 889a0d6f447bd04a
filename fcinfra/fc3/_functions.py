"""Fc3Client's function calls (CreateFunction ... ListFunctions, GetFunctionCode) and InvokeFunction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import requests

from fcinfra.errors import InvalidArgumentError
from fcinfra.fc import answers, arguments, retry
from fcinfra.fc._core import ClientCore
from fcinfra.fc.transport import Timeout
from fcinfra.fc3.models import (
    Code,
    CreateFunctionRequest,
    Function,
    FunctionCode,
    Invocation,
    UpdateFunctionRequest,
    check_function_name,
    check_qualifier,
)
from fcinfra.fc3.transport import OCTET_STREAM, api_path


def function_path(name: str, *rest: str) -> str:
    """``/2023-03-30/functions/{name}/...`` after checking the name (bad input never leaves the client)."""
    arguments.check(check_function_name, name)
    return api_path("functions", name, *rest)


def qualifier_query(qualifier: Any) -> list[tuple[str, str]]:
    """``?qualifier=`` for a version id (number or string), an alias or LATEST; nothing for None."""
    if qualifier is None:
        return []
    qualifier = arguments.version_text(qualifier)
    arguments.check(check_qualifier, qualifier)
    return [("qualifier", qualifier)]


class Functions(ClientCore):
    """Functions at LATEST (or as a version / alias froze them), their code, and invoking them."""

    def create_function(
        self,
        name: str,
        runtime: str,
        handler: str,
        code: bytes | Mapping[str, Any] | Code | None = None,
        memory_size: int | None = None,
        timeout: int | None = None,
        environment_variables: Mapping[str, str] | None = None,
        description: str | None = None,
        **config: Any,
    ) -> Function:
        """Create a function (its LATEST). ``code`` is zip bytes, sent as base64 ``zipFile``, or an OSS location.

        ``**config`` takes FC 3.0's other settings (``cpu=``, ``disk_size=``, ``role=``...); unknown ones are refused
        before sending. Resent only when FC certainly did not run it.
        """
        req = arguments.validated(
            CreateFunctionRequest,
            "function",
            function_name=name,
            runtime=runtime,
            handler=handler,
            code=arguments.code_to_wire(code),
            memory_size=memory_size,
            timeout=timeout,
            environment_variables=arguments.mapping(environment_variables, "environment_variables"),
            description=description,
            **config,
        )
        resp = self._call("CreateFunction", "POST", api_path("functions"), body=req, idempotent=False)
        return answers.parse(Function, resp, "function")

    def get_function(self, name: str, qualifier: str | int | None = None) -> Function:
        """The function at LATEST, or its frozen config in a version / behind an alias (``qualifier``)."""
        path = function_path(name)
        resp = self._call("GetFunction", "GET", path, query=qualifier_query(qualifier))
        return answers.parse(Function, resp, "function")

    def update_function(self, name: str, **changes: Any) -> Function:
        """Change LATEST's code or config (``code=``, ``memory_size=``...); unknown arguments are refused."""
        path = function_path(name)
        if "code" in changes:
            changes["code"] = arguments.code_to_wire(changes["code"])
        if changes.get("environment_variables") is not None:
            changes["environment_variables"] = arguments.mapping(
                changes["environment_variables"], "environment_variables"
            )
        req = arguments.validated(UpdateFunctionRequest, "function update", **changes)
        return self._update("UpdateFunction", path, req, Function, None, lambda: self.get_function(name))

    def delete_function(self, name: str) -> None:
        """Delete a function (FC refuses while it has triggers). A 404 after an ambiguous attempt counts as done."""
        self._delete("DeleteFunction", function_path(name))

    def list_functions(self, prefix: str | None = None) -> list[Function]:
        """Every function of the region (all pages), optionally only names starting with ``prefix``."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Function, "ListFunctions", api_path("functions"), "functions", query)

    def get_function_code(self, name: str, qualifier: str | int | None = None) -> FunctionCode:
        """Where to download the function's code (at LATEST or a qualifier), with its checksum."""
        path = function_path(name, "code")
        resp = self._call("GetFunctionCode", "GET", path, query=qualifier_query(qualifier))
        return answers.parse(FunctionCode, resp, "function code")

    def invoke(
        self,
        function: str,
        payload: bytes | str | Mapping[str, Any] | None = b"",
        qualifier: str | int | None = None,
        *,
        log_type: Literal["None", "Tail"] | None = None,
        invocation_type: Literal["Sync", "Async"] = "Sync",
        timeout: Timeout | None = None,
    ) -> Invocation:
        """Invoke a function through ``qualifier`` (LATEST when None, a version, or an alias).

        ``version_id`` of the result is the version that ran (an alias resolved). A function error is reported in
        ``error_type``, not raised; FC errors are raised. Retried only when FC refused the call.
        """
        if invocation_type not in ("Sync", "Async"):
            raise InvalidArgumentError(f"invocation_type must be 'Sync' or 'Async', got {invocation_type!r}")
        if log_type not in (None, "None", "Tail"):
            raise InvalidArgumentError(f"log_type must be 'None' or 'Tail', got {log_type!r}")
        path = function_path(function, "invocations")
        query = qualifier_query(qualifier)
        body = arguments.payload_bytes(payload)
        headers: dict[str, str] = {"x-fc-invocation-type": invocation_type}
        if log_type:
            headers["x-fc-log-type"] = log_type

        def attempt() -> requests.Response:
            resp = self._transport.send(
                "InvokeFunction",
                "POST",
                path,
                query=query,
                body=body,
                headers=headers,
                timeout=timeout,
                raise_for_status=False,
                content_type=OCTET_STREAM,
            )
            if resp.status_code >= 400 and "x-fc-error-type" not in resp.headers:
                raise self._transport.api_error(resp, "POST", path)  # FC's error, not the function's
            return resp

        return answers.invocation(retry.call(attempt, self.retry_policy, self._sleep, retry.is_refused))
