"""Issue 9 items 2-5 on the wire, against ``mock_fc`` and over loopback against the emulator: the same signed
requests, the same answers (reads through a qualifier, publishing after a delete, runtimes, shapes)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from fcinfra.fake import mock_fc
from fcinfra.fake.catalog import DEPRECATED_RUNTIMES, RUNTIMES
from fcinfra.fake.server import Emulator

from .conftest import KEYS, Api, error_of

_names = itertools.count()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(access_keys=KEYS, seed=9) as emu:
        yield emu


@pytest.fixture(params=["mock_fc", "emulator"])
def wire(request: pytest.FixtureRequest) -> Iterator[Api]:
    """Signed raw HTTP against one of the two fakes (the emulator is shared: each test uses fresh names)."""
    if request.param == "mock_fc":
        with mock_fc(access_keys=KEYS, seed=9):
            yield Api()
    else:
        emu: Emulator = request.getfixturevalue("emulator")
        yield Api(base=emu.endpoint)


def fresh(api: Api, **service_config: object) -> str:
    """A new service with function ``fn`` (python3.10, memory 128), named uniquely."""
    name = f"fid{next(_names)}"
    api.service(name, **service_config)
    api.function(name, memorySize=128)
    return name


# ----------------------------------------------------------------------------- item 2: reads via a qualifier
def test_reads_through_an_alias_answer_its_main_version_never_the_weighted_one(wire: Api) -> None:
    svc = fresh(wire, description="one")
    assert wire.publish(svc) == "1"
    wire.ok("PUT", f"/services/{svc}", {"description": "two"})
    wire.update_function(svc, memorySize=256, description="v2")
    wire.function(svc, name="only-in-2")
    assert wire.publish(svc) == "2"
    wire.alias("canary", "1", service=svc, weights={"2": 1.0})  # invocations all go to 2; reads stay on 1
    for _ in range(5):
        assert wire.ok("GET", f"/services/{svc}.canary/functions/fn")["memorySize"] == 128
        assert wire.ok("GET", f"/services/{svc}.canary")["description"] == "one"
        names = [f["functionName"] for f in wire.ok("GET", f"/services/{svc}.canary/functions")["functions"]]
        assert names == ["fn"]
        code = wire.ok("GET", f"/services/{svc}.canary/functions/fn/code")
        assert code["checksum"] == wire.ok("GET", f"/services/{svc}.1/functions/fn")["codeChecksum"]
        assert wire.request("GET", f"/services/{svc}.canary/functions/only-in-2").status_code == 404


def test_reads_with_a_version_qualifier_answer_what_that_version_captured(wire: Api) -> None:
    svc = fresh(wire, description="first")
    wire.publish(svc)
    wire.ok("PUT", f"/services/{svc}", {"description": "second"})
    wire.update_function(svc, memorySize=512)
    assert wire.ok("GET", f"/services/{svc}.1")["description"] == "first"
    assert wire.ok("GET", f"/services/{svc}")["description"] == "second"
    assert wire.ok("GET", f"/services/{svc}.1/functions/fn")["memorySize"] == 128
    assert wire.ok("GET", f"/services/{svc}.LATEST/functions/fn")["memorySize"] == 512


# ---------------------------------------------------------------------- item 3: publishing after a delete
def test_publish_after_the_newest_version_is_deleted_compares_with_the_newest_left(wire: Api) -> None:
    svc = fresh(wire)
    assert wire.publish(svc) == "1"
    wire.update_function(svc, memorySize=256)
    assert wire.publish(svc) == "2"
    wire.ok("DELETE", f"/services/{svc}/versions/2")
    # LATEST (256 MB) differs from version 1, the newest left: publishing works, and "2" is not reused
    assert wire.publish(svc) == "3"
    resp = wire.request("POST", f"/services/{svc}/versions")
    assert error_of(resp) == (400, "VersionPublishError")
    assert "No changes were made since last publish" in resp.json()["ErrorMessage"]


def test_publish_with_every_version_deleted_succeeds(wire: Api) -> None:
    svc = fresh(wire)
    assert wire.publish(svc) == "1"
    wire.ok("DELETE", f"/services/{svc}/versions/1")
    assert wire.publish(svc) == "2"


def test_publish_when_latest_equals_an_existing_version_is_refused(wire: Api) -> None:
    svc = fresh(wire)
    wire.publish(svc)
    assert error_of(wire.request("POST", f"/services/{svc}/versions")) == (400, "VersionPublishError")


# ------------------------------------------------------------------------------------- item 4: runtimes
@pytest.mark.parametrize("runtime", sorted({"python2.7", "nodejs4.4", "nodejs6", "custom-container"}))
def test_every_documented_runtime_is_accepted_deprecated_ones_included(wire: Api, runtime: str) -> None:
    svc = fresh(wire)
    made = wire.function(svc, name="old", runtime=runtime)
    assert made["runtime"] == runtime
    assert wire.update_function(svc, "fn", runtime=runtime)["runtime"] == runtime


def test_an_unknown_runtime_is_refused_and_nothing_changes(wire: Api) -> None:
    svc = fresh(wire)
    before = wire.ok("GET", f"/services/{svc}/functions/fn")
    body = {"functionName": "new", "runtime": "python9.9", "handler": "index.handler",
            "code": {"zipFile": __import__("base64").b64encode(Api.make_zip()).decode()}}
    resp = wire.request("POST", f"/services/{svc}/functions", body)
    assert error_of(resp) == (400, "InvalidArgument")
    assert resp.json()["ErrorMessage"].startswith("Runtime is set to an invalid value")
    resp = wire.request("PUT", f"/services/{svc}/functions/fn", {"runtime": "cobol85", "memorySize": 512})
    assert error_of(resp) == (400, "InvalidArgument")
    assert resp.json()["ErrorMessage"].startswith("Runtime is set to an invalid value")
    assert wire.request("GET", f"/services/{svc}/functions/new").status_code == 404
    assert wire.ok("GET", f"/services/{svc}/functions/fn") == before


def test_the_catalogue_holds_the_deprecated_ids_alibabas_own_tests_use() -> None:
    assert {"python2.7", "nodejs4.4", "nodejs6"} <= DEPRECATED_RUNTIMES <= RUNTIMES
    assert {"python3", "python3.9", "python3.10", "nodejs18", "custom"} <= RUNTIMES


# --------------------------------------------------------------------------------------- item 5: shapes
@pytest.mark.parametrize("tracing", [None, {}, {"type": None}, {"type": "", "params": {"endpoint": "x"}}])
def test_a_disabled_or_empty_tracing_config_reads_back_as_nulls(wire: Api, tracing: dict[str, object] | None) -> None:
    config = {} if tracing is None else {"tracingConfig": tracing}
    svc = fresh(wire, **config)
    assert wire.ok("GET", f"/services/{svc}")["tracingConfig"] == {"type": None, "params": None}
    listed = wire.ok("GET", "/services", query={"prefix": svc})["services"]
    assert [s["tracingConfig"] for s in listed if s["serviceName"] == svc] == [{"type": None, "params": None}]


def test_an_enabled_tracing_config_is_kept_and_can_be_disabled_again(wire: Api) -> None:
    enabled = {"type": "Jaeger", "params": {"endpoint": "http://tracing.example/api/traces"}}
    svc = fresh(wire, tracingConfig=enabled)
    assert wire.ok("GET", f"/services/{svc}")["tracingConfig"] == enabled
    assert wire.ok("PUT", f"/services/{svc}", {"tracingConfig": {}})["tracingConfig"] == {"type": None,
                                                                                          "params": None}


def test_an_http_trigger_reports_source_arn_null_whatever_was_sent(wire: Api) -> None:
    svc = fresh(wire)
    body = {"triggerName": "web", "triggerType": "http", "sourceArn": "acs:fc:cn-hangzhou:1:whatever",
            "triggerConfig": {"authType": "anonymous", "methods": ["GET"]}}
    assert wire.ok("POST", f"/services/{svc}/functions/fn/triggers", body)["sourceArn"] is None
    assert wire.ok("GET", f"/services/{svc}/functions/fn/triggers/web")["sourceArn"] is None
    timer = {"triggerName": "tick", "triggerType": "timer", "sourceArn": "acs:fc:kept",
             "triggerConfig": {"cronExpression": "@every 1m", "enable": True}}
    assert wire.ok("POST", f"/services/{svc}/functions/fn/triggers", timer)["sourceArn"] == "acs:fc:kept"


def test_the_additional_version_may_not_be_the_main_one(wire: Api) -> None:
    svc = fresh(wire)
    wire.publish(svc)
    resp = wire.request("POST", f"/services/{svc}/aliases",
                        {"aliasName": "a", "versionId": "1", "additionalVersionWeight": {"1": 0.5}})
    assert error_of(resp) == (400, "AdditionalVersionContainsMajorVersion")
    wire.alias("b", "1", service=svc)
    resp = wire.request("PUT", f"/services/{svc}/aliases/b", {"additionalVersionWeight": {"1": 0.5}})
    assert error_of(resp) == (400, "AdditionalVersionContainsMajorVersion")


def test_fcinfra_client_is_not_stricter_than_fc_about_runtimes() -> None:
    """FcClient sends any non-empty runtime; the fake (as FC) is the one that judges it."""
    from fcinfra.errors import InvalidRequestError
    from fcinfra.fc import FcClient

    with mock_fc(access_keys=KEYS):
        client = FcClient("1234567890", "cn-hangzhou", "AK", "SK")
        client.create_service("rt")
        for runtime in sorted(DEPRECATED_RUNTIMES):
            made = client.create_function("rt", runtime.replace(".", "-"), runtime, "index.handler",
                                          code=Api.make_zip())
            assert made.runtime == runtime
        with pytest.raises(InvalidRequestError) as info:
            client.create_function("rt", "bad", "python9", "index.handler", code=Api.make_zip())
        assert info.value.code == "InvalidArgument" and "Runtime is set to an invalid value" in info.value.message
