"""mock_fc() interception and decorator use, fault injection, and state dump/load."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from fcinfra.fake import FakeFc, FaultInjector, mock_fc
from fcinfra.fake.faults import DropConnection

_decorated = mock_fc(access_keys={"AK": "SK"})


@_decorated
def _make_service_in_decorated_call(make_api: Any) -> int:
    make_api().service("decorated")
    return len(_decorated.dump_state()["regions"][0]["services"])


def test_decorator_starts_fresh_each_call(make_api: Any) -> None:
    assert _make_service_in_decorated_call(make_api) == 1
    assert _make_service_in_decorated_call(make_api) == 1  # not 409: each call starts empty
    with pytest.raises(requests.exceptions.ConnectionError):  # inactive outside the call
        requests.get("https://1.cn-hangzhou.fc.aliyuncs.com/2016-08-15/services", timeout=1)


def test_unknown_hosts_never_reach_the_network(fake: Any) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://example.com/", timeout=1)


def test_registered_endpoint_and_constructor_endpoints(make_api: Any) -> None:
    with mock_fc(access_keys={"AK": "SK"}, endpoints=["127.0.0.1:8443"]) as fake:
        make_api(base="https://127.0.0.1:8443").service("one")
        with pytest.raises(requests.exceptions.ConnectionError):
            make_api(base="http://127.0.0.1:9999").service("two")
        fake.add_endpoint("http://127.0.0.1:9999")
        make_api(base="http://127.0.0.1:9999").service("two")


def test_mock_cannot_be_started_twice() -> None:
    m = mock_fc()
    with m, pytest.raises(RuntimeError):
        m.start()


def test_five_thousand_invocations_are_each_answered_and_counted_once(seeded: Any, fake: Any) -> None:
    """Speed is bench/emulator.py's to measure (the rules forbid timed unit tests; this one failed on a loaded
    machine); what a test can check is that none of 5,000 invocations is lost or counted twice."""
    answers = [seeded.invoke().status_code for _ in range(5000)]
    assert answers == [200] * 5000
    assert fake.invocation_counts == {("1234567890", "svc", "fn", "LATEST"): 5000}


# --------------------------------------------------------------------------------------------------- faults
def test_faults_are_deterministic_with_a_seed() -> None:
    def outcomes(seed: int) -> list[str]:
        inj = FaultInjector(seed)
        inj.set("GetAlias", throttle=0.3, unavailable=0.2, error=0.1)
        seen = []
        for _ in range(200):
            try:
                inj.before("GetAlias")
                seen.append("ok")
            except Exception as exc:
                seen.append(type(exc).__name__ + str(getattr(exc, "status", "")))
        return seen

    first = outcomes(5)
    assert first == outcomes(5) and first != outcomes(6)
    assert 40 <= first.count("FakeApiError429") <= 80 and "FakeApiError503" in first and "FakeApiError500" in first


def test_fault_answers_over_http_and_times(seeded: Any, fake: Any) -> None:
    seeded.publish()
    seeded.alias("prod", "1")
    fake.faults.set("GetAlias", throttle=1.0, times=2)
    for _ in range(2):
        resp = seeded.request("GET", "/services/svc/aliases/prod")
        assert (resp.status_code, resp.json()["ErrorCode"]) == (429, "ResourceExhausted")
    assert seeded.request("GET", "/services/svc/aliases/prod").status_code == 200
    fake.faults.set("*", unavailable=1.0)
    assert seeded.request("GET", "/services/svc").json()["ErrorCode"] == "ResourceThrottled"
    fake.faults.set("GetService", error=1.0)
    assert seeded.request("GET", "/services/svc").status_code == 500
    assert fake.faults.injected[-1] == ("GetService", "error")


def test_drop_before_means_the_operation_did_not_run(seeded: Any, fake: Any) -> None:
    fake.faults.set("PublishServiceVersion", drop=1.0, times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        seeded.publish()
    assert seeded.publish() == "1"


def test_drop_after_means_the_operation_ran(seeded: Any, fake: Any) -> None:
    fake.faults.set("PublishServiceVersion", drop_after=1.0, times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        seeded.publish()
    versions = seeded.request("GET", "/services/svc/versions").json()["versions"]
    assert [v["versionId"] for v in versions] == ["1"]
    assert seeded.error_of(seeded.request("POST", "/services/svc/versions")) == (400, "VersionPublishError")


def test_latency_uses_the_injected_sleep(seeded: Any, fake: Any) -> None:
    slept: list[float] = []
    fake.faults.sleep = slept.append
    fake.faults.configure({"seed": 3, "rules": {"*": {"latency": 0.25}}})
    seeded.request("GET", "/services")
    assert slept == [0.25]
    assert fake.faults.to_dict()["rules"]["*"]["latency"] == 0.25


@pytest.mark.parametrize("config", [
    {"rules": {"GetAlias": {"throttle": 2}}},
    {"rules": {"GetAlias": {"thrott": 0.1}}},
    {"rules": {"GetAlias": {"throttle": 0.6, "error": 0.6}}},
    {"rules": {"GetAlias": {"latency": -1}}},
    {"rules": []},
])
def test_bad_fault_config_is_refused(config: dict[str, Any]) -> None:
    inj = FaultInjector()
    with pytest.raises(ValueError):
        inj.configure(config)


def test_drop_connection_from_handle() -> None:
    fake = FakeFc(access_keys=None)
    fake.faults.set("ListServices", drop=1.0)
    from fcinfra.fake import FakeRequest
    from fcinfra.fc import signing

    req = FakeRequest("GET", "/2016-08-15/services", "", {"Date": signing.http_date(time.time()),
                                                          "Authorization": "FC a:b"}, b"", "h")
    with pytest.raises(DropConnection):
        fake.handle(req)


# ---------------------------------------------------------------------------------------------------- state
def test_dump_load_round_trip_is_exact(seeded: Any, fake: Any, make_api: Any) -> None:
    seeded.publish()
    seeded.update_function(memorySize=256)
    seeded.publish()
    seeded.ok("DELETE", "/services/svc/versions/2")
    seeded.alias("prod", "1")
    seeded.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "t", "triggerType": "timer", "qualifier": "prod",
        "triggerConfig": {"cronExpression": "@every 1m"}})
    make_api(base="https://42.cn-beijing.fc.aliyuncs.com").service("elsewhere")
    state = fake.dump_state()
    text = json.dumps(state)  # JSON-serializable
    alias_etag = seeded.request("GET", "/services/svc/aliases/prod").headers["ETag"]

    other = FakeFc()
    other.load_state(json.loads(text))
    assert other.dump_state() == state

    fake.reset()
    assert fake.dump_state()["regions"] == []
    fake.load_state(json.loads(text))
    assert seeded.request("GET", "/services/svc/aliases/prod").headers["ETag"] == alias_etag
    assert seeded.request("GET", "/services/svc.1/functions/fn").json()["memorySize"] == 128
    # version 2 (256 MB) was deleted: LATEST differs from version 1, the newest left, so publishing works, and
    # the counter survived: "2" is never reused
    assert seeded.publish() == "3"
    assert seeded.error_of(seeded.request("POST", "/services/svc/versions")) == (400, "VersionPublishError")
    seeded.update_function(description="after load")
    assert seeded.publish() == "4"


def test_load_state_refuses_foreign_data() -> None:
    with pytest.raises(ValueError):
        FakeFc().load_state({"services": {}})


def test_decorator_on_a_coroutine(make_api: Any) -> None:
    import asyncio

    m = mock_fc(access_keys={"AK": "SK"})

    @m
    async def body() -> int:
        make_api().service("a")
        return len(m.dump_state()["regions"][0]["services"])

    assert asyncio.run(body()) == 1
    assert asyncio.run(body()) == 1


def test_fc3_paths_are_answered_by_the_fc3_fake(api: Any) -> None:
    """FC 3.0's API is served beside FC 2.0 (fcinfra.fake.fc3): an FC 2.0 signature is refused in FC 3.0's shape."""
    resp = api.request("GET", "/2023-03-30/functions/fn", prefix=False)
    assert resp.status_code == 403 and resp.json()["Code"] == "AccessDenied" and resp.json()["RequestId"]


def test_state_and_pickles_hold_no_secret(make_api: Any) -> None:
    import pickle

    secret = "TOPSECRET-VALUE-123"
    with mock_fc(access_keys={"AK": secret}) as fake:
        api = make_api(secret=secret)
        api.service()
        api.function()
        api.publish()
        assert secret not in json.dumps(fake.dump_state())
        assert secret.encode() not in pickle.dumps(fake.dump_state())
        assert secret not in repr(fake)


def test_injected_clock_drives_timestamps_and_skew(make_api: Any) -> None:
    now = [1_600_000_000.0]
    fake = FakeFc(access_keys={"AK": "SK"}, clock=lambda: now[0])
    from fcinfra.fake import FakeRequest
    from fcinfra.fc import signing

    hdrs = {"Date": signing.http_date(now[0]), "Content-Type": "application/json"}
    body = b'{"serviceName": "svc"}'
    hdrs["Authorization"] = signing.authorization("AK", "SK", "POST", "/2016-08-15/services", hdrs)
    resp = fake.handle(FakeRequest("POST", "/2016-08-15/services", "", hdrs, body, "127.0.0.1"))
    assert resp.status == 200 and resp.json()["createdTime"] == "2020-09-13T12:26:40Z"
    now[0] += 16 * 60
    resp = fake.handle(FakeRequest("POST", "/2016-08-15/services", "", hdrs, body, "127.0.0.1"))
    assert resp.json()["ErrorCode"] == "RequestTimeTooSkewed"


_class_mock = mock_fc(access_keys={"AK": "SK"})


@_class_mock
class _Decorated:
    def test_a(self, make_api: Any) -> int:
        make_api().service("x")
        return len(_class_mock.dump_state()["regions"][0]["services"])

    def helper(self) -> bool:
        return _class_mock._mock is not None


def test_class_decorator_wraps_test_methods(make_api: Any) -> None:
    obj = _Decorated()
    assert obj.test_a(make_api) == 1 and obj.test_a(make_api) == 1
    assert obj.helper() is False
