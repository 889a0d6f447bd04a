"""Request bodies -> validated request models, the way FC's (Go) server reads JSON.

FC's server decodes JSON case-insensitively (terraform sends ``{"Description": ...}``), treats ``null`` as
"not provided" (the Go SDK sends every unset field as ``null``) and ignores fields it does not know. The
validation rules themselves are the shared ones in :mod:`fcinfra.fc.models`; a violation becomes
400 ``InvalidArgument`` with a message naming the field.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import zipfile
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from fcinfra.fake.exceptions import invalid
from fcinfra.fc.models import Code, CreateAliasRequest, UpdateAliasRequest, check_weights

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
        raise invalid(error_text(exc)) from None


class CreateAliasBody(CreateAliasRequest):
    """CreateAlias's body as FC reads it: the weights' shape is checked here; that the additional version differs
    from the main one is the backend's rule (400 AdditionalVersionContainsMajorVersion), checked there once."""

    @model_validator(mode="after")
    def _weights(self) -> CreateAliasBody:
        self.additional_version_weight = check_weights(self.additional_version_weight)
        return self


class UpdateAliasBody(UpdateAliasRequest):
    """UpdateAlias's body as FC reads it (see :class:`CreateAliasBody`)."""

    @model_validator(mode="after")
    def _weights(self) -> UpdateAliasBody:
        self.additional_version_weight = check_weights(self.additional_version_weight)
        return self


def code_bytes(code: Code | None) -> bytes | None:
    """The zip bytes of a function's ``code``; the fake has no OSS, so only ``zipFile`` is accepted."""
    if code is None:
        return None
    if code.zip_file is None:
        raise invalid(
            f"code from OSS (bucket {code.oss_bucket_name!r}, object {code.oss_object_name!r}) "
            "is not supported by the fake: send the package as code.zipFile"
        )
    try:
        data = base64.b64decode(code.zip_file, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("code.zipFile is not valid base64") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise invalid("code.zipFile is not a valid zip file")
    return data
