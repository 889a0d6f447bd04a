"""``FakeFc``: the whole fake behind one ``handle(FakeRequest) -> FakeResponse`` (used by mock_fc and the emulator).

Order of checks for each request: route (a miss -> PathNotSupported), signature, injected faults, the
operation itself; then a possible "drop after" fault. State changes happen under one lock; user code
(invocations) runs outside it, so a slow function never blocks the API.
"""

from __future__ import annotations

import base64
import email.utils
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from fcinfra.fake import routes
from fcinfra.fake.auth import Verifier
from fcinfra.fake.backend import FcBackend, RegionBackend, Resolved
from fcinfra.fake.context import (
    CodeRunner,
    FcContext,
    FunctionMeta,
    HttpRequest,
    InvocationOutcome,
    InvocationSpec,
    ServiceMeta,
    TailLogger,
)
from fcinfra.fake.exceptions import FakeApiError, invalid
from fcinfra.fake.faults import FaultInjector
from fcinfra.fake.fc3 import api as fc3_api
from fcinfra.fake.handlers import HANDLERS, Call, split_qualifier
from fcinfra.fake.httpfn import refuse_api_invocation, trigger_request, trigger_response
from fcinfra.fake.invoke import LOG_TAIL_BYTES, Handler, missing_handler, run_callable, run_code
from fcinfra.fake.messages import FakeRequest, FakeResponse, error_response, json_response
from fcinfra.fake.observability import Invocation, Observability
from fcinfra.fake.observability.record import metric_error_type
from fcinfra.fake.records import LATEST, FunctionRecord
from fcinfra.fake.sts import StsFake, is_sts_request
from fcinfra.fc.signing import query_pairs

_HOST_RE = re.compile(r"^(?P<account>[^.]+)\.(?P<region>[a-z0-9-]+?)(?:-internal)?\.fc\.aliyuncs\.com(?::\d+)?$")
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 128 * 1024


