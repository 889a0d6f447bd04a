from __future__ import annotations

from typing import Any


def test_create_publish_alias_invoke(seeded: Any) -> None:
    assert seeded.publish() == "1"
    seeded.alias("prod", "1")
    resp = seeded.invoke("svc.prod", payload=b"hello")
    assert resp.status_code == 200
    assert resp.headers["X-Fc-Invocation-Service-Version"] == "1"
    body = resp.json()
    assert body["qualifier"] == "prod" and body["version"] == "1" and body["event"] == "hello"
    again = seeded.request("POST", "/services/svc/versions")
    assert seeded.error_of(again) == (400, "VersionPublishError")
    assert "No changes were made since last publish" in again.json()["ErrorMessage"]
