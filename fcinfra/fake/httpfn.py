"""HTTP functions, as FC 2.0 has them: which functions are HTTP functions, what an HTTP trigger's request becomes
for the function, and what the function's WSGI answer becomes for the trigger's caller.

FC 2.0 ("Function type selection"): a function with an HTTP trigger is an HTTP function, reached only through the
trigger's URL; InvokeFunction on it is refused with ``400 InvalidArgument`` ("Function with http trigger(name: …)
can only be invoked with http trigger URL"). Its Python handler is a WSGI app (FC docs "HTTP handlers"; PEP 3333).
The choices where FC's docs are silent are listed in docs/fake.md ("HTTP functions (WSGI)").
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fcinfra.fake.context import HttpRequest, InvocationOutcome
from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.handlers import FakeRequest, FakeResponse
from fcinfra.fake.records import FunctionRecord

# FC adds this to every answer served on its default domain (*.fc.aliyuncs.com), "for security": a browser then
# downloads the body instead of rendering it. The proxy path /2016-08-15/proxy/... exists only on that domain.
FC_ADDED_HEADERS = {"Content-Disposition": "attachment"}


def http_trigger_names(function: FunctionRecord) -> list[str]:
    """The function's HTTP triggers (any qualifier): having one makes it an HTTP function."""
    return sorted(t.name for t in function.triggers.values() if t.trigger_type == "http")


def refuse_api_invocation(function: FunctionRecord) -> None:
    """InvokeFunction on an HTTP function gets FC's own refusal, before anything runs."""
    names = http_trigger_names(function)
    if names:
        raise FakeApiError(
            400, "InvalidArgument",
            f"Function with http trigger(name: {names[0]}) can only be invoked with http trigger URL",
        )


def trigger_request(req: FakeRequest, tail: str) -> HttpRequest:
    """The request as the function's environ is built from it; ``tail`` is the raw path after the function."""
    return HttpRequest(
        method=req.method.upper(),
        path_info="/" + unquote_to_bytes(tail).decode("latin-1"),  # PEP 3333: the decoded bytes, as latin-1
        query=req.query,
        headers=tuple((str(k), str(v)) for k, v in req.headers.items()),
        body=req.body,
        request_uri=req.path + (f"?{req.query}" if req.query else ""),
        host=req.host,
        scheme=req.scheme,
    )


def trigger_response(outcome: InvocationOutcome, request_id: str, version: str) -> FakeResponse:
    """The app's status, headers and body, plus FC's headers; a function error is a 502 with FC's error body."""
    fc_headers = {"X-Fc-Request-Id": request_id, "X-Fc-Invocation-Service-Version": version}
    if outcome.error_type or outcome.http_status is None:
        error = {"X-Fc-Error-Type": outcome.error_type or "UnhandledInvocationError",
                 "Content-Type": "application/json"}
        return FakeResponse(502, {**fc_headers, **error}, outcome.payload)
    headers: dict[str, str] = {}
    spelled: dict[str, str] = {}  # lower-case name -> the app's first spelling
    for name, value in [*outcome.http_headers, *FC_ADDED_HEADERS.items(), *fc_headers.items()]:
        key = spelled.setdefault(name.lower(), name)
        forced = name in FC_ADDED_HEADERS or name in fc_headers
        headers[key] = value if forced or key not in headers else f"{headers[key]}, {value}"
    return FakeResponse(outcome.http_status, headers, outcome.payload)
