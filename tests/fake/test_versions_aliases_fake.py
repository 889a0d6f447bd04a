"""Versions (immutable snapshots, ids never reused, no-change publish) and aliases (weights, rules)."""

from __future__ import annotations

from typing import Any

import pytest


def test_seed_scenario_versions(seeded: Any, rejects: Any) -> None:
    api = seeded
    assert api.publish() == "1"
    resp = rejects(lambda: api.request("POST", "/services/svc/versions"), 400, "VersionPublishError")
    assert "No changes were made since last publish" in resp.json()["ErrorMessage"]
    api.update_function(memorySize=512)
    assert api.publish() == "2"
    old = api.request("GET", "/services/svc.1/functions/fn").json()
    assert old["memorySize"] == 128
    assert api.request("GET", "/services/svc.2/functions/fn").json()["memorySize"] == 512
    assert api.request("DELETE", "/services/svc/versions/2").status_code == 204
    api.update_function(memorySize=1024)
    assert api.publish() == "3"  # never reused
    versions = api.request("GET", "/services/svc/versions").json()
    assert [v["versionId"] for v in versions["versions"]] == ["3", "1"]
    assert versions["direction"] == "BACKWARD"


@pytest.mark.parametrize("change", [
    lambda api: api.ok("PUT", "/services/svc", {"description": "same or not, an update is a change"}),
    lambda api: api.update_function(description="x"),
    lambda api: api.function(name="g"),
    lambda api: api.ok("DELETE", "/services/svc/functions/fn"),
])
def test_any_service_or_function_change_allows_a_new_publish(seeded: Any, change: Any) -> None:
    seeded.publish()
    change(seeded)
    assert seeded.publish() == "2"


@pytest.mark.parametrize("not_a_change", [
    lambda api: api.alias("prod", "1"),
    lambda api: api.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "t", "triggerType": "timer", "triggerConfig": {"cronExpression": "@every 1m"}}),
    # deleting an older version: LATEST still equals the newest version left (issue 9 item 3)
    lambda api: (api.update_function(memorySize=256), api.publish(), api.ok("DELETE", "/services/svc/versions/1")),
])
def test_aliases_triggers_and_version_deletes_are_not_changes(seeded: Any, rejects: Any, not_a_change: Any) -> None:
    seeded.publish()
    not_a_change(seeded)
    rejects(lambda: seeded.request("POST", "/services/svc/versions"), 400, "VersionPublishError")


def test_publish_description_and_capitalised_key(seeded: Any) -> None:
    body = seeded.ok("POST", "/services/svc/versions", {"Description": "terraform style"})
    assert body["versionId"] == "1" and body["description"] == "terraform style"
    assert body["createdTime"] and body["lastModifiedTime"]


def test_snapshot_is_immutable_and_excludes_later_functions(seeded: Any, rejects: Any) -> None:
    seeded.publish()
    seeded.function(name="later")
    seeded.ok("PUT", "/services/svc", {"description": "new"})
    at1 = seeded.request("GET", "/services/svc.1/functions").json()
    assert [f["functionName"] for f in at1["functions"]] == ["fn"]
    latest = seeded.request("GET", "/services/svc.LATEST/functions").json()
    assert [f["functionName"] for f in latest["functions"]] == ["fn", "later"]
    assert seeded.request("GET", "/services/svc.1").json()["description"] == ""
    assert seeded.request("GET", "/services/svc").json()["description"] == "new"
    rejects(lambda: seeded.request("GET", "/services/svc.1/functions/later"), 404, "FunctionNotFound")
    rejects(lambda: seeded.request("GET", "/services/svc.9/functions/fn"), 404, "VersionNotFound")
    rejects(lambda: seeded.request("GET", "/services/svc.nope"), 404, "AliasNotFound")


def test_delete_latest_and_unknown_versions(seeded: Any, rejects: Any) -> None:
    seeded.publish()
    rejects(lambda: seeded.request("DELETE", "/services/svc/versions/LATEST"), 400, "InvalidArgument")
    resp = rejects(lambda: seeded.request("DELETE", "/services/svc/versions/7"), 404, "VersionNotFound")
    assert resp.json()["ErrorMessage"] == "version '7' of service 'svc' does not exist"


