"""HTTP <-> backend: one small function per FC operation, from a decoded request to FC's JSON answer.

Handlers do the HTTP: they split ``{service}.{qualifier}``, check ``If-Match`` (after the resource is found and
before the body is read, so a stale ETag is 412 even with a body that is not JSON), parse the body into a typed
request, read paging parameters and headers, and call the backend with typed arguments. Handlers of routes
marked ``locked`` run with the fake's lock held; invocations and the HTTP-trigger proxy run user code, so they
run outside it and hand over to the :class:`Invoker` (the fake's core).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel

from fcinfra.fake import bodies
from fcinfra.fake.backend import RegionBackend
from fcinfra.fake.codeurl import code_url, download
from fcinfra.fake.exceptions import invalid, precondition_failed
from fcinfra.fake.messages import FakeRequest, FakeResponse, error_response, json_response, no_content
from fcinfra.fake.paging import PageResult, name_page, version_page
from fcinfra.fc.models import (
    CreateFunctionRequest,
    CreateServiceRequest,
    CreateTriggerRequest,
    PublishVersionRequest,
    UpdateFunctionRequest,
    UpdateServiceRequest,
    UpdateTriggerRequest,
)

if TYPE_CHECKING:
    from fcinfra.fake.backend import FcBackend

# Kept importable from here, where they used to live (the emulator's server imports FakeRequest from here).
__all__ = ["HANDLERS", "Call", "FakeRequest", "FakeResponse", "Invoker", "error_response", "json_response",
           "split_qualifier"]

M = TypeVar("M", bound=BaseModel)


class Invoker(Protocol):
    """What runs functions: the fake's core. Called without the lock held."""

    def invoke(self, call: Call) -> FakeResponse:
        """InvokeFunction: run the function the qualifier resolves to (weighted through an alias)."""
        ...

    def http_trigger(self, call: Call) -> FakeResponse:
        """The HTTP-trigger proxy: run the function behind the trigger bound to the qualifier."""
        ...


@dataclass
class Call:
    """One API call as the handlers see it."""

    request: FakeRequest
    params: dict[str, str]
    query: dict[str, str]
    backend: RegionBackend  # the (account, region) the request is for
    request_id: str
    state: FcBackend  # every region (the code download URL names its own)
    invoker: Invoker

    @property
    def if_match(self) -> str | None:
        return self.request.header("If-Match")


def split_qualifier(name: str) -> tuple[str, str | None]:
    """``svc.qualifier`` -> (svc, qualifier); service names cannot contain dots."""
    service, dot, qualifier = name.partition(".")
    return (service, qualifier) if dot else (service, None)


def check_if_match(etag: str, if_match: str | None) -> None:
    """FC's optimistic concurrency: a stale ``If-Match`` is a 412."""
    if if_match is not None and if_match.strip().strip('"') != etag:
        raise precondition_failed()


def _body(c: Call, model: type[M], etag: str | None = None) -> M:
    """The body as ``model``, after ``If-Match`` has passed against ``etag`` (when the operation has one)."""
    if etag is not None:
        check_if_match(etag, c.if_match)
    return bodies.parse(model, c.request.body)


