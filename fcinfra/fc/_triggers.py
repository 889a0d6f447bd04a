"""FcClient's trigger calls and invocations (InvokeFunction, and calls through an HTTP trigger)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import requests
from requests.structures import CaseInsensitiveDict

from fcinfra.errors import InvalidArgumentError
from fcinfra.fc import answers, arguments, retry
from fcinfra.fc._core import ClientCore
from fcinfra.fc.models import (
    CreateTriggerRequest,
    Invocation,
    Trigger,
    UpdateTriggerRequest,
    check_name,
    check_qualifier,
)
from fcinfra.fc.transport import API_PREFIX, Timeout, api_path


def send_http(
    transport: Any,
    prefix: str,
    path: str,
    method: str,
    *,
    body: bytes | str | None,
    headers: Mapping[str, str] | None,
    query: Mapping[str, str] | list[tuple[str, str]] | None,
    sign: bool,
    timeout: Timeout | None,
    base_url: str | None = None,
) -> HttpTriggerResponse:
    """One call through an HTTP trigger at ``prefix`` + ``path`` (each segment percent-encoded), never retried
    (the function may have run): FC 2.0's proxy path and FC 3.0's trigger URL (``base_url``) both go here."""
    sub = "/".join(quote(part, safe="") for part in path.lstrip("/").split("/"))
    extra = dict(headers or {})
    content_type = extra.pop("Content-Type", None) or extra.pop("content-type", None)
    resp = transport.send(
        "HttpTriggerInvoke",
        method.upper(),
        f"{prefix.rstrip('/')}/{sub}",
        query=list(query.items()) if isinstance(query, Mapping) else list(query or []),
        body=body.encode("utf-8") if isinstance(body, str) else body,
        headers=extra,
        timeout=timeout,
        raise_for_status=False,
        content_type=content_type,
        sign=sign,
        base_url=base_url,
    )
    return HttpTriggerResponse(
        status_code=resp.status_code,
        headers=CaseInsensitiveDict(resp.headers),
        body=resp.content,
        request_id=resp.headers.get("X-Fc-Request-Id"),
        version_id=resp.headers.get("X-Fc-Invocation-Service-Version"),
    )


@dataclass(frozen=True)
class HttpTriggerResponse:
    """The answer of a function behind an HTTP trigger, returned whatever its status (it is the app's)."""

    status_code: int
    headers: Mapping[str, str] = field(repr=False)  # case-insensitive, as HTTP headers are
    body: bytes = field(repr=False)
    request_id: str | None = None
    version_id: str | None = None

    @property
    def ok(self) -> bool:
        """True for a 2xx/3xx answer that is not a function error (FC flags those with X-Fc-Error-Type)."""
        return 200 <= self.status_code < 400 and "X-Fc-Error-Type" not in self.headers


class TriggersAndInvocation(ClientCore):
    """Triggers bound to a version or alias, and calling functions."""

    # ---------------------------------------------------------------------------------------- triggers

    def _trigger_path(self, service: str, function: str, *rest: str) -> str:
        arguments.check(check_name, function, "function name")
        return api_path("services", self._svc(service), "functions", function, "triggers", *rest)

    def create_trigger(
        self,
        service: str,
        function: str,
        name: str,
        trigger_type: str,
        trigger_config: Mapping[str, Any] | str | None,
        qualifier: str | None = None,
        source_arn: str | None = None,
        invocation_role: str | None = None,
        description: str | None = None,
    ) -> Trigger:
        """Create a trigger bound to ``qualifier`` (a version or alias) from its first moment; None means LATEST."""
        req = arguments.validated(
            CreateTriggerRequest,
            "trigger",
            trigger_name=name,
            trigger_type=trigger_type,
            trigger_config=arguments.trigger_config(trigger_config),
            qualifier=arguments.version_text(qualifier),
            source_arn=source_arn,
            invocation_role=invocation_role,
            description=description,
        )
        path = self._trigger_path(service, function)
        return answers.parse(Trigger, self._call("CreateTrigger", "POST", path, body=req, idempotent=False), "trigger")

    def get_trigger(self, service: str, function: str, name: str) -> Trigger:
        """The trigger, including the qualifier it invokes."""
        arguments.check(check_name, name, "trigger name")
        resp = self._call("GetTrigger", "GET", self._trigger_path(service, function, name))
        return answers.parse(Trigger, resp, "trigger")

    def update_trigger(
        self,
        service: str,
        function: str,
        name: str,
        qualifier: str | None = None,
        trigger_config: Mapping[str, Any] | str | None = None,
        invocation_role: str | None = None,
        description: str | None = None,
        if_match: str | None = None,
    ) -> Trigger:
        """Re-bind a trigger (``qualifier=``) or change its config in place; ``if_match`` guards against races."""
        arguments.check(check_name, name, "trigger name")
        req = arguments.validated(
            UpdateTriggerRequest,
            "trigger update",
            qualifier=arguments.version_text(qualifier),
            trigger_config=arguments.trigger_config(trigger_config),
            invocation_role=invocation_role,
            description=description,
        )
        path = self._trigger_path(service, function, name)
        return self._update(
            "UpdateTrigger", path, req, Trigger, if_match, lambda: self.get_trigger(service, function, name)
        )

    def delete_trigger(self, service: str, function: str, name: str, *, if_match: str | None = None) -> None:
        """Delete a trigger. A 404 after an ambiguous first attempt counts as done."""
        arguments.check(check_name, name, "trigger name")
        self._delete("DeleteTrigger", self._trigger_path(service, function, name), if_match)

    def list_triggers(self, service: str, function: str, prefix: str | None = None) -> list[Trigger]:
        """Every trigger of the function, all pages."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Trigger, "ListTriggers", self._trigger_path(service, function), "triggers", query)

    # -------------------------------------------------------------------------------------- invocation

    def invoke(
        self,
        service: str,
        function: str,
        payload: bytes | str | Mapping[str, Any] | None = b"",
        qualifier: str | None = None,
        *,
        log_type: Literal["None", "Tail"] | None = None,
        invocation_type: Literal["Sync", "Async"] = "Sync",
        timeout: Timeout | None = None,
    ) -> Invocation:
        """Invoke a function (at LATEST, a version or an alias). A function error is reported in
        ``error_type``, not raised; FC errors (unknown function, deleted version...) are raised.

        Retried only when FC refused the call (throttled, never connected): the function may have run otherwise.
        """
        arguments.check(check_name, function, "function name")
        if invocation_type not in ("Sync", "Async"):
            raise InvalidArgumentError(f"invocation_type must be 'Sync' or 'Async', got {invocation_type!r}")
        if log_type not in (None, "None", "Tail"):
            raise InvalidArgumentError(f"log_type must be 'None' or 'Tail', got {log_type!r}")
        body = arguments.payload_bytes(payload)
        path = api_path("services", self._svc(service, qualifier), "functions", function, "invocations")
        headers: dict[str, str] = {"X-Fc-Invocation-Type": invocation_type}
        if log_type:
            headers["X-Fc-Log-Type"] = log_type

        def attempt() -> requests.Response:
            resp = self._transport.send(
                "InvokeFunction", "POST", path, body=body, headers=headers, timeout=timeout, raise_for_status=False
            )
            if resp.status_code >= 400 and "X-Fc-Error-Type" not in resp.headers:
                # An API error (not the function's): raise it with the same mapping as every other call.
                raise self._transport.api_error(resp, "POST", path)
            return resp

        resp = retry.call(attempt, self.retry_policy, self._sleep, retry.is_refused)
        return answers.invocation(resp)

    def http_trigger_request(
        self,
        service: str,
        qualifier: str,
        function: str,
        path: str = "/",
        method: str = "GET",
        *,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | list[tuple[str, str]] | None = None,
        sign: bool = True,
        timeout: Timeout | None = None,
    ) -> HttpTriggerResponse:
        """Call a function through its HTTP trigger (``/proxy/{svc}.{qualifier}/{fn}/{path}``).

        The function's answer is returned whatever its status; only a failure to get an answer raises.
        ``sign=False`` is for ``anonymous`` triggers. Not retried: the function may have run.
        """
        qualifier = arguments.version_text(qualifier)
        arguments.check(check_qualifier, qualifier)
        arguments.check(check_name, function, "function name")
        svc = self._svc(service)
        target = f"{quote(svc, safe='')}.{quote(qualifier, safe='')}/{quote(function, safe='')}"
        return send_http(self._transport, f"{API_PREFIX}/proxy/{target}", path, method, body=body, headers=headers,
                         query=query, sign=sign, timeout=timeout)
