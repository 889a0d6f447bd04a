"""Services and functions: CRUD, wire shapes, FC's error codes, and no state change on rejection."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from fcinfra.fc.crc64 import checksum, crc64


def test_crc64_matches_the_ecma182_check_value() -> None:
    assert crc64(b"123456789") == 0x995DC9BBDF1939FA
    assert checksum(b"") == "0"


def test_create_service_answers_fc_shape_with_etag(api: Any) -> None:
    resp = api.request("POST", "/services", {"serviceName": "svc", "description": "d"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["serviceName"] == "svc" and body["description"] == "d"
    for key in ("serviceId", "createdTime", "lastModifiedTime", "logConfig", "role"):
        assert key in body
    assert resp.headers["ETag"] and resp.headers["X-Fc-Request-Id"]
    assert resp.headers["Content-Type"] == "application/json"
    got = api.request("GET", "/services/svc")
    assert got.json() == body and got.headers["ETag"] == resp.headers["ETag"]


def test_service_errors(api: Any, rejects: Any) -> None:
    api.service()
    rejects(lambda: api.request("POST", "/services", {"serviceName": "svc"}), 409, "ServiceAlreadyExists")
    resp = rejects(lambda: api.request("GET", "/services/nope"), 404, "ServiceNotFound")
    assert resp.json()["ErrorMessage"] == "service 'nope' does not exist"
    for bad in ("", "1abc", "-x", "a" * 129, "has space", "LATEST"):
        rejects(lambda bad=bad: api.request("POST", "/services", {"serviceName": bad}), 400, "InvalidArgument")
    rejects(lambda: api.request("POST", "/services", {}), 400, "InvalidArgument")
    rejects(lambda: api.request("POST", "/services", raw=b"{not json"), 400, "InvalidArgument")
    rejects(lambda: api.request("POST", "/services", ["svc"]), 400, "InvalidArgument")
    rejects(lambda: api.request("PUT", "/services/svc", {"description": "x" * 257}), 400, "InvalidArgument")


def test_invalid_argument_message_names_the_field(api: Any) -> None:
    resp = api.request("POST", "/services", {"serviceName": "1bad"})
    assert "serviceName" in resp.json()["ErrorMessage"] and "1bad" in resp.json()["ErrorMessage"]


def test_null_fields_and_case_insensitive_keys_are_accepted(api: Any) -> None:
    body = api.ok("POST", "/services", {"ServiceName": "svc", "Description": "cap", "role": None})
    assert body["serviceName"] == "svc" and body["description"] == "cap"
    fn = api.ok("POST", "/services/svc/functions", {
        "functionName": "fn", "runtime": "python3.10", "handler": "index.handler", "memorySize": None,
        "code": {"zipFile": base64.b64encode(api.make_zip()).decode(), "ossBucketName": None, "ossObjectName": None},
        "unknownField": 1,
    })
    assert fn["memorySize"] == 128 and fn["timeout"] == 3


def test_update_service_changes_etag_and_merges(api: Any) -> None:
    created = api.request("POST", "/services", {"serviceName": "svc", "description": "a", "role": "r"})
    updated = api.request("PUT", "/services/svc", {"description": "b"})
    assert updated.status_code == 200
    assert updated.headers["ETag"] != created.headers["ETag"]
    assert updated.json()["description"] == "b" and updated.json()["role"] == "r"


def test_delete_service_refuses_while_functions_or_versions_exist(api: Any, rejects: Any) -> None:
    api.service()
    api.function()
    resp = rejects(lambda: api.request("DELETE", "/services/svc"), 400, "ServiceNotEmpty")
    assert "fn" in resp.json()["ErrorMessage"]
    api.publish()
    assert api.request("DELETE", "/services/svc/functions/fn").status_code == 204
    resp = rejects(lambda: api.request("DELETE", "/services/svc"), 400, "ServiceNotEmpty")
    assert "version" in resp.json()["ErrorMessage"]
    assert api.request("DELETE", "/services/svc/versions/1").status_code == 204
    assert api.request("DELETE", "/services/svc").status_code == 204
    assert api.error_of(api.request("GET", "/services/svc")) == (404, "ServiceNotFound")


def test_function_shape_checksum_and_size(api: Any) -> None:
    api.service()
    code = api.make_zip()
    resp = api.request("POST", "/services/svc/functions", {
        "functionName": "fn", "runtime": "python3.10", "handler": "index.handler", "memorySize": 256, "timeout": 10,
        "environmentVariables": {"A": "1"}, "code": {"zipFile": base64.b64encode(code).decode()}})
    body = resp.json()
    assert resp.status_code == 200 and resp.headers["ETag"]
    assert body["codeChecksum"] == str(crc64(code)) and body["codeSize"] == len(code)
    assert body["memorySize"] == 256 and body["timeout"] == 10 and body["environmentVariables"] == {"A": "1"}
    assert body["functionId"] and body["createdTime"]
    code_resp = api.request("GET", "/services/svc/functions/fn/code")
    assert code_resp.json()["checksum"] == body["codeChecksum"]
    downloaded = api.session.get(code_resp.json()["url"])
    assert downloaded.status_code == 200 and downloaded.content == code


@pytest.mark.parametrize("memory", [64, 100, 130, 32832, 0, -128, "big"])
def test_bad_memory_is_rejected(api: Any, rejects: Any, memory: Any) -> None:
    api.service()
    rejects(lambda: api.request("POST", "/services/svc/functions", {
        "functionName": "fn", "runtime": "python3.10", "handler": "h", "memorySize": memory}), 400, "InvalidArgument")


@pytest.mark.parametrize("memory", [128, 192, 3072, 32768])
def test_good_memory_is_accepted(api: Any, memory: int) -> None:
    api.service()
    assert api.function(memorySize=memory)["memorySize"] == memory


def test_function_errors(api: Any, rejects: Any) -> None:
    api.service()
    api.function()
    resp = rejects(lambda: api.request("GET", "/services/svc/functions/nope"), 404, "FunctionNotFound")
    assert resp.json()["ErrorMessage"] == "function 'nope' does not exist in service 'svc'"
    rejects(lambda: api.request("POST", "/services/svc/functions", {
        "functionName": "fn", "runtime": "python3.10", "handler": "h"}), 409, "FunctionAlreadyExists")
    rejects(lambda: api.request("POST", "/services/nope/functions", {
        "functionName": "f2", "runtime": "python3.10", "handler": "h"}), 404, "ServiceNotFound")
    rejects(lambda: api.request("POST", "/services/svc/functions", {
        "functionName": "f2", "runtime": "python3.10", "handler": "h", "code": {"zipFile": "!!notbase64"}}),
        400, "InvalidArgument")
    rejects(lambda: api.request("POST", "/services/svc/functions", {
        "functionName": "f2", "runtime": "python3.10", "handler": "h",
        "code": {"zipFile": base64.b64encode(b"not a zip").decode()}}), 400, "InvalidArgument")
    rejects(lambda: api.request("POST", "/services/svc/functions", {
        "functionName": "f2", "runtime": "python3.10", "handler": "h",
        "code": {"ossBucketName": "b", "ossObjectName": "o"}}), 400, "InvalidArgument")
    rejects(lambda: api.request("POST", "/services/svc/functions", {
        "functionName": "f2", "runtime": "python3.10", "handler": "h"},
        headers={"X-Fc-Code-Checksum": "123"}), 400, "InvalidArgument")
    rejects(lambda: api.request("PUT", "/services/svc/functions/fn", {"timeout": 0}), 400, "InvalidArgument")
    rejects(lambda: api.request("PUT", "/services/svc.1/functions/fn", {"timeout": 5}), 400, "InvalidArgument")


def test_update_function_code_changes_checksum_and_etag(api: Any) -> None:
    api.service()
    first = api.request("POST", "/services/svc/functions", {
        "functionName": "fn", "runtime": "python3.10", "handler": "h",
        "code": {"zipFile": base64.b64encode(api.make_zip()).decode()}})
    new_code = api.make_zip({"index.py": "x = 2\n"})
    second = api.request("PUT", "/services/svc/functions/fn",
                         {"code": {"zipFile": base64.b64encode(new_code).decode()}})
    assert second.json()["codeChecksum"] == checksum(new_code) != first.json()["codeChecksum"]
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.json()["handler"] == "h"


def test_delete_function_refuses_while_triggers_exist(api: Any, rejects: Any) -> None:
    api.service()
    api.function()
    api.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "t", "triggerType": "timer", "triggerConfig": {"cronExpression": "@every 1m", "enable": True}})
    resp = rejects(lambda: api.request("DELETE", "/services/svc/functions/fn"), 400, "FunctionNotEmpty")
    assert "t" in resp.json()["ErrorMessage"]
    assert api.request("DELETE", "/services/svc/functions/fn/triggers/t").status_code == 204
    assert api.request("DELETE", "/services/svc/functions/fn").status_code == 204


def test_list_services_pagination(api: Any, rejects: Any) -> None:
    for i in range(25):
        api.service(f"s{i:02d}")
    api.service("other")
    page1 = api.request("GET", "/services").json()
    assert [s["serviceName"] for s in page1["services"]][:3] == ["other", "s00", "s01"]
    assert len(page1["services"]) == 20 and page1["nextToken"]
    page2 = api.request("GET", "/services", query={"nextToken": page1["nextToken"]}).json()
    assert len(page2["services"]) == 6 and "nextToken" not in page2
    names = [s["serviceName"] for s in page1["services"] + page2["services"]]
    assert names == sorted(names) and len(set(names)) == 26
    pref = api.request("GET", "/services", query={"prefix": "s1", "limit": 3}).json()
    assert [s["serviceName"] for s in pref["services"]] == ["s10", "s11", "s12"]
    rest = api.request("GET", "/services", query={"prefix": "s1", "limit": 100, "nextToken": pref["nextToken"]})
    assert [s["serviceName"] for s in rest.json()["services"]] == [f"s1{i}" for i in range(3, 10)]
    start = api.request("GET", "/services", query={"startKey": "s23"}).json()
    assert [s["serviceName"] for s in start["services"]] == ["s23", "s24"]
    for bad in ({"limit": 0}, {"limit": 101}, {"limit": "x"}, {"nextToken": "garbage"}):
        rejects(lambda bad=bad: api.request("GET", "/services", query=bad), 400, "InvalidArgument")


def test_list_functions_with_limit_100(api: Any) -> None:
    api.service()
    for i in range(3):
        api.function(name=f"f{i}")
    body = api.request("GET", "/services/svc/functions", query={"limit": 100}).json()
    assert [f["functionName"] for f in body["functions"]] == ["f0", "f1", "f2"] and "nextToken" not in body


def test_list_services_filters_by_tags(api: Any) -> None:
    api.service("a", tags={"env": "prod", "team": "x"})
    api.service("b", tags={"env": "dev"})
    api.service("c")
    body = api.request("GET", "/services", query={"tag_env": "prod"}).json()
    assert [s["serviceName"] for s in body["services"]] == ["a"]
    assert api.request("GET", "/services", query={"tag_env": "prod", "tag_team": "y"}).json()["services"] == []
