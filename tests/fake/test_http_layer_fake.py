"""The HTTP edge: signatures, date skew, route misses, response headers, accounts from hosts."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from fcinfra.fake import FakeFc, FakeRequest
from fcinfra.fc import signing


def test_wrong_secret_is_signature_not_match(api: Any, fake: Any) -> None:
    bad = type(api)(secret="wrong", session=api.session)
    resp = bad.request("POST", "/services", {"serviceName": "svc"})
    assert resp.status_code == 403 and resp.json()["ErrorCode"] == "SignatureNotMatch"
    assert resp.json()["ErrorMessage"].startswith("The request signature we calculated does not match")
    assert fake.dump_state()["regions"] == []


def test_tampered_body_header_or_path_fails_the_signature(api: Any) -> None:
    api.service()
    hdrs = {"Content-Type": "application/json", "Date": signing.http_date(time.time())}
    auth = signing.authorization("AK", "SK", "GET", "/2016-08-15/services/svc", hdrs)
    other = requests.get(api.base + "/2016-08-15/services/other", headers={**hdrs, "Authorization": auth})
    assert other.status_code == 403 and other.json()["ErrorCode"] == "SignatureNotMatch"
    changed = requests.get(api.base + "/2016-08-15/services/svc",
                           headers={**hdrs, "Authorization": auth, "x-fc-trace-id": "added"})
    assert changed.json()["ErrorCode"] == "SignatureNotMatch"
    fine = requests.get(api.base + "/2016-08-15/services/svc", headers={**hdrs, "Authorization": auth})
    assert fine.status_code == 200


def test_query_is_not_signed_for_api_paths(api: Any) -> None:
    api.service()
    hdrs = {"Date": signing.http_date(time.time())}
    auth = signing.authorization("AK", "SK", "GET", "/2016-08-15/services", hdrs)
    resp = requests.get(api.base + "/2016-08-15/services?limit=1", headers={**hdrs, "Authorization": auth})
    assert resp.status_code == 200


def test_missing_and_malformed_authorization(api: Any) -> None:
    resp = api.request("GET", "/services", sign=False)
    assert (resp.status_code, resp.json()["ErrorCode"]) == (400, "MissingRequiredHeader")
    resp = api.request("GET", "/services", sign=False, headers={"Authorization": "Bearer abc"})
    assert (resp.status_code, resp.json()["ErrorCode"]) == (403, "AccessDenied")


def test_date_skew_over_15_minutes_is_refused(api: Any) -> None:
    api.date_offset = -16 * 60
    resp = api.request("GET", "/services")
    assert (resp.status_code, resp.json()["ErrorCode"]) == (403, "RequestTimeTooSkewed")
    api.date_offset = 14 * 60
    assert api.request("GET", "/services").status_code == 200
    resp = api.request("GET", "/services", headers={"Date": "yesterday"})
    assert resp.status_code == 400


def test_route_miss_names_the_closest_routes(api: Any) -> None:
    resp = api.request("GET", "/servics/svc")
    assert (resp.status_code, resp.json()["ErrorCode"]) == (400, "PathNotSupported")
    message = resp.json()["ErrorMessage"]
    assert message.startswith("'GET' against '/2016-08-15/servics/svc' is not supported")
    assert "GET /2016-08-15/services/{serviceName}" in message
    wrong_method = api.request("PATCH", "/services/svc/aliases/prod", {})
    assert wrong_method.json()["ErrorCode"] == "PathNotSupported"
    assert "PUT /2016-08-15/services/{serviceName}/aliases/{aliasName}" in wrong_method.json()["ErrorMessage"]
    no_prefix = api.request("GET", "/services", prefix=False)
    assert "GET /2016-08-15/services" in no_prefix.json()["ErrorMessage"]


def test_every_answer_has_a_request_id_and_json_errors(api: Any) -> None:
    ids = set()
    for resp in (api.request("GET", "/services"), api.request("GET", "/services/x"), api.request("GET", "/nope")):
        ids.add(resp.headers["X-Fc-Request-Id"])
        assert resp.headers["Content-Type"] == "application/json"
    assert len(ids) == 3


def test_delete_answers_204_without_body(api: Any) -> None:
    api.service()
    resp = api.request("DELETE", "/services/svc")
    assert resp.status_code == 204 and resp.content == b"" and resp.headers["X-Fc-Request-Id"]


def test_accounts_come_from_header_then_host_then_default(fake: Any, make_api: Any) -> None:
    fake.add_endpoint("http://127.0.0.1:9000")
    make_api(base="https://111.cn-shanghai.fc.aliyuncs.com").service("a")
    make_api(base="http://222.cn-beijing-internal.fc.aliyuncs.com").service("b")
    make_api(base="https://111.cn-shanghai.fc.aliyuncs.com").ok(
        "POST", "/services", {"serviceName": "c"}, headers={"x-fc-account-id": "333"})
    make_api(base="http://127.0.0.1:9000").service("d")
    keys = {(r["account_id"], r["region"]): sorted(r["services"]) for r in fake.dump_state()["regions"]}
    assert keys == {("111", "cn-shanghai"): ["a"], ("222", "cn-beijing"): ["b"],
                    ("333", "cn-shanghai"): ["c"], ("1234567890", "cn-hangzhou"): ["d"]}


def test_handle_directly_without_http() -> None:
    fake = FakeFc(access_keys=None)
    req = FakeRequest("GET", "/2016-08-15/services", "", {"Date": signing.http_date(time.time()),
                                                          "Authorization": "FC anyone:sig"}, b"", "127.0.0.1:1")
    resp = fake.handle(req)
    assert resp.status == 200 and resp.json() == {"services": []}


@pytest.mark.parametrize("strict", [True, False])
def test_unknown_access_key(strict: bool) -> None:
    fake = FakeFc(access_keys={"AK": "SK"}, strict=strict)
    hdrs = {"Date": signing.http_date(time.time())}
    hdrs["Authorization"] = signing.authorization("OTHER", "whatever", "GET", "/2016-08-15/services", hdrs)
    resp = fake.handle(FakeRequest("GET", "/2016-08-15/services", "", hdrs, b"", "127.0.0.1"))
    if strict:
        assert (resp.status, resp.json()["ErrorCode"]) == (403, "InvalidAccessKeyID")
        assert resp.json()["ErrorMessage"] == "invalid access key ID 'OTHER'"
    else:
        assert resp.status == 200
    hdrs["Authorization"] = signing.authorization("AK", "nope", "GET", "/2016-08-15/services", hdrs)
    resp = fake.handle(FakeRequest("GET", "/2016-08-15/services", "", hdrs, b"", "127.0.0.1"))
    assert resp.json()["ErrorCode"] == "SignatureNotMatch"


def test_secrets_never_in_repr() -> None:
    fake = FakeFc(access_keys={"AK": "TOPSECRET"})
    assert "TOPSECRET" not in repr(fake) and "TOPSECRET" not in repr(fake.verifier)
