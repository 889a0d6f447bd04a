"""Pydantic models of the FC 2.0 wire format, shared by the client and the fake.

Python attributes are snake_case and named like the client's parameters; on the wire they are FC's
camelCase (``memorySize``, ``additionalVersionWeight``). Request models carry FC's validation rules
(names, memory, weights) so that the client refuses bad input before sending anything and the fake
refuses it with the same rules. Resource models ignore unknown fields, so a newer FC answer still parses.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

# the naming rules live in names.py (no pydantic: the Pulumi providers' checks use them); re-exported here
from fcinfra.fc.names import LATEST as LATEST
from fcinfra.fc.names import NAME_MAX as NAME_MAX
from fcinfra.fc.names import NAME_PATTERN as NAME_PATTERN
from fcinfra.fc.names import TRIGGER_TYPES as TRIGGER_TYPES
from fcinfra.fc.names import VERSION_ID_PATTERN as VERSION_ID_PATTERN
from fcinfra.fc.names import check_name as check_name
from fcinfra.fc.names import check_qualifier as check_qualifier

MEMORY_MIN, MEMORY_MAX, MEMORY_STEP = 128, 32768, 64
TIMEOUT_MIN, TIMEOUT_MAX = 1, 86400
DESCRIPTION_MAX = 256


def check_alias_name(value: str) -> str:
    """An alias name is a name that is not LATEST (LATEST always means the mutable head)."""
    check_name(value, "alias name")
    if value == LATEST:
        raise ValueError("an alias cannot be named LATEST: LATEST is the service's mutable head")
    return value


def check_version_id(value: str, what: str = "version id", allow_latest: bool = False) -> str:
    """Version ids are decimal strings from "1"; LATEST only where the caller allows it."""
    if allow_latest and value == LATEST:
        return value
    if not isinstance(value, str) or not VERSION_ID_PATTERN.match(value):
        extra = " or LATEST" if allow_latest else ""
        raise ValueError(f"{what} {value!r} is invalid: expected a positive decimal number{extra}")
    return value


def check_weights(weights: dict[str, float] | None, main_version: str | None = None) -> dict[str, float] | None:
    """Alias routing: at most one additional version, weight in [0, 1], never the main version itself."""
    if weights is None:
        return None
    if len(weights) > 1:
        raise ValueError(
            f"additionalVersionWeight {weights} names {len(weights)} versions; an alias supports at most one "
            "additional version"
        )
    for version, weight in weights.items():
        check_version_id(version, "additional version id")
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValueError(f"weight of additional version {version} must be a number, got {weight!r}")
        if not 0.0 <= float(weight) <= 1.0:
            raise ValueError(f"weight of additional version {version} is {weight}; it must be within [0, 1]")
        if main_version is not None and version == main_version:
            raise ValueError(f"additionalVersionWeight {weights} should not contain major version {main_version}")
    return {k: float(v) for k, v in weights.items()}


def check_memory(value: int) -> int:
    """FC's memory sizes: a multiple of 64 MB within the documented range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"memory_size must be an integer number of MB, got {value!r}")
    if not MEMORY_MIN <= value <= MEMORY_MAX or value % MEMORY_STEP:
        raise ValueError(
            f"memory_size {value} is invalid: use a multiple of {MEMORY_STEP} MB between {MEMORY_MIN} and {MEMORY_MAX}"
        )
    return value


def check_timeout(value: int) -> int:
    """FC's function timeout: whole seconds within the documented range."""
    if isinstance(value, bool) or not isinstance(value, int) or not TIMEOUT_MIN <= value <= TIMEOUT_MAX:
        raise ValueError(f"timeout {value!r} is invalid: use whole seconds between {TIMEOUT_MIN} and {TIMEOUT_MAX}")
    return value


def check_description(value: str | None) -> str | None:
    """FC caps descriptions; refuse a longer one before sending rather than get a 400."""
    if value is not None and len(value) > DESCRIPTION_MAX:
        raise ValueError(f"description is {len(value)} characters long; at most {DESCRIPTION_MAX} are allowed")
    return value


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown fields in answers are ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def to_wire(self) -> dict[str, Any]:
        """The JSON body to send: camelCase keys, fields left unset omitted."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude={"etag"})


class StrictRequest(WireModel):
    """Request bodies: unknown fields are an error, so a typo never silently does nothing."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# --------------------------------------------------------------------------------------------- resources


