"""FC's answers -> models. An answer we cannot read is an ``FcApiError`` ("InvalidResponse"), never a raw
decode or pydantic error, so callers handle one error tree whatever the server sent."""

from __future__ import annotations

import base64
import contextlib
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from fcinfra.errors import FcApiError
from fcinfra.fc.models import Invocation

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], resp: requests.Response, what: str) -> M:
    """Parse an answer into a model; a shape we cannot read is reported as an FC error, not a pydantic one."""
    try:
        data = resp.json()
        result = model.model_validate(data)
    except (ValueError, ValidationError) as exc:
        raise FcApiError(
            "InvalidResponse",
            f"could not read the {what} in FC's answer: {str(exc).splitlines()[0]}",
            resp.status_code,
            resp.headers.get("X-Fc-Request-Id"),
        ) from None
    if hasattr(result, "etag"):
        result.etag = resp.headers.get("ETag")
    return result


def json_object(resp: requests.Response, operation: str) -> dict[str, Any]:
    """The answer's JSON object; anything else is reported as an FC error (never a raw decode error)."""
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise FcApiError("InvalidResponse", f"{operation} did not answer with a JSON object", resp.status_code)
    return data


def invocation(resp: requests.Response) -> Invocation:
    """InvokeFunction's answer: FC reports the resolved version and a function error in headers, not the body."""
    log_result = resp.headers.get("X-Fc-Log-Result")
    if log_result:
        with contextlib.suppress(ValueError):  # not base64: keep what FC sent
            log_result = base64.b64decode(log_result, validate=True).decode("utf-8", "replace")
    duration = resp.headers.get("X-Fc-Invocation-Duration")
    try:
        duration_ms = float(duration) if duration else None
    except ValueError:
        duration_ms = None
    return Invocation(
        status_code=resp.status_code,
        payload=resp.content,
        version_id=resp.headers.get("X-Fc-Invocation-Service-Version"),
        request_id=resp.headers.get("X-Fc-Request-Id"),
        error_type=resp.headers.get("X-Fc-Error-Type") or None,
        log_result=log_result,
        duration_ms=duration_ms,
    )