def test_version_pagination_and_direction(seeded: Any, rejects: Any) -> None:
    for i in range(5):
        seeded.update_function(description=str(i))
        seeded.publish()
    page = seeded.request("GET", "/services/svc/versions", query={"limit": 2}).json()
    assert [v["versionId"] for v in page["versions"]] == ["5", "4"]
    page2 = seeded.request("GET", "/services/svc/versions", query={"limit": 2, "nextToken": page["nextToken"]}).json()
    assert [v["versionId"] for v in page2["versions"]] == ["3", "2"]
    page3 = seeded.request("GET", "/services/svc/versions", query={"limit": 2, "nextToken": page2["nextToken"]}).json()
    assert [v["versionId"] for v in page3["versions"]] == ["1"] and "nextToken" not in page3
    fwd = seeded.request("GET", "/services/svc/versions", query={"direction": "FORWARD", "startKey": "2"}).json()
    assert [v["versionId"] for v in fwd["versions"]] == ["2", "3", "4", "5"] and fwd["direction"] == "FORWARD"
    back = seeded.request("GET", "/services/svc/versions", query={"startKey": "3"}).json()
    assert [v["versionId"] for v in back["versions"]] == ["3", "2", "1"]
    latest = seeded.request("GET", "/services/svc/versions", query={"limit": 1}).json()
    assert latest["versions"][0]["versionId"] == "5"
    rejects(lambda: seeded.request("GET", "/services/svc/versions", query={"direction": "UP"}), 400, "InvalidArgument")