def _page(key: str, page: PageResult[Any], wire: Callable[[Any], dict[str, Any]],
          extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {key: [wire(item) for item in page.items], **(extra or {})}
    if page.next_token:
        body["nextToken"] = page.next_token
    return body


def _plain(name: str) -> str:
    """Write operations take a bare service name; a qualifier there is an error."""
    service, qualifier = split_qualifier(name)
    if qualifier is not None:
        raise invalid(f"this operation does not accept a qualifier: use the service name {service!r} without "
                      f"'.{qualifier}'")
    return service


def _checksum_header(c: Call) -> str | None:
    return c.request.header("X-Fc-Code-Checksum")


# ------------------------------------------------------------------------------------------------- services
def create_service(c: Call) -> FakeResponse:
    svc = c.backend.create_service(_body(c, CreateServiceRequest))
    return json_response(200, svc.head.wire(), c.request_id, svc.head.etag)


def get_service(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    resolved = c.backend.resolve(service, qualifier)
    return json_response(200, resolved.service.wire(), c.request_id, resolved.service.etag)


def update_service(c: Call) -> FakeResponse:
    name = _plain(c.params["serviceName"])
    req = _body(c, UpdateServiceRequest, c.backend.service(name).head.etag)
    svc = c.backend.update_service(name, req)
    return json_response(200, svc.head.wire(), c.request_id, svc.head.etag)


def delete_service(c: Call) -> FakeResponse:
    name = _plain(c.params["serviceName"])
    check_if_match(c.backend.service(name).head.etag, c.if_match)
    c.backend.delete_service(name)
    return no_content(c.request_id)


def list_services(c: Call) -> FakeResponse:
    """``tag_{key}={value}`` query parameters keep only services carrying all those tags."""
    tags = {k[len("tag_"):]: v for k, v in c.query.items() if k.startswith("tag_")}
    page = c.backend.list_services(tags, name_page(c.query))
    return json_response(200, _page("services", page, lambda s: s.head.wire()), c.request_id)


# ------------------------------------------------------------------------------------------------ functions
def create_function(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    c.backend.service(service)
    req = _body(c, CreateFunctionRequest)
    fn = c.backend.create_function(service, req, bodies.code_bytes(req.code) or b"", _checksum_header(c))
    return json_response(200, fn.wire(), c.request_id, fn.etag)


def get_function(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    _, fn = c.backend.resolve_function(service, qualifier, c.params["functionName"])
    return json_response(200, fn.wire(), c.request_id, fn.etag)


def update_function(c: Call) -> FakeResponse:
    service, name = _plain(c.params["serviceName"]), c.params["functionName"]
    req = _body(c, UpdateFunctionRequest, c.backend.function(service, name).etag)
    fn = c.backend.update_function(service, name, req, bodies.code_bytes(req.code), _checksum_header(c))
    return json_response(200, fn.wire(), c.request_id, fn.etag)


def delete_function(c: Call) -> FakeResponse:
    service, name = _plain(c.params["serviceName"]), c.params["functionName"]
    check_if_match(c.backend.function(service, name).etag, c.if_match)
    c.backend.delete_function(service, name)
    return no_content(c.request_id)


def list_functions(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    page = c.backend.list_functions(service, qualifier, name_page(c.query))
    return json_response(200, _page("functions", page, lambda f: f.wire()), c.request_id)


def get_function_code(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    resolved, fn = c.backend.resolve_function(service, qualifier, c.params["functionName"])
    url = code_url(c.request, c.backend, service, resolved.version, fn.name)
    return json_response(200, {"checksum": fn.code_checksum, "url": url}, c.request_id)


def download_function_code(c: Call) -> FakeResponse:
    """The URL GetFunctionCode answers (the fake's stand-in for an OSS pre-signed URL): unsigned."""
    code = download(c.state, c.params["token"])
    return FakeResponse(200, {"Content-Type": "application/zip", "X-Fc-Request-Id": c.request_id}, code)


# ------------------------------------------------------------------------------------------------- versions
def publish_version(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    req = _body(c, PublishVersionRequest, c.backend.service(service).head.etag)  # the *service* ETag
    version = c.backend.publish_version(service, req)
    return json_response(200, version.wire(), c.request_id, version.etag)


def list_versions(c: Call) -> FakeResponse:
    request = version_page(c.query)
    page = c.backend.list_versions(_plain(c.params["serviceName"]), request)
    return json_response(200, _page("versions", page, lambda v: v.wire(), {"direction": request.direction}),
                         c.request_id)


def delete_version(c: Call) -> FakeResponse:
    c.backend.delete_version(_plain(c.params["serviceName"]), c.params["versionId"])
    return no_content(c.request_id)


# -------------------------------------------------------------------------------------------------- aliases
def create_alias(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    c.backend.service(service)
    alias = c.backend.create_alias(service, _body(c, bodies.CreateAliasBody))
    return json_response(200, alias.wire(service), c.request_id, alias.etag)


def get_alias(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    alias = c.backend.alias(service, c.params["aliasName"])
    return json_response(200, alias.wire(service), c.request_id, alias.etag)


def update_alias(c: Call) -> FakeResponse:
    service, name = _plain(c.params["serviceName"]), c.params["aliasName"]
    req = _body(c, bodies.UpdateAliasBody, c.backend.alias(service, name).etag)
    alias = c.backend.update_alias(service, name, req)
    return json_response(200, alias.wire(service), c.request_id, alias.etag)


def delete_alias(c: Call) -> FakeResponse:
    service, name = _plain(c.params["serviceName"]), c.params["aliasName"]
    check_if_match(c.backend.alias(service, name).etag, c.if_match)
    c.backend.delete_alias(service, name)
    return no_content(c.request_id)


def list_aliases(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    page = c.backend.list_aliases(service, name_page(c.query))
    return json_response(200, _page("aliases", page, lambda a: a.wire(service)), c.request_id)


# ------------------------------------------------------------------------------------------------- triggers
def _trigger_wire(c: Call, service: str, function: str) -> Callable[[Any], dict[str, Any]]:
    return lambda t: t.wire(c.backend.host, service, function)


def create_trigger(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    c.backend.function(service, function)
    trigger = c.backend.create_trigger(service, function, _body(c, CreateTriggerRequest))
    return json_response(200, _trigger_wire(c, service, function)(trigger), c.request_id, trigger.etag)


def get_trigger(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    trigger = c.backend.trigger(service, function, c.params["triggerName"])
    return json_response(200, _trigger_wire(c, service, function)(trigger), c.request_id, trigger.etag)


def update_trigger(c: Call) -> FakeResponse:
    service, function, name = _plain(c.params["serviceName"]), c.params["functionName"], c.params["triggerName"]
    req = _body(c, UpdateTriggerRequest, c.backend.trigger(service, function, name).etag)
    trigger = c.backend.update_trigger(service, function, name, req)
    return json_response(200, _trigger_wire(c, service, function)(trigger), c.request_id, trigger.etag)


def delete_trigger(c: Call) -> FakeResponse:
    service, function, name = _plain(c.params["serviceName"]), c.params["functionName"], c.params["triggerName"]
    check_if_match(c.backend.trigger(service, function, name).etag, c.if_match)
    c.backend.delete_trigger(service, function, name)
    return no_content(c.request_id)


def list_triggers(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    page = c.backend.list_triggers(service, function, name_page(c.query))
    return json_response(200, _page("triggers", page, _trigger_wire(c, service, function)), c.request_id)


# ---------------------------------------------------------------------------------------------- invocation
def invoke_function(c: Call) -> FakeResponse:
    return c.invoker.invoke(c)


def http_trigger_invoke(c: Call) -> FakeResponse:
    return c.invoker.http_trigger(c)


HANDLERS: dict[str, Callable[[Call], FakeResponse]] = {
    "CreateService": create_service,
    "GetService": get_service,
    "UpdateService": update_service,
    "DeleteService": delete_service,
    "ListServices": list_services,
    "CreateFunction": create_function,
    "GetFunction": get_function,
    "UpdateFunction": update_function,
    "DeleteFunction": delete_function,
    "ListFunctions": list_functions,
    "GetFunctionCode": get_function_code,
    "InvokeFunction": invoke_function,
    "PublishServiceVersion": publish_version,
    "ListServiceVersions": list_versions,
    "DeleteServiceVersion": delete_version,
    "CreateAlias": create_alias,
    "GetAlias": get_alias,
    "UpdateAlias": update_alias,
    "DeleteAlias": delete_alias,
    "ListAliases": list_aliases,
    "CreateTrigger": create_trigger,
    "GetTrigger": get_trigger,
    "UpdateTrigger": update_trigger,
    "DeleteTrigger": delete_trigger,
    "ListTriggers": list_triggers,
    "HttpTriggerInvoke": http_trigger_invoke,
    "DownloadFunctionCode": download_function_code,
}

from fcinfra.fake.tags import TAG_HANDLERS  # noqa: E402  (the tag API: its own module, registered here)

HANDLERS.update(TAG_HANDLERS)
