"""Record real FC traffic as JSON fixtures, scrubbed of credentials, and replay fixtures with ``responses``.

Users with an Alibaba Cloud account can record what FC really answers and contribute it as a fixture::

    recorder = Recorder.for_credentials(ak_id, ak_secret, sts_token, account_id)
    client = FcClient(account_id, region, ak_id, ak_secret, sts_token, session=recorder.session)
    # (or recorder.attach(an_existing_session))
    ...                                                  # use the client
    recorder.save("tests/fixtures/recorded.json", source="recorded against cn-hangzhou, 2026-11-24")

Scrubbing happens when an exchange is recorded, before anything is kept or written: the
``Authorization`` header, access key ids, secrets, security tokens and account ids are replaced in
headers, URLs (host names included) and bodies, whether or not they were named in ``secrets``
(known patterns are recognised too). The fixture format is the one in ``tests/fixtures/``.

This module is part of the fake: it imports neither ``fcinfra.fc.client`` nor ``fcinfra.errors``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter

ACCOUNT_PLACEHOLDER = "1234567890"
ACCESS_KEY_PLACEHOLDER = "SCRUBBED_ACCESS_KEY_ID"
SECRET_PLACEHOLDER = "SCRUBBED_SECRET"
TOKEN_PLACEHOLDER = "SCRUBBED_SECURITY_TOKEN"
SIGNATURE_PLACEHOLDER = "SCRUBBED_SIGNATURE"

# Request headers worth keeping in a fixture (the rest is transport noise); compared case-insensitively.
KEPT_REQUEST_HEADERS = ("content-type", "if-match", "date")
KEPT_RESPONSE_HEADERS = ("content-type", "etag")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"FC\s+[^:\s\"']+:[A-Za-z0-9+/=]+"), f"FC {ACCESS_KEY_PLACEHOLDER}:{SIGNATURE_PLACEHOLDER}"),
    (re.compile(r"\bLTAI[0-9A-Za-z]{8,40}\b"), ACCESS_KEY_PLACEHOLDER),  # Alibaba Cloud access key ids
    (re.compile(r"\bSTS\.[0-9A-Za-z]{8,60}\b"), ACCESS_KEY_PLACEHOLDER),  # temporary access key ids
    (re.compile(r"\bCAIS[0-9A-Za-z+/=_-]{16,}"), TOKEN_PLACEHOLDER),  # STS security tokens
    (re.compile(r"\b\d{5,20}(?=\.[a-z0-9-]+\.fc\.aliyuncs\.com)"), ACCOUNT_PLACEHOLDER),  # account in host names
    (re.compile(r"(?<=acs:)([a-z0-9-]+:[a-z0-9-]*:)\d{5,20}(?=:)"), r"\g<1>" + ACCOUNT_PLACEHOLDER),  # ARNs
    (
        re.compile(r"((?:x-fc-signature|x-fc-access-key-id|x-fc-security-token)=)[^&\s\"']+", re.IGNORECASE),
        r"\g<1>SCRUBBED",
    ),
)


class Scrubber:
    """Replaces credentials and account ids in text; knows the caller's own values and common patterns."""

    def __init__(
        self,
        access_key_ids: Iterable[str] = (),
        secrets: Iterable[str] = (),
        security_tokens: Iterable[str] = (),
        account_ids: Iterable[str] = (),
    ) -> None:
        pairs: list[tuple[str, str]] = []
        pairs += [(v, SECRET_PLACEHOLDER) for v in secrets if v]
        pairs += [(v, TOKEN_PLACEHOLDER) for v in security_tokens if v]
        pairs += [(v, ACCESS_KEY_PLACEHOLDER) for v in access_key_ids if v]
        pairs += [(v, ACCOUNT_PLACEHOLDER) for v in account_ids if v]
        # Longest first, so a value containing another one is replaced whole.
        self._known = sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    def text(self, value: str) -> str:
        """``value`` with credentials, account ids and signatures replaced by placeholders: fixtures are committed."""
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        for secret, placeholder in self._known:
            value = value.replace(secret, placeholder)
        return value

    def data(self, value: Any) -> Any:
        """Scrub every string (keys too) inside JSON-like data."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    def headers(self, headers: Mapping[str, str], keep: Iterable[str]) -> dict[str, str]:
        """Keep FC's own ``x-fc-*`` headers and the listed ones; credentials become placeholders."""
        wanted = {k.lower() for k in keep}
        out: dict[str, str] = {}
        for name, value in headers.items():
            lower = name.lower()
            if lower == "authorization":
                out[name] = f"FC {ACCESS_KEY_PLACEHOLDER}:{SIGNATURE_PLACEHOLDER}"
            elif lower == "x-fc-security-token":
                out[name] = TOKEN_PLACEHOLDER
            elif lower == "x-fc-account-id":
                out[name] = ACCOUNT_PLACEHOLDER
            elif lower.startswith("x-fc-") or lower in wanted:
                out[name] = self.text(value)
        return out


