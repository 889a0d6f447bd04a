"""Fc3Client's trigger calls: triggers bound to a qualifier (version, alias or LATEST) of one function."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from fcinfra.errors import ConfigurationError
from fcinfra.fc import answers, arguments
from fcinfra.fc._core import ClientCore
from fcinfra.fc._triggers import HttpTriggerResponse, send_http
from fcinfra.fc.models import check_name
from fcinfra.fc.transport import Timeout
from fcinfra.fc3._functions import function_path
from fcinfra.fc3.models import LATEST, CreateTriggerRequest, Trigger, UpdateTriggerRequest


def config_text(config: Mapping[str, Any] | str | None) -> str | None:
    """FC 3.0 wants ``triggerConfig`` as a JSON string: accept a dict or a string, checked either way."""
    parsed = arguments.trigger_config(config)
    return None if parsed is None else json.dumps(parsed, separators=(",", ":"))


class Triggers(ClientCore):
    """Triggers of a function; ``qualifier`` says which version or alias each one invokes."""

    def create_trigger(
        self,
        function: str,
        name: str,
        trigger_type: str,
        trigger_config: Mapping[str, Any] | str,
        qualifier: str | int | None = None,
        *,
        source_arn: str | None = None,
        invocation_role: str | None = None,
        description: str | None = None,
    ) -> Trigger:
        """Create a trigger bound to ``qualifier`` (FC uses LATEST when None). Resent only if FC did not run it."""
        req = arguments.validated(
            CreateTriggerRequest,
            "trigger",
            trigger_name=name,
            trigger_type=trigger_type,
            trigger_config=config_text(trigger_config) or "{}",
            qualifier=arguments.version_text(qualifier),
            source_arn=source_arn,
            invocation_role=invocation_role,
            description=description,
        )
        path = function_path(function, "triggers")
        return answers.parse(Trigger, self._call("CreateTrigger", "POST", path, body=req, idempotent=False), "trigger")

    def get_trigger(self, function: str, name: str) -> Trigger:
        """The trigger, with its qualifier and (HTTP) URLs."""
        arguments.check(check_name, name, "trigger name")
        path = function_path(function, "triggers", name)
        return answers.parse(Trigger, self._call("GetTrigger", "GET", path), "trigger")

    def update_trigger(
        self,
        function: str,
        name: str,
        *,
        trigger_config: Mapping[str, Any] | str | None = None,
        qualifier: str | int | None = None,
        invocation_role: str | None = None,
        description: str | None = None,
    ) -> Trigger:
        """Reconfigure a trigger in place, or re-bind it to another qualifier; only what is given changes."""
        arguments.check(check_name, name, "trigger name")
        req = arguments.validated(
            UpdateTriggerRequest,
            "trigger update",
            trigger_config=config_text(trigger_config),
            qualifier=arguments.version_text(qualifier),
            invocation_role=invocation_role,
            description=description,
        )
        path = function_path(function, "triggers", name)
        return self._update("UpdateTrigger", path, req, Trigger, None, lambda: self.get_trigger(function, name))

    def delete_trigger(self, function: str, name: str) -> None:
        """Delete a trigger. A 404 after an ambiguous first attempt counts as done."""
        arguments.check(check_name, name, "trigger name")
        self._delete("DeleteTrigger", function_path(function, "triggers", name))

    def list_triggers(self, function: str, prefix: str | None = None) -> list[Trigger]:
        """Every trigger of the function, all pages."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Trigger, "ListTriggers", function_path(function, "triggers"), "triggers", query)

    def http_trigger_url(self, function: str, qualifier: str | int) -> str:
        """The public URL of ``function``'s HTTP trigger bound to ``qualifier`` (an alias, a version or LATEST),
        as FC reports it in ``httpTrigger.urlInternet``; ``ConfigurationError`` when no HTTP trigger is bound
        there. FC 3.0 calls a function over HTTP only through such a URL."""
        wanted = arguments.version_text(qualifier)
        for trigger in self.list_triggers(function):
            if trigger.trigger_type.lower() == "http" and (trigger.qualifier or LATEST) == wanted \
                    and trigger.url_internet:
                return trigger.url_internet.rstrip("/")
        raise ConfigurationError(f"function {function!r} has no HTTP trigger bound to {wanted!r} with a public URL: "
                                 f"create one (trigger_type 'http', qualifier {wanted!r}) to call it over HTTP")

    def http_trigger_request(
        self,
        function: str,
        qualifier: str | int,
        path: str = "/",
        method: str = "GET",
        *,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | list[tuple[str, str]] | None = None,
        sign: bool = True,
        timeout: Timeout | None = None,
        url: str | None = None,
    ) -> HttpTriggerResponse:
        """Call ``function`` through its HTTP trigger bound to ``qualifier`` (``url``: that trigger's URL, when
        already known; else :meth:`http_trigger_url` looks it up).

        The function's answer is returned whatever its status; only a failure to get an answer raises.
        ``sign=True`` signs ACS3-HMAC-SHA256 over the trigger's own host (``authType: function``); ``False``
        is for ``anonymous`` triggers. Not retried: the function may have run.
        """
        split = urlsplit(url or self.http_trigger_url(function, qualifier))
        return send_http(self._transport, split.path, path, method, body=body, headers=headers, query=query,
                         sign=sign, timeout=timeout, base_url=f"{split.scheme}://{split.netloc}")

