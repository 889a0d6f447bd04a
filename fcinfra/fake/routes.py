"""FC 2.0's (method, path) table: which operation a request is, with its path parameters.

A request that matches nothing gets FC's 400 ``PathNotSupported``, and the message names the closest routes
so a typo explains itself.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import unquote

from fcinfra.fake.exceptions import FakeApiError

API_PREFIX = "/2016-08-15"
INVOKE_OPERATION = "InvokeFunction"
PROXY_OPERATION = "HttpTriggerInvoke"
CODE_DOWNLOAD_OPERATION = "DownloadFunctionCode"


@dataclass(frozen=True)
class Route:
    """One operation: ``signed`` requests carry FC's signature (the HTTP trigger checks its own ``authType``;
    the code download URL is unsigned, like an OSS pre-signed URL); ``locked`` handlers run under the fake's lock
    (not invocations: user code must never block the API)."""

    method: str  # "*" = any method
    template: str  # e.g. /2016-08-15/services/{serviceName}/functions/{functionName}
    operation: str
    signed: bool = True
    locked: bool = True

    def describe(self) -> str:
        return f"{self.method if self.method != '*' else 'ANY'} {self.template}"


def _routes() -> list[Route]:
    s = f"{API_PREFIX}/services"
    fn = s + "/{serviceName}/functions/{functionName}"
    table = [
        ("POST", s, "CreateService"),
        ("GET", s, "ListServices"),
        ("GET", s + "/{serviceName}", "GetService"),
        ("PUT", s + "/{serviceName}", "UpdateService"),
        ("DELETE", s + "/{serviceName}", "DeleteService"),
        ("POST", s + "/{serviceName}/functions", "CreateFunction"),
        ("GET", s + "/{serviceName}/functions", "ListFunctions"),
        ("GET", fn, "GetFunction"),
        ("PUT", fn, "UpdateFunction"),
        ("DELETE", fn, "DeleteFunction"),
        ("GET", fn + "/code", "GetFunctionCode"),
        ("POST", fn + "/invocations", INVOKE_OPERATION),
        ("POST", fn + "/triggers", "CreateTrigger"),
        ("GET", fn + "/triggers", "ListTriggers"),
        ("GET", fn + "/triggers/{triggerName}", "GetTrigger"),
        ("PUT", fn + "/triggers/{triggerName}", "UpdateTrigger"),
        ("DELETE", fn + "/triggers/{triggerName}", "DeleteTrigger"),
        ("POST", s + "/{serviceName}/versions", "PublishServiceVersion"),
        ("GET", s + "/{serviceName}/versions", "ListServiceVersions"),
        ("DELETE", s + "/{serviceName}/versions/{versionId}", "DeleteServiceVersion"),
        ("POST", s + "/{serviceName}/aliases", "CreateAlias"),
        ("GET", s + "/{serviceName}/aliases", "ListAliases"),
        ("GET", s + "/{serviceName}/aliases/{aliasName}", "GetAlias"),
        ("PUT", s + "/{serviceName}/aliases/{aliasName}", "UpdateAlias"),
        ("DELETE", s + "/{serviceName}/aliases/{aliasName}", "DeleteAlias"),
        ("POST", API_PREFIX + "/tag", "TagResource"),
        ("GET", API_PREFIX + "/tag", "GetResourceTags"),
        ("DELETE", API_PREFIX + "/tag", "UnTagResource"),
        ("*", API_PREFIX + "/proxy/{serviceName}/{functionName}/{path...}", PROXY_OPERATION),
        ("GET", API_PREFIX + "/fake-code/{token}", CODE_DOWNLOAD_OPERATION),
    ]
    unsigned, unlocked = {PROXY_OPERATION, CODE_DOWNLOAD_OPERATION}, {PROXY_OPERATION, INVOKE_OPERATION}
    return [Route(m, t, o, signed=o not in unsigned, locked=o not in unlocked) for m, t, o in table]


ROUTES: list[Route] = _routes()
OPERATIONS: list[str] = [r.operation for r in ROUTES]


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.escape(template)
    pattern = pattern.replace(re.escape("{path...}"), "(?P<path>.*)")
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


_COMPILED = [(route, _compile(route.template)) for route in ROUTES]


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, str]  # percent-decoded

    @property
    def operation(self) -> str:
        return self.route.operation


def match(method: str, raw_path: str) -> Match:
    """The route for a request, or FakeApiError(400, PathNotSupported) naming the closest routes."""
    method = method.upper()
    # Proxy paths keep their tail raw: it is the user's own URL, passed on to the function.
    same_path: list[Route] = []
    for route, regex in _COMPILED:
        found = regex.match(raw_path)
        if found is None:
            continue
        if route.method not in ("*", method):
            same_path.append(route)
            continue
        params = {k: (v if k == "path" else unquote(v)) for k, v in found.groupdict().items()}
        return Match(route, params)
    raise FakeApiError(400, "PathNotSupported", _miss_message(method, raw_path, same_path))


def _miss_message(method: str, path: str, same_path: list[Route]) -> str:
    message = f"'{method}' against '{path}' is not supported"
    if same_path:
        return message + "; this path supports: " + ", ".join(r.describe() for r in same_path)
    shape = re.sub(r"/services/[^/]+", "/services/{serviceName}", path)
    shape = re.sub(r"/functions/[^/]+", "/functions/{functionName}", shape)
    for plural, param in (("aliases", "aliasName"), ("triggers", "triggerName"), ("versions", "versionId")):
        shape = re.sub(rf"/{plural}/[^/]+", f"/{plural}/{{{param}}}", shape)
    by_key = {f"{r.method} {r.template}": r for r in ROUTES}
    close = difflib.get_close_matches(f"{method} {shape}", list(by_key), n=3, cutoff=0.0)
    return message + "; closest routes: " + ", ".join(by_key[k].describe() for k in close)
