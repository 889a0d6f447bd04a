"""The caller's arguments -> validated request pieces, before anything is sent.

Why a module of its own: every mistake a caller can make must become an ``InvalidArgumentError`` (a
``FcinfraError``) before any request leaves, never a raw pydantic ``ValidationError`` or ``TypeError``.
These are the coercions the client applies (zip bytes -> ``Code``, numbers -> version ids, JSON strings ->
trigger configs); they do no I/O apart from ``verify_setting`` checking that a CA file exists.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fcinfra.errors import ConfigurationError, InvalidArgumentError
from fcinfra.fc.models import Code
from fcinfra.fc.transport import json_body

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], what: str, **values: Any) -> M:
    """Build a request model; a pydantic error becomes an ``InvalidArgumentError`` that names the fields."""
    try:
        return model(**values)
    except ValidationError as exc:
        problems = "; ".join(describe(err) for err in exc.errors())
        raise InvalidArgumentError(f"invalid {what}: {problems}") from None


def describe(err: Any) -> str:
    """One pydantic error as a short phrase naming the argument (the caller never sees pydantic's format)."""
    field_name = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown argument {field_name!r}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{field_name}: {message}" if field_name else message


def check(fn: Callable[..., Any], *args: Any) -> None:
    """Run a plain validator from models.py, raising ``InvalidArgumentError`` instead of ``ValueError``."""
    try:
        fn(*args)
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None


def code_to_wire(code: bytes | Mapping[str, Any] | Code | None) -> Code | None:
    """Zip bytes become ``{"zipFile": base64}``; an OSS location may be given as a mapping or ``Code``."""
    if code is None or isinstance(code, Code):
        return code
    if isinstance(code, bytes | bytearray):
        return validated(Code, "code", zip_file=base64.b64encode(bytes(code)).decode("ascii"))
    if isinstance(code, Mapping):
        return validated(Code, "code", **dict(code))
    raise InvalidArgumentError(f"code must be zip bytes or an OSS location, got {type(code).__name__}")


def payload_bytes(payload: bytes | str | Mapping[str, Any] | None) -> bytes:
    """An invocation payload as bytes: str as UTF-8, a mapping as JSON."""
    if payload is None:
        return b""
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, Mapping):
        return json.dumps(payload).encode("utf-8")
    raise InvalidArgumentError(f"payload must be bytes, str or a dict, got {type(payload).__name__}")


def trigger_config(config: Mapping[str, Any] | str | None) -> dict[str, Any] | None:
    """Accept a dict or a JSON string (as Pulumi passes it)."""
    if config is None:
        return None
    if isinstance(config, str):
        try:
            parsed = json.loads(config)
        except ValueError as exc:
            raise InvalidArgumentError(f"trigger_config is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise InvalidArgumentError("trigger_config must be a JSON object")
        return parsed
    if isinstance(config, Mapping):
        return dict(config)
    raise InvalidArgumentError(f"trigger_config must be a dict or a JSON string, got {type(config).__name__}")


def mapping(value: Any, what: str) -> dict[str, Any] | None:
    """A plain dict copy of a mapping argument; anything else is the caller's mistake, said plainly."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{what} must be a mapping (dict), got {type(value).__name__}")
    return dict(value)


def weights(value: Any) -> dict[Any, Any] | None:
    """``additional_version_weight`` as FC wants it: version ids as strings (``{2: 0.1}`` means ``{"2": 0.1}``)."""
    weights = mapping(value, "additional_version_weight")
    if weights is None:
        return None
    return {version_text(k): v for k, v in weights.items()}


def verify_setting(verify: bool | str | os.PathLike[str] | None) -> bool | str | None:
    """Check ``verify=`` now: a missing CA file would otherwise surface as a raw OSError on the first call."""
    if verify is None or isinstance(verify, bool):
        return verify
    if not isinstance(verify, str | os.PathLike):
        raise InvalidArgumentError(f"verify must be a CA bundle path, True or False, got {type(verify).__name__}")
    path = os.fspath(verify)
    if not os.path.exists(path):
        raise ConfigurationError(f"CA bundle {path!r} (verify= / FC_CA_BUNDLE) does not exist")
    return path


def if_match(etag: str | None) -> dict[str, str] | None:
    """The If-Match header for an ETag, or no header at all."""
    return {"If-Match": str(etag)} if etag else None


def version_text(value: Any) -> Any:
    """Version ids are strings on the wire; a version given as a number (``qualifier=2``) means the same."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def encode(body: BaseModel | Mapping[str, Any] | None) -> bytes | None:
    """A request body as JSON bytes (a model in its camelCase wire form, without its ETag)."""
    if isinstance(body, BaseModel):
        return json_body(body.model_dump(by_alias=True, exclude_none=True, exclude={"etag"}))
    return None if body is None else json_body(body)
