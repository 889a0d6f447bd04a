"""FC 3.0 request signatures: ACS3-HMAC-SHA256, as the official ``alibabacloud-fc20230330`` SDK sends them.

Pure: no I/O, no clock, no randomness (the caller passes the date and nonce headers in).

    CanonicalRequest = METHOD \\n path \\n CanonicalQuery \\n CanonicalHeaders \\n SignedHeaders \\n HexSHA256(body)
    StringToSign     = "ACS3-HMAC-SHA256" \\n HexSHA256(CanonicalRequest)
    Authorization    = ACS3-HMAC-SHA256 Credential=<ak>,SignedHeaders=<a;b;c>,Signature=<hex HMAC-SHA256>

* path: as sent on the wire (segments already percent-encoded);
* query: keys sorted, ``key=quote(value, safe="~")`` joined by ``&`` (the URL itself is built by ``urlencode``,
  which writes a space as ``+``: the signature encodes the *decoded* value again, so ``%20``);
* headers: every header the signer was given, lower-cased, values stripped, sorted by name.

The client signs with these functions and the fake verifies with the very same ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

ALGORITHM = "ACS3-HMAC-SHA256"
API_VERSION = "2023-03-30"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_AUTH_RE = re.compile(
    r"^ACS3-HMAC-SHA256\s+Credential=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]*),\s*Signature=(?P<sig>[0-9a-fA-F]+)$"
)


def content_sha256(body: bytes | None) -> str:
    """``x-acs-content-sha256``: the hex SHA-256 of the body (of b"" when there is none)."""
    return hashlib.sha256(body or b"").hexdigest() if body else EMPTY_SHA256


def canonical_query(query: Iterable[tuple[str, str | None]]) -> str:
    """Sorted ``key=value`` pairs, values encoded with ``quote(safe="~")``; None values are left out."""
    pairs = sorted((k, v) for k, v in query if v is not None)
    return "&".join(f"{key}={quote(value, safe='~', encoding='utf-8')}" for key, value in pairs)


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """``(lines, signed_names)``: ``name:value\\n`` per header, lower-cased and sorted, and the ``;``-joined names."""
    merged: dict[str, list[str]] = {}
    for name, value in headers.items():
        if value is not None:
            merged.setdefault(name.lower(), []).append(str(value).strip())
    names = sorted(merged)
    lines = "".join(f"{name}:{','.join(sorted(merged[name]))}\n" for name in names)
    return lines, ";".join(names)


def canonical_request(
    method: str, path: str, query: Iterable[tuple[str, str | None]], headers: Mapping[str, str], payload_hash: str
) -> str:
    """The exact text whose hash is signed; exposed so the client and the fake build it the same way."""
    return _canonical(method, path, query, canonical_headers(headers), payload_hash)


def _canonical(
    method: str, path: str, query: Iterable[tuple[str, str | None]], headers: tuple[str, str], payload_hash: str
) -> str:
    lines, signed = headers
    return f"{method.upper()}\n{path or '/'}\n{canonical_query(query)}\n{lines}\n{signed}\n{payload_hash}"


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def signature(secret: str, canonical: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the access key secret."""
    return hmac.new(secret.encode("utf-8"), string_to_sign(canonical).encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(
    access_key_id: str,
    secret: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str | None]],
    headers: Mapping[str, str],
) -> str:
    """The ``Authorization`` value for a request whose ``headers`` (all signed) include ``x-acs-content-sha256``."""
    payload_hash = next((v for k, v in headers.items() if k.lower() == "x-acs-content-sha256"), EMPTY_SHA256)
    lines, signed = canonical_headers(headers)
    canonical = _canonical(method, path, query, (lines, signed), payload_hash)
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed},Signature={signature(secret, canonical)}"


