"""CloudMonitor (OpenAPI RPC) request signatures, ACS3-HMAC-SHA256, checked server-side.

Canonical request: method, path, the query sorted by key with values percent-encoded (RFC 3986, ``~``
kept), the signed headers (lower-case ``name:value`` lines, the names listed in ``SignedHeaders``), the
``SignedHeaders`` list, and ``x-acs-content-sha256`` (hex SHA-256 of the body). String to sign:
``ACS3-HMAC-SHA256\\n`` + hex SHA-256 of the canonical request; signature: hex HMAC-SHA256 with the secret.
This is what alibabacloud-tea-openapi sends by default (its ``signature_algorithm='v2'`` RPC v1 signing
is not served).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.observability.temporary import Temporary

__all__ = ["acs3_signature", "verify_acs3"]

_AUTH = re.compile(r"^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$")


def acs3_signature(secret: str, method: str, path: str, params: Iterable[tuple[str, str]],
                   headers: Mapping[str, str], signed: list[str], payload_hash: str) -> str:
    """The hex signature over the canonical request."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(params))
    canonical_headers = "".join(f"{name}:{lower.get(name, '')}\n" for name in signed)
    canonical = f"{method.upper()}\n{path or '/'}\n{query}\n{canonical_headers}\n{';'.join(signed)}\n{payload_hash}"
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def verify_acs3(access_keys: Mapping[str, str] | None, method: str, path: str, params: Iterable[tuple[str, str]],
                headers: Mapping[str, str], body: bytes, temporary: Temporary | None = None) -> str:
    """Check one request; returns the access key id or raises :class:`FakeApiError`.

    ``access_keys=None`` (an emulator that accepts any key) checks the header's form and payload hash only.
    ``temporary`` looks up a key the fake STS issued, with the ``x-acs-security-token`` the SDK sends: a refused
    token answers STS's own code (e.g. ``InvalidSecurityToken.Expired``), as every OpenAPI product does.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    found = _AUTH.match(lower.get("authorization", ""))
    if not found:
        raise FakeApiError(400, "IncompleteSignature", "the request needs an ACS3-HMAC-SHA256 Authorization header")
    key_id, signed_list, signature = found.groups()
    signed = signed_list.split(";") if signed_list else []
    payload_hash = lower.get("x-acs-content-sha256", "")
    if payload_hash != hashlib.sha256(body).hexdigest():
        raise FakeApiError(400, "IncompleteSignature", "x-acs-content-sha256 does not match the body")
    if "x-acs-date" not in signed or "host" not in signed:
        raise FakeApiError(400, "IncompleteSignature", "host and x-acs-date must be signed")
    if access_keys is None:
        return key_id
    secret = access_keys.get(key_id)
    if secret is None and temporary is not None:
        secret, problem = temporary(key_id, lower.get("x-acs-security-token"))
        if problem is not None:
            raise FakeApiError(403, problem[0], problem[1])
    if secret is None:
        raise FakeApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    expected = acs3_signature(secret, method, path, params, headers, signed, payload_hash)
    if not hmac.compare_digest(expected, signature):
        raise FakeApiError(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
    return key_id
