"""The FC 3.0 API edge of the fake: one request in, one FC-shaped answer out, no sockets.

``Fc3Api.handle`` routes ``/2023-03-30/...`` (method + path, like the alicloud provider, which sends no
``x-acs-action``), verifies the ACS3-HMAC-SHA256 signature (``fcinfra.fc3.signing``, the client's own code),
decodes the body into the client's typed request models, calls :class:`Fc3Backend` under a lock and renders
FC 3.0's shapes: JSON resources, 204 for deletes, errors as ``{"Code", "Message", "RequestId"}`` and
``x-fc-request-id`` on every answer. Invocations run outside the lock: a registered Python callable, or zip code
through a ``CodeRunner`` (the emulator's). The version that ran is reported in
``x-fc-invocation-service-version`` (and to the handler as ``context.service.version_id``).
"""

from __future__ import annotations

import base64
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel, ValidationError

from fcinfra.fake.auth import MAX_SKEW_SECONDS, SIGNATURE_MISMATCH, Verifier
from fcinfra.fake.backend import Ids
from fcinfra.fake.context import (
    CodeRunner,
    FcContext,
    FunctionMeta,
    InvocationOutcome,
    InvocationSpec,
    ServiceMeta,
    TailLogger,
)
from fcinfra.fake.fc3.backend import TRIGGER_PATH, Fc3Backend, Page, Resolved, trigger_urls
from fcinfra.fake.fc3.errors import FakeApiError, invalid
from fcinfra.fake.fc3.http_trigger import http_answer, http_event
from fcinfra.fake.invoke import Handler, error_payload, run_callable, run_code
from fcinfra.fake.messages import FakeRequest, FakeResponse
from fcinfra.fake.observability import Invocation, Observability
from fcinfra.fake.observability.record import metric_error_type
from fcinfra.fc.crc64 import checksum
from fcinfra.fc.signing import query_pairs
from fcinfra.fc3 import signing
from fcinfra.fc3.models import (
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateTriggerRequest,
    PublishVersionRequest,
    UpdateAliasRequest,
    UpdateFunctionRequest,
    UpdateTriggerRequest,
)

PREFIX = f"/{signing.API_VERSION}"
M = TypeVar("M", bound=BaseModel)


_SEG = r"(?P<{}>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile("^" + PREFIX + pattern.format(fn=_SEG.format("fn"), x=_SEG.format("x")) + "/?$"), op)
    for method, pattern, op in [
        ("POST", "/functions", "CreateFunction"),
        ("GET", "/functions", "ListFunctions"),
        ("GET", "/functions/{fn}", "GetFunction"),
        ("PUT", "/functions/{fn}", "UpdateFunction"),
        ("DELETE", "/functions/{fn}", "DeleteFunction"),
        ("GET", "/functions/{fn}/code", "GetFunctionCode"),
        ("POST", "/functions/{fn}/versions", "PublishFunctionVersion"),
        ("GET", "/functions/{fn}/versions", "ListFunctionVersions"),
        ("DELETE", "/functions/{fn}/versions/{x}", "DeleteFunctionVersion"),
        ("POST", "/functions/{fn}/aliases", "CreateAlias"),
        ("GET", "/functions/{fn}/aliases", "ListAliases"),
        ("GET", "/functions/{fn}/aliases/{x}", "GetAlias"),
        ("PUT", "/functions/{fn}/aliases/{x}", "UpdateAlias"),
        ("DELETE", "/functions/{fn}/aliases/{x}", "DeleteAlias"),
        ("POST", "/functions/{fn}/triggers", "CreateTrigger"),
        ("GET", "/functions/{fn}/triggers", "ListTriggers"),
        ("GET", "/functions/{fn}/triggers/{x}", "GetTrigger"),
        ("PUT", "/functions/{fn}/triggers/{x}", "UpdateTrigger"),
        ("DELETE", "/functions/{fn}/triggers/{x}", "DeleteTrigger"),
        ("POST", "/functions/{fn}/invocations", "InvokeFunction"),
        ("POST", "/tags-v2", "TagResources"),
        ("DELETE", "/tags-v2", "UntagResources"),
        ("GET", "/tags-v2", "ListTagResources"),
    ]
]