class Service(WireModel):
    """A service as FC describes it (GetService / ListServices), with the answer's ETag."""

    service_name: str
    service_id: str | None = None
    description: str | None = None
    role: str | None = None
    internet_access: bool | None = None
    log_config: dict[str, Any] | None = None
    vpc_config: dict[str, Any] | None = None
    nas_config: dict[str, Any] | None = None
    tracing_config: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    created_time: str | None = None
    last_modified_time: str | None = None
    etag: str | None = Field(default=None, exclude=True)

    @property
    def name(self) -> str:
        """The service's name, spelled like the client's parameter."""
        return self.service_name


class Function(WireModel):
    """A function's config as FC describes it, at LATEST or frozen in a version."""

    function_name: str
    function_id: str | None = None
    description: str | None = None
    runtime: str | None = None
    handler: str | None = None
    initializer: str | None = None
    timeout: int | None = None
    initialization_timeout: int | None = None
    memory_size: int | None = None
    instance_concurrency: int | None = None
    instance_type: str | None = None
    code_size: int | None = None
    code_checksum: str | None = None
    environment_variables: dict[str, str] | None = None
    layers: list[str] | None = None
    ca_port: int | None = None
    custom_container_config: dict[str, Any] | None = None
    created_time: str | None = None
    last_modified_time: str | None = None
    etag: str | None = Field(default=None, exclude=True)

    @property
    def name(self) -> str:
        """The function's name, spelled like the client's parameter."""
        return self.function_name


