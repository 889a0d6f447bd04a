"""The backend's rules on their own, without HTTP: typed requests in, records out, FakeApiError on a broken rule."""

from __future__ import annotations

import copy
import random

import pytest

from fcinfra.fake import bodies
from fcinfra.fake.backend import Ids, RegionBackend, tracing_config
from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.paging import NamePage, VersionPage
from fcinfra.fc.models import (
    CreateAliasRequest,
    CreateFunctionRequest,
    CreateServiceRequest,
    PublishVersionRequest,
    UpdateFunctionRequest,
    UpdateServiceRequest,
)

ZIP = bodies.code_bytes(bodies.parse(CreateFunctionRequest, {
    "functionName": "x", "runtime": "python3.10", "handler": "i.h",
    "code": {"zipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}).code)  # the empty zip archive
PUBLISH = PublishVersionRequest()


@pytest.fixture
def backend() -> RegionBackend:
    region = RegionBackend("1234567890", "cn-hangzhou", Ids(seed=1), random.Random(1))
    region.create_service(CreateServiceRequest(service_name="svc"))
    region.create_function("svc", CreateFunctionRequest(function_name="fn", runtime="python3.10",
                                                        handler="index.handler"), ZIP or b"")
    return region


def error(call: object) -> tuple[int, str]:
    assert isinstance(call, FakeApiError)
    return call.status, call.code


def raises(fn: object, *args: object) -> FakeApiError:
    with pytest.raises(FakeApiError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def memory(backend: RegionBackend, mb: int) -> None:
    backend.update_function("svc", "fn", UpdateFunctionRequest(memory_size=mb))


# ------------------------------------------------------------------------------------------------ publishing
def test_publish_compares_latest_with_the_newest_version_left(backend: RegionBackend) -> None:
    assert backend.publish_version("svc", PUBLISH).version_id == "1"
    assert error(raises(backend.publish_version, "svc", PUBLISH)) == (400, "VersionPublishError")
    memory(backend, 256)
    assert backend.publish_version("svc", PUBLISH).version_id == "2"
    backend.delete_version("svc", "2")
    assert backend.publish_version("svc", PUBLISH).version_id == "3"  # LATEST (256) differs from 1 (128)
    backend.delete_version("svc", "1")
    backend.delete_version("svc", "3")
    assert backend.publish_version("svc", PUBLISH).version_id == "4"  # none left: publishing succeeds


def test_setting_a_value_back_is_no_change(backend: RegionBackend) -> None:
    backend.publish_version("svc", PUBLISH)
    memory(backend, 256)
    memory(backend, 128)
    backend.update_service("svc", UpdateServiceRequest(description=""))
    assert error(raises(backend.publish_version, "svc", PUBLISH)) == (400, "VersionPublishError")


# ------------------------------------------------------------------------------------------------- routing
def test_the_additional_version_differs_from_the_main_one_checked_by_the_backend_alone(
        backend: RegionBackend) -> None:
    backend.publish_version("svc", PUBLISH)
    # the fake's body model leaves this rule to the backend (one place, one error code)
    body = bodies.parse(bodies.CreateAliasBody, {"aliasName": "a", "versionId": "1",
                                                 "additionalVersionWeight": {"1": 0.5}})
    assert error(raises(backend.create_alias, "svc", body)) == (400, "AdditionalVersionContainsMajorVersion")
    backend.create_alias("svc", CreateAliasRequest(alias_name="b", version_id="1"))
    update = bodies.parse(bodies.UpdateAliasBody, {"additionalVersionWeight": {"1": 0.2}})
    assert error(raises(backend.update_alias, "svc", "b", update)) == (400, "AdditionalVersionContainsMajorVersion")
    assert backend.alias("svc", "b").weights == {}


def test_reads_resolve_an_alias_to_its_main_version_and_invocations_follow_the_weights(
        backend: RegionBackend) -> None:
    backend.publish_version("svc", PUBLISH)
    memory(backend, 256)
    backend.publish_version("svc", PUBLISH)
    backend.create_alias("svc", CreateAliasRequest(alias_name="a", version_id="1",
                                                   additional_version_weight={"2": 1.0}))
    assert {backend.resolve("svc", "a").version for _ in range(50)} == {"1"}
    assert {backend.resolve("svc", "a", route=True).version for _ in range(50)} == {"2"}


# ------------------------------------------------------------------------------------------------ runtimes
@pytest.mark.parametrize("runtime", ["python2.7", "nodejs4.4", "nodejs6", "custom.debian10", "go1"])
def test_documented_runtimes_are_accepted(backend: RegionBackend, runtime: str) -> None:
    made = backend.create_function("svc", CreateFunctionRequest(function_name="old", runtime=runtime,
                                                                handler="index.handler"), b"")
    assert made.config["runtime"] == runtime


def test_an_unknown_runtime_changes_nothing(backend: RegionBackend) -> None:
    before = copy.deepcopy(backend.to_dict())
    for call in (lambda: backend.create_function("svc", CreateFunctionRequest(
                     function_name="new", runtime="python4", handler="index.handler"), b""),
                 lambda: backend.update_function("svc", "fn", UpdateFunctionRequest(runtime="java99",
                                                                                    memory_size=512))):
        exc = raises(call)
        assert (exc.status, exc.code) == (400, "InvalidArgument")
        assert exc.message.startswith("Runtime is set to an invalid value")
    assert backend.to_dict() == before


# ---------------------------------------------------------------------------------------------------- shapes
@pytest.mark.parametrize(("given", "kept"), [
    (None, {"type": None, "params": None}),
    ({}, {"type": None, "params": None}),
    ({"type": "", "params": {"a": 1}}, {"type": None, "params": None}),
    ({"type": "Jaeger"}, {"type": "Jaeger", "params": None}),
    ({"type": "Jaeger", "params": {"endpoint": "e"}}, {"type": "Jaeger", "params": {"endpoint": "e"}}),
])
def test_tracing_config(given: dict[str, object] | None, kept: dict[str, object]) -> None:
    assert tracing_config(given) == kept


# ------------------------------------------------------------------------------------------------- listing
def test_a_version_page_is_cut_from_the_sorted_index_and_deletes_keep_it_right(backend: RegionBackend) -> None:
    for mb in range(128, 128 + 64 * 30, 64):
        memory(backend, mb)
        backend.publish_version("svc", PUBLISH)
    for gone in ("3", "4", "30", "17"):
        backend.delete_version("svc", gone)
    svc = backend.service("svc")
    assert svc.version_numbers == sorted(svc.versions)
    first = backend.list_versions("svc", VersionPage(limit=3))
    assert [v.version_id for v in first.items] == ["29", "28", "27"] and first.next_token
    assert [v.version_id for v in backend.list_versions("svc", VersionPage(limit=3, bound=5)).items] == [
        "5", "2", "1"]
    forward = backend.list_versions("svc", VersionPage(limit=4, backward=False, bound=2))
    assert [v.version_id for v in forward.items] == ["2", "5", "6", "7"]
    tail = backend.list_versions("svc", VersionPage(limit=100, backward=False, bound=28))
    assert [v.version_id for v in tail.items] == ["28", "29"] and tail.next_token is None
    loaded = RegionBackend("1234567890", "cn-hangzhou", Ids(seed=1), random.Random(1))
    loaded.load(backend.to_dict())
    assert loaded.service("svc").version_numbers == svc.version_numbers


def test_services_are_listed_by_tag_and_name(backend: RegionBackend) -> None:
    backend.create_service(CreateServiceRequest(service_name="tagged", tags={"team": "a"}))
    page = backend.list_services({"team": "a"}, NamePage())
    assert [s.name for s in page.items] == ["tagged"]
    assert [s.name for s in backend.list_services({}, NamePage(limit=1)).items] == ["svc"]
