"""Log Service request signatures (``Authorization: LOG {AccessKeyId}:{signature}``), checked server-side.

String to sign: method, Content-MD5, Content-Type, Date, then every header whose lower-cased name contains
``x-log-`` or ``x-acs-`` (sorted, ``name:value``), then the resource with its query parameters sorted and
unencoded. HMAC-SHA256 when ``x-log-signaturemethod: hmac-sha256`` (alibabacloud-sls20201230), else
HMAC-SHA1 (aliyun-log-python-sdk, which adds ``x-log-date`` after signing: skipped). Base64 of the digest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.observability.temporary import Temporary

__all__ = ["sls_signature", "verify_sls"]


def sls_signature(secret: str, method: str, resource: str, headers: Mapping[str, str],
                  params: Iterable[tuple[str, str]] = ()) -> str:
    """The signature a client computes (headers by any case)."""
    lower = {k.lower(): v for k, v in headers.items()}
    sha256 = lower.get("x-log-signaturemethod", "").lower() == "hmac-sha256"
    lines = [method.upper(), lower.get("content-md5", ""), lower.get("content-type", ""), lower.get("date", "")]
    for name in sorted(lower):
        if ("x-log-" in name or "x-acs-" in name) and not (not sha256 and name == "x-log-date"):
            lines.append(f"{name}:{lower[name]}")
    pairs = sorted(params)
    canonical = resource + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")
    text = "\n".join(lines) + "\n" + canonical
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256 if sha256 else hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_sls(access_keys: Mapping[str, str] | None, method: str, resource: str, headers: Mapping[str, str],
               params: Iterable[tuple[str, str]], body: bytes, temporary: Temporary | None = None) -> str:
    """Check one request; returns the access key id or raises :class:`FakeApiError`.

    ``access_keys=None`` (an emulator that accepts any key) checks the header's form and the body's MD5 only.
    ``temporary`` looks up a key the fake STS issued, with the ``x-acs-security-token`` the SDK sends: an expired
    or missing token is refused (401 ``Unauthorized``, the code Log Service uses for refused credentials).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    auth = lower.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    key_id, sep, signature = credential.rpartition(":")
    if scheme != "LOG" or not sep or not key_id:
        raise FakeApiError(401, "Unauthorized", "the Authorization header must look like 'LOG <AccessKeyId>:<sig>'")
    if body and lower.get("content-md5", "").upper() != hashlib.md5(body).hexdigest().upper():
        raise FakeApiError(400, "InvalidContentMD5", "Content-MD5 does not match the body")
    if access_keys is None:
        return key_id
    secret = access_keys.get(key_id)
    if secret is None and temporary is not None:
        secret, problem = temporary(key_id, lower.get("x-acs-security-token"))
        if problem is not None:
            raise FakeApiError(401, "Unauthorized", f"{problem[0]}: {problem[1]}")
    if secret is None:
        raise FakeApiError(401, "Unauthorized", f"AccessKeyId not found: {key_id}")
    expected = sls_signature(secret, method, resource, headers, params)
    if not hmac.compare_digest(expected, signature):
        raise FakeApiError(401, "SignatureNotMatch", "signature does not match")
    return key_id