class FakeFc:
    """A stateful fake of FC 2.0. ``access_keys=None`` accepts any key id (signatures are not checked)."""

    def __init__(
        self,
        access_keys: Mapping[str, str] | None = None,
        strict: bool = True,
        account_id: str = "1234567890",
        region: str = "cn-hangzhou",
        seed: int | None = None,
        code_runner: CodeRunner | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.seed = seed
        self.verifier = Verifier(access_keys, strict, clock)
        self.sts = StsFake(account_id, self.verifier.access_keys, strict, clock)
        self.verifier.temporary = self.sts.temporary_key
        self.backend = FcBackend(seed, clock)
        self.faults = FaultInjector(seed)
        self.code_runner = code_runner
        self.handlers: dict[tuple[str, str, str | None], Handler] = {}
        # (account, service, function, resolved version) -> invocations answered, for tests and probes
        self.invocation_counts: Counter[tuple[str, str, str, str]] = Counter()
        self.lock = threading.RLock()
        self._ids = random.Random(None if seed is None else seed + 104729)
        self._clock = clock
        # FC 3.0 (/2023-03-30/ and its HTTP-trigger URLs) beside FC 2.0: same keys, faults, lock and code runner.
        self.fc3 = fc3_api.Fc3Api(verifier=self.verifier, faults=self.faults, lock=self.lock, seed=seed, clock=clock,
                                  request_ids=self._request_id, account_id=account_id, region=region)
        # What FC records about each served invocation (Log Service rows, CloudMonitor, /metrics): issue 14,
        # for FC 2.0 and FC 3.0 invocations alike.
        self.observability = Observability(access_keys, clock=clock)
        self.fc3.observability = self.observability
        self.observability.temporary = self.sts.temporary_key

    def __repr__(self) -> str:
        return f"FakeFc(account_id={self.account_id!r}, region={self.region!r}, {self.verifier!r})"

    # --------------------------------------------------------------------------------------------- set-up
    def register_handler(self, service: str, function: str, handler: Handler, version: str | None = None) -> None:
        """Run ``handler`` for service/function (of one version if given), called as FC 2.0 calls it: an event
        function's as ``handler(event, context)``, an HTTP function's (behind an HTTP trigger) as a WSGI app,
        ``handler(environ, start_response)``."""
        if not callable(handler):
            raise TypeError(f"handler for {service}/{function} must be callable as handler(event, context) or as a "
                            f"WSGI app, got {type(handler).__name__}")
        with self.lock:
            self.handlers[(service, function, version)] = handler

    def reset(self) -> None:
        """Forget all state and faults (registered handlers stay)."""
        with self.lock:
            self.backend.reset()
            self.fc3.reset()
            self.invocation_counts.clear()
            self.observability.reset()
            self.faults.clear()
            self.faults.seed(self.seed)

    def dump_state(self) -> dict[str, Any]:
        """Every region's state as plain JSON-able data (what the emulator's state file holds)."""
        with self.lock:
            return {**self.backend.dump_state(), "fc3": self.fc3.dump_state()}

    def load_state(self, data: dict[str, Any]) -> None:
        """Replace all state with a dump; a malformed one is refused before anything changes."""
        with self.lock:
            before = self.fc3.dump_state()
            self.fc3.load_state((data.get("fc3") if isinstance(data, dict) else None) or {})
            try:
                self.backend.load_state(data)
            except Exception:
                self.fc3.load_state(before)  # never half-applied
                raise

    def region_backend(self, account_id: str | None = None, region: str | None = None) -> RegionBackend:
        """Direct access to one (account, region)'s state, e.g. to assert on it in tests."""
        with self.lock:
            return self.backend.region(account_id or self.account_id, region or self.region)

    # ---------------------------------------------------------------------------------------------- serve
    def _request_id(self) -> str:
        with self.lock:
            return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def _account_region(self, req: FakeRequest) -> tuple[str, str]:
        account = (req.header("x-fc-account-id") or "").strip()
        region = self.region
        found = _HOST_RE.match(req.host.lower())
        if found:
            region = found.group("region")
            account = account or found.group("account")
        return account or self.account_id, region

    def handle(self, req: FakeRequest) -> FakeResponse:
        """Answer one request. Raises faults.DropConnection when a fault says the connection is lost."""
        if fc3_api.serves(req):
            self.fc3.code_runner = self.code_runner
            return self._dated(self.fc3.serve(req))
        request_id = self._request_id()
        if is_sts_request(req):
            return self.sts.handle(req, request_id)
        operation = None
        try:
            match = routes.match(req.method, req.path)
            operation = match.operation
            if match.route.signed:
                self.verifier.verify(req.method, req.path, req.headers, req.query)
            self.faults.before(operation)
            response = self._dispatch(req, match, request_id)
        except FakeApiError as exc:
            response = error_response(exc, request_id)
        if operation in ("CreateService", "UpdateService") and response.status < 300:
            self._log_config_set(response.body)
        if operation is not None:
            self.faults.after(operation)
        return self._dated(response)

    def _dated(self, response: FakeResponse) -> FakeResponse:
        """FC's common response parameters: every answer carries Date (RFC 1123, GMT) beside X-Fc-Request-Id."""
        response.headers.setdefault("Date", email.utils.formatdate(self._clock(), usegmt=True))
        return response

    def _dispatch(self, req: FakeRequest, match: routes.Match, request_id: str) -> FakeResponse:
        """Every operation is a row of the route table, answered by its handler (under the lock unless the
        route runs user code)."""
        account, region = self._account_region(req)
        query = dict(query_pairs(req.query))
        handler = HANDLERS[match.operation]
        with self.lock:
            call = Call(req, match.params, query, self.backend.region(account, region), request_id, self.backend,
                        self)
            if match.route.locked:
                return handler(call)
        return handler(call)

    # The Invoker side of the handlers (fcinfra.fake.handlers.Invoker): called without the lock held.
    def invoke(self, call: Call) -> FakeResponse:
        return self._invoke(call.request, call.params, call.backend.account_id, call.backend.region, call.request_id)

    def http_trigger(self, call: Call) -> FakeResponse:
        return self._proxy(call.request, call.params, call.backend.account_id, call.backend.region,
                           call.request_id)

    # ----------------------------------------------------------------------------------------- invocation
    def _context(self, backend: RegionBackend, resolved: Resolved, fn: FunctionRecord, request_id: str,
                 logger: TailLogger) -> FcContext:
        log_config = resolved.service.config.get("logConfig") or {}
        return FcContext(
            request_id=request_id,
            function=FunctionMeta(
                name=fn.name, handler=str(fn.config.get("handler") or ""),
                memory_size=int(fn.config.get("memorySize") or 128), timeout=int(fn.config.get("timeout") or 3),
                initializer=fn.config.get("initializer"),
            ),
            service=ServiceMeta(
                name=resolved.service.name, qualifier=resolved.qualifier, version_id=resolved.version,
                log_project=log_config.get("project") or None, log_store=log_config.get("logstore") or None,
            ),
            region=backend.region, account_id=backend.account_id, logger=logger,
        )

    def _run(self, backend: RegionBackend, resolved: Resolved, fn: FunctionRecord, event: bytes,
             request_id: str, want_tail: bool, http: HttpRequest | None = None) -> InvocationOutcome:
        service = resolved.service.name
        with self.lock:
            self.invocation_counts[(backend.account_id, service, fn.name, resolved.version)] += 1
            handler = (self.handlers.get((service, fn.name, resolved.version))
                       or self.handlers.get((service, fn.name, None)))
            runner = self.code_runner
        context = self._context(backend, resolved, fn, request_id, TailLogger(request_id))
        if handler is not None:
            return run_callable(handler, event, context, http=http)
        runtime = str(fn.config.get("runtime") or "")
        if runner is None or not runtime.startswith("python3"):
            return missing_handler(service, fn.name, runtime, runner is not None)
        spec = InvocationSpec(
            key=(backend.account_id, service, resolved.version, fn.name), runtime=runtime,
            handler=str(fn.config.get("handler") or ""), code_zip=fn.code, code_checksum=fn.code_checksum,
            memory_size=context.function.memory_size, timeout=context.function.timeout,
            environment_variables=dict(fn.config.get("environmentVariables") or {}), event=event,
            context=context.to_dict(), want_log_tail=want_tail, initializer=fn.config.get("initializer"), http=http,
        )
        return run_code(runner, spec)

    def _invoke(self, req: FakeRequest, params: dict[str, str], account: str, region: str,
                request_id: str) -> FakeResponse:
        service, qualifier = split_qualifier(params["serviceName"])
        asynchronous = (req.header("X-Fc-Invocation-Type") or "Sync").strip().lower() == "async"
        limit = ASYNC_PAYLOAD_LIMIT if asynchronous else SYNC_PAYLOAD_LIMIT
        if len(req.body) > limit:
            raise FakeApiError(400, "EntityTooLarge", f"payload size exceeds maximum allowed size ({limit} bytes)")
        log_type = (req.header("X-Fc-Log-Type") or "None").strip()
        if log_type not in ("None", "Tail"):
            raise invalid(f"X-Fc-Log-Type {log_type!r} is invalid: use None or Tail")
        with self.lock:
            backend = self.backend.region(account, region)
            refuse_api_invocation(backend.function(service, params["functionName"]))
            resolved, fn = backend.resolve_function(service, qualifier, params["functionName"], route=True)
            if resolved.version == LATEST:
                fn = fn.snapshot()  # LATEST may change while the function runs outside the lock
        started = self.observability.clock()
        outcome = self._run(backend, resolved, fn, req.body, request_id, log_type == "Tail")
        self._observe(backend, resolved, fn, request_id, started, outcome, None, "Async" if asynchronous else "Sync")
        headers = {
            "X-Fc-Request-Id": request_id,
            "X-Fc-Invocation-Service-Version": resolved.version,
            "X-Fc-Invocation-Duration": str(max(1, round(outcome.duration_ms))),
            "X-Fc-Code-Checksum": fn.code_checksum,
        }
        if outcome.max_memory_mb is not None:
            headers["X-Fc-Max-Memory-Usage"] = f"{outcome.max_memory_mb:.2f}"
        if asynchronous:
            return FakeResponse(202, headers, b"")
        if log_type == "Tail":
            tail = outcome.log_tail.encode("utf-8")[-LOG_TAIL_BYTES:]
            headers["X-Fc-Log-Result"] = base64.b64encode(tail).decode("ascii")
        if outcome.error_type:
            headers["X-Fc-Error-Type"] = outcome.error_type
            headers["Content-Type"] = "application/json"
        else:
            headers["Content-Type"] = "application/octet-stream"
        return FakeResponse(200, headers, outcome.payload)

    # ---------------------------------------------------------------------------------------- http trigger
    def _proxy(self, req: FakeRequest, params: dict[str, str], account: str, region: str,
               request_id: str) -> FakeResponse:
        service, qualifier = split_qualifier(params["serviceName"])
        qualifier = qualifier or "LATEST"
        function = params["functionName"]
        with self.lock:
            backend = self.backend.region(account, region)
            trigger = backend.http_trigger(service, qualifier, function)
            auth_type = trigger.config.get("authType")
            methods = list(trigger.config.get("methods") or [])
        if auth_type != "anonymous":
            self.verifier.verify(req.method, req.path, req.headers, req.query)
        if req.method.upper() not in methods:
            raise FakeApiError(405, "MethodNotAllowed",
                               f"method {req.method.upper()} is not allowed by the http trigger "
                               f"'{trigger.name}' (allowed: {', '.join(methods)})")
        with self.lock:
            resolved, fn = backend.resolve_function(service, qualifier, function, route=True)
            if resolved.version == LATEST:
                fn = fn.snapshot()
        request = trigger_request(req, params.get("path", ""))
        started = self.observability.clock()
        outcome = self._run(backend, resolved, fn, b"", request_id, False, http=request)
        response = trigger_response(outcome, request_id, resolved.version)
        self._observe(backend, resolved, fn, request_id, started, outcome, response.status, "Sync")
        return response

    def _log_config_set(self, body: bytes) -> None:
        """A service's logConfig names a logstore: FC refuses one that does not exist, so in the emulator (which
        has no Log Service to create it in) naming it makes it exist, before any row is written."""
        try:
            log_config = json.loads(body or b"{}").get("logConfig") or {}
        except (ValueError, AttributeError):
            return
        if log_config.get("project") and log_config.get("logstore"):
            self.observability.logs.create_logstore(str(log_config["project"]), str(log_config["logstore"]))

    def _observe(self, backend: RegionBackend, resolved: Resolved, fn: FunctionRecord, request_id: str,
                 started: float, outcome: InvocationOutcome, status: int | None, invocation_type: str) -> None:
        """Record a served invocation as FC does: request-metric row (per the service's logConfig), acs_fc
        metrics, Prometheus series."""
        call = Invocation(
            time=started, request_id=request_id, service=resolved.service.name, function=fn.name,
            qualifier=resolved.qualifier, version_id=resolved.version, duration_ms=outcome.duration_ms,
            error_type=metric_error_type(outcome.error_type, outcome.payload), status_code=status,
            memory_mb=int(fn.config.get("memorySize") or 128), memory_usage_mb=outcome.max_memory_mb or 0.0,
            invocation_type=invocation_type, region=backend.region,
        )
        self.observability.record(call, resolved.service.config.get("logConfig") or None)


__all__ = ["FakeFc", "FakeRequest", "FakeResponse", "json_response"]
