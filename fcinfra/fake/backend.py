"""FC 2.0's business rules over in-memory state, one :class:`RegionBackend` per (account, region). No HTTP.

Every operation validates fully before it changes anything, so a rejected request leaves the state exactly
as it was. Rules (from the seeds, FC_API.md and DESIGN.md "Semantics"/"Choices"):

* version ids are "1", "2", ... per service, never reused; a version snapshots the service config and every
  function (code + config), never triggers; publishing with nothing changed since the last publish fails;
* LATEST always exists and cannot be deleted; no alias may be named LATEST;
* an alias has one main version and at most one additional version with a weight in [0, 1];
* a version may be deleted while aliases or triggers still point at it (calls through them then fail);
* a service cannot be deleted while it has functions or versions; a function not while it has triggers;
* every resource has an ETag that changes on every mutation (``If-Match`` is HTTP: the handlers check it).

Methods take typed arguments (request models, zip bytes, page requests): the handlers parse bodies, query
parameters, headers and qualifiers; each rule here is checked once, in one place.
"""

from __future__ import annotations

import copy
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fcinfra.fake.catalog import INVALID_RUNTIME_MESSAGE, is_known_runtime
from fcinfra.fake.exceptions import (
    FakeApiError,
    alias_not_found,
    function_not_found,
    invalid,
    service_not_found,
    trigger_not_found,
    version_not_found,
)
from fcinfra.fake.paging import NamePage, PageResult, VersionPage, page_by_name, page_versions
from fcinfra.fake.records import (
    LATEST,
    AliasRecord,
    FunctionRecord,
    ServiceConfigRecord,
    ServiceRecord,
    TriggerRecord,
    VersionRecord,
)
from fcinfra.fc.crc64 import checksum
from fcinfra.fc.models import (
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateServiceRequest,
    CreateTriggerRequest,
    PublishVersionRequest,
    UpdateAliasRequest,
    UpdateFunctionRequest,
    UpdateServiceRequest,
    UpdateTriggerRequest,
)

NO_CHANGES_MESSAGE = "No changes were made since last publish"
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")
_SOURCE_ARN_REQUIRED = ("oss", "log", "mns_topic", "cdn_events", "tablestore")

_SERVICE_DEFAULTS: dict[str, Any] = {
    "description": "",
    "role": "",
    "internetAccess": True,
    "logConfig": {"project": "", "logstore": "", "enableRequestMetrics": False, "enableInstanceMetrics": False},
    "vpcConfig": {"vpcId": "", "vSwitchIds": [], "securityGroupId": ""},
    "nasConfig": {"userId": -1, "groupId": -1, "mountPoints": []},
    "tracingConfig": {"type": None, "params": None},
}
# FC decodes these into structs, so one sent in part reads back with every field (unknown ones dropped).
_SERVICE_STRUCTS = ("logConfig", "vpcConfig", "nasConfig", "tracingConfig")
_FUNCTION_DEFAULTS: dict[str, Any] = {
    "description": "",
    "memorySize": 128,
    "timeout": 3,
    "initializer": None,
    "initializationTimeout": 3,
    "instanceConcurrency": 1,
    "instanceType": "e1",
    "environmentVariables": {},
    "layers": None,
    "caPort": None,
    "customContainerConfig": None,
}


def complete_service_structs(config: dict[str, Any]) -> dict[str, Any]:
    """Fill every field of the service's nested structs from the defaults, as FC's answers show them."""
    for key in _SERVICE_STRUCTS:
        sent = config.get(key)
        if isinstance(sent, dict):
            default = _SERVICE_DEFAULTS[key]
            config[key] = {k: copy.deepcopy(v) if sent.get(k) is None else sent[k] for k, v in default.items()}
    config["tracingConfig"] = tracing_config(config.get("tracingConfig"))
    return config


