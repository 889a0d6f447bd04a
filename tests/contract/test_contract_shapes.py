"""Issue 9 item 6: every operation the fake serves answers in FC 2.0's documented shape.

The judge is ``tests/fixtures/shapes/<Operation>.json``: the answer's status, the headers FC documents, and a JSON
Schema of the body (every documented key present with its documented type, null only where FC documents null,
no other key), each file citing the FC API reference page and field table (and the SDK struct) it comes from.
Alibaba's own Python SDK (``aliyun-fc2``) drives one scenario that reaches every route, once against
``mock_fc`` and once over loopback against the emulator; every raw answer is checked against its fixture.
Keys FC's docs do not settle carry ``x-choice`` in the fixture and must be recorded in ``docs/fake.md``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import fc2
import fc2.client
import jsonschema
import pytest
import requests

from fcinfra.fake import mock_fc
from fcinfra.fake.routes import OPERATIONS, match
from fcinfra.fake.server import Emulator
from fcinfra.fc.crc64 import checksum
from tests.contract.conftest import ACCOUNT, AK, REGION, SK, zip_bytes

# aliyun-fc2 opens ``codeZipFile`` and never closes it (fc2/client.py, create_function and update_function);
# pytest runs with filterwarnings = error, so that one third-party leak is let through here, and only here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <_io.FileIO name='[^']*code\\.zip' mode='rb':pytest.PytestUnraisableExceptionWarning"
)

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "tests" / "fixtures" / "shapes"
FAKE_DOC = ROOT / "docs" / "fake.md"
STRUCTS: dict[str, Any] = json.loads((SHAPES / "_structs.json").read_text())["$defs"]
FIXTURES: dict[str, dict[str, Any]] = {
    p.stem: json.loads(p.read_text()) for p in sorted(SHAPES.glob("*.json")) if not p.name.startswith("_")
}

# A handler that answers both ways FC 2.0 may call it: as a WSGI app (HTTP trigger) or as an event function.
CODE = zip_bytes({"index.py": (
    "def handler(event, context):\n"
    "    if callable(context):\n"
    "        context('200 OK', [('Content-Type', 'text/plain')])\n"
    "        return [b'hello web']\n"
    "    return 'hello event'\n"
    "def boom(event, context):\n"
    "    raise ValueError('boom')\n"
)})


def _event_or_wsgi(event: Any, context: Any) -> Any:
    if callable(context):
        context("200 OK", [("Content-Type", "text/plain")])
        return [b"hello web"]
    return "hello event"


def _boom(event: Any, context: Any) -> Any:
    raise ValueError("boom")


# --------------------------------------------------------------------------------------------- the judge


def _body_errors(schema: dict[str, Any], body: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator({**schema, "$defs": STRUCTS})
    return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
            for e in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))]


def shape_errors(case: dict[str, Any], resp: requests.Response) -> list[str]:
    """Every way one raw answer differs from its fixture case (empty when it matches)."""
    errors: list[str] = []
    if resp.status_code != case["status"]:
        errors.append(f"status {resp.status_code}, expected {case['status']}")
    headers = case.get("headers", {})
    for name in headers.get("required", []):
        if not resp.headers.get(name):
            errors.append(f"header {name} missing or empty")
    for name in headers.get("absent", []):
        if name in resp.headers:
            errors.append(f"header {name} present ({resp.headers[name]!r}) where FC sends none")
    for name, pattern in headers.get("patterns", {}).items():
        if not re.search(pattern, resp.headers.get(name, "")):
            errors.append(f"header {name}={resp.headers.get(name)!r} does not match {pattern!r}")
    body = case["body"]
    if body is None:
        if resp.content:
            errors.append(f"body {resp.content[:80]!r}, expected none")
    elif body == "zip":
        if not zipfile.is_zipfile(io.BytesIO(resp.content)):
            errors.append("body is not a zip package")
    elif body != "bytes":
        try:
            decoded = json.loads(resp.content)
        except ValueError:
            return [*errors, f"body is not JSON: {resp.content[:80]!r}"]
        errors.extend(_body_errors(body, decoded))
    return errors


# ------------------------------------------------------------------------------------ the official client


class Recorder:
    """Labels every raw answer aliyun-fc2 receives with the FC operation (and fixture case) being called."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[requests.Response]] = defaultdict(list)
        self._label: tuple[str, str] | None = None
        self._send = fc2.client.requestWithTry

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        resp: requests.Response = self._send(method, url, **kwargs)
        if self._label is not None:
            self.answers[self._label].append(resp)
        return resp

    def call(self, operation: str, fn: Callable[..., Any], *args: Any, case: str = "ok",
             raises: bool = False, **kwargs: Any) -> Any:
        self._label = (operation, case)
        try:
            if raises:
                with pytest.raises(fc2.FcError):
                    fn(*args, **kwargs)
                return None
            return fn(*args, **kwargs)
        finally:
            self._label = None

    def record(self, operation: str, resp: requests.Response, case: str = "ok") -> None:
        self.answers[(operation, case)].append(resp)


