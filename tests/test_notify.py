"""fcinfra.notify without a rollout: retries on connection failures, the kinds it sends, no URL in errors."""

from __future__ import annotations

import socket

from fcinfra.notify import Channel, Notifier, sign
from fcinfra.rollout.events import Event

TOKEN = "tok-secret-path"


def event(kind: str) -> Event:
    return Event(kind, 1.0, "msg", "shop", "prod", "2", 10)


def test_a_receiver_that_is_not_there_fails_after_every_attempt_naming_only_the_host() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    notifier = Notifier([Channel("webhook", f"http://127.0.0.1:{port}/{TOKEN}")], attempts=3, backoff=0)
    notifier(event("promoted"))
    failures = notifier.close(10)
    assert len(failures) == 1
    assert failures[0] == (f"promoted notification to webhook at 127.0.0.1:{port} failed after 3 attempts: "
                           "ConnectionError")
    assert TOKEN not in failures[0]


def test_only_release_milestones_are_sent() -> None:
    sent: list[bytes] = []

    class Ok:
        status_code = 200

    def post(url: str, data: bytes, headers: dict[str, str], timeout: float) -> Ok:
        sent.append(data)
        return Ok()

    notifier = Notifier([Channel("slack", "https://hooks.slack.test/x")], post=post)  # type: ignore[arg-type]
    for kind in ("start", "check", "wait", "weight", "gate", "rollback", "rolled_back", "error"):
        notifier(event(kind))
    assert notifier.close(5) == []
    import json

    assert [json.loads(b)["text"].split(": ")[1] for b in sent] == ["start", "weight", "rollback", "rolled_back"]


def test_signature_changes_with_body_timestamp_and_secret() -> None:
    base = sign("s", "1", b"{}")
    assert base.startswith("sha256=") and len(base) == 7 + 64
    assert len({base, sign("s", "2", b"{}"), sign("s", "1", b"{ }"), sign("t", "1", b"{}")}) == 4
