"""The fake's state as plain records (no rules here), with their FC wire shapes and (de)serialization.

Records are mutable dataclasses owned by the backend; a published version holds *copies* of the service
config and of every function, so later changes to LATEST never reach it.
"""

from __future__ import annotations

import base64
import copy
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

LATEST = "LATEST"


@dataclass
class TriggerRecord:
    name: str
    trigger_id: str
    trigger_type: str
    qualifier: str
    source_arn: str | None
    invocation_role: str | None
    config: dict[str, Any]
    description: str
    created: str
    modified: str
    etag: str

    def wire(self, url_base: str, service: str, function: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "triggerName": self.name,
            "triggerId": self.trigger_id,
            "triggerType": self.trigger_type,
            "sourceArn": self.source_arn,
            "invocationRole": self.invocation_role,
            "qualifier": self.qualifier,
            "triggerConfig": copy.deepcopy(self.config),
            "description": self.description,
            "createdTime": self.created,
            "lastModifiedTime": self.modified,
        }
        if self.trigger_type == "http":
            path = f"/2016-08-15/proxy/{service}.{self.qualifier}/{function}/"
            body["urlInternet"] = f"https://{url_base}{path}"
            body["urlIntranet"] = f"https://{url_base.replace('.fc.', '-internal.fc.', 1)}{path}"
        return body

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriggerRecord:
        return cls(**data)


@dataclass
class FunctionRecord:
    name: str
    function_id: str
    config: dict[str, Any]  # camelCase wire keys: runtime, handler, memorySize, timeout, ...
    code: bytes
    code_checksum: str
    created: str
    modified: str
    etag: str
    triggers: dict[str, TriggerRecord] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        return {
            "functionId": self.function_id,
            "functionName": self.name,
            **copy.deepcopy(self.config),
            "codeSize": len(self.code),
            "codeChecksum": self.code_checksum,
            "createdTime": self.created,
            "lastModifiedTime": self.modified,
        }

    def snapshot(self) -> FunctionRecord:
        """An immutable copy for a version: config and code, not triggers."""
        return FunctionRecord(self.name, self.function_id, copy.deepcopy(self.config), self.code,
                              self.code_checksum, self.created, self.modified, self.etag)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "function_id": self.function_id, "config": copy.deepcopy(self.config),
            "code": base64.b64encode(self.code).decode("ascii"), "code_checksum": self.code_checksum,
            "created": self.created, "modified": self.modified, "etag": self.etag,
            "triggers": {name: t.to_dict() for name, t in self.triggers.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FunctionRecord:
        return cls(
            name=data["name"], function_id=data["function_id"], config=dict(data["config"]),
            code=base64.b64decode(data["code"]), code_checksum=data["code_checksum"], created=data["created"],
            modified=data["modified"], etag=data["etag"],
            triggers={n: TriggerRecord.from_dict(t) for n, t in data.get("triggers", {}).items()},
        )


@dataclass
class ServiceConfigRecord:
    """The service's own configuration (what a version snapshots besides the functions)."""

    name: str
    service_id: str
    config: dict[str, Any]  # camelCase wire keys: description, role, logConfig, ...
    created: str
    modified: str
    etag: str

    def wire(self) -> dict[str, Any]:
        return {
            "serviceName": self.name,
            "serviceId": self.service_id,
            **copy.deepcopy(self.config),
            "createdTime": self.created,
            "lastModifiedTime": self.modified,
        }

    def snapshot(self) -> ServiceConfigRecord:
        return ServiceConfigRecord(self.name, self.service_id, copy.deepcopy(self.config), self.created,
                                   self.modified, self.etag)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "config": copy.deepcopy(self.config)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceConfigRecord:
        return cls(**data)


@dataclass
class VersionRecord:
    number: int
    description: str
    created: str
    modified: str
    etag: str
    service: ServiceConfigRecord
    functions: dict[str, FunctionRecord]

    @property
    def version_id(self) -> str:
        return str(self.number)

    def wire(self) -> dict[str, Any]:
        return {
            "versionId": self.version_id,
            "description": self.description,
            "createdTime": self.created,
            "lastModifiedTime": self.modified,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "description": self.description, "created": self.created,
            "modified": self.modified, "etag": self.etag, "service": self.service.to_dict(),
            "functions": {n: f.to_dict() for n, f in self.functions.items()},
        }

    def same_content(self, service: ServiceConfigRecord, functions: dict[str, FunctionRecord]) -> bool:
        """True when ``service`` and ``functions`` (LATEST) hold what this version captured: the same service
        settings, the same functions with the same settings and code. Ids, times, ETags and tags do not count."""
        untagged = {k: v for k, v in service.config.items() if k != "tags"}  # tags are not part of a version
        return ({k: v for k, v in self.service.config.items() if k != "tags"} == untagged
                and self.functions.keys() == functions.keys()
                and all(f.config == functions[n].config and f.code_checksum == functions[n].code_checksum
                        for n, f in self.functions.items()))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionRecord:
        return cls(
            number=int(data["number"]), description=data["description"], created=data["created"],
            modified=data["modified"], etag=data["etag"], service=ServiceConfigRecord.from_dict(data["service"]),
            functions={n: FunctionRecord.from_dict(f) for n, f in data["functions"].items()},
        )


@dataclass
class AliasRecord:
    name: str
    version_id: str
    description: str
    weights: dict[str, float]
    created: str
    modified: str
    etag: str

    def wire(self, service: str) -> dict[str, Any]:
        return {
            "aliasName": self.name,
            "serviceName": service,
            "versionId": self.version_id,
            "description": self.description,
            "additionalVersionWeight": dict(self.weights) if self.weights else None,
            "createdTime": self.created,
            "lastModifiedTime": self.modified,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "weights": dict(self.weights)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AliasRecord:
        return cls(**data)


@dataclass
class ServiceRecord:
    head: ServiceConfigRecord
    functions: dict[str, FunctionRecord] = field(default_factory=dict)
    versions: dict[int, VersionRecord] = field(default_factory=dict)
    aliases: dict[str, AliasRecord] = field(default_factory=dict)
    last_version_number: int = 0  # never decreases: version ids are never reused
    # the numbers of ``versions`` in ascending order: a page of versions is found by bisection, not by sorting
    version_numbers: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.version_numbers = sorted(self.versions)

    @property
    def name(self) -> str:
        return self.head.name

    def add_version(self, version: VersionRecord) -> None:
        """Keep a newly published version (always numbered above every other)."""
        self.versions[version.number] = version
        self.version_numbers.append(version.number)
        self.last_version_number = version.number

    def remove_version(self, number: int) -> None:
        del self.versions[number]
        del self.version_numbers[bisect_left(self.version_numbers, number)]

    def newest_version(self) -> VersionRecord | None:
        """The newest version that still exists, in O(1)."""
        return self.versions[self.version_numbers[-1]] if self.version_numbers else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "head": self.head.to_dict(),
            "functions": {n: f.to_dict() for n, f in self.functions.items()},
            "versions": {str(n): v.to_dict() for n, v in self.versions.items()},
            "aliases": {n: a.to_dict() for n, a in self.aliases.items()},
            "last_version_number": self.last_version_number,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceRecord:
        return cls(
            head=ServiceConfigRecord.from_dict(data["head"]),
            functions={n: FunctionRecord.from_dict(f) for n, f in data.get("functions", {}).items()},
            versions={int(n): VersionRecord.from_dict(v) for n, v in data.get("versions", {}).items()},
            aliases={n: AliasRecord.from_dict(a) for n, a in data.get("aliases", {}).items()},
            last_version_number=int(data.get("last_version_number", 0)),
        )