def run_scenario(client: fc2.Client, code_zip: Path) -> Recorder:
    """One walk through every route, with the official SDK; every answer is recorded under its operation."""
    rec = Recorder()
    with mock.patch.object(fc2.client, "requestWithTry", rec.send):
        _scenario(client, code_zip, rec)
    return rec


def _scenario(c: fc2.Client, code_zip: Path, rec: Recorder) -> None:
    zip_path = str(code_zip)
    rec.call("CreateService", c.create_service, "shapes", description="shapes",
             logConfig={"project": "proj", "logstore": "store"},
             vpcConfig={"vpcId": "vpc-1", "vSwitchIds": ["vsw-1"], "securityGroupId": "sg-1"})
    rec.call("CreateService", c.create_service, "shapes-empty")
    rec.call("GetService", c.get_service, "shapes")
    rec.call("UpdateService", c.update_service, "shapes", description="shapes, updated")
    first = rec.call("ListServices", c.list_services, limit=1).data
    rec.call("ListServices", c.list_services, limit=1, nextToken=first["nextToken"])

    rec.call("CreateFunction", c.create_function, "shapes", "fn", "python3.10", "index.handler",
             codeZipFile=zip_path, environmentVariables={"STAGE": "dev"}, memorySize=128, timeout=3)
    rec.call("CreateFunction", c.create_function, "shapes", "boom", "python3.10", "index.boom", codeZipFile=zip_path,
             initializer="index.init", instanceConcurrency=2, instanceType="e1")
    rec.call("CreateFunction", c.create_function, "shapes", "web", "custom-container", "not-used",
             customContainerConfig={"image": "registry.cn-hangzhou.aliyuncs.com/demo/web:v1", "command": '["/server"]',
                                    "args": '["--port", "9000"]'}, caPort=9000, memorySize=512)
    rec.call("GetFunction", c.get_function, "shapes", "fn")
    rec.call("GetFunction", c.get_function, "shapes", "web")
    rec.call("UpdateFunction", c.update_function, "shapes", "fn",
             description="fn, updated", codeZipFile=zip_path)
    first = rec.call("ListFunctions", c.list_functions, "shapes", limit=1).data
    rec.call("ListFunctions", c.list_functions, "shapes", limit=1, nextToken=first["nextToken"])
    code = rec.call("GetFunctionCode", c.get_function_code, "shapes", "fn").data
    rec.record("DownloadFunctionCode", requests.get(code["url"], timeout=10))

    rec.call("InvokeFunction", c.invoke_function, "shapes", "fn", payload=b"{}", case="sync")
    rec.call("InvokeFunction", c.invoke_function, "shapes", "fn", payload=b"{}", case="tail",
             headers={"x-fc-log-type": "Tail"})
    rec.call("InvokeFunction", c.invoke_function, "shapes", "fn", payload=b"{}", case="async",
             headers={"x-fc-invocation-type": "Async"})
    rec.call("InvokeFunction", c.invoke_function, "shapes", "boom", payload=b"{}", case="function_error", raises=True)

    rec.call("PublishServiceVersion", c.publish_version, "shapes", description="v1")
    rec.call("UpdateFunction", c.update_function, "shapes", "fn", description="v2")
    rec.call("PublishServiceVersion", c.publish_version, "shapes", description="v2")
    rec.call("GetService", c.get_service, "shapes", qualifier="1")
    rec.call("GetFunction", c.get_function, "shapes", "fn", qualifier="1")
    rec.call("ListFunctions", c.list_functions, "shapes", qualifier="1")
    rec.call("InvokeFunction", c.invoke_function, "shapes", "fn", payload=b"{}", qualifier="1", case="sync")
    first = rec.call("ListServiceVersions", c.list_versions, "shapes", limit=1).data
    rec.call("ListServiceVersions", c.list_versions, "shapes", limit=1, nextToken=first["nextToken"])
    rec.call("ListServiceVersions", c.list_versions, "shapes", direction="FORWARD")

    rec.call("CreateAlias", c.create_alias, "shapes", "prod", "1", description="prod",
             additionalVersionWeight={"2": 0.25})
    rec.call("CreateAlias", c.create_alias, "shapes", "stable", "2")
    rec.call("GetAlias", c.get_alias, "shapes", "prod")
    rec.call("GetAlias", c.get_alias, "shapes", "stable")
    rec.call("UpdateAlias", c.update_alias, "shapes", "prod", "2", additionalVersionWeight={})
    first = rec.call("ListAliases", c.list_aliases, "shapes", limit=1).data
    rec.call("ListAliases", c.list_aliases, "shapes", limit=1, nextToken=first["nextToken"])
    rec.call("InvokeFunction", c.invoke_function, "shapes", "fn", payload=b"{}", qualifier="prod", case="sync")

    rec.call("CreateTrigger", c.create_trigger, "shapes", "fn", "web", "http",
             {"authType": "anonymous", "methods": ["GET", "POST"]}, None, None, qualifier="prod")
    rec.call("CreateTrigger", c.create_trigger, "shapes", "fn", "tick", "timer",
             {"cronExpression": "@every 5m", "enable": True, "payload": "tick"}, None, None)
    rec.call("GetTrigger", c.get_trigger, "shapes", "fn", "web")
    rec.call("GetTrigger", c.get_trigger, "shapes", "fn", "tick")
    rec.call("UpdateTrigger", c.update_trigger, "shapes", "fn", "tick",
             triggerConfig={"cronExpression": "@every 10m", "enable": False, "payload": "tock"})
    first = rec.call("ListTriggers", c.list_triggers, "shapes", "fn", limit=1).data
    rec.call("ListTriggers", c.list_triggers, "shapes", "fn", limit=1, nextToken=first["nextToken"])
    rec.call("HttpTriggerInvoke", c.do_http_request, "GET", "shapes.prod", "fn", "/hello", params={"a": "1"})
    rec.call("CreateTrigger", c.create_trigger, "shapes", "boom", "boom-web", "http",
             {"authType": "anonymous", "methods": ["POST"]}, None, None)
    rec.call("HttpTriggerInvoke", c.do_http_request, "POST", "shapes", "boom", "/", body=b"x", case="function_error")

    rec.call("GetFunctionCode", c.get_function_code, "shapes", "fn", qualifier="prod")
    rec.call("Error", c.get_service, "missing", case="not_found", raises=True)
    rec.call("Error", c.create_service, "1-not-a-name", case="bad_request", raises=True)
    rec.call("Error", c.create_service, "shapes", case="conflict", raises=True)
    rec.call("Error", c.update_alias, "shapes", "prod", "2", headers={"if-match": "stale"}, case="precondition",
             raises=True)

    arn = f"acs:fc:{REGION}:{ACCOUNT}:services/shapes"  # issue 12: the tag API
    rec.call("TagResource", c.tag_resource, arn, {"team": "shop", "fcinfra-release-1": "1;0;prod;1;2;promoted;k;"})
    rec.call("GetResourceTags", c.get_resource_tags, arn)
    rec.call("GetResourceTags", c.get_resource_tags, "services/shapes")  # the SDK's "partial ARN"
    rec.call("UnTagResource", c.untag_resource, arn, ["team"])
    rec.call("UnTagResource", c.untag_resource, arn, [], deleteAll=True)

    rec.call("DeleteTrigger", c.delete_trigger, "shapes", "fn", "tick")
    rec.call("DeleteTrigger", c.delete_trigger, "shapes", "fn", "web")
    rec.call("DeleteAlias", c.delete_alias, "shapes", "stable")
    rec.call("DeleteServiceVersion", c.delete_version, "shapes", "2")
    rec.call("DeleteTrigger", c.delete_trigger, "shapes", "boom", "boom-web")
    rec.call("DeleteFunction", c.delete_function, "shapes", "boom")
    rec.call("DeleteFunction", c.delete_function, "shapes", "web")
    rec.call("DeleteService", c.delete_service, "shapes-empty")