def route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The operation and its (decoded) path parameters, or None when FC 3.0 has no such route."""
    for route_method, pattern, operation in _ROUTES:
        match = pattern.match(path)
        if match and route_method == method.upper():
            return operation, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def _model(model: type[M], body: bytes) -> M:
    """A request body as the client's typed model: keys matched case-insensitively, unknown keys ignored
    (the alicloud provider sends ``Tags`` and always repeats ``functionName``/``runtime``/``handler``)."""
    if not body.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(body)
        except ValueError:
            raise invalid("the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise invalid("the request body must be a JSON object")
    known = {(info.alias or name).lower(): info.alias or name for name, info in model.model_fields.items()}
    picked = {known[k.lower()]: v for k, v in data.items() if k.lower() in known and v is not None}
    try:
        return model.model_validate(picked)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise invalid(f"{where}: {str(first['msg']).removeprefix('Value error, ')}") from None


def _field(body: bytes, name: str) -> list[Any] | None:
    """One list field of a JSON body that the typed request model does not carry (matched case-insensitively,
    as :func:`_model` matches keys); ``_model`` has already refused a body that is not a JSON object."""
    data = json.loads(body) if body.strip() else {}
    found = next((v for k, v in data.items() if k.lower() == name.lower()), None)
    if found is not None and not isinstance(found, list):
        raise invalid(f"{name} must be a JSON array")
    return found


class Faults(Protocol):
    """The shared fault injector (``fake.faults.FaultInjector``): consulted per operation name."""

    def before(self, operation: str) -> None: ...

    def after(self, operation: str) -> None: ...


# FC 3.0's API hosts: {account}.{region}[-internal].fc.aliyuncs.com (docs, alicloud provider),
# fcv3.{region}.aliyuncs.com / fc.{region}.aliyuncs.com / {region}.fc.aliyuncs.com (the official SDK's endpoint map).
_HOSTS = [
    re.compile(r"^(?P<account>\d+)\.(?P<region>[a-z0-9-]+?)(?:-internal)?\.fc\.aliyuncs\.com(?::\d+)?$"),
    re.compile(r"^(?:fcv3|fc)\.(?P<region>[a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$"),
    re.compile(r"^(?P<region>[a-z]+-[a-z0-9-]+)\.fc\.aliyuncs\.com(?::\d+)?$"),
]


def account_region(host: str) -> tuple[str | None, str | None]:
    """The account and region a host names (either may be None: the fake's defaults then apply)."""
    for pattern in _HOSTS:
        match = pattern.match(host.lower())
        if match:
            found = match.groupdict()
            return found.get("account"), found.get("region")
    return None, None


# The FC 3.0 hosts mock_fc() intercepts besides FC 2.0's *.fc.aliyuncs.com (which already covers
# {account}.{region}.fc.aliyuncs.com, the docs' and the alicloud provider's host, and {region}.fc.aliyuncs.com):
# the official SDK's fcv3.{region}.aliyuncs.com and fc.{region}.aliyuncs.com, and HTTP triggers' *.fcapp.run.
MOCK_HOSTS = re.compile(
    r"^https?://(?:(?:fcv3|fc)\.[a-z0-9-]+\.aliyuncs\.com|[^/?#]*\.fcapp\.run)(?::\d+)?(?:[/?#].*)?$", re.IGNORECASE
)


def serves(request: FakeRequest) -> bool:
    """Is this request FC 3.0's: its API (``/2023-03-30/...``) or one of its HTTP-trigger URLs?"""
    return request.path.startswith(PREFIX + "/") or trigger_target(request) is not None


def url_base(request: FakeRequest) -> str | None:
    """Where HTTP-trigger URLs should point: None (FC's own ``*.fcapp.run`` hosts) when the API was reached on an
    Alibaba Cloud host or none at all, else the server it was reached at (the emulator)."""
    host = request.host.lower()
    if not host or account_region(host) != (None, None) or host.endswith(".aliyuncs.com"):
        return None
    return f"{request.scheme}://{request.host}"


def trigger_target(request: FakeRequest) -> tuple[str, str, bool] | None:
    """(domain prefix, path after the trigger's URL, internet?) for a call to an HTTP-trigger URL, else None."""
    host = request.host.lower().split(":", 1)[0]
    if host.endswith(".fcapp.run"):
        return host.split(".", 1)[0], request.path or "/", "-vpc.fcapp.run" not in host
    if request.path.startswith(TRIGGER_PATH):
        prefix, _, rest = request.path[len(TRIGGER_PATH):].partition("/")
        return (prefix, "/" + rest, True) if prefix else None
    return None


class Fc3Api:
    """The FC 3.0 fake behind ``handle``, one :class:`Fc3Backend` per (account, region) named by the Host.

    ``access_keys=None`` accepts any key id (a well-formed Authorization is still required, as for FC 2.0).
    ``faults`` is the injector shared with the FC 2.0 fake (same operation names where the APIs share them).
    """

    def __init__(
        self,
        backend: Fc3Backend | None = None,
        access_keys: Mapping[str, str] | None = None,
        code_runner: CodeRunner | None = None,
        lock: threading.RLock | None = None,
        request_ids: Callable[[], str] = lambda: str(uuid.uuid4()),
        clock: Callable[[], float] = time.time,
        faults: Faults | None = None,
        verifier: Verifier | None = None,
        seed: int | None = None,
        account_id: str = "1234567890",
        region: str = "cn-hangzhou",
    ) -> None:
        if backend is None:
            backend = Fc3Backend(account_id, region, Ids(seed), random.Random(seed))
        self.backend = backend
        default = (self.backend.account_id, self.backend.region)
        self.backends: dict[tuple[str, str], Fc3Backend] = {default: self.backend}
        self.seed = seed
        self.access_keys = dict(access_keys) if access_keys is not None else None
        self.code_runner = code_runner
        self.lock = lock if lock is not None else threading.RLock()
        self.faults = faults
        self.verifier = verifier  # the FC 2.0 fake's: its keys and strictness, read at every request
        self.handlers: dict[tuple[str, str | None], Handler] = {}
        self._request_id = request_ids
        self.clock = clock
        # What FC records about each served invocation (issue 14); the FC 2.0 fake shares its own.
        self.observability: Observability | None = None

    def backend_for(self, account_id: str | None = None, region: str | None = None) -> Fc3Backend:
        """The state of one (account, region), created empty on first use."""
        key = (account_id or self.backend.account_id, region or self.backend.region)
        with self.lock:
            found = self.backends.get(key)
            if found is None:
                seed = None if self.seed is None else self.seed + len(self.backends)
                found = self.backends[key] = Fc3Backend(key[0], key[1], Ids(seed), random.Random(seed))
            return found

    def dump_state(self) -> dict[str, Any]:
        """Every (account, region)'s FC 3.0 state as plain JSON-able data (for the emulator's state file)."""
        with self.lock:
            return {"regions": [{"account": a, "region": r, **b.dump_state()} for (a, r), b in self.backends.items()]}

    def load_state(self, data: Mapping[str, Any]) -> None:
        """Replace all FC 3.0 state with a dump; a malformed one is refused before anything changes."""
        staged: list[tuple[Fc3Backend, dict[str, Any]]] = []
        for item in data.get("regions") or []:
            if not isinstance(item, Mapping) or "account" not in item or "region" not in item:
                raise ValueError("the FC 3.0 state is malformed: each region needs 'account' and 'region'")
            fresh = Fc3Backend(str(item["account"]), str(item["region"]), Ids(self.seed), random.Random(self.seed))
            fresh.load_state(item)  # raises before anything is replaced
            staged.append((fresh, dict(item)))
        with self.lock:
            self.backends = {(b.account_id, b.region): b for b, _ in staged}
            default = (self.backend.account_id, self.backend.region)
            self.backend = self.backends.setdefault(
                default, Fc3Backend(*default, Ids(self.seed), random.Random(self.seed))
            )

    def serve(self, request: FakeRequest) -> FakeResponse:
        """A request ``serves`` said is FC 3.0's: an HTTP-trigger call or an API request."""
        return self.handle_http_trigger(request) if trigger_target(request) else self.handle(request)

    def reset(self) -> None:
        """Forget every function (registered handlers stay)."""
        with self.lock:
            for backend in self.backends.values():
                backend.functions.clear()

    def register_handler(self, function: str, handler: Handler, version: str | None = None) -> None:
        """Run ``handler(event, context)`` for ``function`` (only at ``version`` when given)."""
        self.handlers[(function, version)] = handler

    # ------------------------------------------------------------------------------------------- edge
    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one API request. A fault may raise the injector's DropConnection (no answer at all)."""
        request_id = self._request_id()
        found = route(request.method, request.path)
        try:
            if found is None:
                raise FakeApiError(
                    400, "PathNotSupported", f"'{request.method}' against '{request.path}' is not supported"
                )
            self.authenticate(request)
            operation, params = found
            if self.faults is not None:
                self.faults.before(operation)
            response = self._dispatch(operation, params, request, request_id)
        except FakeApiError as exc:
            body = {"Code": exc.code, "Message": exc.message, "RequestId": request_id}
            response = self._json(exc.status, body, request_id)
        if found is not None and self.faults is not None:
            self.faults.after(found[0])
        return response

    def authenticate(self, request: FakeRequest) -> None:
        """ACS3-HMAC-SHA256 (the official SDK) or legacy ``acs ak:sig`` (the alicloud provider), with the FC 2.0
        fake's keys, strictness and clock-skew limit when it shares its ``Verifier``: unknown key -> 403
        InvalidAccessKeyID (strict only), wrong signature -> 403 SignatureNotMatch, stale date -> 403
        RequestTimeTooSkewed."""
        value = request.header("authorization")
        acs3 = signing.parse_authorization(value)
        roa = None if acs3 is not None else signing.parse_roa_authorization(value)
        if acs3 is None and roa is None:
            raise FakeApiError(403, "AccessDenied", "the request is not signed (ACS3-HMAC-SHA256 or acs)")
        self._check_date(request)
        keys = self.verifier.access_keys if self.verifier is not None else self.access_keys
        if keys is None:
            return
        key_id = acs3.access_key_id if acs3 is not None else roa[0] if roa is not None else ""
        secret = keys.get(key_id)
        if secret is None:
            if self.verifier is not None and not self.verifier.strict:
                return
            raise FakeApiError(403, "InvalidAccessKeyID", f"invalid access key ID '{key_id}'")
        pairs = query_pairs(request.query)
        if acs3 is not None:
            valid = signing.verify(secret, acs3, request.method, request.path, pairs, request.headers, request.body)
        else:
            assert roa is not None
            valid = signing.verify_roa(secret, roa[1], request.method, request.path, pairs, request.headers)
        if not valid:
            raise FakeApiError(403, "SignatureNotMatch", SIGNATURE_MISMATCH)

    def _check_date(self, request: FakeRequest) -> None:
        """``x-acs-date`` (ACS3) or ``date`` (ROA) within FC 2.0's skew limit; FC 3.0's own limit is UNCONFIRMED."""
        iso, rfc = request.header("x-acs-date"), request.header("date")
        try:
            if iso:
                sent = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
            elif rfc:
                sent = parsedate_to_datetime(rfc).timestamp()
            else:
                return  # the signature decides: a date header, when signed, is already covered by it
        except (TypeError, ValueError, IndexError):
            raise invalid(f"the request date {iso or rfc!r} cannot be read") from None
        skew = abs(self.clock() - sent)
        if skew > MAX_SKEW_SECONDS:
            raise FakeApiError(
                403,
                "RequestTimeTooSkewed",
                f"the request time {iso or rfc!r} is {int(skew)} seconds away from the server's; "
                f"at most {MAX_SKEW_SECONDS} are allowed",
            )

    @staticmethod
    def _json(status: int, body: Any, request_id: str, etag: str | None = None) -> FakeResponse:
        headers = {"Content-Type": "application/json", "x-fc-request-id": request_id}
        if etag:
            headers["ETag"] = etag
        return FakeResponse(status, headers, json.dumps(body, separators=(",", ":")).encode("utf-8"))

    @staticmethod
    def _page(key: str, page: Page, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {key: page.items, **(extra or {})}
        if page.next_token:
            body["nextToken"] = page.next_token
        return body

    def _dispatch(self, op: str, p: dict[str, str], req: FakeRequest, rid: str) -> FakeResponse:
        b = self.backend_for(*account_region(req.host))
        base = url_base(req)
        if op == "InvokeFunction":
            return self._invoke(b, p["fn"], req, rid)
        q = dict(query_pairs(req.query))
        fn = p.get("fn", "")
        with self.lock:
            if op == "CreateFunction":
                created = b.create_function(_model(CreateFunctionRequest, req.body), _field(req.body, "tags"))
                self._log_config_set(created)
                return self._json(200, created, rid)
            if op == "ListFunctions":
                return self._json(200, self._page("functions", b.list_functions(q)), rid)
            if op == "GetFunction":
                return self._json(200, b.get_function(fn, q.get("qualifier")), rid)
            if op == "UpdateFunction":
                updated = b.update_function(fn, _model(UpdateFunctionRequest, req.body))
                self._log_config_set(updated)
                return self._json(200, updated, rid)
            if op == "GetFunctionCode":
                _, checksum = b.function_code(fn, q.get("qualifier"))
                url = f"https://fake-code.{b.region}.example.invalid/{fn}?qualifier={q.get('qualifier') or 'LATEST'}"
                return self._json(200, {"url": url, "checksum": checksum}, rid)
            if op == "PublishFunctionVersion":
                return self._json(200, b.publish_version(fn, _model(PublishVersionRequest, req.body)), rid)
            if op == "ListFunctionVersions":
                page, direction = b.list_versions(fn, q)
                return self._json(200, self._page("versions", page, {"direction": direction}), rid)
            if op == "CreateAlias":
                wire, etag = b.create_alias(fn, _model(CreateAliasRequest, req.body))
                return self._json(200, wire, rid, etag)
            if op == "ListAliases":
                return self._json(200, self._page("aliases", b.list_aliases(fn, q)), rid)
            if op == "GetAlias":
                wire, etag = b.get_alias(fn, p["x"])
                return self._json(200, wire, rid, etag)
            if op == "UpdateAlias":
                update = _model(UpdateAliasRequest, req.body)
                wire, etag = b.update_alias(fn, p["x"], update, req.header("if-match"))
                return self._json(200, wire, rid, etag)
            if op == "CreateTrigger":
                return self._json(200, b.create_trigger(fn, _model(CreateTriggerRequest, req.body), base), rid)
            if op == "ListTriggers":
                return self._json(200, self._page("triggers", b.list_triggers(fn, q, base)), rid)
            if op == "GetTrigger":
                return self._json(200, b.get_trigger(fn, p["x"], base), rid)
            if op == "UpdateTrigger":
                return self._json(200, b.update_trigger(fn, p["x"], _model(UpdateTriggerRequest, req.body), base), rid)
            if op in ("TagResources", "UntagResources", "ListTagResources"):
                return self._tags(op, b, req, rid)
            deletes: dict[str, Callable[[], None]] = {
                "DeleteFunction": lambda: b.delete_function(fn),
                "DeleteFunctionVersion": lambda: b.delete_version(fn, p["x"]),
                "DeleteAlias": lambda: b.delete_alias(fn, p["x"]),
                "DeleteTrigger": lambda: b.delete_trigger(fn, p["x"]),
            }
            deletes[op]()
            return FakeResponse(204, {"x-fc-request-id": rid}, b"")

    def _tags(self, op: str, b: Fc3Backend, req: FakeRequest, rid: str) -> FakeResponse:
        """TagResources (JSON body), UntagResources and ListTagResources (JSON-array strings in the query)."""
        q = dict(query_pairs(req.query))

        def json_list(raw: Any, what: str) -> list[Any]:
            try:
                value = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                value = None
            if value is None and raw in (None, ""):
                return []
            if not isinstance(value, list):
                raise invalid(f"{what} must be a JSON array")
            return value

        if op == "TagResources":
            try:
                body = json.loads(req.body or b"{}")
            except ValueError:
                raise invalid("the request body is not valid JSON") from None
            body = {str(k).lower(): v for k, v in (body if isinstance(body, dict) else {}).items()}
            b.tag_resources(body.get("resourcetype"), json_list(body.get("resourceid"), "ResourceId"),
                            json_list(body.get("tag"), "Tag"))
            return FakeResponse(204, {"x-fc-request-id": rid}, b"")
        arns = [str(a) for a in json_list(q.get("ResourceId"), "ResourceId")]
        if op == "UntagResources":
            keys = [str(k) for k in json_list(q.get("TagKey"), "TagKey")]
            b.untag_resources(q.get("ResourceType"), arns, keys, (q.get("All") or "").lower() == "true")
            return FakeResponse(204, {"x-fc-request-id": rid}, b"")
        found = b.list_tag_resources(q.get("ResourceType"), arns)
        return self._json(200, {"RequestId": rid, "TagResources": found}, rid)

    # ----------------------------------------------------------------------------------- http trigger
    def handle_http_trigger(self, request: FakeRequest) -> FakeResponse:
        """A call to an HTTP trigger's URL (see ``trigger_target``): FC 3.0's event in, the handler's answer out.
        ``authType: anonymous`` needs no signature; ``function`` needs an ACS3 one."""
        request_id = self._request_id()
        try:
            target = trigger_target(request)
            with self.lock:
                hits = [(b, hit) for b in self.backends.values() if target and (hit := b.http_trigger(target[0]))]
            if target is None or not hits:
                raise FakeApiError(404, "TriggerNotFound", f"no HTTP trigger serves {request.host}{request.path}")
            prefix, rest, internet = target
            backend, (fn, trigger) = hits[0]
            config = dict(trigger.config)
            if internet and config.get("disableURLInternet"):
                raise FakeApiError(403, "AccessDenied", f"the public URL of trigger '{trigger.name}' is disabled")
            methods = [str(m).upper() for m in config.get("methods") or []]
            if request.method.upper() not in methods:
                raise FakeApiError(
                    405,
                    "MethodNotAllowed",
                    f"method {request.method.upper()} is not allowed by HTTP trigger '{trigger.name}' "
                    f"(allowed: {', '.join(methods)})",
                )
            if config.get("authType") != "anonymous":
                self.authenticate(request)
            with self.lock:
                resolved = backend.resolve(fn.name, trigger.qualifier)
            internet_url, intranet_url = trigger_urls(prefix, backend.region, url_base(request))
            event = http_event(
                method=request.method,
                trigger_url=internet_url if internet else intranet_url,
                raw_path=rest,
                query=query_pairs(request.query),
                headers=request.headers,
                body=request.body,
                request_id=request_id,
                account_id=backend.account_id,
                now=self.clock(),
            )
        except FakeApiError as exc:
            body = {"Code": exc.code, "Message": exc.message, "RequestId": request_id}
            return self._json(exc.status, body, request_id)
        started = self._now()
        outcome = self.run(backend, resolved, event, request_id)
        headers = {"x-fc-request-id": request_id, "x-fc-invocation-service-version": resolved.version}
        if outcome.error_type:
            headers.update({"x-fc-error-type": outcome.error_type, "Content-Type": "application/json"})
            answer = FakeResponse(502, headers, outcome.payload)
        else:
            answer = FakeResponse(*http_answer(outcome.payload, headers))
        self._observe(backend, resolved, request_id, started, outcome, answer.status, "Sync")
        return answer

    # ------------------------------------------------------------------------------------- invocation
    def _invoke(self, backend: Fc3Backend, function: str, req: FakeRequest, rid: str) -> FakeResponse:
        invocation_type = req.header("x-fc-invocation-type") or "Sync"
        if invocation_type not in ("Sync", "Async"):
            raise invalid(f"x-fc-invocation-type {invocation_type!r} is invalid: use Sync or Async")
        with self.lock:
            resolved = backend.resolve(function, dict(query_pairs(req.query)).get("qualifier"))
        started = self._now()
        outcome = self.run(backend, resolved, req.body, rid, want_tail=(req.header("x-fc-log-type") == "Tail"))
        self._observe(backend, resolved, rid, started, outcome, None, invocation_type)
        headers = {
            "x-fc-request-id": rid,
            "x-fc-invocation-service-version": resolved.version,
            "x-fc-code-checksum": checksum(resolved.code),
            "x-fc-invocation-duration": f"{outcome.duration_ms:.0f}",
        }
        if invocation_type == "Async":
            return FakeResponse(202, headers, b"")
        if req.header("x-fc-log-type") == "Tail":
            headers["x-fc-log-result"] = base64.b64encode(outcome.log_tail.encode("utf-8")[-4096:]).decode("ascii")
        if outcome.error_type:
            headers["x-fc-error-type"] = outcome.error_type
        headers["Content-Type"] = "application/octet-stream"
        return FakeResponse(200, headers, outcome.payload)

    def _log_config_set(self, function: Mapping[str, Any]) -> None:
        """A function's logConfig names a logstore: FC refuses one that does not exist, so in the emulator (which
        has no Log Service to create it in) naming it makes it exist, before any row is written (as for FC 2.0)."""
        log_config = function.get("logConfig") or {}
        if self.observability is not None and log_config.get("project") and log_config.get("logstore"):
            self.observability.logs.create_logstore(str(log_config["project"]), str(log_config["logstore"]))

    def _now(self) -> float:
        """When an invocation starts, on the observability services' (movable) clock when they are attached."""
        return self.observability.clock() if self.observability is not None else self.clock()

    def _observe(self, backend: Fc3Backend, resolved: Resolved, request_id: str, started: float,
                 outcome: InvocationOutcome, status: int | None, invocation_type: str) -> None:
        """Record a served invocation as FC 3.0 does: a request-metric row in the logstore of the function's
        ``logConfig`` (of the version that ran), ``acs_fc`` metrics (dimensions region and function: no
        service), Prometheus series (``service`` label empty)."""
        if self.observability is None:
            return
        config = resolved.config
        call = Invocation(
            time=started, request_id=request_id, service="", function=resolved.function,
            qualifier=resolved.qualifier, version_id=resolved.version, duration_ms=outcome.duration_ms,
            error_type=metric_error_type(outcome.error_type, outcome.payload), status_code=status,
            memory_mb=int(config.get("memorySize") or 128), memory_usage_mb=outcome.max_memory_mb or 0.0,
            invocation_type=invocation_type, region=backend.region,
        )
        self.observability.record(call, config.get("logConfig") or None, fc_api=3)

    def run(
        self, backend: Fc3Backend, resolved: Resolved, event: bytes, request_id: str, want_tail: bool = False
    ) -> InvocationOutcome:
        """Run the resolved code: a registered callable first, else zip code through the code runner."""
        config = resolved.config
        context = FcContext(
            request_id=request_id,
            function=FunctionMeta(
                name=resolved.function,
                handler=str(config.get("handler") or ""),
                memory_size=int(config.get("memorySize") or 128),
                timeout=int(config.get("timeout") or 3),
            ),
            service=ServiceMeta(name="", qualifier=resolved.qualifier, version_id=resolved.version),
            region=backend.region,
            account_id=backend.account_id,
            logger=TailLogger(request_id),
        )
        handler = self.handlers.get((resolved.function, resolved.version)) or self.handlers.get(
            (resolved.function, None)
        )
        if handler is not None:
            return run_callable(handler, event, context)
        runtime = str(config.get("runtime") or "")
        if self.code_runner is not None and runtime.startswith("python3"):
            spec = InvocationSpec(
                key=(backend.account_id, "", resolved.version, resolved.function),
                runtime=runtime,
                handler=context.function.handler,
                code_zip=resolved.code,
                code_checksum=checksum(resolved.code),
                memory_size=context.function.memory_size,
                timeout=context.function.timeout,
                environment_variables=dict(config.get("environmentVariables") or {}),
                event=event,
                context=context.to_dict(),
                want_log_tail=want_tail,
            )
            return run_code(self.code_runner, spec)
        message = (
            f"the fake cannot run function '{resolved.function}': no Python handler is registered and "
            f"{'runtime ' + repr(runtime) + ' is not python3*' if self.code_runner else 'no code runner is set'}; "
            f"call register_handler('{resolved.function}', handler)"
        )
        return InvocationOutcome(
            payload=error_payload(message, "FakeHandlerNotFound", []),
            error_type="UnhandledInvocationError",
            log_tail=message + "\n",
        )
