"""FC 2.0 request signatures (the ``FC <AccessKeyId>:<signature>`` scheme). Pure: no I/O, no clock.

    string_to_sign = METHOD \\n Content-MD5 \\n Content-Type \\n Date \\n CanonicalizedFCHeaders CanonicalizedResource
    signature      = base64(HMAC-SHA256(secret, string_to_sign))

The resource is the percent-decoded path without the query, except for HTTP-trigger paths
(``/2016-08-15/proxy/...``), where the sorted, decoded query pairs follow the path, one per line.
The client signs with these functions and the fake verifies with the very same ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from email.utils import formatdate
from urllib.parse import parse_qsl, unquote

PROXY_PREFIX = "/2016-08-15/proxy/"
_AUTH_RE = re.compile(r"^FC ([^:\s]+):(\S+)$")


def http_date(epoch_seconds: float) -> str:
    """RFC 1123 date in GMT, as FC's ``Date`` header wants it."""
    return formatdate(epoch_seconds, usegmt=True)


def canonical_headers(headers: Mapping[str, str]) -> str:
    """Every ``x-fc-*`` header, lower-cased, sorted, as ``name:value\\n`` (empty values included)."""
    fc = sorted((k.lower(), v) for k, v in headers.items() if k.lower().startswith("x-fc-"))
    return "".join(f"{name}:{value}\n" for name, value in fc)


def query_pairs(query: str) -> list[tuple[str, str]]:
    """Decode a raw query string into (key, value) pairs, keeping blank values and repeats."""
    return parse_qsl(query, keep_blank_values=True)


def canonical_resource(path: str, query: Iterable[tuple[str, str]] = ()) -> str:
    """The decoded path; for HTTP-trigger paths also the sorted query lines."""
    decoded = unquote(path)
    if not decoded.startswith(PROXY_PREFIX):
        return decoded
    lines = sorted(f"{key}={value}" if value != "" else key for key, value in query)
    return decoded + "\n" + "\n".join(lines)


def string_to_sign(
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[tuple[str, str]] = (),
) -> str:
    """The exact text FC signs; exposed so the client and the fake build it the same way."""
    lower = {k.lower(): v for k, v in headers.items()}
    query = list(query)
    date = lower.get("date", "")
    # A pre-signed HTTP-trigger URL carries its expiry in place of the Date header.
    for key, value in query:
        if key == "x-fc-expires":
            date = value
    return (
        f"{method.upper()}\n"
        f"{lower.get('content-md5', '')}\n"
        f"{lower.get('content-type', '')}\n"
        f"{date}\n"
        f"{canonical_headers(headers)}"
        f"{canonical_resource(path, query)}"
    )


def sign_string(secret: str, text: str) -> str:
    """base64(HMAC-SHA256(secret, text)): the signature FC expects."""
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def authorization(
    access_key_id: str,
    secret: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[tuple[str, str]] = (),
) -> str:
    """The ``Authorization`` header value for a request."""
    return f"FC {access_key_id}:{sign_string(secret, string_to_sign(method, path, headers, query))}"


def parse_authorization(value: str) -> tuple[str, str] | None:
    """Split ``FC <ak>:<signature>`` into (ak, signature); None when it is not of that form."""
    match = _AUTH_RE.match(value.strip()) if value else None
    return (match.group(1), match.group(2)) if match else None


def verify(
    secret: str,
    signature: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Iterable[tuple[str, str]] = (),
) -> bool:
    """Constant-time check of a received signature against the one the request should carry."""
    expected = sign_string(secret, string_to_sign(method, path, headers, query))
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace"))