@dataclass(frozen=True)
class ParsedAuthorization:
    """The three parts of an ``ACS3-HMAC-SHA256`` Authorization header."""

    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> ParsedAuthorization | None:
    """Split an ACS3 Authorization header; None when it is not of that form."""
    match = _AUTH_RE.match(value.strip()) if value else None
    if match is None:
        return None
    signed = tuple(name for name in match.group("signed").split(";") if name)
    return ParsedAuthorization(match.group("ak"), signed, match.group("sig").lower())


def verify(
    secret: str,
    parsed: ParsedAuthorization,
    method: str,
    path: str,
    query: Iterable[tuple[str, str | None]],
    headers: Mapping[str, str],
    body: bytes | None,
) -> bool:
    """Check a received signature: only the headers it names are signed, and the body must match its hash.

    ``query`` holds the *decoded* pairs (they are re-encoded the canonical way); ``path`` is the raw path.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    if "host" not in parsed.signed_headers or any(name not in lower for name in parsed.signed_headers):
        return False
    claimed = lower.get("x-acs-content-sha256")
    if claimed is None or not hmac.compare_digest(claimed.lower(), content_sha256(body)):
        return False
    signed = {name: lower[name] for name in parsed.signed_headers}
    expected = signature(secret, canonical_request(method, path, query, signed, claimed.lower()))
    return hmac.compare_digest(expected, parsed.signature)


# ------------------------------------------------------------------------------------------- legacy ROA
# The alicloud provider's (terraform's) fcv3 resources sign with tea-roa's older scheme, not ACS3:
#
#     StringToSign = METHOD \n accept \n content-md5 \n content-type \n date \n
#                    + sorted "name:value\n" for every x-acs-* header + path ["?" + sorted k=v (bare k if v == "")]
#     Authorization = "acs <ak>:" + base64(HMAC-SHA1(secret, StringToSign))
#
# (no x-acs-action, no content hash: the route is method + path). The official SDK's ``get_roasignature`` is
# the same algorithm.

_ROA_RE = re.compile(r"^acs\s+(?P<ak>[^:\s]+):(?P<sig>\S+)$")


def roa_string_to_sign(
    method: str, path: str, query: Iterable[tuple[str, str | None]], headers: Mapping[str, str]
) -> str:
    """The legacy ROA string to sign; ``query`` holds decoded values, ``headers`` any case."""
    lower = {k.lower(): str(v) for k, v in headers.items() if v is not None}
    fixed = "".join(f"{lower.get(name, '')}\n" for name in ("accept", "content-md5", "content-type", "date"))
    acs = "".join(f"{name}:{lower[name]}\n" for name in sorted(lower) if name.startswith("x-acs-"))
    pairs = sorted((k, v) for k, v in query if v is not None)
    resource = path
    if pairs:
        resource += "?" + "&".join(f"{k}={v}" if v != "" else k for k, v in pairs)
    return f"{method.upper()}\n{fixed}{acs}{resource}"


def roa_signature(secret: str, text: str) -> str:
    """base64(HMAC-SHA1(secret, text))."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()).decode()


def roa_authorization(
    access_key_id: str, secret: str, method: str, path: str, query: Iterable[tuple[str, str | None]],
    headers: Mapping[str, str],
) -> str:
    """``acs <ak>:<signature>`` for a request signed the legacy ROA way."""
    return f"acs {access_key_id}:{roa_signature(secret, roa_string_to_sign(method, path, query, headers))}"


def parse_roa_authorization(value: str | None) -> tuple[str, str] | None:
    """Split ``acs <ak>:<signature>``; None when it is not of that form."""
    match = _ROA_RE.match(value.strip()) if value else None
    return (match.group("ak"), match.group("sig")) if match else None


def verify_roa(
    secret: str, signature_value: str, method: str, path: str, query: Iterable[tuple[str, str | None]],
    headers: Mapping[str, str],
) -> bool:
    """Constant-time check of a legacy ROA signature."""
    expected = roa_signature(secret, roa_string_to_sign(method, path, query, headers))
    return hmac.compare_digest(expected.encode("ascii"), signature_value.encode("ascii", "replace"))
