"""A fake of STS 2015-04-01: ``AssumeRole``, ``AssumeRoleWithOIDC`` and ``GetCallerIdentity``, enough for
Alibaba's credentials chain.

RPC style: ``GET`` or ``POST /`` with every parameter in the query (or a form body), signed with
SignatureVersion 1.0 / HMAC-SHA1 (``fcinfra.fc.rpc_signing``); answers are JSON. Credentials it issues
(``STS.`` key id, secret, ``CAIS`` security token, ``Expiration`` from the injected clock) are then accepted
by the FC fake until they expire: an FC request signed with an expired or mismatched token is refused.

Choices where STS's documentation is silent or the fake has no RAM behind it (docs/fake.md):
every role of the fake's own account exists and trusts every key the fake knows (a role of another account
answers 404 ``EntityNotExist.Role``); a role's maximum session is 3600 s; ``Timestamp`` is not checked for
skew (tests move the fake's clock by hours); only ``Format=JSON`` is answered; an OIDC token's signature is
not checked (no identity provider keys), only its shape and ``exp``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from fcinfra.fake.exceptions import FakeApiError
from fcinfra.fake.handlers import FakeRequest, FakeResponse
from fcinfra.fc import rpc_signing

API_VERSION = "2015-04-01"
MIN_DURATION = 900
MAX_DURATION = 3600
_ROLE_ARN = re.compile(r"^acs:ram::(?P<account>\d+):role/(?P<name>[A-Za-z0-9.@_+=,-]{1,64})$", re.IGNORECASE)
_OIDC_PROVIDER_ARN = re.compile(r"^acs:ram::(?P<account>\d+):oidc-provider/[\w.@-]{1,128}$", re.IGNORECASE)
_SESSION_NAME = re.compile(r"^[\w.@-]{2,64}$")
STS_HOSTS = re.compile(r"^https?://sts(?:-vpc)?(?:\.[a-z0-9-]+)?\.aliyuncs\.com(?::\d+)?(?:[/?#].*)?$", re.IGNORECASE)


@dataclass(frozen=True, repr=False)
class IssuedCredentials:
    """A temporary key the fake handed out. ``repr`` shows no secret."""

    access_key_id: str
    access_key_secret: str = field(repr=False)
    security_token: str = field(repr=False)
    expiration: float
    role_arn: str
    session_name: str
    role_id: str

    def __repr__(self) -> str:
        return f"IssuedCredentials(access_key_id={self.access_key_id[:7]}****, role_arn={self.role_arn!r})"


def is_sts_request(req: FakeRequest) -> bool:
    """An RPC call to STS: path ``/`` with ``Action`` and ``Version=2015-04-01`` in the query or form body."""
    if req.path not in ("", "/"):
        return False
    params = request_params(req)
    return "Action" in params and params.get("Version") == API_VERSION


def request_params(req: FakeRequest) -> dict[str, str]:
    """Query parameters, plus a form-encoded body's (RPC clients may send either)."""
    params = dict(parse_qsl(req.query, keep_blank_values=True))
    ctype = (req.header("Content-Type") or "").lower()
    if req.body and "application/x-www-form-urlencoded" in ctype:
        params.update(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def iso(epoch: float) -> str:
    """STS's ``Expiration`` format: UTC ``YYYY-MM-DDTHH:MM:SSZ`` (what alibabacloud-credentials parses)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StsFake:
    """STS for one account. ``access_keys`` is the FC fake's own table (None: any key, signatures unchecked)."""

    def __init__(self, account_id: str, access_keys: Mapping[str, str] | None, strict: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.account_id = account_id
        self.access_keys = access_keys
        self.strict = strict
        self.clock = clock
        self.issued: dict[str, IssuedCredentials] = {}
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"StsFake(account_id={self.account_id!r}, issued={len(self.issued)})"

    # ------------------------------------------------------------------------------------ FC's side
    def lookup(self, access_key_id: str) -> IssuedCredentials | None:
        """The temporary credentials issued under this key id, expired or not."""
        with self._lock:
            return self.issued.get(access_key_id)

    def temporary_key(self, access_key_id: str, token: str | None) -> tuple[str | None, tuple[str, str] | None]:
        """For the FC verifier: ``(secret, None)`` for a usable temporary key, ``(None, (code, message))`` for a
        refused one, ``(None, None)`` for a key STS never issued."""
        issued = self.lookup(access_key_id)
        if issued is None:
            return None, None
        problem = self.check_token(issued, token)
        return (None, problem) if problem else (issued.access_key_secret, None)

    def check_token(self, issued: IssuedCredentials, token: str | None) -> tuple[str, str] | None:
        """``(code, message)`` when ``token`` cannot be used with ``issued`` now, else None."""
        if not token:
            return "InvalidSecurityToken.Missing", "a temporary access key needs its security token"
        if token != issued.security_token:
            return "InvalidSecurityToken.MismatchWithAccessKey", "the security token does not belong to the access key"
        if self.clock() >= issued.expiration:
            return "InvalidSecurityToken.Expired", f"the security token expired at {iso(issued.expiration)}"
        return None

    # ---------------------------------------------------------------------------------------- serve
    def handle(self, req: FakeRequest, request_id: str) -> FakeResponse:
        params = request_params(req)
        action = params.get("Action", "")
        self.calls[action] += 1
        try:
            if req.method.upper() not in ("GET", "POST"):
                raise FakeApiError(400, "InvalidHttpMethod", f"method {req.method} is not allowed; use GET or POST")
            if action == "AssumeRoleWithOIDC":  # anonymous: the OIDC token is the proof
                body = self._assume_role_with_oidc(params)
                return _json(200, {"RequestId": request_id, **body})
            caller = self._authenticate(req.method, params)
            if action == "AssumeRole":
                body = self._assume_role(params, caller)
            elif action == "GetCallerIdentity":
                body = self._caller_identity(caller)
            else:
                raise FakeApiError(404, "InvalidAction.NotFound", f"the action {action!r} is not supported by STS")
        except FakeApiError as exc:  # STS's error shape, not FC's
            body = {"RequestId": request_id, "HostId": "sts.aliyuncs.com", "Code": exc.code, "Message": exc.message}
            return _json(exc.status, body)
        return _json(200, {"RequestId": request_id, **body})

    def _secret_of(self, key_id: str, token: str | None) -> tuple[str | None, IssuedCredentials | None]:
        issued = self.lookup(key_id)
        if issued is not None:
            problem = self.check_token(issued, token)
            if problem:
                raise FakeApiError(400 if problem[0].endswith("Expired") else 403, *problem)
            return issued.access_key_secret, issued
        if self.access_keys is None:
            return None, None
        secret = self.access_keys.get(key_id)
        if secret is None and self.strict:
            raise FakeApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        return secret, None

    def _authenticate(self, method: str, params: dict[str, str]) -> IssuedCredentials | None:
        missing = [k for k in ("AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp",
                               "Version") if not params.get(k)]
        if missing:
            raise FakeApiError(400, "MissingParameter", f"the input parameter {missing[0]!r} that is mandatory "
                                                    "for processing this request is not supplied")
        if params.get("Format", "JSON").upper() != "JSON":
            raise FakeApiError(400, "InvalidParameter.Format", "the fake STS answers Format=JSON only")
        if params["SignatureMethod"] != rpc_signing.SIGNATURE_METHOD or \
                params.get("SignatureVersion", rpc_signing.SIGNATURE_VERSION) != rpc_signing.SIGNATURE_VERSION:
            raise FakeApiError(400, "InvalidParameter.SignatureMethod",
                               "only HMAC-SHA1 signature version 1.0 is accepted")
        secret, issued = self._secret_of(params["AccessKeyId"], params.get("SecurityToken"))
        if secret is not None and not rpc_signing.verify(secret, method, params):
            raise FakeApiError(400, "SignatureDoesNotMatch",
                           "Specified signature is not matched with our calculation.")
        return issued

    def _assume_role_with_oidc(self, params: dict[str, str]) -> dict[str, object]:
        """RRSA: a JWT from the OIDC token file for a role. The fake cannot check the token's signature (it has no
        identity provider's keys); it checks the provider ARN, that the token is a JWT and that it has not expired."""
        provider_arn = params.get("OIDCProviderArn", "")
        token = params.get("OIDCToken", "")
        if not provider_arn:
            raise FakeApiError(400, "MissingOIDCProviderArn", "OIDCProviderArn is mandatory for this action.")
        if not token:
            raise FakeApiError(400, "MissingOIDCToken", "OIDCToken is mandatory for this action.")
        found = _OIDC_PROVIDER_ARN.match(provider_arn)
        if not found or found.group("account") != self.account_id:
            raise FakeApiError(404, "EntityNotExist.OIDCProvider", f"the OIDC provider {provider_arn!r} does not exist")
        claims = _jwt_claims(token)
        if claims is None:
            raise FakeApiError(400, "InvalidParameter.OIDCToken", "the OIDC token is not a well-formed JWT")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires <= self.clock():
            raise FakeApiError(400, "AuthenticationFail.OIDCToken.Expired", "the OIDC token has expired")
        body = self._assume_role(params, None)
        audience = claims.get("aud", [])
        body["OIDCTokenInfo"] = {"Subject": str(claims.get("sub", "")), "Issuer": str(claims.get("iss", "")),
                                 "ClientIds": ",".join(audience) if isinstance(audience, list) else str(audience)}
        return body

    def _assume_role(self, params: dict[str, str], caller: IssuedCredentials | None) -> dict[str, object]:
        role_arn = params.get("RoleArn", "")
        session = params.get("RoleSessionName", "")
        if not role_arn:
            raise FakeApiError(400, "MissingRoleArn", "RoleArn is mandatory for this action.")
        if not session:
            raise FakeApiError(400, "MissingRoleSessionName", "RoleSessionName is mandatory for this action.")
        found = _ROLE_ARN.match(role_arn)
        if not found:
            raise FakeApiError(400, "InvalidParameter.RoleArn", f"the parameter RoleArn {role_arn!r} is wrongly formed")
        if not _SESSION_NAME.match(session):
            raise FakeApiError(400, "InvalidParameter.RoleSessionName",
                           "RoleSessionName must be 2-64 characters of letters, digits, '.', '@', '-' or '_'")
        if found.group("account") != self.account_id:
            raise FakeApiError(404, "EntityNotExist.Role", f"the role {role_arn!r} does not exist")
        duration_text = params.get("DurationSeconds", "3600")
        if not duration_text.isdigit() or not MIN_DURATION <= int(duration_text) <= MAX_DURATION:
            raise FakeApiError(400, "InvalidParameter.DurationSeconds",
                           f"DurationSeconds must be between {MIN_DURATION} and the role's maximum "
                           f"session duration ({MAX_DURATION})")
        now = self.clock()
        name = found.group("name")
        issued = IssuedCredentials(
            access_key_id="STS.NT" + secrets.token_hex(12),
            access_key_secret=secrets.token_urlsafe(30),
            security_token="CAIS" + secrets.token_urlsafe(48),
            expiration=float(int(now) + int(duration_text)),
            role_arn=role_arn,
            session_name=session,
            role_id=_role_id(self.account_id, name),
        )
        with self._lock:
            self.issued[issued.access_key_id] = issued
        del caller  # the fake has no trust policies: any authenticated caller may assume
        return {
            "SourceIdentity": params.get("SourceIdentity", ""),
            "AssumedRoleUser": {
                "Arn": f"acs:ram::{self.account_id}:role/{name.lower()}/{session}",
                "AssumedRoleId": f"{issued.role_id}:{session}",
            },
            "Credentials": {
                "AccessKeyId": issued.access_key_id,
                "AccessKeySecret": issued.access_key_secret,
                "SecurityToken": issued.security_token,
                "Expiration": iso(issued.expiration),
            },
        }

    def _caller_identity(self, caller: IssuedCredentials | None) -> dict[str, object]:
        if caller is not None:
            name = caller.role_arn.rsplit("/", 1)[1].lower()
            return {
                "AccountId": self.account_id,
                "Arn": f"acs:ram::{self.account_id}:assumed-role/{name}/{caller.session_name}",
                "IdentityType": "AssumedRoleUser",
                "PrincipalId": f"{caller.role_id}:{caller.session_name}",
                "RoleId": caller.role_id,
            }
        # The fake's own keys are the account's (root) keys.
        return {
            "AccountId": self.account_id,
            "Arn": f"acs:ram::{self.account_id}:root",
            "IdentityType": "Account",
            "PrincipalId": self.account_id,
            "UserId": self.account_id,
        }


def _jwt_claims(token: str) -> dict[str, object] | None:
    """The payload of a ``header.payload.signature`` JWT, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return payload if isinstance(payload, dict) else None


def _role_id(account_id: str, name: str) -> str:
    """A stable 18-digit role id per (account, role name), like RAM's."""
    digest = hashlib.sha256(f"{account_id}:{name.lower()}".encode()).hexdigest()
    return str(int(digest, 16) % 10**18).rjust(18, "3")


def _json(status: int, body: Mapping[str, object]) -> FakeResponse:
    return FakeResponse(status, {"Content-Type": "application/json;charset=utf-8"},
                        json.dumps(body, separators=(",", ":")).encode("utf-8"))
