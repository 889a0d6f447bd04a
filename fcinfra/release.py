"""Release operations: put a function's code at LATEST only if it changed, then publish a version or reuse one.

One implementation for the CLI's ``deploy``, the demo and the programmatic example. Everything the
caller gives is validated before the first call that changes anything, so a bad setting leaves no
service or function behind; settings given for an existing function are applied as an update, never
silently dropped. FC counts any update as a change for publishing, so an unchanged function is not
updated at all: publishing then reuses the version LATEST already equals instead of making a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from fcinfra.errors import NoChangesToPublishError, NotFoundError
from fcinfra.fc import arguments
from fcinfra.fc.crc64 import checksum  # FC's code checksum: CRC-64/ECMA-182, as a decimal string
from fcinfra.fc.models import (
    CreateFunctionRequest,
    CreateServiceRequest,
    Function,
    Service,
    UpdateFunctionRequest,
    Version,
)

if TYPE_CHECKING:
    from fcinfra.fc3 import Fc3Client

__all__ = ["DEFAULT_HANDLER", "DEFAULT_RUNTIME", "Fc3Release", "FunctionSettings", "Published", "Uploaded",
           "publish_or_reuse", "upload_code"]

DEFAULT_RUNTIME = "python3.10"
DEFAULT_HANDLER = "index.handler"


class ReleaseClient(Protocol):
    """The FC calls a release makes (``FcClient`` has them all)."""

    def get_service(self, name: str, qualifier: str | None = None) -> Service: ...
    def create_service(self, name: str, description: str | None = None, **config: Any) -> Service: ...
    def get_function(self, service: str, name: str, qualifier: str | None = None) -> Function: ...
    def create_function(self, service: str, name: str, runtime: str, handler: str, code: Any = None,
                        memory_size: int = 128, timeout: int = 3, environment_variables: Any = None,
                        description: str | None = None, **config: Any) -> Function: ...
    def update_function(self, service: str, name: str, *, if_match: str | None = None, **changes: Any) -> Function: ...
    def publish_version(self, service: str, description: str | None = None, *,
                        if_match: str | None = None) -> Version: ...
    def list_versions(self, service: str) -> list[Version]: ...


class Fc3Release:
    """An ``Fc3Client`` seen as a :class:`ReleaseClient`: FC 3.0 has no services, a function owns its versions.

    The function stands in for the service (callers pass its name as both); "the service exists" means the
    function does, and creating it is left to ``create_function``, so the release rules above hold unchanged.
    """

    def __init__(self, client: Fc3Client) -> None:
        self.client = client

    def get_service(self, name: str, qualifier: str | None = None) -> Any:
        return self.client.get_function(name, qualifier)

    def create_service(self, name: str, description: str | None = None, **config: Any) -> Any:
        return None  # the function is created next, by create_function

    def get_function(self, service: str, name: str, qualifier: str | None = None) -> Any:
        return self.client.get_function(name, qualifier)

    def create_function(self, service: str, name: str, runtime: str, handler: str, code: Any = None,
                        memory_size: int = 128, timeout: int = 3, environment_variables: Any = None,
                        description: str | None = None, **config: Any) -> Any:
        return self.client.create_function(name, runtime, handler, code=code, memory_size=memory_size,
                                           timeout=timeout, environment_variables=environment_variables,
                                           description=description, **config)

    def update_function(self, service: str, name: str, *, if_match: str | None = None, **changes: Any) -> Any:
        return self.client.update_function(name, **changes)

    def publish_version(self, service: str, description: str | None = None, *,
                        if_match: str | None = None) -> Version:
        return self.client.publish_version(service, description)

    def list_versions(self, service: str) -> list[Version]:
        return self.client.list_versions(service)


@dataclass(frozen=True)
class FunctionSettings:
    """What the caller asks of the function; None leaves a setting as it is (FC's default on creation)."""

    runtime: str | None = None
    handler: str | None = None
    memory_size: int | None = None
    timeout: int | None = None

    def given(self) -> dict[str, Any]:
        """Only the settings the caller set."""
        return {k: v for k, v in vars(self).items() if v is not None}

    def check(self) -> None:
        """Validate every value with FC's own limits, before anything is created (``InvalidArgumentError``)."""
        arguments.validated(UpdateFunctionRequest, "function settings", **self.given())

    def effective(self, current: Function | None) -> tuple[str, str]:
        """The runtime and handler the function will have once this release is applied."""
        runtime = self.runtime or (current.runtime if current else None) or DEFAULT_RUNTIME
        handler = self.handler or (current.handler if current else None) or DEFAULT_HANDLER
        return runtime, handler


@dataclass(frozen=True)
class Uploaded:
    """``action``: ``created``, ``updated`` (code or settings differed) or ``unchanged`` (no call made)."""

    action: Literal["created", "updated", "unchanged"]
    function: Function | None


@dataclass(frozen=True)
class Published:
    """The version LATEST now equals; ``published`` says whether this call created it."""

    version_id: str
    published: bool


def current_function(client: ReleaseClient, service: str, function: str) -> tuple[bool, Function | None]:
    """(does the service exist, the function or None): reads only."""
    try:
        client.get_service(service)
    except NotFoundError:
        return False, None
    try:
        return True, client.get_function(service, function)
    except NotFoundError:
        return True, None


def upload_code(client: ReleaseClient, service: str, function: str, code: bytes,
                settings: FunctionSettings | None = None, *, service_description: str | None = None,
                function_description: str | None = None) -> Uploaded:
    """Create the service and function if needed, else update the function only where it differs."""
    settings = settings or FunctionSettings()
    settings.check()
    exists, current = current_function(client, service, function)
    if current is None:
        runtime, handler = settings.effective(None)
        create = {k: v for k, v in settings.given().items() if k not in ("runtime", "handler")}
        arguments.validated(CreateFunctionRequest, "function", function_name=function, runtime=runtime,
                            handler=handler, description=function_description, **create)
        if not exists:
            arguments.validated(CreateServiceRequest, "service", service_name=service, description=service_description)
        if not exists:
            client.create_service(service, description=service_description)
        created = client.create_function(service, function, runtime, handler, code=code,
                                         description=function_description, **create)
        return Uploaded("created", created)
    changes: dict[str, Any] = {k: v for k, v in settings.given().items() if getattr(current, k) != v}
    if current.code_checksum != checksum(code):
        changes["code"] = code
    if not changes:
        return Uploaded("unchanged", current)
    return Uploaded("updated", client.update_function(service, function, **changes))


def publish_or_reuse(client: ReleaseClient, service: str, description: str | None = None) -> Published:
    """Publish LATEST; when nothing changed since the newest version, that version is the answer."""
    try:
        return Published(client.publish_version(service, description=description).version_id, True)
    except NoChangesToPublishError:
        return Published(client.list_versions(service)[0].version_id, False)
