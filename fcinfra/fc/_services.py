"""FcClient's service and function calls (CreateService ... ListFunctions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fcinfra.fc import answers, arguments
from fcinfra.fc._core import ClientCore
from fcinfra.fc.models import (
    Code,
    CreateFunctionRequest,
    CreateServiceRequest,
    Function,
    Service,
    UpdateFunctionRequest,
    UpdateServiceRequest,
    check_name,
)
from fcinfra.fc.transport import api_path


class ServicesAndFunctions(ClientCore):
    """Services and the functions at their LATEST (or as a version/alias saw them)."""

    # ---------------------------------------------------------------------------------------- services

    def create_service(
        self, name: str, description: str | None = None, role: str | None = None, **config: Any
    ) -> Service:
        """Create a service; ``**config`` takes FC's other settings (``log_config``...). Resent only if unsent."""
        req = arguments.validated(
            CreateServiceRequest, "service", service_name=name, description=description, role=role, **config
        )
        return answers.parse(
            Service, self._call("CreateService", "POST", api_path("services"), body=req, idempotent=False), "service"
        )

    def get_service(self, name: str, qualifier: str | None = None) -> Service:
        """The service, at LATEST or as a version/alias (``qualifier``) saw it; carries its ETag."""
        resp = self._call("GetService", "GET", api_path("services", self._svc(name, qualifier)))
        return answers.parse(Service, resp, "service")

    def update_service(self, name: str, *, if_match: str | None = None, **changes: Any) -> Service:
        """Change service settings; with ``if_match`` only if nobody changed it since that ETag (else 412)."""
        req = arguments.validated(UpdateServiceRequest, "service update", **changes)
        path = api_path("services", self._svc(name))
        return self._update("UpdateService", path, req, Service, if_match, lambda: self.get_service(name))

    def delete_service(self, name: str, *, if_match: str | None = None) -> None:
        """Delete an (empty) service. A 404 after an ambiguous first attempt counts as done."""
        self._delete("DeleteService", api_path("services", self._svc(name)), if_match)

    def list_services(self, prefix: str | None = None) -> list[Service]:
        """Every service (all pages), optionally only names starting with ``prefix``."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Service, "ListServices", api_path("services"), "services", query)

    # --------------------------------------------------------------------------------------- functions

    def create_function(
        self,
        service: str,
        name: str,
        runtime: str,
        handler: str,
        code: bytes | Mapping[str, Any] | Code | None = None,
        memory_size: int = 128,
        timeout: int = 3,
        environment_variables: Mapping[str, str] | None = None,
        description: str | None = None,
        **config: Any,
    ) -> Function:
        """Create a function at LATEST. ``code`` is zip bytes (or an OSS location); it is validated before sending."""
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
        path = api_path("services", self._svc(service), "functions")
        resp = self._call("CreateFunction", "POST", path, body=req, idempotent=False)
        return answers.parse(Function, resp, "function")

    def get_function(self, service: str, name: str, qualifier: str | None = None) -> Function:
        """The function's config at LATEST, or frozen in a version / behind an alias (``qualifier``)."""
        arguments.check(check_name, name, "function name")
        path = api_path("services", self._svc(service, qualifier), "functions", name)
        return answers.parse(Function, self._call("GetFunction", "GET", path), "function")

    def get_function_code(self, service: str, name: str, qualifier: str | None = None) -> dict[str, Any]:
        """``{"checksum": ..., "url": ...}``: where to download the code of the function (at a qualifier)."""
        arguments.check(check_name, name, "function name")
        path = api_path("services", self._svc(service, qualifier), "functions", name, "code")
        return answers.json_object(self._call("GetFunctionCode", "GET", path), "GetFunctionCode")

    def update_function(self, service: str, name: str, *, if_match: str | None = None, **changes: Any) -> Function:
        """Change LATEST's code or config (``memory_size=``, ``code=``...); unknown arguments are refused."""
        arguments.check(check_name, name, "function name")
        if "code" in changes:
            changes["code"] = arguments.code_to_wire(changes["code"])
        if changes.get("environment_variables") is not None:
            changes["environment_variables"] = arguments.mapping(
                changes["environment_variables"], "environment_variables"
            )
        req = arguments.validated(UpdateFunctionRequest, "function update", **changes)
        path = api_path("services", self._svc(service), "functions", name)
        return self._update("UpdateFunction", path, req, Function, if_match, lambda: self.get_function(service, name))

    def delete_function(self, service: str, name: str, *, if_match: str | None = None) -> None:
        """Delete a function from LATEST (published versions keep their snapshot of it)."""
        arguments.check(check_name, name, "function name")
        path = api_path("services", self._svc(service), "functions", name)
        self._delete("DeleteFunction", path, if_match)

    def list_functions(self, service: str, qualifier: str | None = None, prefix: str | None = None) -> list[Function]:
        """Every function of the service at LATEST or at ``qualifier``, all pages."""
        query = [("prefix", prefix)] if prefix else None
        path = api_path("services", self._svc(service, qualifier), "functions")
        return self._items(Function, "ListFunctions", path, "functions", query)
