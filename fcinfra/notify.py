"""Rollout notifications: a generic JSON webhook (optionally HMAC-signed), a DingTalk robot, a Slack webhook.

A :class:`Notifier` is an event sink (pass it in ``Rollout(on_event=[...])``): it sends on ``start``/``resume``,
every ``weight`` (step), ``promoted``, ``rollback``/``rolled_back`` and ``aborted``. Sending happens on a
background thread with retries and exponential backoff, so a slow or failing receiver never delays a bake or
changes the rollout's outcome; :meth:`Notifier.close` waits (bounded) for what is queued and returns the
failures as text. Webhook URLs and signing secrets are secrets (a Slack or DingTalk URL carries its token):
they never appear in a repr, an error message, a log line or pickled state; only the receiver's host does.

Generic webhook body (``schema`` ``fcinfra.rollout.event/1``)::

    {"schema": "fcinfra.rollout.event/1", "kind": "weight", "service": "shop", "alias": "prod",
     "to_version": "4", "weight": 25, "message": "...", "at": 12.5, "sent_at": 1795000000}

With a secret, ``X-Fcinfra-Timestamp: <unix seconds>`` and
``X-Fcinfra-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``.
DingTalk: its "加签" scheme (``timestamp`` in ms, ``sign`` = base64 HMAC-SHA256(secret, "timestamp\\nsecret")
added to the URL), a ``text`` message, success only when the answer's ``errcode`` is 0. Slack: ``{"text"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from fcinfra.errors import NotificationError
from fcinfra.rollout.events import Event

SCHEMA = "fcinfra.rollout.event/1"
KINDS = frozenset({"start", "resume", "weight", "promoted", "rollback", "rolled_back", "aborted"})
SIGNATURE_HEADER = "X-Fcinfra-Signature"
TIMESTAMP_HEADER = "X-Fcinfra-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The generic webhook's signature header value; a receiver recomputes it to verify."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's robot signature (base64 HMAC-SHA256 of "timestamp\\nsecret", keyed by the secret)."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def text_of(event: Event) -> str:
    """One line for chat channels."""
    return f"[fcinfra] {event.service}/{event.alias} -> version {event.to_version}: {event.kind}: {event.message}"


def _busy(resp: requests.Response) -> bool:
    """A 5xx or 429 answer: worth another try (as a connection failure is)."""
    return resp.status_code >= 500 or resp.status_code == 429


@dataclass(frozen=True)
class Channel:
    """One destination. ``url`` and ``secret`` are kept out of repr (and out of every message: see ``where``)."""

    kind: str  # "webhook" | "dingtalk" | "slack"
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """What may be shown: the kind and the host, never the path or query (they carry tokens)."""
        return f"{self.kind} at {urllib.parse.urlsplit(self.url).netloc}"

    def request(self, event: Event, now: float) -> tuple[str, bytes, dict[str, str]]:
        """(url, body, headers) for one event."""
        headers = {"Content-Type": "application/json"}
        if self.kind == "webhook":
            body = json.dumps({"schema": SCHEMA, **_public(event), "sent_at": int(now)},
                              separators=(",", ":")).encode()
            if self.secret:
                ts = str(int(now))
                headers[TIMESTAMP_HEADER] = ts
                headers[SIGNATURE_HEADER] = sign(self.secret, ts, body)
            return self.url, body, headers
        if self.kind == "dingtalk":
            url = self.url
            if self.secret:
                ts = str(int(now * 1000))
                query = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(self.secret, ts)})
                url = f"{url}{'&' if '?' in url else '?'}{query}"
            body = json.dumps({"msgtype": "text", "text": {"content": text_of(event)}}).encode()
            return url, body, headers
        return self.url, json.dumps({"text": text_of(event)}).encode(), headers

    def accepted(self, resp: requests.Response) -> bool:
        """DingTalk answers 200 with ``errcode`` != 0 on a refusal (bad sign, bad keyword)."""
        if self.kind != "dingtalk":
            return True
        try:
            return bool(resp.json().get("errcode") == 0)
        except ValueError:
            return False


def _public(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, "service": event.service, "alias": event.alias, "to_version": event.to_version,
            "weight": event.weight, "message": event.message, "at": round(event.at, 3)}


class Notifier:
    """Sends rollout events to channels in the background; never raises into the rollout."""

    def __init__(self, channels: list[Channel], *, attempts: int = 4, backoff: float = 0.5, timeout: float = 5.0,
                 post: Callable[..., requests.Response] | None = None, clock: Callable[[], float] = time.time,
                 kinds: frozenset[str] = KINDS) -> None:
        self.channels = list(channels)
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.kinds = kinds
        self._post = post or requests.post
        self._clock = clock
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self.failures: list[str] = []
        self.sent = 0
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Notifier({', '.join(c.where for c in self.channels)})"

    def __reduce__(self) -> Any:
        raise TypeError("a Notifier holds webhook URLs and secrets: it is never pickled")

    def __call__(self, event: Event) -> None:
        """The event sink: queue and return at once."""
        if event.kind not in self.kinds or not self.channels:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="fcinfra-notify", daemon=True)
            self._thread.start()
        self._queue.put(event)

    def close(self, timeout: float = 30.0) -> list[str]:
        """Wait up to ``timeout`` for queued notifications; returns the failures (safe to print)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.failures.append(f"notifications still pending after {timeout:g}s were dropped")
        return list(self.failures)

    def _work(self) -> None:
        while (event := self._queue.get()) is not None:
            for channel in self.channels:
                try:
                    self.send(channel, event)
                    self.sent += 1
                except NotificationError as exc:
                    self.failures.append(str(exc))

    def send(self, channel: Channel, event: Event) -> None:
        """One notification with retries (5xx, 429, connection errors) and exponential backoff."""
        url, body, headers = channel.request(event, self._clock())

        def attempt() -> requests.Response:
            return self._post(url, data=body, headers=headers, timeout=self.timeout)

        retrying = Retrying(stop=stop_after_attempt(self.attempts), reraise=True,
                            wait=wait_exponential(multiplier=self.backoff, max=30),
                            retry=retry_if_exception_type(requests.RequestException) | retry_if_result(_busy))
        failed = f"{event.kind} notification to {channel.where} failed after {self.attempts} attempts"
        try:
            resp = retrying(attempt)
        except requests.RequestException as exc:  # its message may name the URL: only the type is kept
            raise NotificationError(f"{failed}: {type(exc).__name__}") from None
        except RetryError as exc:
            last = exc.last_attempt.result()
            raise NotificationError(f"{failed}: HTTP {getattr(last, 'status_code', '?')}") from None
        if resp.status_code >= 400 or not channel.accepted(resp):
            raise NotificationError(f"{event.kind} notification to {channel.where} refused: HTTP {resp.status_code}")
