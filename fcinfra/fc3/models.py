"""Pydantic models of the FC 3.0 (2023-03-30) wire format, shared by ``Fc3Client`` and the FC 3.0 fake.

Same conventions as FC 2.0's ``fcinfra.fc.models`` (snake_case in Python, camelCase on the wire, requests
strict, answers tolerant), and the same rules where FC 3.0 kept them: versions and aliases have the FC 2.0
shape (``Version``, ``Alias`` and their request models are reused as they are), only they now belong to a
function. What changed: function names are at most 64 characters, functions carry ``cpu``/``diskSize`` and an
ARN, and a trigger's ``triggerConfig`` travels as a JSON *string* with its URLs under ``httpTrigger``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import field_validator

from fcinfra.fc.models import (
    LATEST,
    TRIGGER_TYPES,
    Alias,
    Code,
    CreateAliasRequest,
    FunctionSettings,
    Invocation,
    NewTrigger,
    PublishVersionRequest,
    TriggerChange,
    TriggerFields,
    UpdateAliasRequest,
    Version,
    WireModel,
    check_description,
    check_name,
    check_qualifier,
)

__all__ = [
    "LATEST",
    "TRIGGER_TYPES",
    "Alias",
    "Code",
    "CreateAliasRequest",
    "CreateFunctionRequest",
    "CreateTriggerRequest",
    "Function",
    "HttpTriggerUrls",
    "Invocation",
    "PublishVersionRequest",
    "Trigger",
    "UpdateAliasRequest",
    "UpdateFunctionRequest",
    "UpdateTriggerRequest",
    "Version",
    "check_function_name",
    "check_qualifier",
]

FUNCTION_NAME_MAX = 64
CPU_MIN, CPU_MAX = 0.05, 16.0
DISK_SIZES = (512, 10240)


def check_function_name(value: str) -> str:
    """FC 3.0 function names: FC's name rule with at most 64 characters."""
    return check_name(value, "function name", FUNCTION_NAME_MAX)


# --------------------------------------------------------------------------------------------- resources


class Function(WireModel):
    """A function as FC 3.0 describes it, at LATEST or frozen in a version (``GetFunction?qualifier=``)."""

    function_name: str
    function_id: str | None = None
    function_arn: str | None = None
    description: str | None = None
    runtime: str | None = None
    handler: str | None = None
    timeout: int | None = None
    memory_size: int | None = None
    cpu: float | None = None
    disk_size: int | None = None
    instance_concurrency: int | None = None
    internet_access: bool | None = None
    role: str | None = None
    environment_variables: dict[str, str] | None = None
    layers: list[Any] | None = None
    log_config: dict[str, Any] | None = None
    vpc_config: dict[str, Any] | None = None
    code_size: int | None = None
    code_checksum: str | None = None
    state: str | None = None
    state_reason: str | None = None
    last_update_status: str | None = None
    tags: list[dict[str, str]] | None = None
    created_time: str | None = None
    last_modified_time: str | None = None

    @field_validator("code_checksum", mode="before")
    @classmethod
    def _checksum_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @property
    def name(self) -> str:
        """The function's name, spelled like the client's parameter."""
        return self.function_name


class HttpTriggerUrls(WireModel):
    """Where an HTTP trigger answers: FC 3.0 nests the URLs under ``httpTrigger``."""

    url_internet: str | None = None
    url_intranet: str | None = None


class Trigger(TriggerFields):
    """An FC 3.0 trigger bound to a qualifier. ``trigger_config`` is parsed from FC's JSON string."""

    target_arn: str | None = None
    status: str | None = None
    http_trigger: HttpTriggerUrls | None = None

    @field_validator("trigger_config", mode="before")
    @classmethod
    def _config_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            return json.loads(value)  # a ValueError here is reported as an unreadable answer
        return value

    @property
    def url_internet(self) -> str | None:
        """The public URL of an HTTP trigger (None for other types)."""
        return self.http_trigger.url_internet if self.http_trigger else None

    @property
    def url_intranet(self) -> str | None:
        """The VPC-internal URL of an HTTP trigger (None for other types)."""
        return self.http_trigger.url_intranet if self.http_trigger else None


class FunctionCode(WireModel):
    """GetFunctionCode's answer: where to download the code, and its CRC-64 checksum."""

    url: str
    checksum: str | None = None

    @field_validator("checksum", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


# ---------------------------------------------------------------------------------------------- requests


class FunctionConfig(FunctionSettings):
    """FC 3.0's function settings: the shared ones plus the settings FC 2.0 kept on the service, cpu and disk."""

    cpu: float | None = None
    disk_size: int | None = None
    internet_access: bool | None = None
    role: str | None = None
    log_config: dict[str, Any] | None = None
    vpc_config: dict[str, Any] | None = None
    nas_config: dict[str, Any] | None = None
    custom_runtime_config: dict[str, Any] | None = None

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: float | None) -> float | None:
        if value is not None and not CPU_MIN <= value <= CPU_MAX:
            raise ValueError(f"cpu {value} is invalid: use between {CPU_MIN} and {CPU_MAX} vCPUs")
        return value

    @field_validator("disk_size")
    @classmethod
    def _disk(cls, value: int | None) -> int | None:
        if value is not None and value not in DISK_SIZES:
            raise ValueError(f"disk_size {value} is invalid: use one of {', '.join(map(str, DISK_SIZES))} (MB)")
        return value


class CreateFunctionRequest(FunctionConfig):
    """CreateFunction's body, validated before anything is sent."""

    function_name: str
    runtime: str
    handler: str

    @field_validator("function_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_function_name(value)


class UpdateFunctionRequest(FunctionConfig):
    """UpdateFunction's body: only the settings given are changed."""


class TriggerConfigText(TriggerChange):
    """FC 3.0's trigger bodies: ``trigger_config`` is a JSON *string*, and descriptions are capped."""

    trigger_config: str | None = None

    @field_validator("trigger_config")
    @classmethod
    def _config(cls, value: str | None) -> str | None:
        return None if value is None else check_config_text(value)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_description(value)


class CreateTriggerRequest(TriggerConfigText, NewTrigger):
    """CreateTrigger's body; the config is required and ``qualifier`` is the binding."""

    trigger_config: str


class UpdateTriggerRequest(TriggerConfigText):
    """UpdateTrigger's body: reconfigure in place, or re-bind (``qualifier``)."""


def check_config_text(value: str) -> str:
    """A trigger config is a JSON object written as a string."""
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ValueError(f"triggerConfig is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise ValueError("triggerConfig must be a JSON object")
    return value
