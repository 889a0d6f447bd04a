"""Request bodies -> validated request models, the way FC's (Go) server reads JSON.

FC's server decodes JSON case-insensitively (terraform sends ``{"Description": ...}``), treats ``null`` as
"not provided" (the Go SDK sends every unset field as ``null``) and ignores fields it does not know. The
validation rules themselves are the shared ones in :mod:`fcinfra.fc.models`; a violation becomes
400 ``InvalidArgument`` with a message naming the field.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from fcinfra.fake.exceptions import FakeApiError, invalid
from fcinfra.fc.models import Code

M = TypeVar("M", bound=BaseModel)

_KEYMAPS: dict[type[BaseModel], dict[str, str]] = {}


def _keymap(model: type[BaseModel]) -> dict[str, str]:
    """lower-cased camelCase and snake_case names -> the camelCase alias the model validates by."""
    cached = _KEYMAPS.get(model)
    if cached is None:
        cached = {}
        for name, info in model.model_fields.items():
            alias = info.alias or to_camel(name)
            cached[alias.lower()] = alias
            cached[name.lower()] = alias
        _KEYMAPS[model] = cached
    return cached


def normalize(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    keymap = _keymap(model)
    out: dict[str, Any] = {}
    for key, value in body.items():
        if value is None or not isinstance(key, str):
            continue
        alias = keymap.get(key.lower())
        if alias is None:
            continue  # FC ignores fields it does not know
        if alias == "code" and isinstance(value, dict):
            value = normalize(Code, value)
        out[alias] = value
    return out


def error_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def decode(raw: bytes) -> Any:
    """Raw request bytes -> JSON (an empty body is None); not JSON -> FakeApiError(400)."""
    if not raw or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid(f"the request body is not valid JSON: {exc}") from None


def parse(model: type[M], body: Any) -> M:
    """Validate a JSON body (raw bytes, or already decoded) against ``model``; FakeApiError(400) on anything
    wrong. Callers check existence and ``If-Match`` first: decoding is part of validating the body."""
    if isinstance(body, bytes | bytearray):
        body = decode(bytes(body))
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    try:
        return model.model_validate(normalize(model, body))
    except ValidationError as exc:
        text = error_text(exc)
        if "should not contain major version" in text:
            raise FakeApiError(400, "AdditionalVersionContainsMajorVersion", text) from None
        raise invalid(text) from None
