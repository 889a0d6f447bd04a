"""Shapes the fake owes FC's API reference beyond key presence (issue 9 item 6; the fixtures in
tests/fixtures/shapes/ check every route, these pin the rules behind three of its fixes)."""

from __future__ import annotations

import email.utils
from typing import Any


def test_a_service_struct_sent_in_part_reads_back_complete(api: Any) -> None:
    body = api.request("POST", "/services", {"serviceName": "svc", "logConfig": {"project": "p", "extra": 1},
                                             "vpcConfig": {"vpcId": "vpc-1"}}).json()
    assert body["logConfig"] == {"project": "p", "logstore": "", "enableRequestMetrics": False,
                                 "enableInstanceMetrics": False}
    assert body["vpcConfig"] == {"vpcId": "vpc-1", "vSwitchIds": [], "securityGroupId": ""}
    assert body["nasConfig"] == {"userId": -1, "groupId": -1, "mountPoints": []}
    assert body["tracingConfig"] == {"type": None, "params": None}


def test_tracing_config_set_then_emptied_reads_back_as_nulls(api: Any) -> None:
    api.request("POST", "/services", {"serviceName": "svc"})
    jaeger = {"type": "Jaeger", "params": {"endpoint": "http://jaeger:14268"}}
    assert api.request("PUT", "/services/svc", {"tracingConfig": jaeger}).json()["tracingConfig"] == jaeger
    updated = api.request("PUT", "/services/svc", {"tracingConfig": {}}).json()
    assert updated["tracingConfig"] == {"type": None, "params": None}
    assert api.request("GET", "/services/svc").json()["tracingConfig"] == {"type": None, "params": None}


def test_a_function_reports_custom_container_config_as_null(api: Any) -> None:
    api.request("POST", "/services", {"serviceName": "svc"})
    body = api.request("POST", "/services/svc/functions",
                       {"functionName": "fn", "runtime": "python3.10", "handler": "index.handler"}).json()
    assert "customContainerConfig" in body and body["customContainerConfig"] is None


def test_a_custom_container_config_sent_reads_back(api: Any) -> None:
    api.request("POST", "/services", {"serviceName": "svc"})
    container = {"image": "registry.cn-hangzhou.aliyuncs.com/demo/web:v1", "command": '["/server"]', "args": "[]"}
    body = api.request("POST", "/services/svc/functions",
                       {"functionName": "web", "runtime": "custom-container", "handler": "x", "caPort": 9000,
                        "customContainerConfig": container}).json()
    assert (body["customContainerConfig"], body["caPort"]) == (container, 9000)
    assert api.request("GET", "/services/svc/functions/web").json()["customContainerConfig"] == container


def test_every_answer_carries_a_date_header(api: Any) -> None:
    for resp in (api.request("GET", "/services"), api.request("GET", "/services/missing")):
        date = email.utils.parsedate_to_datetime(resp.headers["Date"])
        assert date.tzinfo is not None and resp.headers["Date"].endswith(" GMT")