class Version(WireModel):
    """An immutable snapshot of the service and its functions; ``version_id`` is a decimal string."""

    version_id: str
    description: str | None = None
    created_time: str | None = None
    last_modified_time: str | None = None
    etag: str | None = Field(default=None, exclude=True)

    @field_validator("version_id", mode="before")
    @classmethod
    def _as_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class Alias(WireModel):
    """A named pointer at a main version plus at most one weighted additional version."""

    alias_name: str
    version_id: str
    description: str | None = None
    additional_version_weight: dict[str, float] = Field(default_factory=dict)
    service_name: str | None = None
    created_time: str | None = None
    last_modified_time: str | None = None
    etag: str | None = Field(default=None, exclude=True)

    @field_validator("additional_version_weight", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("version_id", mode="before")
    @classmethod
    def _as_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @property
    def name(self) -> str:
        """The alias's name, spelled like the client's parameter."""
        return self.alias_name

    @property
    def canary(self) -> tuple[str, float] | None:
        """The additional version and its weight, or None when all traffic goes to the main version."""
        for version, weight in self.additional_version_weight.items():
            return version, weight
        return None


class TriggerFields(WireModel):
    """What FC 2.0 and FC 3.0 say of a trigger alike; ``qualifier`` says which version or alias it invokes."""

    trigger_name: str
    trigger_type: str
    trigger_id: str | None = None
    qualifier: str | None = None
    source_arn: str | None = None
    invocation_role: str | None = None
    trigger_config: dict[str, Any] | None = None
    description: str | None = None
    created_time: str | None = None
    last_modified_time: str | None = None

    @property
    def name(self) -> str:
        """The trigger's name, spelled like the client's parameter."""
        return self.trigger_name


class Trigger(TriggerFields):
    """An FC 2.0 trigger; it has no version of its own. HTTP triggers give their URLs at the top level."""

    url_internet: str | None = None
    url_intranet: str | None = None
    etag: str | None = Field(default=None, exclude=True)


class Invocation(BaseModel):
    """The result of InvokeFunction. A function error is not an API error: see ``error_type``."""

    status_code: int
    payload: bytes
    version_id: str | None = None
    request_id: str | None = None
    error_type: str | None = None
    log_result: str | None = None
    duration_ms: float | None = None

    @property
    def ok(self) -> bool:
        """True when FC answered 2xx and the function did not fail (``error_type`` is None)."""
        return self.error_type is None and 200 <= self.status_code < 300


class Page(WireModel):
    """One page of a List* answer: the items under the operation's key, plus ``nextToken``."""

    next_token: str | None = None


# ----------------------------------------------------------------------------------------------- requests


class Code(StrictRequest):
    """Function code: inline base64 zip or an OSS object, exactly one of them (as FC requires)."""

    zip_file: str | None = None  # base64 of the zip bytes
    oss_bucket_name: str | None = None
    oss_object_name: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Code:
        has_zip = self.zip_file is not None
        has_oss = self.oss_bucket_name is not None or self.oss_object_name is not None
        if has_zip == has_oss:
            raise ValueError("code must give exactly one of zipFile or ossBucketName+ossObjectName")
        if has_oss and not (self.oss_bucket_name and self.oss_object_name):
            raise ValueError("code from OSS needs both ossBucketName and ossObjectName")
        return self


class ServiceConfig(StrictRequest):
    """The service settings shared by CreateService and UpdateService bodies."""

    description: str | None = None
    role: str | None = None
    internet_access: bool | None = None
    log_config: dict[str, Any] | None = None
    vpc_config: dict[str, Any] | None = None
    nas_config: dict[str, Any] | None = None
    tracing_config: dict[str, Any] | None = None
    tags: dict[str, str] | None = None

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_description(value)


class CreateServiceRequest(ServiceConfig):
    """CreateService's body, validated before anything is sent."""

    service_name: str

    @field_validator("service_name")
    @classmethod
    def _name(cls, value: str) -> str:
        check_name(value, "service name")
        if value == LATEST:
            raise ValueError("a service cannot be named LATEST")
        return value


class UpdateServiceRequest(ServiceConfig):
    """UpdateService's body: only the settings given are changed."""

    pass


class FunctionSettings(StrictRequest):
    """The function settings FC 2.0 and FC 3.0 share in CreateFunction/UpdateFunction bodies, with their limits."""

    description: str | None = None
    runtime: str | None = None
    handler: str | None = None
    code: Code | None = None
    memory_size: int | None = None
    timeout: int | None = None
    environment_variables: dict[str, str] | None = None
    instance_concurrency: int | None = None
    layers: list[str] | None = None

    @field_validator("memory_size")
    @classmethod
    def _memory(cls, value: int | None) -> int | None:
        return None if value is None else check_memory(value)

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: int | None) -> int | None:
        return None if value is None else check_timeout(value)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_description(value)

    @field_validator("runtime", "handler")
    @classmethod
    def _not_empty(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("runtime and handler must not be empty")
        return value


class FunctionConfig(FunctionSettings):
    """FC 2.0's function settings: the shared ones plus initializer, instance type and container settings."""

    initializer: str | None = None
    initialization_timeout: int | None = None
    instance_type: str | None = None
    ca_port: int | None = None
    custom_container_config: dict[str, Any] | None = None


class CreateFunctionRequest(FunctionConfig):
    """CreateFunction's body, validated before anything is sent."""

    function_name: str
    runtime: str
    handler: str

    @field_validator("function_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "function name")


class UpdateFunctionRequest(FunctionConfig):
    """UpdateFunction's body: only the settings given are changed."""

    pass


class PublishVersionRequest(StrictRequest):
    """PublishServiceVersion's body (just a description)."""

    description: str | None = None

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_description(value)


class AliasChange(StrictRequest):
    """What CreateAlias and UpdateAlias bodies share: the main version, the weights, and the routing rules."""

    version_id: str | None = None
    description: str | None = None
    additional_version_weight: dict[str, float] | None = None

    @field_validator("version_id", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if value is None:
            return None
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        return check_version_id(value, "main version id", allow_latest=True)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return check_description(value)

    @model_validator(mode="after")
    def _weights(self) -> Self:
        self.additional_version_weight = check_weights(self.additional_version_weight, self.version_id)
        return self


class CreateAliasRequest(AliasChange):
    """CreateAlias's body, with the alias routing rules checked client-side."""

    alias_name: str
    version_id: str

    @field_validator("alias_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_alias_name(value)


class UpdateAliasRequest(AliasChange):
    """UpdateAlias's body; absent weights leave FC's as they are, ``{}`` clears them."""


class TriggerChange(StrictRequest):
    """What CreateTrigger and UpdateTrigger bodies share on FC 2.0 and FC 3.0: the binding and the role."""

    invocation_role: str | None = None
    qualifier: str | None = None
    description: str | None = None

    @field_validator("qualifier")
    @classmethod
    def _qualifier(cls, value: str | None) -> str | None:
        return None if value is None else check_qualifier(value)


class NewTrigger(TriggerChange):
    """What only CreateTrigger's body has: the trigger's name, type and event source."""

    trigger_name: str
    trigger_type: Literal["oss", "log", "timer", "http", "tablestore", "cdn_events", "mns_topic", "eventbridge"]
    source_arn: str | None = None

    @field_validator("trigger_name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_name(value, "trigger name")


class CreateTriggerRequest(NewTrigger):
    """CreateTrigger's body; ``qualifier`` binds the trigger to a version or alias from the start."""

    trigger_config: dict[str, Any] | None = None


class UpdateTriggerRequest(TriggerChange):
    """UpdateTrigger's body: re-bind (``qualifier``) or reconfigure in place."""

    trigger_config: dict[str, Any] | None = None