def test_publish_if_match_is_the_service_etag(seeded: Any, rejects: Any) -> None:
    etag = seeded.request("GET", "/services/svc").headers["ETag"]
    rejects(lambda: seeded.request("POST", "/services/svc/versions", headers={"If-Match": "stale"}),
            412, "PreconditionFailed")
    ok = seeded.request("POST", "/services/svc/versions", headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.headers["ETag"]


# ------------------------------------------------------------------------------------------------ aliases
def _two_versions(api: Any) -> None:
    api.publish()
    api.update_function(description="v2")
    api.publish()


def test_alias_crud_and_shape(seeded: Any, rejects: Any) -> None:
    _two_versions(seeded)
    created = seeded.request("POST", "/services/svc/aliases", {"aliasName": "prod", "versionId": "1"})
    assert created.status_code == 200 and created.headers["ETag"]
    body = created.json()
    assert body["aliasName"] == "prod" and body["versionId"] == "1" and body["additionalVersionWeight"] is None
    rejects(lambda: seeded.request("POST", "/services/svc/aliases", {"aliasName": "prod", "versionId": "1"}),
            409, "AliasAlreadyExists")
    upd = seeded.request("PUT", "/services/svc/aliases/prod", {"additionalVersionWeight": {"2": 0.25}})
    assert upd.json()["additionalVersionWeight"] == {"2": 0.25} and upd.json()["versionId"] == "1"
    assert upd.headers["ETag"] != created.headers["ETag"]
    kept = seeded.request("PUT", "/services/svc/aliases/prod", {"description": "d", "additionalVersionWeight": None})
    assert kept.json()["additionalVersionWeight"] == {"2": 0.25} and kept.json()["description"] == "d"
    cleared = seeded.request("PUT", "/services/svc/aliases/prod", {"additionalVersionWeight": {}})
    assert cleared.json()["additionalVersionWeight"] is None
    got = seeded.request("GET", "/services/svc/aliases/prod")
    assert got.json() == cleared.json() and got.headers["ETag"] == cleared.headers["ETag"]
    assert seeded.request("DELETE", "/services/svc/aliases/prod").status_code == 204
    resp = rejects(lambda: seeded.request("GET", "/services/svc/aliases/prod"), 404, "AliasNotFound")
    assert resp.json()["ErrorMessage"] == "alias 'prod' of service 'svc' does not exist"


def test_alias_rules(seeded: Any, rejects: Any) -> None:
    _two_versions(seeded)

    def create(body: dict[str, Any]) -> Any:
        return lambda: seeded.request("POST", "/services/svc/aliases", body)

    rejects(create({"aliasName": "LATEST", "versionId": "1"}), 400, "InvalidArgument")
    rejects(create({"aliasName": "1prod", "versionId": "1"}), 400, "InvalidArgument")
    rejects(create({"aliasName": "", "versionId": "1"}), 400, "InvalidArgument")
    rejects(create({"aliasName": "p" * 129, "versionId": "1"}), 400, "InvalidArgument")
    rejects(create({"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {"2": 1.5}}),
            400, "InvalidArgument")
    rejects(create({"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {"2": -0.1}}),
            400, "InvalidArgument")
    rejects(create({"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {"2": 0.1, "3": 0.1}}),
            400, "InvalidArgument")
    resp = rejects(create({"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {"1": 0.1}}),
                   400, "AdditionalVersionContainsMajorVersion")
    assert "should not contain major version 1" in resp.json()["ErrorMessage"]
    rejects(create({"aliasName": "prod", "versionId": "9"}), 404, "VersionNotFound")
    rejects(create({"aliasName": "prod", "versionId": "1", "additionalVersionWeight": {"9": 0.5}}),
            404, "VersionNotFound")
    rejects(lambda: seeded.request("POST", "/services/nope/aliases", {"aliasName": "p", "versionId": "1"}),
            404, "ServiceNotFound")
    seeded.alias("prod", "1", weights={"2": 0.5})
    rejects(lambda: seeded.request("PUT", "/services/svc/aliases/prod", {"versionId": "2"}),
            400, "AdditionalVersionContainsMajorVersion")
    rejects(lambda: seeded.request("PUT", "/services/svc/aliases/prod", {"versionId": "8"}), 404, "VersionNotFound")
    rejects(lambda: seeded.request("PUT", "/services/svc/aliases/nope", {"versionId": "1"}), 404, "AliasNotFound")
    assert seeded.alias("head", "LATEST")["versionId"] == "LATEST"


def test_alias_if_match_checked_before_body(seeded: Any, rejects: Any) -> None:
    _two_versions(seeded)
    etag = seeded.request("POST", "/services/svc/aliases", {"aliasName": "prod", "versionId": "1"}).headers["ETag"]
    # an invalid body with a stale ETag: the precondition answers first
    rejects(lambda: seeded.request("PUT", "/services/svc/aliases/prod", {"additionalVersionWeight": {"2": 7}},
                                   headers={"If-Match": "stale"}), 412, "PreconditionFailed")
    rejects(lambda: seeded.request("DELETE", "/services/svc/aliases/prod", headers={"If-Match": "stale"}),
            412, "PreconditionFailed")
    ok = seeded.request("PUT", "/services/svc/aliases/prod", {"additionalVersionWeight": {"2": 0.1}},
                        headers={"If-Match": etag})
    assert ok.status_code == 200
    rejects(lambda: seeded.request("PUT", "/services/svc/aliases/prod", {"versionId": "2"},
                                   headers={"If-Match": etag}), 412, "PreconditionFailed")


@pytest.mark.parametrize("path", ["/services/svc", "/services/svc/functions/fn", "/services/svc/aliases/prod",
                                  "/services/svc/functions/fn/triggers/t"])
def test_stale_if_match_answers_412_even_when_the_body_is_not_json(seeded: Any, rejects: Any, path: str) -> None:
    seeded.publish()
    seeded.alias("prod", "1")
    seeded.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "t", "triggerType": "timer", "triggerConfig": {"cronExpression": "@every 1m"}})
    rejects(lambda: seeded.request("PUT", path, raw=b"{not json", headers={"If-Match": "stale"}),
            412, "PreconditionFailed")
    rejects(lambda: seeded.request("POST", "/services/svc/versions", raw=b"{not json", headers={"If-Match": "x"}),
            412, "PreconditionFailed")
    # with the right ETag the same body is refused as the bad JSON it is
    etag = seeded.request("GET", path).headers["ETag"]
    resp = rejects(lambda: seeded.request("PUT", path, raw=b"{not json", headers={"If-Match": etag}),
                   400, "InvalidArgument")
    assert "not valid JSON" in resp.json()["ErrorMessage"]


def test_if_match_on_service_and_function(seeded: Any, rejects: Any) -> None:
    rejects(lambda: seeded.request("PUT", "/services/svc", {"description": "x"}, headers={"If-Match": "bad"}),
            412, "PreconditionFailed")
    rejects(lambda: seeded.request("PUT", "/services/svc/functions/fn", {"timeout": 0}, headers={"If-Match": "bad"}),
            412, "PreconditionFailed")
    rejects(lambda: seeded.request("DELETE", "/services/svc/functions/fn", headers={"If-Match": "bad"}),
            412, "PreconditionFailed")
    etag = seeded.request("GET", "/services/svc/functions/fn").headers["ETag"]
    assert seeded.request("PUT", "/services/svc/functions/fn", {"timeout": 5}, headers={"If-Match": etag}).ok


def test_list_aliases_prefix_and_pages(seeded: Any) -> None:
    seeded.publish()
    for name in ("a1", "a2", "b1", "a3"):
        seeded.alias(name, "1")
    page = seeded.request("GET", "/services/svc/aliases", query={"prefix": "a", "limit": 2}).json()
    assert [a["aliasName"] for a in page["aliases"]] == ["a1", "a2"]
    rest = seeded.request("GET", "/services/svc/aliases", query={"prefix": "a", "nextToken": page["nextToken"]})
    assert [a["aliasName"] for a in rest.json()["aliases"]] == ["a3"]


def test_deleting_a_referenced_version_is_allowed_then_calls_fail(seeded: Any, rejects: Any) -> None:
    _two_versions(seeded)
    seeded.alias("prod", "1")
    seeded.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "t", "triggerType": "timer", "qualifier": "prod",
        "triggerConfig": {"cronExpression": "@every 1m"}})
    assert seeded.request("DELETE", "/services/svc/versions/1").status_code == 204
    resp = rejects(lambda: seeded.invoke("svc.prod"), 404, "VersionNotFound")
    assert "'1'" in resp.json()["ErrorMessage"]
    rejects(lambda: seeded.request("GET", "/services/svc.prod/functions/fn"), 404, "VersionNotFound")
    assert seeded.request("GET", "/services/svc/aliases/prod").json()["versionId"] == "1"  # left dangling


def test_weighted_routing_share_is_within_tolerance_and_seeded(seeded: Any, fake: Any) -> None:
    _two_versions(seeded)
    seeded.alias("prod", "1", weights={"2": 0.2})
    # the share over 20,000 resolutions (the same code path every invocation takes; the seeds' scenario in
    # tests/test_seeds_scenario.py also measures it over 5,000 invocations on the wire)
    backend = fake.region_backend()
    resolved = [backend.resolve("svc", "prod", route=True).version for _ in range(20000)]
    assert 0.19 <= resolved.count("2") / len(resolved) <= 0.21
    hits = [seeded.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] for _ in range(500)]
    assert set(hits) == {"1", "2"}
    assert 0.14 <= hits.count("2") / len(hits) <= 0.26
    # the same seed gives the same sequence
    fake.backend.rng.seed(99)
    first = [seeded.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] for _ in range(200)]
    fake.backend.rng.seed(99)
    second = [seeded.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] for _ in range(200)]
    assert first == second


@pytest.mark.parametrize(("weight", "expected"), [(0.0, {"1"}), (1.0, {"2"})])
def test_weight_edges(seeded: Any, weight: float, expected: set[str]) -> None:
    _two_versions(seeded)
    seeded.alias("prod", "1", weights={"2": weight})
    assert {seeded.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] for _ in range(200)} == expected


def test_seed_scenario_end_to_end_on_the_wire(seeded: Any, rejects: Any) -> None:
    api = seeded
    assert api.publish() == "1"
    api.update_function(timeout=9)
    assert api.publish() == "2"
    api.ok("DELETE", "/services/svc/versions/2")
    api.update_function(timeout=10)
    assert api.publish() == "3"
    api.alias("prod", "1")
    trig = api.ok("POST", "/services/svc/functions/fn/triggers", {
        "triggerName": "cron", "triggerType": "timer", "qualifier": "prod",
        "triggerConfig": {"cronExpression": "@every 1m"}})
    assert trig["qualifier"] == "prod"
    resp = api.invoke("svc.prod")
    assert resp.headers["X-Fc-Invocation-Service-Version"] == "1"
    assert (resp.json()["qualifier"], resp.json()["version"]) == ("prod", "1")
    api.ok("PUT", "/services/svc/aliases/prod", {"additionalVersionWeight": {"3": 0.2}})
    hits = [api.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] for _ in range(5000)]
    assert abs(hits.count("3") / 5000 - 0.2) <= 0.02
    api.ok("PUT", "/services/svc/aliases/prod", {"versionId": "3", "additionalVersionWeight": {}})
    assert {api.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] for _ in range(50)} == {"3"}
    api.ok("PUT", "/services/svc/aliases/prod", {"versionId": "1"})
    assert api.invoke("svc.prod").headers["X-Fc-Invocation-Service-Version"] == "1"
    api.ok("DELETE", "/services/svc/versions/1")  # FC allows it; fcinfra.lifecycle is what refuses
    resp = rejects(lambda: api.invoke("svc.prod"), 404, "VersionNotFound")
    assert resp.json()["ErrorMessage"] == "version '1' of service 'svc' does not exist"


def test_function_code_is_read_through_the_qualifier(seeded: Any, rejects: Any) -> None:
    """GetFunctionCode on svc.{version|alias|LATEST} answers that snapshot's package, not LATEST's."""
    import base64

    old, new = seeded.make_zip({"index.py": "# v1\n"}), seeded.make_zip({"index.py": "# v2\n"})
    seeded.update_function(code={"zipFile": base64.b64encode(old).decode()})
    seeded.publish()
    seeded.update_function(code={"zipFile": base64.b64encode(new).decode()})
    seeded.alias("prod", "1")

    def package(service: str) -> tuple[str, bytes]:
        answer = seeded.request("GET", f"/services/{service}/functions/fn/code").json()
        return answer["checksum"], seeded.session.get(answer["url"]).content

    for qualified, expected in (("svc.1", old), ("svc.prod", old), ("svc.LATEST", new), ("svc", new)):
        checksum, content = package(qualified)
        assert content == expected, qualified
        fn = seeded.request("GET", f"/services/{qualified}/functions/fn").json()
        assert checksum == fn["codeChecksum"]
    assert package("svc.1")[0] != package("svc")[0]
    rejects(lambda: seeded.request("GET", "/services/svc.7/functions/fn/code"), 404, "VersionNotFound")
