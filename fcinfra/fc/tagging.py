"""FC 2.0's tag rules and tag request bodies, shared by the client (checks before sending) and the fake.

FC tags a service (FC 3.0: a function) by its ARN ``acs:fc:{region}:{account}:services/{service}``; versions,
aliases and triggers inherit the service's tags, and tags are not part of a version. The limits are FC's
documented ones ("Configure tags", help.aliyun.com/en/functioncompute/fc/function-tags-management, and the FC 2.0
tag-management page): at most 20 tags per resource; a key is 1..64 characters, must not start with ``aliyun``
or ``acs:`` and must not contain ``http://`` or ``https://``; a value is 1..128 characters and must not contain
``http://`` or ``https://``; an existing key is overwritten. The wire shapes are the Go SDK's ``tag.go``
(``POST|GET|DELETE /tag`` with ``resourceArn``, ``tags``, ``tagKeys``, ``all``). FC 3.0 (``tags-v2``, a
function's ARN ``acs:fc:{region}:{account}:functions/{name}``) has the same limits, except that a value may be
empty (the FC 3.0 "Configure tags" page: "Tag values can be empty strings").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import field_validator, model_validator

from fcinfra.fc.models import StrictRequest

MAX_TAGS = 20
MAX_KEY_LENGTH = 64
MAX_VALUE_LENGTH = 128
_URL = ("http://", "https://")
_ARN = re.compile(r"^acs:fc:(?P<region>[^:]+):(?P<account>[^:]+):services/(?P<service>[^/]+)$")


def service_arn(region: str, account_id: str, service: str) -> str:
    """The ARN FC's tag API names a service by."""
    return f"acs:fc:{region}:{account_id}:services/{service}"


def function_arn(region: str, account_id: str, function: str) -> str:
    """The ARN FC 3.0's tag API (``tags-v2``) names a function by: FC 3.0 tags functions, with the same limits."""
    return f"acs:fc:{region}:{account_id}:functions/{function}"


def parse_arn(arn: str, region: str = "", account: str = "") -> tuple[str, str, str]:
    """``(region, account, service)`` of a service ARN; a partial one (``services/NAME``, which Alibaba's SDK
    documents: "either full ARN or partial ARN") takes ``region`` and ``account``. ValueError for anything
    else (FC 2.0 tags services only)."""
    if arn.startswith("services/") and "/" not in arn[len("services/"):] and len(arn) > len("services/"):
        return region, account, arn[len("services/"):]
    found = _ARN.match(arn)
    if found is None:
        raise ValueError(f"resourceArn {arn!r} is not a service ARN (acs:fc:REGION:ACCOUNT:services/NAME): "
                         "FC 2.0 tags services only")
    return found["region"], found["account"], found["service"]


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValueError(f"tag key {key[:80]!r} must be 1..{MAX_KEY_LENGTH} characters, got {len(key)}")
    if key.lower().startswith(("aliyun", "acs:")):
        raise ValueError(f"tag key {key!r} must not start with 'aliyun' or 'acs:'")
    if any(u in key for u in _URL):
        raise ValueError(f"tag key {key!r} must not contain http:// or https://")
    return key


def check_value(key: str, value: str, *, allow_empty: bool = False) -> str:
    """FC 2.0 wants 1..128 characters; FC 3.0 also takes an empty value (``allow_empty``)."""
    if not (0 if allow_empty else 1) <= len(value) <= MAX_VALUE_LENGTH:
        least = 0 if allow_empty else 1
        raise ValueError(f"the value of tag {key!r} must be {least}..{MAX_VALUE_LENGTH} characters, got {len(value)}")
    if any(u in value for u in _URL):
        raise ValueError(f"the value of tag {key!r} must not contain http:// or https://")
    return value


def check_tags(tags: Mapping[str, str], *, allow_empty: bool = False) -> dict[str, str]:
    """Every key and value within FC's limits (the per-resource count is checked against what is there)."""
    return {check_key(k): check_value(k, v, allow_empty=allow_empty) for k, v in tags.items()}


def check_count(existing: Mapping[str, str], added: Mapping[str, str]) -> None:
    """A resource carries at most MAX_TAGS tags after the change (an existing key is overwritten, not added)."""
    total = len({**existing, **added})
    if total > MAX_TAGS:
        raise ValueError(f"a resource carries at most {MAX_TAGS} tags; this would make {total}")


class TagResourceRequest(StrictRequest):
    resource_arn: str
    tags: dict[str, str]

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        if not tags:
            raise ValueError("at least 1 tag is required")
        if len(tags) > MAX_TAGS:
            raise ValueError(f"at most {MAX_TAGS} tags per resource, got {len(tags)}")
        return check_tags(tags)


class UnTagResourceRequest(StrictRequest):
    resource_arn: str
    tag_keys: list[str] | None = None
    all: bool | None = None

    @model_validator(mode="after")
    def _keys(self) -> UnTagResourceRequest:
        if not self.all and not self.tag_keys:
            raise ValueError("at least 1 tag key is required unless all=true")
        if len(self.tag_keys or []) > MAX_TAGS:
            raise ValueError(f"at most {MAX_TAGS} tag keys, got {len(self.tag_keys or [])}")
        return self
