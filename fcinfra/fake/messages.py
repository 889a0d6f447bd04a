"""The fake's HTTP request and response types, and FC's JSON answer builders, shared by every layer of the fake.

On their own so that handlers, the code URL, the core and the emulator all import them from here, with no cycle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcinfra.fake.exceptions import FakeApiError


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


def json_response(status: int, body: Any, request_id: str, etag: str | None = None) -> FakeResponse:
    """FC's JSON answer: compact JSON, the request id, and the resource's ETag when it has one."""
    headers = {"Content-Type": "application/json", "X-Fc-Request-Id": request_id}
    if etag:
        headers["ETag"] = etag
    return FakeResponse(status, headers, json.dumps(body, separators=(",", ":")).encode("utf-8"))


def no_content(request_id: str) -> FakeResponse:
    """A delete's answer: 204, no body."""
    return FakeResponse(204, {"X-Fc-Request-Id": request_id}, b"")


def error_response(error: FakeApiError, request_id: str) -> FakeResponse:
    """FC's error body: ``{"ErrorCode", "ErrorMessage"}`` with the error's HTTP status."""
    return json_response(error.status, {"ErrorCode": error.code, "ErrorMessage": error.message}, request_id)
