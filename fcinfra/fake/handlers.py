"""HTTP <-> backend: one small function per FC operation, from a decoded request to FC's JSON answer.

Handlers run with the fake's lock held and never run user code; invocations are split in two (resolve under
the lock, run outside it) by :mod:`fcinfra.fake.core`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fcinfra.fake.backend import RegionBackend
from fcinfra.fake.codeurl import code_url
from fcinfra.fake.exceptions import FakeApiError, invalid
from fcinfra.fake.paging import PageResult


@dataclass
class FakeRequest:
    """An HTTP request as the fake sees it, whoever delivered it (``responses`` or the emulator's server)."""

    method: str
    path: str  # raw, percent-encoded, e.g. /2016-08-15/services/a
    query: str  # raw query string without '?'
    headers: Mapping[str, str]  # treated case-insensitively
    body: bytes
    host: str
    scheme: str = "https"

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header by name, case-insensitively, as HTTP means it."""
        lname = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lname:
                return value
        return default


@dataclass
class FakeResponse:
    """The fake's answer, before ``responses`` or the emulator turns it into HTTP."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON (None when empty), for tests."""
        return json.loads(self.body) if self.body else None


@dataclass
class Call:
    """One API call as the handlers see it."""

    request: FakeRequest
    params: dict[str, str]
    query: dict[str, str]
    backend: RegionBackend
    request_id: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def if_match(self) -> str | None:
        return self.request.header("If-Match")

    def json_body(self) -> bytes:
        """The raw body: the backend decodes it (:func:`bodies.parse`) only after ``If-Match`` has passed, so a
        stale ETag answers 412 even when the body is not valid JSON."""
        return self.request.body


def split_qualifier(name: str) -> tuple[str, str | None]:
    """``svc.qualifier`` -> (svc, qualifier); service names cannot contain dots."""
    service, dot, qualifier = name.partition(".")
    return (service, qualifier) if dot else (service, None)


def json_response(status: int, body: Any, request_id: str, etag: str | None = None) -> FakeResponse:
    headers = {"Content-Type": "application/json", "X-Fc-Request-Id": request_id}
    if etag:
        headers["ETag"] = etag
    return FakeResponse(status, headers, json.dumps(body, separators=(",", ":")).encode("utf-8"))


def no_content(request_id: str) -> FakeResponse:
    return FakeResponse(204, {"X-Fc-Request-Id": request_id}, b"")


def error_response(error: FakeApiError, request_id: str) -> FakeResponse:
    return json_response(error.status, {"ErrorCode": error.code, "ErrorMessage": error.message}, request_id)


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


# ------------------------------------------------------------------------------------------------- services
def create_service(c: Call) -> FakeResponse:
    svc = c.backend.create_service(c.json_body())
    return json_response(200, svc.head.wire(), c.request_id, svc.head.etag)


def get_service(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    resolved = c.backend.resolve(service, qualifier)
    return json_response(200, resolved.service.wire(), c.request_id, resolved.service.etag)


def update_service(c: Call) -> FakeResponse:
    svc = c.backend.update_service(_plain(c.params["serviceName"]), c.json_body(), c.if_match)
    return json_response(200, svc.head.wire(), c.request_id, svc.head.etag)


def delete_service(c: Call) -> FakeResponse:
    c.backend.delete_service(_plain(c.params["serviceName"]), c.if_match)
    return no_content(c.request_id)


def list_services(c: Call) -> FakeResponse:
    page = c.backend.list_services(c.query)
    return json_response(200, _page("services", page, lambda s: s.head.wire()), c.request_id)


# ------------------------------------------------------------------------------------------------ functions
def create_function(c: Call) -> FakeResponse:
    fn = c.backend.create_function(_plain(c.params["serviceName"]), c.json_body(),
                                   c.request.header("X-Fc-Code-Checksum"))
    return json_response(200, fn.wire(), c.request_id, fn.etag)


def get_function(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    _, fn = c.backend.resolve_function(service, qualifier, c.params["functionName"])
    return json_response(200, fn.wire(), c.request_id, fn.etag)


def update_function(c: Call) -> FakeResponse:
    fn = c.backend.update_function(_plain(c.params["serviceName"]), c.params["functionName"], c.json_body(),
                                   c.if_match, c.request.header("X-Fc-Code-Checksum"))
    return json_response(200, fn.wire(), c.request_id, fn.etag)


def delete_function(c: Call) -> FakeResponse:
    c.backend.delete_function(_plain(c.params["serviceName"]), c.params["functionName"], c.if_match)
    return no_content(c.request_id)


def list_functions(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    page = c.backend.list_functions(service, qualifier, c.query)
    return json_response(200, _page("functions", page, lambda f: f.wire()), c.request_id)


def get_function_code(c: Call) -> FakeResponse:
    service, qualifier = split_qualifier(c.params["serviceName"])
    resolved, fn = c.backend.resolve_function(service, qualifier, c.params["functionName"])
    url = code_url(c.request, c.backend, service, resolved.version, fn.name)
    return json_response(200, {"checksum": fn.code_checksum, "url": url}, c.request_id)


# ------------------------------------------------------------------------------------------------- versions
def publish_version(c: Call) -> FakeResponse:
    version = c.backend.publish_version(_plain(c.params["serviceName"]), c.json_body(), c.if_match)
    return json_response(200, version.wire(), c.request_id, version.etag)


def list_versions(c: Call) -> FakeResponse:
    page = c.backend.list_versions(_plain(c.params["serviceName"]), c.query)
    direction = (c.query.get("direction") or "BACKWARD").upper()
    return json_response(200, _page("versions", page, lambda v: v.wire(), {"direction": direction}), c.request_id)


def delete_version(c: Call) -> FakeResponse:
    c.backend.delete_version(_plain(c.params["serviceName"]), c.params["versionId"])
    return no_content(c.request_id)


# -------------------------------------------------------------------------------------------------- aliases
def create_alias(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    alias = c.backend.create_alias(service, c.json_body())
    return json_response(200, alias.wire(service), c.request_id, alias.etag)


def get_alias(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    alias = c.backend.alias(service, c.params["aliasName"])
    return json_response(200, alias.wire(service), c.request_id, alias.etag)


def update_alias(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    alias = c.backend.update_alias(service, c.params["aliasName"], c.json_body(), c.if_match)
    return json_response(200, alias.wire(service), c.request_id, alias.etag)


def delete_alias(c: Call) -> FakeResponse:
    c.backend.delete_alias(_plain(c.params["serviceName"]), c.params["aliasName"], c.if_match)
    return no_content(c.request_id)


def list_aliases(c: Call) -> FakeResponse:
    service = _plain(c.params["serviceName"])
    page = c.backend.list_aliases(service, c.query)
    return json_response(200, _page("aliases", page, lambda a: a.wire(service)), c.request_id)


# ------------------------------------------------------------------------------------------------- triggers
def _trigger_wire(c: Call, service: str, function: str) -> Callable[[Any], dict[str, Any]]:
    return lambda t: t.wire(c.backend.host, service, function)


def create_trigger(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    trigger = c.backend.create_trigger(service, function, c.json_body())
    return json_response(200, _trigger_wire(c, service, function)(trigger), c.request_id, trigger.etag)


def get_trigger(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    trigger = c.backend.trigger(service, function, c.params["triggerName"])
    return json_response(200, _trigger_wire(c, service, function)(trigger), c.request_id, trigger.etag)


def update_trigger(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    trigger = c.backend.update_trigger(service, function, c.params["triggerName"], c.json_body(), c.if_match)
    return json_response(200, _trigger_wire(c, service, function)(trigger), c.request_id, trigger.etag)


def delete_trigger(c: Call) -> FakeResponse:
    c.backend.delete_trigger(_plain(c.params["serviceName"]), c.params["functionName"], c.params["triggerName"],
                             c.if_match)
    return no_content(c.request_id)


def list_triggers(c: Call) -> FakeResponse:
    service, function = _plain(c.params["serviceName"]), c.params["functionName"]
    page = c.backend.list_triggers(service, function, c.query)
    return json_response(200, _page("triggers", page, _trigger_wire(c, service, function)), c.request_id)


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
}
