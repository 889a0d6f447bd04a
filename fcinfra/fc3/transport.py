"""One ACS3-signed HTTP exchange with FC 3.0, on FC 2.0's ``Transport`` (same session handling, timing,
connection-error wording and error mapping); only the headers and the signature differ."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import requests

from fcinfra.fc.transport import JSON, Timeout, Transport
from fcinfra.fc3 import signing

API_PREFIX = f"/{signing.API_VERSION}"
JSON_UTF8 = "application/json; charset=utf-8"
OCTET_STREAM = "application/octet-stream"
USER_AGENT = "fcinfra (fc3)"


def acs_date(epoch_seconds: float) -> str:
    """``x-acs-date``: ISO 8601 UTC to the second, e.g. ``2024-05-01T12:00:00Z``."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def api_path(*segments: str) -> str:
    """``/2023-03-30/seg/seg``, each segment percent-encoded (the signature covers the encoded path)."""
    return API_PREFIX + "".join("/" + quote(s, safe="") for s in segments)


class Fc3Transport(Transport):
    """Signs with ACS3-HMAC-SHA256 (headers ``x-acs-*``, STS token as ``x-acs-security-token``)."""

    def signed_headers(
        self,
        operation: str,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        body: bytes | None,
        extra: Mapping[str, str] | None,
        content_type: str | None,
        base_url: str | None = None,
    ) -> dict[str, str]:
        """Every header of the request, all of them signed, the way the official SDK builds them."""
        creds = self.source.get()  # per request: a refreshed STS token is picked up by the next call
        headers: dict[str, str] = {
            "host": urlsplit(base_url or self.endpoint).netloc,
            "x-acs-version": signing.API_VERSION,
            "x-acs-action": operation,
            "user-agent": USER_AGENT,
            "x-acs-date": acs_date(self.clock()),
            "x-acs-signature-nonce": secrets.token_hex(16),
            "accept": JSON,
            "x-acs-content-sha256": signing.content_sha256(body),
        }
        if body is not None and content_type:
            headers["content-type"] = content_type
        if creds.security_token:
            headers["x-acs-accesskey-id"] = creds.access_key_id
            headers["x-acs-security-token"] = creds.security_token
        for name, value in (extra or {}).items():
            headers[name.lower()] = value
        headers["authorization"] = signing.authorization(
            creds.access_key_id, creds.access_key_secret, method, path, query, headers
        )
        return headers

    def send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
        raise_for_status: bool = True,
        content_type: str | None = JSON_UTF8,
        sign: bool = True,
        base_url: str | None = None,
    ) -> requests.Response:
        """One attempt; see ``Transport.send``. ``content_type`` is sent (and signed) only with a body."""
        if sign:
            headers = self.signed_headers(operation, method, path, query, body, headers, content_type, base_url)
        elif body is not None and content_type:
            headers = {**(headers or {}), "content-type": content_type}
        return super().send(
            operation,
            method,
            path,
            query=query,
            body=body,
            headers=headers,
            timeout=timeout,
            raise_for_status=raise_for_status,
            content_type=None,
            sign=False,
            base_url=base_url,
        )