class Ids:
    """Ids, ETags and timestamps; seedable so a seeded fake is reproducible."""

    def __init__(self, seed: int | None = None, clock: Callable[[], float] = time.time) -> None:
        self._rng = random.Random(None if seed is None else seed + 7919)
        self.clock = clock

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def etag(self) -> str:
        return hashlib.md5(self._rng.getrandbits(128).to_bytes(16, "big"), usedforsecurity=False).hexdigest()

    def now(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Resolved:
    """The outcome of resolving ``{svc}.{qualifier}``: which version answered, and its content."""

    qualifier: str  # as asked (LATEST when none was given)
    version: str  # "LATEST" or the version number
    service: ServiceConfigRecord
    functions: Mapping[str, FunctionRecord]


def tracing_config(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """FC reads a disabled or empty ``tracingConfig`` back as ``{"type": null, "params": null}``."""
    if not given or not given.get("type"):
        return {"type": None, "params": None}
    return {"type": given["type"], "params": given.get("params") or None}


def check_code_checksum(sent: str | None, crc: str) -> None:
    """``X-Fc-Code-Checksum``, when given, must be the package's CRC-64."""
    if sent is not None and sent.strip() and sent.strip() != crc:
        raise invalid(f"X-Fc-Code-Checksum {sent} does not match the code package's CRC-64 {crc}")


def check_runtime(runtime: str | None) -> None:
    """An unknown runtime id is refused before anything changes (deprecated ids are still accepted)."""
    if runtime is not None and not is_known_runtime(runtime):
        raise invalid(f"{INVALID_RUNTIME_MESSAGE}: {runtime!r} is not a runtime of FC 2.0 (e.g. python3.10, "
                      "nodejs18, custom)")


class RegionBackend:
    """All services of one account in one region."""

    def __init__(self, account_id: str, region: str, ids: Ids, rng: random.Random) -> None:
        self.account_id = account_id
        self.region = region
        self.ids = ids
        self.rng = rng
        self.services: dict[str, ServiceRecord] = {}

    @property
    def host(self) -> str:
        return f"{self.account_id}.{self.region}.fc.aliyuncs.com"

    # -------------------------------------------------------------------------------------------- lookups
    def service(self, name: str) -> ServiceRecord:
        record = self.services.get(name)
        if record is None:
            raise service_not_found(name)
        return record

    def function(self, service: str, name: str) -> FunctionRecord:
        record = self.service(service).functions.get(name)
        if record is None:
            raise function_not_found(service, name)
        return record

    def trigger(self, service: str, function: str, name: str) -> TriggerRecord:
        record = self.function(service, function).triggers.get(name)
        if record is None:
            raise trigger_not_found(service, function, name)
        return record

    def alias(self, service: str, name: str) -> AliasRecord:
        record = self.service(service).aliases.get(name)
        if record is None:
            raise alias_not_found(service, name)
        return record

    def resolve(self, service: str, qualifier: str | None, route: bool = False) -> Resolved:
        """LATEST -> live state; a number -> that snapshot; an alias -> its main version's snapshot, or, when
        ``route`` (invocations only), one of its versions drawn by the alias's weights."""
        svc = self.service(service)
        asked = qualifier or LATEST
        target = asked
        if asked != LATEST and not asked.isdigit():
            alias = svc.aliases.get(asked)
            if alias is None:
                raise alias_not_found(service, asked)
            target = alias.version_id
            for extra, weight in (alias.weights.items() if route else ()):
                if self.rng.random() < weight:
                    target = extra
        if target == LATEST:
            return Resolved(asked, LATEST, svc.head, svc.functions)
        version = svc.versions.get(int(target))
        if version is None:
            raise version_not_found(service, target)
        return Resolved(asked, version.version_id, version.service, version.functions)

    def resolve_function(self, service: str, qualifier: str | None, function: str,
                         route: bool = False) -> tuple[Resolved, FunctionRecord]:
        resolved = self.resolve(service, qualifier, route)
        record = resolved.functions.get(function)
        if record is None:
            raise function_not_found(service, function)
        return resolved, record

    # ------------------------------------------------------------------------------------------- services
    def create_service(self, req: CreateServiceRequest) -> ServiceRecord:
        if req.service_name in self.services:
            raise FakeApiError(409, "ServiceAlreadyExists", f"service '{req.service_name}' already exists")
        now = self.ids.now()
        config = complete_service_structs(
            {**_SERVICE_DEFAULTS, **req.model_dump(by_alias=True, exclude_none=True, exclude={"service_name"})})
        head = ServiceConfigRecord(req.service_name, self.ids.uuid(), config, now, now, self.ids.etag())
        record = ServiceRecord(head)
        self.services[req.service_name] = record
        return record

    def update_service(self, name: str, req: UpdateServiceRequest) -> ServiceRecord:
        svc = self.service(name)
        svc.head.config.update(req.model_dump(by_alias=True, exclude_none=True))
        complete_service_structs(svc.head.config)
        svc.head.modified = self.ids.now()
        svc.head.etag = self.ids.etag()
        return svc

    def delete_service(self, name: str) -> None:
        svc = self.service(name)
        if svc.functions or svc.versions:
            parts = []
            if svc.functions:
                parts.append(f"{len(svc.functions)} function(s) ({', '.join(sorted(svc.functions))})")
            if svc.versions:
                parts.append(f"{len(svc.versions)} version(s) ({', '.join(map(str, sorted(svc.versions)))})")
            raise FakeApiError(
                400, "ServiceNotEmpty",
                f"service '{name}' is not empty: delete its {' and '.join(parts)} first",
            )
        del self.services[name]

    def list_services(self, tags: Mapping[str, str], page: NamePage) -> PageResult[ServiceRecord]:
        """Only services carrying every one of ``tags`` (key -> value)."""
        services = [s for s in self.services.values()
                    if all((s.head.config.get("tags") or {}).get(k) == v for k, v in tags.items())]
        return page_by_name(services, lambda s: s.name, page)

    # ------------------------------------------------------------------------------------------ functions
    def create_function(self, service: str, req: CreateFunctionRequest, code: bytes,
                        code_checksum: str | None = None) -> FunctionRecord:
        """``code``: the zip package; ``code_checksum``: the CRC-64 the caller says it sent, if any."""
        svc = self.service(service)
        check_runtime(req.runtime)
        crc = checksum(code)
        check_code_checksum(code_checksum, crc)
        if req.function_name in svc.functions:
            raise FakeApiError(
                409, "FunctionAlreadyExists", f"function '{req.function_name}' already exists in service '{service}'"
            )
        now = self.ids.now()
        config = {**_FUNCTION_DEFAULTS,
                  **req.model_dump(by_alias=True, exclude_none=True, exclude={"function_name", "code"})}
        record = FunctionRecord(req.function_name, self.ids.uuid(), config, code, crc, now, now, self.ids.etag())
        svc.functions[req.function_name] = record
        return record

    def update_function(self, service: str, name: str, req: UpdateFunctionRequest, code: bytes | None = None,
                        code_checksum: str | None = None) -> FunctionRecord:
        """``code``: a new zip package, or None to keep the current one."""
        record = self.function(service, name)
        check_runtime(req.runtime)
        crc = checksum(code) if code is not None else record.code_checksum
        if code is not None:
            check_code_checksum(code_checksum, crc)
        record.config.update(req.model_dump(by_alias=True, exclude_none=True, exclude={"code"}))
        if code is not None:
            record.code, record.code_checksum = code, crc
        record.modified = self.ids.now()
        record.etag = self.ids.etag()
        return record

    def delete_function(self, service: str, name: str) -> None:
        svc = self.service(service)
        record = self.function(service, name)
        if record.triggers:
            raise FakeApiError(
                400, "FunctionNotEmpty",
                f"function '{name}' has active triggers ({', '.join(sorted(record.triggers))}): delete them first",
            )
        del svc.functions[name]

    def list_functions(self, service: str, qualifier: str | None, page: NamePage) -> PageResult[FunctionRecord]:
        resolved = self.resolve(service, qualifier)
        return page_by_name(list(resolved.functions.values()), lambda f: f.name, page)

    # ------------------------------------------------------------------------------------------- versions
    def publish_version(self, service: str, req: PublishVersionRequest) -> VersionRecord:
        """A new version of LATEST, unless LATEST equals the newest version that still exists."""
        svc = self.service(service)
        newest = svc.newest_version()
        if newest is not None and newest.same_content(svc.head, svc.functions):
            raise FakeApiError(400, "VersionPublishError", f"{NO_CHANGES_MESSAGE} of service '{service}'")
        number = svc.last_version_number + 1
        now = self.ids.now()
        version = VersionRecord(
            number=number, description=req.description or "", created=now, modified=now, etag=self.ids.etag(),
            service=svc.head.snapshot(), functions={n: f.snapshot() for n, f in svc.functions.items()},
        )
        svc.add_version(version)
        return version

    def list_versions(self, service: str, page: VersionPage) -> PageResult[VersionRecord]:
        """One page costs O(log n + limit), whatever the number of versions."""
        svc = self.service(service)
        numbers = page_versions(svc.version_numbers, page)
        return PageResult([svc.versions[n] for n in numbers.items], numbers.next_token)

    def delete_version(self, service: str, version_id: str) -> None:
        svc = self.service(service)
        if version_id == LATEST:
            raise invalid("version LATEST cannot be deleted: it is the service's mutable head and always exists")
        if not version_id.isdigit() or int(version_id) not in svc.versions:
            raise version_not_found(service, version_id)
        svc.remove_version(int(version_id))

    # -------------------------------------------------------------------------------------------- aliases
    def _check_routing(self, svc: ServiceRecord, main: str, weights: Mapping[str, float]) -> None:
        """An alias's versions: the additional one differs from the main one, and every one exists."""
        if main in weights:
            raise FakeApiError(
                400, "AdditionalVersionContainsMajorVersion",
                f"additionalVersionWeight {weights} should not contain major version {main}",
            )
        for version in (main, *weights):
            if version != LATEST and int(version) not in svc.versions:
                raise version_not_found(svc.name, version)

    def create_alias(self, service: str, req: CreateAliasRequest) -> AliasRecord:
        svc = self.service(service)
        weights = dict(req.additional_version_weight or {})
        if req.alias_name in svc.aliases:
            raise FakeApiError(409, "AliasAlreadyExists", f"alias {req.alias_name} of service {service} already exists")
        self._check_routing(svc, req.version_id, weights)
        now = self.ids.now()
        record = AliasRecord(req.alias_name, req.version_id, req.description or "", weights, now, now, self.ids.etag())
        svc.aliases[req.alias_name] = record
        return record

    def update_alias(self, service: str, name: str, req: UpdateAliasRequest) -> AliasRecord:
        svc = self.service(service)
        record = self.alias(service, name)
        main = req.version_id or record.version_id
        # None leaves the weights as they are; {} clears them.
        weights = record.weights if req.additional_version_weight is None else dict(req.additional_version_weight)
        self._check_routing(svc, main, weights)
        record.version_id = main
        record.weights = dict(weights)
        if req.description is not None:
            record.description = req.description
        record.modified = self.ids.now()
        record.etag = self.ids.etag()
        return record

    def delete_alias(self, service: str, name: str) -> None:
        svc = self.service(service)
        self.alias(service, name)
        del svc.aliases[name]

    def list_aliases(self, service: str, page: NamePage) -> PageResult[AliasRecord]:
        svc = self.service(service)
        return page_by_name(list(svc.aliases.values()), lambda a: a.name, page)

    # ------------------------------------------------------------------------------------------- triggers
    def _check_qualifier(self, svc: ServiceRecord, qualifier: str) -> None:
        if qualifier == LATEST:
            return
        if qualifier.isdigit():
            if int(qualifier) not in svc.versions:
                raise version_not_found(svc.name, qualifier)
        elif qualifier not in svc.aliases:
            raise alias_not_found(svc.name, qualifier)

    @staticmethod
    def _check_trigger_config(trigger_type: str, config: dict[str, Any], source_arn: str | None) -> None:
        if trigger_type == "http":
            auth = config.get("authType")
            if auth not in ("anonymous", "function"):
                raise invalid(f"triggerConfig.authType {auth!r} is invalid: use 'anonymous' or 'function'")
            methods = config.get("methods")
            if not isinstance(methods, list) or not methods or any(m not in HTTP_METHODS for m in methods):
                raise invalid(f"triggerConfig.methods {methods!r} is invalid: a non-empty list of {list(HTTP_METHODS)}")
        elif trigger_type == "timer":
            if not isinstance(config.get("cronExpression"), str) or not config["cronExpression"].strip():
                raise invalid("triggerConfig.cronExpression is required for a timer trigger")
        elif trigger_type in _SOURCE_ARN_REQUIRED and not source_arn:
            raise invalid(f"sourceArn is required for a {trigger_type} trigger")

    def create_trigger(self, service: str, function: str, req: CreateTriggerRequest) -> TriggerRecord:
        svc = self.service(service)
        fn = self.function(service, function)
        qualifier = req.qualifier or LATEST
        config = dict(req.trigger_config or {})
        self._check_trigger_config(req.trigger_type, config, req.source_arn)
        if req.trigger_name in fn.triggers:
            raise FakeApiError(
                409, "TriggerAlreadyExists", f"trigger '{req.trigger_name}' already exists in function '{function}'"
            )
        self._check_qualifier(svc, qualifier)
        now = self.ids.now()
        record = TriggerRecord(
            name=req.trigger_name, trigger_id=self.ids.uuid(), trigger_type=req.trigger_type, qualifier=qualifier,
            source_arn=None if req.trigger_type == "http" else req.source_arn,  # FC: null for http, whatever sent
            invocation_role=req.invocation_role, config=config,
            description=req.description or "", created=now, modified=now, etag=self.ids.etag(),
        )
        fn.triggers[req.trigger_name] = record
        return record

    def update_trigger(self, service: str, function: str, name: str, req: UpdateTriggerRequest) -> TriggerRecord:
        svc = self.service(service)
        record = self.trigger(service, function, name)
        config = dict(req.trigger_config) if req.trigger_config is not None else record.config
        self._check_trigger_config(record.trigger_type, config, record.source_arn)
        qualifier = req.qualifier or record.qualifier
        self._check_qualifier(svc, qualifier)
        record.config = config
        record.qualifier = qualifier
        if req.invocation_role is not None:
            record.invocation_role = req.invocation_role
        if req.description is not None:
            record.description = req.description
        record.modified = self.ids.now()
        record.etag = self.ids.etag()
        return record

    def delete_trigger(self, service: str, function: str, name: str) -> None:
        self.trigger(service, function, name)
        del self.function(service, function).triggers[name]

    def list_triggers(self, service: str, function: str, page: NamePage) -> PageResult[TriggerRecord]:
        fn = self.function(service, function)
        return page_by_name(list(fn.triggers.values()), lambda t: t.name, page)

    def http_trigger(self, service: str, qualifier: str, function: str) -> TriggerRecord:
        """The function's http trigger bound to exactly this qualifier."""
        fn = self.function(service, function)
        for trigger in fn.triggers.values():
            if trigger.trigger_type == "http" and trigger.qualifier == qualifier:
                return trigger
        raise FakeApiError(
            404, "TriggerNotFound",
            f"function '{function}' of service '{service}' has no http trigger with qualifier '{qualifier}'",
        )

    # ---------------------------------------------------------------------------------------------- state
    def to_dict(self) -> dict[str, Any]:
        return {"services": {n: s.to_dict() for n, s in self.services.items()}}

    def load(self, data: dict[str, Any]) -> None:
        self.services = {n: ServiceRecord.from_dict(s) for n, s in data.get("services", {}).items()}


class FcBackend:
    """The fake's whole state: a :class:`RegionBackend` per (account, region), created on first use."""

    STATE_FORMAT = 1

    def __init__(self, seed: int | None = None, clock: Callable[[], float] = time.time) -> None:
        self.seed = seed
        self.ids = Ids(seed, clock)
        self.rng = random.Random(seed)  # weighted alias routing
        self.regions: dict[tuple[str, str], RegionBackend] = {}

    def region(self, account_id: str, region: str) -> RegionBackend:
        """The (account, region) state, created empty on first use like a fresh FC region."""
        key = (account_id, region)
        found = self.regions.get(key)
        if found is None:
            found = self.regions[key] = RegionBackend(account_id, region, self.ids, self.rng)
        return found

    def reset(self) -> None:
        """Forget everything and restart ids and randomness from the seed (for test isolation)."""
        self.regions.clear()
        self.ids = Ids(self.seed, self.ids.clock)
        self.rng.seed(self.seed)

    def dump_state(self) -> dict[str, Any]:
        """All regions as plain data with a format marker, for the emulator's state file."""
        return {
            "format": self.STATE_FORMAT,
            "regions": [
                {"account_id": acct, "region": reg, **backend.to_dict()}
                for (acct, reg), backend in sorted(self.regions.items())
            ],
        }

    def load_state(self, data: dict[str, Any]) -> None:
        """Replace all regions from a dump; anything malformed raises before the state changes."""
        if not isinstance(data, dict) or data.get("format") != self.STATE_FORMAT:
            raise ValueError(f"not a fake FC state (expected format {self.STATE_FORMAT})")
        regions: dict[tuple[str, str], RegionBackend] = {}
        for entry in data.get("regions", []):
            backend = RegionBackend(entry["account_id"], entry["region"], self.ids, self.rng)
            backend.load(entry)
            regions[(backend.account_id, backend.region)] = backend
        self.regions = regions
