"""The FC 3.0 fake's state as plain records (no rules here). A version holds a deep *copy* of the function's
config and its code, so later changes to LATEST never reach it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LATEST = "LATEST"


@dataclass
class VersionRecord:
    version_id: str
    description: str
    config: dict[str, Any]  # the function's wire config at publish time (camelCase, no timestamps)
    code: bytes
    created: str

    def wire(self) -> dict[str, Any]:
        return {
            "versionId": self.version_id,
            "description": self.description,
            "createdTime": self.created,
            "lastModifiedTime": self.created,
        }


@dataclass
class AliasRecord:
    name: str
    version_id: str
    description: str
    weights: dict[str, float]
    created: str
    modified: str
    etag: str

    def wire(self) -> dict[str, Any]:
        return {
            "aliasName": self.name,
            "versionId": self.version_id,
            "description": self.description,
            "additionalVersionWeight": dict(self.weights),
            "createdTime": self.created,
            "lastModifiedTime": self.modified,
        }


@dataclass
class TriggerRecord:
    name: str
    trigger_id: str
    trigger_type: str
    qualifier: str
    config: dict[str, Any]
    source_arn: str | None
    invocation_role: str | None
    description: str
    domain_prefix: str | None  # HTTP triggers: the first label of their fcapp.run host
    created: str
    modified: str


@dataclass
class FunctionRecord:
    name: str
    function_id: str
    arn: str
    config: dict[str, Any]  # LATEST's wire config (camelCase), without name/ids/timestamps
    code: bytes
    created: str
    modified: str
    versions: dict[int, VersionRecord] = field(default_factory=dict)
    next_version: int = 1  # never reset: a deleted version's number is never given out again
    published_digest: str | None = None  # code+config digest at the last publish (the no-change rule)
    aliases: dict[str, AliasRecord] = field(default_factory=dict)
    triggers: dict[str, TriggerRecord] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # TagResources (resource type "function")