# ------------------------------------------------------------------------------------------------ targets


@pytest.fixture(scope="module")
def code_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shapes") / "code.zip"
    path.write_bytes(CODE)
    return path


@pytest.fixture(scope="module")
def mock_fc_answers(code_zip: Path) -> Recorder:
    """The scenario runs to its end inside ``mock_fc``; the answers are read before it stops intercepting."""
    with mock_fc(access_keys={AK: SK}) as fake:
        fake.register_handler("shapes", "fn", _event_or_wsgi)
        fake.register_handler("shapes", "boom", _boom)
        client = fc2.Client(endpoint=f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com", accessKeyID=AK,
                            accessKeySecret=SK)
        return run_scenario(client, code_zip)


@pytest.fixture(scope="module")
def emulator_answers(code_zip: Path) -> Recorder:
    with Emulator(access_keys={AK: SK}) as emu:
        client = fc2.Client(endpoint=emu.endpoint, accessKeyID=AK, accessKeySecret=SK)
        return run_scenario(client, code_zip)


CASES = [(op, case) for op, fx in FIXTURES.items() for case in fx["cases"]]


@pytest.mark.parametrize("target", ["mock_fc", "emulator"])
@pytest.mark.parametrize(("operation", "case"), CASES, ids=[f"{op}-{case}" for op, case in CASES])
def test_every_answer_has_the_documented_shape(request: pytest.FixtureRequest, target: str, operation: str,
                                               case: str) -> None:
    rec: Recorder = request.getfixturevalue(f"{target}_answers")
    answers = rec.answers.get((operation, case), [])
    assert answers, f"the scenario never reached {operation} ({case}) on {target}"
    spec = FIXTURES[operation]["cases"][case]
    problems = {f"#{i} {r.request.method} {r.request.path_url}": errs
                for i, r in enumerate(answers) if (errs := shape_errors(spec, r))}
    assert not problems, f"{operation} ({case}) on {target} differs from tests/fixtures/shapes/{operation}.json: " \
                         f"{json.dumps(problems, indent=1)}"


