"""publish_version is not idempotent: it is never resent blindly, and never creates two versions."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from fcinfra.errors import AmbiguousPublishError, NoChangesToPublishError, ServerError
from fcinfra.fc import FcClient

API = "https://1234567890.cn-hangzhou.fc.aliyuncs.com/2016-08-15"
VERSIONS = f"{API}/services/demo/versions"
NEWEST = matchers.query_param_matcher({"limit": "1", "direction": "BACKWARD"})
ALL = matchers.query_param_matcher({"limit": "100", "direction": "BACKWARD"})


def versions(*ids_and_descriptions: tuple[str, str | None]) -> dict[str, Any]:
    return {"versions": [{"versionId": v, "description": d} for v, d in ids_and_descriptions]}


def posts(rsps: responses.RequestsMock) -> int:
    return sum(1 for c in rsps.calls if c.request.method == "POST")


def test_publish_sends_description_and_if_match(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, json={"versionId": "5", "description": "d"}, headers={"ETag": "v5"})
    version = client.publish_version("demo", "d", if_match="svc-etag")
    assert (version.version_id, version.etag) == ("5", "v5")
    post = next(c.request for c in rsps.calls if c.request.method == "POST")
    assert json.loads(post.body) == {"description": "d"} and post.headers["If-Match"] == "svc-etag"


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.exceptions.ConnectionError("connection aborted: remote end closed connection")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"json": {"ErrorCode": "InternalServerError", "ErrorMessage": "oops"}, "status": 500},
    ],
)
def test_ambiguous_failure_then_version_found_is_returned_not_duplicated(
    client: FcClient, rsps: responses.RequestsMock, failure: dict[str, Any]
) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, **failure)  # the version was created, but the answer was lost
    rsps.get(VERSIONS, json=versions(("5", "release"), ("4", None)), match=[ALL])
    version = client.publish_version("demo", "release")
    assert version.version_id == "5"
    assert posts(rsps) == 1


def test_ambiguous_failure_then_no_version_is_retried(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, body=requests.exceptions.ConnectionError("connection aborted"))
    rsps.post(VERSIONS, json={"versionId": "5", "description": "release"})
    rsps.get(VERSIONS, json=versions(("4", None)), match=[ALL])
    assert client.publish_version("demo", "release").version_id == "5"
    assert posts(rsps) == 2


def test_first_version_of_a_service(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json={"versions": []}, match=[NEWEST])
    rsps.post(VERSIONS, json={"ErrorCode": "InternalServerError", "ErrorMessage": "x"}, status=502)
    rsps.get(VERSIONS, json=versions(("1", None)), match=[ALL])
    assert client.publish_version("demo").version_id == "1"
    assert posts(rsps) == 1


def test_throttled_publish_is_resent_without_checking(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, json={"ErrorCode": "ResourceThrottled", "ErrorMessage": "slow down"}, status=503)
    rsps.post(VERSIONS, json={"versionId": "5"})
    assert client.publish_version("demo").version_id == "5"
    assert len(rsps.calls) == 3  # newest, throttled post, post


def test_unknowable_outcome_raises_ambiguous(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, body=requests.exceptions.ConnectionError("connection aborted"))
    rsps.get(VERSIONS, json={"ErrorCode": "InternalServerError", "ErrorMessage": "x"}, status=500, match=[ALL])
    with pytest.raises(AmbiguousPublishError, match="could not be listed"):
        client.publish_version("demo", "release")
    assert posts(rsps) == 1


def test_two_new_versions_cannot_be_told_apart(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, body=requests.exceptions.ConnectionError("connection aborted"))
    rsps.get(VERSIONS, json=versions(("6", "release"), ("5", "release"), ("4", None)), match=[ALL])
    with pytest.raises(AmbiguousPublishError, match="5"):
        client.publish_version("demo", "release")
    assert posts(rsps) == 1


def test_someone_elses_version_is_not_taken_for_ours(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, body=requests.exceptions.ConnectionError("connection aborted"))
    rsps.get(VERSIONS, json=versions(("5", "someone else"), ("4", None)), match=[ALL])
    with pytest.raises(AmbiguousPublishError):
        client.publish_version("demo", "release")


def test_retries_stop_after_the_policy(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, json={"ErrorCode": "InternalServerError", "ErrorMessage": "x"}, status=500)
    rsps.get(VERSIONS, json=versions(("4", None)), match=[ALL])
    with pytest.raises(ServerError):
        client.publish_version("demo")
    assert posts(rsps) == client.retry_policy.attempts


def test_no_changes_is_not_retried(client: FcClient, rsps: responses.RequestsMock) -> None:
    rsps.get(VERSIONS, json=versions(("4", None)), match=[NEWEST])
    rsps.post(VERSIONS, json={"ErrorCode": "VersionPublishError",
                              "ErrorMessage": "No changes were made since last publish"}, status=400)
    with pytest.raises(NoChangesToPublishError):
        client.publish_version("demo")
    assert posts(rsps) == 1
