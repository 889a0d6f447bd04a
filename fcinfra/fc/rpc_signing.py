"""Alibaba Cloud RPC-style signatures (SignatureVersion 1.0, HMAC-SHA1), as STS checks them. Pure: no I/O, no clock.

    canonical      = "&".join(pct(k) + "=" + pct(v) for k, v in sorted(params))   # every parameter but Signature
    string_to_sign = METHOD + "&" + pct("/") + "&" + pct(canonical)
    Signature      = base64(HMAC-SHA1(secret + "&", string_to_sign))

``pct`` is RFC 3986 percent-encoding: only ``A-Z a-z 0-9 - _ . ~`` stay as they are (a space is ``%20``).
fcinfra signs STS calls (GetCallerIdentity) with these and the fake's STS verifies with them; the
``alibabacloud-credentials`` package signs its AssumeRole with its own code, which the fake's tests check
against these functions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"


def percent_encode(text: str) -> str:
    """RFC 3986 encoding of one key or value (unreserved characters kept)."""
    return quote(text, safe="-_.~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """The text signed for ``params`` (``Signature`` itself excluded)."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature"
    )
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(secret: str, method: str, params: Mapping[str, str]) -> str:
    """Base64 HMAC-SHA1 of the string to sign, keyed with ``secret + "&"``."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(secret: str, method: str, params: Mapping[str, str]) -> bool:
    """Does ``params["Signature"]`` match? Compared in constant time."""
    return hmac.compare_digest(params.get("Signature", ""), signature(secret, method, params))


def signed(
    method: str,
    params: Mapping[str, str],
    access_key_id: str,
    secret: str,
    security_token: str | None,
    timestamp: str,
    nonce: str,
) -> dict[str, str]:
    """``params`` plus the common RPC parameters and their ``Signature``."""
    out = {
        **params,
        "Format": "JSON",
        "AccessKeyId": access_key_id,
        "SignatureMethod": SIGNATURE_METHOD,
        "SignatureVersion": SIGNATURE_VERSION,
        "SignatureNonce": nonce,
        "Timestamp": timestamp,
    }
    if security_token:
        out["SecurityToken"] = security_token
    out["Signature"] = signature(secret, method, out)
    return out