@pytest.mark.parametrize("target", ["mock_fc", "emulator"])
def test_the_code_answers_agree_with_the_package(request: pytest.FixtureRequest, target: str) -> None:
    """codeSize, codeChecksum, GetFunctionCode's checksum, X-Fc-Code-Checksum: one package, one CRC-64."""
    rec: Recorder = request.getfixturevalue(f"{target}_answers")
    package = rec.answers[("DownloadFunctionCode", "ok")][0].content
    code = rec.answers[("GetFunctionCode", "ok")][0].json()
    function = rec.answers[("GetFunction", "ok")][0].json()
    invoked = rec.answers[("InvokeFunction", "sync")][0]
    assert package == CODE
    assert code["checksum"] == function["codeChecksum"] == invoked.headers["X-Fc-Code-Checksum"] == checksum(CODE)
    assert function["codeSize"] == len(CODE)


# ---------------------------------------------------------------------------------- the fixtures' own rules


def test_every_route_the_fake_serves_has_a_fixture() -> None:
    assert set(OPERATIONS) | {"Error"} == set(FIXTURES)


@pytest.mark.parametrize("operation", sorted(FIXTURES))
def test_every_fixture_cites_its_source(operation: str) -> None:
    source = FIXTURES[operation]["source"]
    assert source["doc"].startswith("https://") and source["page"] and source["table"]