def encode_body(body: bytes | str | None, scrubber: Scrubber) -> dict[str, Any]:
    """A body as fixture data: ``{"json": ...}`` when it parses, else ``{"text": ...}`` or ``{"base64": ...}``."""
    if body is None or body == b"" or body == "":
        return {}
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}
    try:
        return {"json": scrubber.data(json.loads(text))}
    except ValueError:
        return {"text": scrubber.text(text)}


def decode_body(part: Mapping[str, Any]) -> bytes:
    """The bytes a fixture's request or response body stands for."""
    if "json" in part:
        return json.dumps(part["json"]).encode("utf-8")
    if "text" in part:
        return str(part["text"]).encode("utf-8")
    if "base64" in part:
        return base64.b64decode(part["base64"])
    return b""


def scrub_exchange(
    scrubber: Scrubber, request: requests.PreparedRequest, response: requests.Response
) -> dict[str, Any]:
    """One request/response pair as fixture data, with nothing secret left in it."""
    url = urlsplit(request.url or "")
    body = request.body if isinstance(request.body, bytes | str) else None
    return {
        "request": {
            "method": request.method,
            "host": scrubber.text(url.netloc),
            "path": scrubber.text(url.path),
            "query": scrubber.text(url.query),
            "headers": scrubber.headers(dict(request.headers), KEPT_REQUEST_HEADERS),
            **encode_body(body, scrubber),
        },
        "response": {
            "status": response.status_code,
            "headers": scrubber.headers(dict(response.headers), KEPT_RESPONSE_HEADERS),
            **encode_body(response.content, scrubber),
        },
    }


class _RecordingAdapter(BaseAdapter):
    """Delegates to the session's real adapter and hands every exchange to the recorder."""

    def __init__(self, inner: BaseAdapter, recorder: Recorder) -> None:
        super().__init__()
        self.inner = inner
        self.recorder = recorder

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = self.inner.send(request, **kwargs)
        self.recorder.add(request, response)
        return response

    def close(self) -> None:
        self.inner.close()


class Recorder:
    """Records a ``requests.Session``'s traffic, scrubbed on the fly; ``save`` writes a fixture file."""

    def __init__(
        self,
        secrets: Iterable[str | None] = (),
        *,
        access_key_ids: Iterable[str] = (),
        security_tokens: Iterable[str] = (),
        account_ids: Iterable[str] = (),
        session: requests.Session | None = None,
    ) -> None:
        # ``secrets`` is the easy form: every value in it is scrubbed as a secret, whatever it is.
        self.scrubber = Scrubber(
            access_key_ids=access_key_ids,
            secrets=[s for s in secrets if s],
            security_tokens=security_tokens,
            account_ids=account_ids,
        )
        self.interactions: list[dict[str, Any]] = []
        self.session = session if session is not None else requests.Session()
        self.attach(self.session)

    @classmethod
    def for_credentials(
        cls,
        access_key_id: str,
        access_key_secret: str,
        security_token: str | None = None,
        account_id: str | None = None,
        session: requests.Session | None = None,
    ) -> Recorder:
        """A recorder that scrubs exactly these credentials (and the usual patterns)."""
        return cls(
            [access_key_secret],
            access_key_ids=[access_key_id],
            security_tokens=[security_token] if security_token else [],
            account_ids=[account_id] if account_id else [],
            session=session,
        )

    def attach(self, session: requests.Session) -> requests.Session:
        """Record everything ``session`` sends from now on (it keeps its own adapters underneath)."""
        for prefix, adapter in list(session.adapters.items()):
            if not isinstance(adapter, _RecordingAdapter):
                session.mount(prefix, _RecordingAdapter(adapter, self))
        return session

    def add(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        """Record one exchange, scrubbed at once so no secret is ever held in the recording."""
        self.interactions.append(scrub_exchange(self.scrubber, request, response))

    def fixture(self, source: str) -> dict[str, Any]:
        """The recording as a fixture document, naming where it came from."""
        return {"source": self.scrubber.text(source), "interactions": list(self.interactions)}

    def save(self, path: str | Path, source: str) -> Path:
        """Write the fixture as JSON (already scrubbed)."""
        target = Path(path)
        target.write_text(json.dumps(self.fixture(source), indent=2, sort_keys=False) + "\n", encoding="utf-8")
        return target


def load_fixture(path: str | Path) -> dict[str, Any]:
    """Read a fixture written by ``Recorder.save`` (for replay tests)."""
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def replay(interactions: Iterable[Mapping[str, Any]], rsps: Any, base_url: str) -> None:
    """Register each recorded answer with a ``responses.RequestsMock`` (in order), under ``base_url``.

    ``rsps`` is a ``responses.RequestsMock`` (typed loosely so this module does not require it at import).
    """
    import responses  # only needed when replaying

    for item in interactions:
        request, response = item["request"], item["response"]
        query = request.get("query") or ""
        url = base_url.rstrip("/") + request["path"]
        rsps.add(
            responses.Response(
                method=request["method"],
                url=url + ("?" + query if query else ""),
                status=int(response["status"]),
                headers=dict(response.get("headers") or {}),
                body=decode_body(response),
                match=[responses.matchers.query_string_matcher(query)] if query else [],
            )
        )
