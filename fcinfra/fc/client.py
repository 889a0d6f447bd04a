"""FcClient: typed FC 2.0 calls with validation, retries, pagination, ETags and error mapping.

Every method validates its input with the shared pydantic models *before* anything is sent (bad input
raises ``InvalidArgumentError``), sends through one reused ``requests.Session`` and returns a model
carrying the answer's ``ETag``. Idempotent calls are retried on throttling, 5xx and broken
connections; ``publish_version`` is not idempotent and is never resent blindly (see its docstring).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError
from requests.structures import CaseInsensitiveDict

from fcinfra.config import Settings, mask, resolve_settings
from fcinfra.errors import (
    AmbiguousPublishError,
    FcApiError,
    FcinfraError,
    InvalidArgumentError,
    NotFoundError,
    PreconditionFailedError,
)
from fcinfra.fc import answers, arguments, retry
from fcinfra.fc.models import (
    LATEST,
    Alias,
    Code,
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateServiceRequest,
    CreateTriggerRequest,
    Function,
    Invocation,
    PublishVersionRequest,
    Service,
    Trigger,
    UpdateAliasRequest,
    UpdateFunctionRequest,
    UpdateServiceRequest,
    UpdateTriggerRequest,
    Version,
    check_alias_name,
    check_name,
    check_qualifier,
    check_version_id,
)
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc.transport import (
    API_PREFIX,
    Credentials,
    RequestEvent,
    Timeout,
    Transport,
    api_path,
    build_endpoint,
)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

PAGE_LIMIT = 100
DEFAULT_TIMEOUT: Timeout = (5.0, 60.0)


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


def _applied(req: BaseModel, current: BaseModel) -> bool:
    """Does ``current`` already hold every field ``req`` sets? (Code cannot be compared: never assumed.)"""
    wanted = req.model_dump(by_alias=True, exclude_none=True)
    if "code" in wanted:
        return False
    have = current.model_dump(by_alias=True)
    return all(have.get(key) == value for key, value in wanted.items())


class FcClient:
    """A Function Compute 2.0 API client. Thread-compatible; one ``requests.Session`` per client."""

    def __init__(
        self,
        account_id: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        endpoint: str | None = None,
        *,
        verify: bool | str | os.PathLike[str] | None = None,
        internal: bool = False,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_request: Callable[[RequestEvent], None] | None = None,
    ) -> None:
        """``verify``: a CA bundle (PEM path) to trust, ``False`` to skip TLS verification, or None/True for the
        default. It is applied to every request, so it wins over ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE``
        (which requests would otherwise let override ``Session.verify``)."""
        if isinstance(account_id, int) and not isinstance(account_id, bool):
            account_id = str(account_id)  # an account id is digits; accept it as a number too
        Settings(account_id, region, access_key_id, access_key_secret, security_token, endpoint).require_credentials()
        assert access_key_id and access_key_secret  # checked just above
        self.verify = arguments.verify_setting(verify)
        self.account_id = account_id or None
        self.region = region or None
        self.endpoint = build_endpoint(account_id, region, endpoint, internal)
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self._sleep = sleep
        self._transport = Transport(
            self.endpoint,
            Credentials(access_key_id, access_key_secret, security_token),
            self.account_id,
            session if session is not None else requests.Session(),
            timeout,
            clock,
            on_request,
            verify=self.verify,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> FcClient:
        """Credentials, account, region and endpoint from the environment (and Pulumi config when running there).

        Keyword arguments override what the environment says (``account_id=``, ``endpoint=``, ``timeout=``...).
        ``FC_CA_BUNDLE`` names a CA bundle to trust (``verify=``), e.g. the one ``fcinfra emulator --tls`` prints.
        """
        setting_names = ("account_id", "region", "access_key_id", "access_key_secret", "security_token", "endpoint")
        explicit = {k: kwargs.pop(k) for k in setting_names if k in kwargs}
        settings = resolve_settings(env=env, **explicit)
        if kwargs.get("verify") is None and settings.ca_bundle:
            kwargs["verify"] = settings.ca_bundle
        settings.require_credentials()
        assert settings.access_key_id and settings.access_key_secret  # checked just above
        return cls(
            settings.account_id,
            settings.region,
            settings.access_key_id,
            settings.access_key_secret,
            settings.security_token,
            settings.endpoint,
            **kwargs,
        )

    def __repr__(self) -> str:
        return (
            f"FcClient(endpoint={self.endpoint!r}, access_key_id={mask(self._transport.credentials.access_key_id)!r})"
        )

    def __getstate__(self) -> None:
        raise TypeError("FcClient holds credentials and is not picklable; build one where it is needed")

    # ---------------------------------------------------------------------------------------- plumbing

    @property
    def session(self) -> requests.Session:
        """The one reused ``requests.Session`` (keep-alive; ``responses`` and test adapters hook in here)."""
        return self._transport.session

    @property
    def calls(self) -> Counter[str]:
        """HTTP attempts per FC operation name (``GetAlias``, ``UpdateAlias``, ...) since this client was made."""
        return self._transport.calls

    def close(self) -> None:
        """Release the session's pooled connections; the client is not usable afterwards."""
        self._transport.session.close()

    def __enter__(self) -> FcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: BaseModel | Mapping[str, Any] | None = None,
        query: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> requests.Response:
        data = arguments.encode(body)

        def attempt() -> requests.Response:
            return self._transport.send(operation, method, path, query=query or (), body=data, headers=headers)

        retry_on = retry.is_transient if idempotent else retry.is_refused
        return retry.call(attempt, self.retry_policy, self._sleep, retry_on)

    def _resilient(self, attempt: Callable[[], T], recover: Callable[[FcApiError], T | None]) -> T:
        """Retry an idempotent write, and recognise when an earlier attempt that failed ambiguously did succeed.

        A DELETE whose answer was lost answers 404 when resent; a conditional PUT answers 412 (its own
        change moved the ETag). After an ambiguous failure, ``recover`` looks at such an error and returns
        the result if the write had in fact been applied, or None to let the error stand.
        """
        ambiguous = False

        def guarded() -> T:
            nonlocal ambiguous
            try:
                return attempt()
            except FcinfraError as exc:
                if retry.is_transient(exc):
                    ambiguous = ambiguous or not retry.is_refused(exc)
                elif ambiguous and isinstance(exc, FcApiError):
                    recovered = recover(exc)
                    if recovered is not None:
                        return recovered
                raise

        return retry.call(guarded, self.retry_policy, self._sleep, retry.is_transient)

    def _delete(self, operation: str, path: str, if_match: str | None = None) -> None:
        def attempt() -> bool:
            self._transport.send(operation, "DELETE", path, headers=arguments.if_match(if_match))
            return True

        self._resilient(attempt, lambda exc: True if isinstance(exc, NotFoundError) else None)

    def _update(
        self,
        operation: str,
        path: str,
        req: BaseModel,
        model: type[M],
        if_match: str | None,
        read: Callable[[], M],
    ) -> M:
        """PUT ``req``; with ``if_match``, a 412 after an ambiguous attempt is checked against a fresh read."""
        data = arguments.encode(req)

        def attempt() -> M:
            resp = self._transport.send(operation, "PUT", path, body=data, headers=arguments.if_match(if_match))
            return answers.parse(model, resp, model.__name__.lower())

        def recover(exc: FcApiError) -> M | None:
            if not isinstance(exc, PreconditionFailedError):
                return None
            try:
                current = read()
            except FcinfraError:
                return None  # cannot tell: the 412 stands
            return current if _applied(req, current) else None

        return self._resilient(attempt, recover)

    def _pages(self, operation: str, path: str, key: str, query: list[tuple[str, str]] | None = None) -> Iterator[Any]:
        """Every item of a List* operation, following ``nextToken`` until FC stops giving one."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            q = [("limit", str(PAGE_LIMIT)), *(query or [])]
            if token:
                q.append(("nextToken", token))
            data = answers.json_object(self._call(operation, "GET", path, query=q), operation)
            items = data.get(key) or []
            if not isinstance(items, list):
                raise FcApiError("InvalidResponse", f"{operation} answered {key!r} that is not a list", 200)
            yield from items
            token = data.get("nextToken") or None
            if not token:
                return
            if token in seen:  # a server repeating its token would otherwise loop forever
                raise FcApiError("InvalidResponse", f"{operation} repeated nextToken {token!r}", 200)
            seen.add(token)

    def _items(
        self, model: type[M], operation: str, path: str, key: str, query: list[tuple[str, str]] | None = None
    ) -> list[M]:
        try:
            return [model.model_validate(item) for item in self._pages(operation, path, key, query)]
        except ValidationError as exc:
            raise FcApiError("InvalidResponse", f"{operation}: {str(exc).splitlines()[0]}", 200) from None

    @staticmethod
    def _svc(service: str, qualifier: str | None = None) -> str:
        arguments.check(check_name, service, "service name")
        if qualifier is None:
            return service
        qualifier = arguments.version_text(qualifier)
        arguments.check(check_qualifier, qualifier)
        return f"{service}.{qualifier}"

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

    # ---------------------------------------------------------------------------------------- versions

    def publish_version(self, service: str, description: str | None = None, *, if_match: str | None = None) -> Version:
        """Publish LATEST as a new immutable version, never creating two versions for one call.

        PublishServiceVersion is not idempotent, so it is resent only when FC certainly did not run it
        (throttled, or never connected). After an ambiguous failure (5xx, timeout or a connection lost
        after sending), the service's versions are compared with those that existed before the call:
        exactly one new version with our description is ours and is returned; none means it is safe to
        try again; anything else raises ``AmbiguousPublishError`` rather than guess. (When the versions
        cannot be listed before the call, publishing goes ahead and an ambiguous failure raises that error.)
        """
        req = arguments.validated(PublishVersionRequest, "version", description=description)
        path = api_path("services", self._svc(service), "versions")
        try:
            before: int | None = self._newest_version_number(service)
        except FcinfraError:
            # Best effort, one attempt: a caller allowed to publish but not to list (or a test stubbing only the
            # publish) still publishes; only an ambiguous failure then cannot be resolved.
            before = None

        def attempt() -> Version:
            try:
                headers = arguments.if_match(if_match)
                resp = self._call("PublishServiceVersion", "POST", path, body=req, headers=headers, idempotent=False)
            except FcinfraError as exc:
                if retry.is_refused(exc) or not retry.is_transient(exc):
                    raise
                if before is None:
                    raise AmbiguousPublishError(
                        f"publishing service {service!r} failed ambiguously ({exc}) and its versions could not be "
                        "listed beforehand to find out whether a version was created; check with list_versions "
                        "before retrying"
                    ) from exc
                created = self._find_published(service, before, description, exc)
                if created is not None:
                    return created
                raise  # the version was not created: retrying (if attempts remain) is safe
            return answers.parse(Version, resp, "version")

        return retry.call(attempt, self.retry_policy, self._sleep, retry.is_transient)

    def _newest_version_number(self, service: str) -> int:
        """One attempt, no retries: see ``publish_version``."""
        resp = self._transport.send(
            "ListServiceVersions",
            "GET",
            api_path("services", self._svc(service), "versions"),
            query=[("limit", "1"), ("direction", "BACKWARD")],
        )
        versions = answers.json_object(resp, "ListServiceVersions").get("versions") or []
        try:
            return max((int(v["versionId"]) for v in versions), default=0)
        except (KeyError, TypeError, ValueError):
            raise FcApiError(
                "InvalidResponse",
                f"ListServiceVersions answered unreadable versions: {versions!r:.200}",
                resp.status_code,
            ) from None

    def _find_published(self, service: str, before: int, description: str | None, cause: Exception) -> Version | None:
        """After an ambiguous publish: our version if it exists, None if certainly not created."""
        try:
            new = [v for v in self._iter_versions(service, stop_at=before) if int(v.version_id) > before]
        except FcinfraError as exc:
            raise AmbiguousPublishError(
                f"publishing service {service!r} failed ambiguously ({cause}) and its versions could not be "
                f"listed to find out whether a version was created ({exc}); check with list_versions before retrying"
            ) from exc
        if not new:
            return None
        if len(new) == 1 and (new[0].description or None) == (description or None):
            return new[0]
        ids = ", ".join(v.version_id for v in new)
        raise AmbiguousPublishError(
            f"publishing service {service!r} failed ambiguously ({cause}); versions {ids} appeared since, and it "
            "cannot be told which one (if any) this call created; check with list_versions before retrying"
        )

    def _iter_versions(self, service: str, stop_at: int = 0) -> Iterator[Version]:
        path = api_path("services", self._svc(service), "versions")
        for item in self._pages("ListServiceVersions", path, "versions", [("direction", "BACKWARD")]):
            version = Version.model_validate(item)
            if stop_at and int(version.version_id) <= stop_at:
                return
            yield version

    def list_versions(self, service: str) -> list[Version]:
        """Every version of the service, newest first."""
        try:
            versions = list(self._iter_versions(service))
        except ValidationError as exc:
            raise FcApiError("InvalidResponse", f"ListServiceVersions: {str(exc).splitlines()[0]}", 200) from None
        return sorted(versions, key=lambda v: int(v.version_id), reverse=True)

    def delete_version(self, service: str, version_id: str) -> None:
        """The raw DeleteServiceVersion call: FC deletes even a version that aliases or triggers still use.

        Use ``fcinfra.lifecycle.delete_version_safely`` to refuse that.
        """
        if version_id == LATEST:
            raise InvalidArgumentError("LATEST cannot be deleted: it is the service's mutable head")
        arguments.check(check_version_id, str(version_id))
        path = api_path("services", self._svc(service), "versions", str(version_id))
        self._delete("DeleteServiceVersion", path)

    # ----------------------------------------------------------------------------------------- aliases

    def create_alias(
        self,
        service: str,
        name: str,
        version_id: str,
        description: str | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
    ) -> Alias:
        """Point a new alias at ``version_id``, optionally sending a weight of traffic to one other version."""
        req = arguments.validated(
            CreateAliasRequest,
            "alias",
            alias_name=name,
            version_id=version_id,
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight) or None,
        )
        path = api_path("services", self._svc(service), "aliases")
        return answers.parse(Alias, self._call("CreateAlias", "POST", path, body=req, idempotent=False), "alias")

    def get_alias(self, service: str, name: str) -> Alias:
        """The alias with its weights and ETag (pass ``.etag`` to ``update_alias(if_match=)`` to avoid lost updates)."""
        arguments.check(check_alias_name, name)
        path = api_path("services", self._svc(service), "aliases", name)
        return answers.parse(Alias, self._call("GetAlias", "GET", path), "alias")

    def update_alias(
        self,
        service: str,
        name: str,
        version_id: str | None = None,
        additional_version_weight: Mapping[str, float] | None = None,
        description: str | None = None,
        if_match: str | None = None,
    ) -> Alias:
        """Change what the alias points at. ``additional_version_weight=None`` keeps the weights, ``{}`` clears them."""
        arguments.check(check_alias_name, name)
        req = arguments.validated(
            UpdateAliasRequest,
            "alias update",
            version_id=version_id,
            description=description,
            additional_version_weight=arguments.weights(additional_version_weight),
        )
        path = api_path("services", self._svc(service), "aliases", name)
        return self._update("UpdateAlias", path, req, Alias, if_match, lambda: self.get_alias(service, name))

    def delete_alias(self, service: str, name: str, *, if_match: str | None = None) -> None:
        """Delete an alias. A 404 after an ambiguous first attempt counts as done."""
        arguments.check(check_alias_name, name)
        path = api_path("services", self._svc(service), "aliases", name)
        self._delete("DeleteAlias", path, if_match)

    def list_aliases(self, service: str, prefix: str | None = None) -> list[Alias]:
        """Every alias of the service, all pages."""
        query = [("prefix", prefix)] if prefix else None
        return self._items(Alias, "ListAliases", api_path("services", self._svc(service), "aliases"), "aliases", query)

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
        sub = "/".join(quote(part, safe="") for part in path.lstrip("/").split("/"))
        target = f"{quote(svc, safe='')}.{quote(qualifier, safe='')}/{quote(function, safe='')}"
        full_path = f"{API_PREFIX}/proxy/{target}/{sub}"
        pairs = list(query.items()) if isinstance(query, Mapping) else list(query or [])
        data = body.encode("utf-8") if isinstance(body, str) else body
        extra = dict(headers or {})
        content_type = extra.pop("Content-Type", None) or extra.pop("content-type", None)
        resp = self._transport.send(
            "HttpTriggerInvoke",
            method.upper(),
            full_path,
            query=pairs,
            body=data,
            headers=extra,
            timeout=timeout,
            raise_for_status=False,
            content_type=content_type,
            sign=sign,
        )
        return HttpTriggerResponse(
            status_code=resp.status_code,
            headers=CaseInsensitiveDict(resp.headers),
            body=resp.content,
            request_id=resp.headers.get("X-Fc-Request-Id"),
            version_id=resp.headers.get("X-Fc-Invocation-Service-Version"),
        )