def _choices(node: Any) -> Iterator[str]:
    """The keys whose schema carries ``x-choice`` (FC's docs are silent; docs/fake.md must say what we chose)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and "x-choice" in value:
                yield key
            yield from _choices(value)
    elif isinstance(node, list):
        for item in node:
            yield from _choices(item)


def test_every_choice_in_the_fixtures_is_recorded_in_docs_fake_md() -> None:
    text = FAKE_DOC.read_text()
    section = text[text.index("## Response shapes"):]
    choices = set(_choices(STRUCTS)) | {key for fx in FIXTURES.values() for key in _choices(fx)}
    assert choices, "no x-choice found: the walk over the fixtures is broken"
    missing = sorted(k for k in choices if f"`{k}`" not in section)
    assert not missing, f"docs/fake.md 'Response shapes' does not record these choices: {missing}"


def _without_required(node: Any) -> Any:
    """The schema with presence rules dropped: what is there must be documented and rightly typed."""
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k not in ("required", "if", "then", "else")}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


HTTP_FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("*.json"))


@pytest.mark.parametrize("path", HTTP_FIXTURES, ids=[p.stem for p in HTTP_FIXTURES])
def test_the_client_fixtures_answer_only_documented_keys(path: Path) -> None:
    """tests/fixtures/*.json are trimmed FC answers the client is replayed against: every key they do show
    must be one FC documents, with its documented type (presence is not required of a trimmed answer)."""
    checked, problems = 0, {}
    for item in json.loads(path.read_text())["interactions"]:
        answer = item["response"]
        if answer["status"] >= 400 or "json" not in answer:
            continue
        operation = match(item["request"]["method"], item["request"]["path"]).operation
        schemas = [c["body"] for c in FIXTURES[operation]["cases"].values() if isinstance(c["body"], dict)]
        validators = [jsonschema.Draft202012Validator({**_without_required(b), "$defs": _without_required(STRUCTS)})
                      for b in schemas]
        errors = min(([e.message for e in v.iter_errors(answer["json"])] for v in validators), key=len)
        checked += 1
        if errors:
            problems[item["name"]] = errors
    assert not problems, problems
    assert checked or path.stem in ("errors", "invoke"), f"{path.name}: no JSON answer was checked"


def _answer(status: int, body: Any, **headers: str) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if body is not None else b""
    resp.headers.update({"Content-Type": "application/json", "Date": "Mon, 27 Jul 2020 06:37:29 GMT", **headers})
    return resp


GOOD_ALIAS = {"aliasName": "prod", "versionId": "1", "description": "", "serviceName": "svc",
              "additionalVersionWeight": None, "createdTime": "2020-07-27T06:37:29Z",
              "lastModifiedTime": "2020-07-27T06:37:29Z"}


@pytest.mark.parametrize(("change", "expected"), [
    ({}, None),
    ({"drop": "serviceName"}, "'serviceName' is a required property"),
    ({"set": ("additionalVersionWeight", {"2": "0.5"})}, "additionalVersionWeight"),
    ({"set": ("createdTime", "2020-07-27 06:37:29")}, "createdTime"),
    ({"set": ("lastModifiedTime", 1595831849)}, "lastModifiedTime"),
    ({"set": ("routingConfig", {})}, "Additional properties are not allowed ('routingConfig'"),
    ({"set": ("versionId", None)}, "versionId"),
])
def test_the_judge_catches_a_missing_extra_or_mistyped_key(change: dict[str, Any], expected: str | None) -> None:
    body = dict(GOOD_ALIAS)
    if "drop" in change:
        del body[change["drop"]]
    if "set" in change:
        key, value = change["set"]
        body[key] = value
    errors = shape_errors(FIXTURES["GetAlias"]["cases"]["ok"], _answer(200, body, **{"X-Fc-Request-Id": "r",
                                                                                        "ETag": "e"}))
    if expected is None:
        assert errors == []
    else:
        assert any(expected in e for e in errors), errors


def test_the_judge_checks_status_and_headers() -> None:
    errors = shape_errors(FIXTURES["GetAlias"]["cases"]["ok"], _answer(201, GOOD_ALIAS, **{"X-Fc-Request-Id": "r"}))
    assert "status 201, expected 200" in errors and "header ETag missing or empty" in errors
    deleted = _answer(204, {"unexpected": True}, **{"X-Fc-Request-Id": "r"})
    assert any(e.startswith("body ") for e in shape_errors(FIXTURES["DeleteAlias"]["cases"]["ok"], deleted))
    http_with_arn = {"triggerName": "t", "triggerId": "i", "triggerType": "http", "sourceArn": "acs:x",
                     "invocationRole": None, "qualifier": "LATEST", "triggerConfig": {}, "description": "",
                     "createdTime": "2020-07-27T06:37:29Z", "lastModifiedTime": "2020-07-27T06:37:29Z"}
    errors = shape_errors(FIXTURES["GetTrigger"]["cases"]["ok"],
                          _answer(200, http_with_arn, **{"X-Fc-Request-Id": "r", "ETag": "e"}))
    assert any("urlInternet" in e for e in errors) and any(e.startswith("sourceArn") for e in errors)
