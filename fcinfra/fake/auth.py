"""Server-side check of FC request signatures (FC_API.md §1.3), with an injectable clock.

Outcomes: a missing ``Date`` or ``Authorization`` -> 400 ``MissingRequiredHeader``; a malformed
``Authorization`` -> 403 ``AccessDenied``; ``Date`` more than 15 minutes off -> 403 ``RequestTimeTooSkewed``
(FC's code for this case is undocumented; this is the fake's choice); an unknown key id -> 403
``InvalidAccessKeyID`` when strict; a wrong signature -> 403 ``SignatureNotMatch``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

import fcinfra.fc.signing as signing
from fcinfra.fake.exceptions import FakeApiError

MAX_SKEW_SECONDS = 15 * 60
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your access key and signing method"
)


class Verifier:
    """``access_keys=None`` accepts any key id (a well-formed Authorization is still required)."""

    def __init__(self, access_keys: Mapping[str, str] | None = None, strict: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.access_keys = dict(access_keys) if access_keys is not None else None
        self.strict = strict
        self.clock = clock
        # Temporary keys STS handed out (fake/sts.py): key id -> (secret, or the refusal for this token).
        self.temporary: Callable[[str, str | None], tuple[str | None, tuple[str, str] | None]] | None = None

    def __repr__(self) -> str:  # never show secrets
        keys = None if self.access_keys is None else sorted(self.access_keys)
        return f"Verifier(access_key_ids={keys}, strict={self.strict})"

    def verify(self, method: str, path: str, headers: Mapping[str, str], query: str = "") -> str:
        """Check a request; returns the access key id, or raises FakeApiError."""
        lower = {k.lower(): v for k, v in headers.items()}
        pairs = signing.query_pairs(query) if path.startswith(signing.PROXY_PREFIX) else []
        presigned = any(k == "x-fc-expires" for k, _ in pairs)
        if presigned:
            return self._verify_presigned(method, path, lower, pairs)
        auth = lower.get("authorization")
        if not auth:
            raise FakeApiError(400, "MissingRequiredHeader", "required HTTP header Authorization was not specified")
        date = lower.get("date")
        if not date:
            raise FakeApiError(400, "MissingRequiredHeader", "required HTTP header Date was not specified")
        parsed = signing.parse_authorization(auth)
        if parsed is None:
            raise FakeApiError(
                403, "AccessDenied", "the Authorization header must look like 'FC <AccessKeyId>:<signature>'"
            )
        key_id, signature = parsed
        self._check_date(date)
        self._check_signature(key_id, signature, method, path, lower, pairs)
        return key_id

    def _check_date(self, date: str) -> None:
        try:
            sent = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            raise FakeApiError(400, "InvalidArgument", f"Date header {date!r} is not an RFC 1123 GMT date") from None
        skew = abs(self.clock() - sent)
        if skew > MAX_SKEW_SECONDS:
            raise FakeApiError(
                403, "RequestTimeTooSkewed",
                f"the difference between the request time {date!r} and the server's time is {int(skew)} seconds; "
                f"at most {MAX_SKEW_SECONDS} are allowed",
            )

    def _check_signature(self, key_id: str, signature: str, method: str, path: str,
                         headers: Mapping[str, str], pairs: list[tuple[str, str]]) -> None:
        if self.access_keys is None:
            return
        secret = self.access_keys.get(key_id)
        if secret is None and self.temporary is not None:
            secret, refused = self.temporary(key_id, headers.get("x-fc-security-token"))
            if refused is not None:
                raise FakeApiError(403, *refused)
        if secret is None:
            if self.strict:
                raise FakeApiError(403, "InvalidAccessKeyID", f"invalid access key ID '{key_id}'")
            return
        if not signing.verify(secret, signature, method, path, headers, pairs):
            raise FakeApiError(403, "SignatureNotMatch", SIGNATURE_MISMATCH)

    def _verify_presigned(self, method: str, path: str, headers: Mapping[str, str],
                          pairs: list[tuple[str, str]]) -> str:
        """Pre-signed HTTP-trigger URL: key id, expiry and signature travel in the query."""
        values = dict(pairs)
        key_id = values.get("x-fc-access-key-id", "")
        signature = values.get("x-fc-signature", "")
        expires = values.get("x-fc-expires", "")
        if not key_id or not signature or not expires.isdigit():
            raise FakeApiError(403, "AccessDenied", "a pre-signed URL needs x-fc-access-key-id, x-fc-expires and "
                                                    "x-fc-signature")
        if int(expires) < self.clock():
            raise FakeApiError(403, "AccessDenied", f"the pre-signed URL expired at {expires}")
        signed_pairs = [(k, v) for k, v in pairs if k != "x-fc-signature"]
        self._check_signature(key_id, signature, method, path, headers, signed_pairs)
        return key_id
