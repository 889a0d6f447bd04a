"""FC 3.0's rules over in-memory state, one :class:`Fc3Backend` per (account, region). Typed, no HTTP.

Every operation validates fully before it changes anything (a rejected request leaves the state as it was).
The rules (FC3.md §7, FC's "manage versions" docs; fcinfra's choices where FC's docs are silent are marked):

* functions are first-level; each has LATEST (its live code + config, always present, never deletable);
* versions are per function: ``"1"``, ``"2"``... in publish order, immutable snapshots of code + config (never
  triggers), numbers never reused, even after a delete;
* publishing when LATEST's code and config equal those of the last publish fails (400 ``VersionPublishError``,
  "No changes were made since last publish", FC 2.0's wording; FC 3.0's is UNCONFIRMED);
* an alias points at a version (or LATEST) plus at most one additional version with a weight in [0, 1], never
  the main version itself; the additional version must exist; ``additionalVersionWeight`` absent on update
  keeps the weights, ``{}`` clears them; aliases carry an ETag and honour ``If-Match`` (412 when stale);
* a version may be deleted while an alias or trigger still uses it (FC's docs: "remove aliases first");
  calls through them then answer 404 ``VersionNotFound``;
* a trigger is bound to a qualifier (LATEST when none is given) that must exist when it is bound; one HTTP
  trigger per qualifier; a function with triggers cannot be deleted (``FunctionNotEmpty``);
* ``GetFunction?qualifier=<version>`` answers the snapshot with the *version's* description (what the
  alicloud provider's ``V3FunctionVersion`` reads back);
* an alias routes to its additional version with probability ``weight`` (injectable RNG);
* lists: ``limit`` 1-100 (default 20), ``prefix``; ``nextToken`` is the first key of the next page (a version
  number for versions, as FC's sample answer ``"nextToken": "3"``); versions BACKWARD (newest first) by default.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import hashlib
import io
import json
import random
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fcinfra.fake.backend import Ids
from fcinfra.fake.fc3.errors import (
    FakeApiError,
    alias_not_found,
    already_exists,
    function_not_found,
    invalid,
    precondition_failed,
    trigger_not_found,
    version_not_found,
)
from fcinfra.fake.fc3.records import LATEST, AliasRecord, FunctionRecord, TriggerRecord, VersionRecord
from fcinfra.fake.paging import parse_limit
from fcinfra.fc.crc64 import checksum
from fcinfra.fc.tagging import check_count, check_tags
from fcinfra.fc3.models import (
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateTriggerRequest,
    PublishVersionRequest,
    UpdateAliasRequest,
    UpdateFunctionRequest,
    UpdateTriggerRequest,
)

NO_CHANGES_MESSAGE = "No changes were made since last publish"

_FUNCTION_DEFAULTS: dict[str, Any] = {
    "description": "",
    "timeout": 3,
    "memorySize": 128,
    "cpu": 0.1,
    "diskSize": 512,
    "instanceConcurrency": 1,
    "internetAccess": True,
    "role": "",
    "environmentVariables": {},
    "layers": [],
    "logConfig": {},
    "vpcConfig": {},
}

TRIGGER_PATH = "/fcapp/"  # where a server that is not *.fcapp.run (the emulator) serves HTTP triggers


def domain_prefix(function: str, trigger_id: str) -> str:
    """The first label of an HTTP trigger's host: ``{function}-{10 hex of its id}`` (FC's rule is UNCONFIRMED)."""
    return f"{function.lower().replace('_', '-')}-{trigger_id.replace('-', '')[:10]}"


def trigger_urls(prefix: str, region: str, base: str | None) -> tuple[str, str]:
    """(internet, intranet) URLs: FC 3.0's ``https://{prefix}.{region}.fcapp.run`` (and ``-vpc``), or, when the
    API was reached at ``base`` (the emulator's ``http://127.0.0.1:PORT``), ``{base}/fcapp/{prefix}`` for both."""
    if base:
        return f"{base}{TRIGGER_PATH}{prefix}", f"{base}{TRIGGER_PATH}{prefix}"
    return f"https://{prefix}.{region}.fcapp.run", f"https://{prefix}.{region}-vpc.fcapp.run"


def decode_code(code: Mapping[str, Any] | None) -> bytes | None:
    """The zip bytes of a ``code`` object; the fake has no OSS, so only ``zipFile`` is accepted."""
    if code is None:
        return None
    if code.get("zipFile") is None:
        raise invalid("code from OSS is not supported by the fake: send the package as code.zipFile")
    try:
        data = base64.b64decode(code["zipFile"], validate=True)
    except (binascii.Error, ValueError):
        raise invalid("code.zipFile is not valid base64") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise invalid("code.zipFile is not a valid zip file")
    return data


def _digest(config: Mapping[str, Any], code: bytes) -> str:
    text = json.dumps(config, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(text + b"\0" + code).hexdigest()


@dataclass(frozen=True)
class Page:
    """One page of a List* answer (wire items) and the token of the next one (None on the last page)."""

    items: list[dict[str, Any]]
    next_token: str | None


@dataclass(frozen=True)
class Resolved:
    """What a qualifier resolved to: the version that runs (``"LATEST"`` or a number) and its code + config."""

    qualifier: str  # as asked (LATEST when none was given)
    version: str
    config: dict[str, Any]
    code: bytes
    function: str


class Fc3Backend:
    """All FC 3.0 functions of one account in one region."""

    def __init__(
        self,
        account_id: str,
        region: str,
        ids: Ids | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.ids = ids if ids is not None else Ids()
        self.rng = rng if rng is not None else random.Random()
        self.functions: dict[str, FunctionRecord] = {}

    # -------------------------------------------------------------------------------------------- lookups
    def function(self, name: str) -> FunctionRecord:
        record = self.functions.get(name)
        if record is None:
            raise function_not_found(name)
        return record

    def _version(self, fn: FunctionRecord, version_id: str) -> VersionRecord:
        record = fn.versions.get(int(version_id)) if version_id.isdigit() else None
        if record is None:
            raise version_not_found(fn.name, version_id)
        return record

    def _alias(self, fn: FunctionRecord, name: str) -> AliasRecord:
        record = fn.aliases.get(name)
        if record is None:
            raise alias_not_found(fn.name, name)
        return record

    def _trigger(self, fn: FunctionRecord, name: str) -> TriggerRecord:
        record = fn.triggers.get(name)
        if record is None:
            raise trigger_not_found(fn.name, name)
        return record

    def _check_qualifier_exists(self, fn: FunctionRecord, qualifier: str) -> None:
        if qualifier == LATEST:
            return
        if qualifier.isdigit():
            self._version(fn, qualifier)
        else:
            self._alias(fn, qualifier)

    def resolve(self, function: str, qualifier: str | None) -> Resolved:
        """LATEST -> live; a number -> its snapshot; an alias -> its main or (with probability w) additional version."""
        fn = self.function(function)
        asked = qualifier or LATEST
        target = asked
        if asked != LATEST and not asked.isdigit():
            alias = self._alias(fn, asked)
            target = alias.version_id
            for extra, weight in alias.weights.items():
                if self.rng.random() < weight:
                    target = extra
        if target == LATEST:
            return Resolved(asked, LATEST, copy.deepcopy(fn.config), fn.code, fn.name)
        version = self._version(fn, target)
        return Resolved(asked, version.version_id, copy.deepcopy(version.config), version.code, fn.name)

    # ------------------------------------------------------------------------------------------ functions
    def _function_wire(self, fn: FunctionRecord, config: Mapping[str, Any], code: bytes) -> dict[str, Any]:
        return {
            "functionName": fn.name,
            "functionId": fn.function_id,
            "functionArn": fn.arn,
            **copy.deepcopy(dict(config)),
            "codeSize": len(code),
            "codeChecksum": checksum(code),
            "state": "Active",
            "lastUpdateStatus": "Successful",
            "createdTime": fn.created,
            "lastModifiedTime": fn.modified,
            "tags": [{"Key": k, "Value": v} for k, v in sorted(fn.tags.items())],
        }

    def create_function(self, req: CreateFunctionRequest, tags: list[Any] | None = None) -> dict[str, Any]:
        """``tags``: CreateFunctionInput's ``tags`` (``[{"Key", "Value"}]``; the alicloud provider spells the field
        ``Tags``), checked like TagResources' before anything is created."""
        if req.function_name in self.functions:
            raise already_exists("Function", req.function_name)
        pairs = _tag_pairs(tags or [])
        code = decode_code(req.code.to_wire() if req.code else None) or b""
        config = {**copy.deepcopy(_FUNCTION_DEFAULTS), **req.to_wire()}
        config.pop("functionName", None)
        config.pop("code", None)
        now = self.ids.now()
        fn = FunctionRecord(
            name=req.function_name,
            function_id=self.ids.uuid(),
            arn=f"acs:fc:{self.region}:{self.account_id}:functions/{req.function_name}",
            config=config,
            code=code,
            created=now,
            modified=now,
        )
        fn.tags.update(pairs)
        self.functions[fn.name] = fn
        return self._function_wire(fn, fn.config, fn.code)

    def get_function(self, name: str, qualifier: str | None = None) -> dict[str, Any]:
        fn = self.function(name)
        resolved_id = self._main_target(fn, qualifier)
        if resolved_id == LATEST:
            return self._function_wire(fn, fn.config, fn.code)
        version = self._version(fn, resolved_id)
        wire = self._function_wire(fn, version.config, version.code)
        wire.update(description=version.description, lastModifiedTime=version.created)
        return wire

    def update_function(self, name: str, req: UpdateFunctionRequest) -> dict[str, Any]:
        fn = self.function(name)
        changes = req.to_wire()
        code = decode_code(changes.pop("code", None))
        fn.config.update(copy.deepcopy(changes))
        if code is not None:
            fn.code = code
        fn.modified = self.ids.now()
        return self._function_wire(fn, fn.config, fn.code)

    def delete_function(self, name: str) -> None:
        fn = self.function(name)
        if fn.triggers:
            raise FakeApiError(400, "FunctionNotEmpty", f"function '{name}' has active triggers")
        del self.functions[name]

    def list_functions(self, query: Mapping[str, str]) -> Page:
        items = [self._function_wire(fn, fn.config, fn.code) for fn in self.functions.values()]
        return _page_by_name(items, "functionName", query)

    def function_code(self, name: str, qualifier: str | None) -> tuple[bytes, str]:
        """The code (and its checksum) at a qualifier (an alias: its main version), for GetFunctionCode."""
        fn = self.function(name)
        target = self._main_target(fn, qualifier)
        code = fn.code if target == LATEST else self._version(fn, target).code
        return code, checksum(code)

    def _main_target(self, fn: FunctionRecord, qualifier: str | None) -> str:
        """LATEST or a version number: an alias is read through its main version (no weighted routing)."""
        if not qualifier or qualifier == LATEST or qualifier.isdigit():
            return qualifier or LATEST
        return self._alias(fn, qualifier).version_id

    # ----------------------------------------------------------------------------------------------- tags
    def _tagged(self, resource_type: str | None, arns: list[str]) -> list[FunctionRecord]:
        """The functions named by ARN (``acs:fc:{region}:{account}:functions/{name}``); only functions are taggable."""
        if (resource_type or "function").lower() not in ("function", "aliyun::fc::function"):
            raise invalid(f"ResourceType {resource_type!r} is invalid: only 'function' can be tagged")
        by_arn = {fn.arn: fn for fn in self.functions.values()}
        found = []
        for arn in arns:
            if arn not in by_arn:
                raise function_not_found(arn.rsplit("/", 1)[-1])
            found.append(by_arn[arn])
        return found

    def tag_resources(self, resource_type: str | None, arns: list[str], tags: list[dict[str, Any]]) -> None:
        functions = self._tagged(resource_type, arns)
        pairs = _tag_pairs(tags)
        try:  # FC's limits (fcinfra.fc.tagging): checked for every function before any is changed
            for fn in functions:
                check_count(fn.tags, pairs)
        except ValueError as exc:
            raise invalid(str(exc)) from None
        for fn in functions:
            fn.tags.update(pairs)

    def untag_resources(self, resource_type: str | None, arns: list[str], keys: list[str], remove_all: bool) -> None:
        for fn in self._tagged(resource_type, arns):
            if remove_all:
                fn.tags.clear()
            for key in keys:
                fn.tags.pop(key, None)

    def list_tag_resources(self, resource_type: str | None, arns: list[str]) -> list[dict[str, str]]:
        functions = self._tagged(resource_type, arns) if arns else list(self.functions.values())
        return [
            {"ResourceId": fn.arn, "ResourceType": "ALIYUN::FC::FUNCTION", "TagKey": k, "TagValue": v}
            for fn in sorted(functions, key=lambda f: f.name)
            for k, v in sorted(fn.tags.items())
        ]

    # ------------------------------------------------------------------------------------------- versions
    def publish_version(self, function: str, req: PublishVersionRequest) -> dict[str, Any]:
        fn = self.function(function)
        digest = _digest(fn.config, fn.code)
        if digest == fn.published_digest:
            raise FakeApiError(400, "VersionPublishError", f"{NO_CHANGES_MESSAGE} of function '{function}'")
        version = VersionRecord(
            version_id=str(fn.next_version),
            description=req.description or "",
            config=copy.deepcopy(fn.config),
            code=fn.code,
            created=self.ids.now(),
        )
        fn.versions[fn.next_version] = version
        fn.next_version += 1
        fn.published_digest = digest
        return version.wire()

    def list_versions(self, function: str, query: Mapping[str, str]) -> tuple[Page, str]:
        """A page of versions and the direction used (BACKWARD, newest first, by default)."""
        fn = self.function(function)
        limit = parse_limit(query.get("limit"))
        direction = (query.get("direction") or "BACKWARD").upper()
        if direction not in ("BACKWARD", "FORWARD"):
            raise invalid(f"direction {query.get('direction')!r} is invalid: use BACKWARD or FORWARD")
        backward = direction == "BACKWARD"
        numbers = sorted(fn.versions, reverse=backward)
        token = query.get("nextToken")
        if token:
            if not token.isdigit():
                raise invalid(f"nextToken {token!r} is invalid: pass back the nextToken of a previous answer")
            bound = int(token)
            numbers = [n for n in numbers if (n <= bound if backward else n >= bound)]
        page = [fn.versions[n].wire() for n in numbers[:limit]]
        next_token = str(numbers[limit]) if len(numbers) > limit else None
        return Page(page, next_token), direction

    def delete_version(self, function: str, version_id: str) -> None:
        fn = self.function(function)
        if version_id == LATEST:
            raise invalid("LATEST cannot be deleted")
        version = self._version(fn, version_id)
        del fn.versions[int(version.version_id)]

    # -------------------------------------------------------------------------------------------- aliases
    def _check_weights(self, fn: FunctionRecord, main: str, weights: Mapping[str, float]) -> None:
        for extra in weights:
            if extra == main:
                raise invalid(f"additionalVersionWeight {dict(weights)} should not contain major version {main}")
            self._version(fn, extra)

    def create_alias(self, function: str, req: CreateAliasRequest) -> tuple[dict[str, Any], str]:
        fn = self.function(function)
        if req.alias_name in fn.aliases:
            raise already_exists("Alias", req.alias_name, function)
        if req.version_id != LATEST:
            self._version(fn, req.version_id)
        weights = dict(req.additional_version_weight or {})
        self._check_weights(fn, req.version_id, weights)
        now = self.ids.now()
        alias = AliasRecord(req.alias_name, req.version_id, req.description or "", weights, now, now, self.ids.etag())
        fn.aliases[alias.name] = alias
        return alias.wire(), alias.etag

    def get_alias(self, function: str, name: str) -> tuple[dict[str, Any], str]:
        alias = self._alias(self.function(function), name)
        return alias.wire(), alias.etag

    def update_alias(
        self, function: str, name: str, req: UpdateAliasRequest, if_match: str | None = None
    ) -> tuple[dict[str, Any], str]:
        fn = self.function(function)
        alias = self._alias(fn, name)
        if if_match is not None and if_match.strip().strip('"') != alias.etag:
            raise precondition_failed()
        main = req.version_id if req.version_id is not None else alias.version_id
        weights = dict(req.additional_version_weight) if req.additional_version_weight is not None else alias.weights
        if main != LATEST:
            self._version(fn, main)
        self._check_weights(fn, main, weights)
        alias.version_id = main
        alias.weights = dict(weights)
        if req.description is not None:
            alias.description = req.description
        alias.modified = self.ids.now()
        alias.etag = self.ids.etag()
        return alias.wire(), alias.etag

    def delete_alias(self, function: str, name: str) -> None:
        fn = self.function(function)
        self._alias(fn, name)
        del fn.aliases[name]

    def list_aliases(self, function: str, query: Mapping[str, str]) -> Page:
        fn = self.function(function)
        return _page_by_name([a.wire() for a in fn.aliases.values()], "aliasName", query)

    # ------------------------------------------------------------------------------------------- triggers
    def _trigger_wire(self, fn: FunctionRecord, trigger: TriggerRecord, base: str | None = None) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "triggerName": trigger.name,
            "triggerId": trigger.trigger_id,
            "triggerType": trigger.trigger_type,
            "triggerConfig": json.dumps(trigger.config, separators=(",", ":")),
            "qualifier": trigger.qualifier,
            "sourceArn": trigger.source_arn,
            "invocationRole": trigger.invocation_role,
            "description": trigger.description,
            "status": "OK",
            "targetArn": fn.arn,
            "createdTime": trigger.created,
            "lastModifiedTime": trigger.modified,
        }
        if trigger.domain_prefix:
            internet, intranet = trigger_urls(trigger.domain_prefix, self.region, base)
            wire["httpTrigger"] = {"urlInternet": internet, "urlIntranet": intranet}
        return wire

    def _check_one_http_trigger(self, fn: FunctionRecord, qualifier: str, trigger_type: str, name: str) -> None:
        if trigger_type != "http":
            return
        for other in fn.triggers.values():
            if other.trigger_type == "http" and other.qualifier == qualifier and other.name != name:
                raise invalid(
                    f"qualifier '{qualifier}' of function '{fn.name}' already has HTTP trigger '{other.name}': "
                    "a version or alias can have only one HTTP trigger"
                )

    def create_trigger(self, function: str, req: CreateTriggerRequest, base: str | None = None) -> dict[str, Any]:
        """Bind a new trigger to its qualifier. ``base``: where the API was reached, for the URLs (see trigger_urls)."""
        fn = self.function(function)
        if req.trigger_name in fn.triggers:
            raise already_exists("Trigger", req.trigger_name, function)
        qualifier = req.qualifier or LATEST
        self._check_qualifier_exists(fn, qualifier)
        self._check_one_http_trigger(fn, qualifier, req.trigger_type, req.trigger_name)
        config = json.loads(req.trigger_config)
        if req.trigger_type == "http":
            config.setdefault("authType", "function")
            config.setdefault("methods", ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"])
        trigger_id = self.ids.uuid()
        now = self.ids.now()
        trigger = TriggerRecord(
            name=req.trigger_name,
            trigger_id=trigger_id,
            trigger_type=req.trigger_type,
            qualifier=qualifier,
            config=config,
            source_arn=req.source_arn,
            invocation_role=req.invocation_role,
            description=req.description or "",
            domain_prefix=domain_prefix(fn.name, trigger_id) if req.trigger_type == "http" else None,
            created=now,
            modified=now,
        )
        fn.triggers[trigger.name] = trigger
        return self._trigger_wire(fn, trigger, base)

    def get_trigger(self, function: str, name: str, base: str | None = None) -> dict[str, Any]:
        fn = self.function(function)
        return self._trigger_wire(fn, self._trigger(fn, name), base)

    def update_trigger(
        self, function: str, name: str, req: UpdateTriggerRequest, base: str | None = None
    ) -> dict[str, Any]:
        fn = self.function(function)
        trigger = self._trigger(fn, name)
        qualifier = req.qualifier if req.qualifier is not None else trigger.qualifier
        self._check_qualifier_exists(fn, qualifier)
        self._check_one_http_trigger(fn, qualifier, trigger.trigger_type, name)
        if req.trigger_config is not None:
            trigger.config = {**trigger.config, **json.loads(req.trigger_config)}
        trigger.qualifier = qualifier
        if req.invocation_role is not None:
            trigger.invocation_role = req.invocation_role
        if req.description is not None:
            trigger.description = req.description
        trigger.modified = self.ids.now()
        return self._trigger_wire(fn, trigger, base)

    def delete_trigger(self, function: str, name: str) -> None:
        fn = self.function(function)
        self._trigger(fn, name)
        del fn.triggers[name]

    def list_triggers(self, function: str, query: Mapping[str, str], base: str | None = None) -> Page:
        fn = self.function(function)
        return _page_by_name([self._trigger_wire(fn, t, base) for t in fn.triggers.values()], "triggerName", query)

    def dump_state(self) -> dict[str, Any]:
        """Every function of this (account, region) as plain JSON-able data."""
        return {"functions": [dump_function(fn) for fn in self.functions.values()]}

    def load_state(self, data: Mapping[str, Any]) -> None:
        """Replace all functions with a dump; a malformed dump raises ValueError before anything changes."""
        try:
            loaded = {fn.name: fn for fn in map(load_function, data.get("functions") or [])}
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise ValueError(f"the FC 3.0 state is malformed: {exc!r}") from None
        self.functions = loaded

    def http_trigger(self, prefix: str) -> tuple[FunctionRecord, TriggerRecord] | None:
        """The HTTP trigger whose host starts with ``prefix`` (how trigger URLs are routed), or None."""
        for fn in self.functions.values():
            for trigger in fn.triggers.values():
                if trigger.domain_prefix == prefix:
                    return fn, trigger
        return None


def _tag_pairs(tags: list[Any]) -> dict[str, str]:
    """``[{"Key", "Value"}]`` (either case) as ``{key: value}``, each within FC's limits (``fcinfra.fc.tagging``,
    at most MAX_TAGS of them); a bad one refuses the whole call."""
    pairs: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, Mapping):
            raise invalid(f"tag {tag!r} is invalid: each tag is {{\"Key\": ..., \"Value\": ...}}")
        fields = {str(k).lower(): v for k, v in tag.items()}
        pairs[str(fields.get("key") or "")] = str(fields.get("value") or "")
    try:
        check_tags(pairs, allow_empty=True)
        check_count({}, pairs)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    return pairs


def dump_function(fn: FunctionRecord) -> dict[str, Any]:
    """A function's whole state as JSON-able data (code as base64)."""
    data = dataclasses.asdict(fn)
    data["code"] = base64.b64encode(fn.code).decode("ascii")
    data["versions"] = {
        str(n): {**dataclasses.asdict(v), "code": base64.b64encode(v.code).decode("ascii")}
        for n, v in fn.versions.items()
    }
    return data


def load_function(data: Mapping[str, Any]) -> FunctionRecord:
    """The inverse of ``dump_function``; a malformed dump raises ``KeyError``/``TypeError``/``ValueError``."""
    fields = dict(data)
    fields["code"] = base64.b64decode(fields["code"])
    fields["versions"] = {
        int(n): VersionRecord(**{**v, "code": base64.b64decode(v["code"])}) for n, v in data["versions"].items()
    }
    fields["aliases"] = {k: AliasRecord(**v) for k, v in data["aliases"].items()}
    fields["triggers"] = {k: TriggerRecord(**v) for k, v in data["triggers"].items()}
    return FunctionRecord(**fields)


def _page_by_name(items: list[dict[str, Any]], key: str, query: Mapping[str, str]) -> Page:
    """Items ordered by name, filtered by ``prefix``; ``nextToken`` is the first name of the next page."""
    limit = parse_limit(query.get("limit"))
    prefix = query.get("prefix") or ""
    lower = query.get("nextToken") or ""
    selected = sorted(
        (item for item in items if item[key].startswith(prefix) and item[key] >= lower), key=lambda item: item[key]
    )
    if len(selected) > limit:
        return Page(selected[:limit], selected[limit][key])
    return Page(selected, None)
