"""The fake STS: AssumeRole / GetCallerIdentity shapes, RPC v1 signature checks, temporary keys at FC."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from alibabacloud_credentials.utils import parameter_helper

from fcinfra.fake.core import FakeFc
from fcinfra.fake.handlers import FakeRequest
from fcinfra.fc import rpc_signing

AK, SK = "LTAIfakestskey01", "fake-sts-secret-01"
ACCOUNT = "1234567890"
ROLE = f"acs:ram::{ACCOUNT}:role/Deployer"


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def call(fake: FakeFc, params: dict[str, str], *, secret: str = SK, method: str = "GET",
         sign: bool = True) -> tuple[int, dict[str, Any]]:
    base = {"Version": "2015-04-01", "Format": "JSON", "AccessKeyId": AK, "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0", "SignatureNonce": "n-1", "Timestamp": "2027-01-15T08:00:00Z", **params}
    if sign:
        base["Signature"] = rpc_signing.signature(secret, method, base)
    req = FakeRequest(method, "/", urlencode(base), {}, b"", "sts.aliyuncs.com")
    resp = fake.handle(req)
    return resp.status, json.loads(resp.body)


@pytest.fixture
def fake() -> FakeFc:
    return FakeFc(access_keys={AK: SK}, clock=Clock())


def test_our_signature_matches_alibabacloud_credentials_own_signer() -> None:
    params = {"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "a.b@c-d",
              "Timestamp": "2027-01-15T08:00:00Z", "DurationSeconds": "3600", "AccessKeyId": AK,
              "SignatureNonce": "x~y"}
    theirs = parameter_helper.sign_string(parameter_helper.compose_string_to_sign("GET", params), SK + "&")
    assert rpc_signing.signature(SK, "GET", params) == theirs


def test_assume_role_answers_credentials_that_fc_accepts_until_they_expire(fake: FakeFc) -> None:
    status, body = call(fake, {"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "ci",
                               "DurationSeconds": "900"})
    assert status == 200
    creds = body["Credentials"]
    assert creds["AccessKeyId"].startswith("STS.") and creds["SecurityToken"].startswith("CAIS")
    assert creds["Expiration"] == "2027-01-15T08:15:00Z"
    assert body["AssumedRoleUser"]["Arn"] == f"acs:ram::{ACCOUNT}:role/deployer/ci"
    issued = fake.sts.lookup(creds["AccessKeyId"])
    assert issued is not None and SK not in repr(issued) and creds["AccessKeySecret"] not in repr(issued)
    assert fake.sts.temporary_key(creds["AccessKeyId"], creds["SecurityToken"]) == (creds["AccessKeySecret"], None)
    assert fake.sts.temporary_key(creds["AccessKeyId"], "CAISother")[1][0] == \
        "InvalidSecurityToken.MismatchWithAccessKey"
    fake.sts.clock.now += 900  # type: ignore[attr-defined]
    assert fake.sts.temporary_key(creds["AccessKeyId"], creds["SecurityToken"])[1][0] == "InvalidSecurityToken.Expired"


def test_get_caller_identity_for_account_keys_and_for_a_role(fake: FakeFc) -> None:
    status, body = call(fake, {"Action": "GetCallerIdentity"}, method="POST")
    assert status == 200
    assert (body["AccountId"], body["IdentityType"], body["Arn"]) == (ACCOUNT, "Account", f"acs:ram::{ACCOUNT}:root")
    _, assumed = call(fake, {"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "ci"})
    creds = assumed["Credentials"]
    base = {"Action": "GetCallerIdentity", "AccessKeyId": creds["AccessKeyId"], "SecurityToken": creds["SecurityToken"]}
    status, body = call(fake, base, secret=creds["AccessKeySecret"])
    assert status == 200 and body["IdentityType"] == "AssumedRoleUser"
    assert body["Arn"] == f"acs:ram::{ACCOUNT}:assumed-role/deployer/ci" and body["RoleId"]


@pytest.mark.parametrize(("params", "kwargs", "status", "code"), [
    ({"Action": "GetCallerIdentity"}, {"secret": "wrong"}, 400, "SignatureDoesNotMatch"),
    ({"Action": "GetCallerIdentity", "AccessKeyId": "LTAIunknown"}, {}, 404, "InvalidAccessKeyId.NotFound"),
    ({"Action": "GetCallerIdentity"}, {"sign": False}, 400, "MissingParameter"),
    ({"Action": "AssumeRole", "RoleSessionName": "ci"}, {}, 400, "MissingRoleArn"),
    ({"Action": "AssumeRole", "RoleArn": "role/x", "RoleSessionName": "ci"}, {}, 400, "InvalidParameter.RoleArn"),
    ({"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "a b"}, {}, 400,
     "InvalidParameter.RoleSessionName"),
    ({"Action": "AssumeRole", "RoleArn": ROLE, "RoleSessionName": "ci", "DurationSeconds": "899"}, {}, 400,
     "InvalidParameter.DurationSeconds"),
    ({"Action": "AssumeRole", "RoleArn": "acs:ram::42:role/x", "RoleSessionName": "ci"}, {}, 404,
     "EntityNotExist.Role"),
    ({"Action": "DeleteEverything"}, {}, 404, "InvalidAction.NotFound"),
])
def test_refusals_use_sts_error_shape(fake: FakeFc, params: dict[str, str], kwargs: dict[str, Any], status: int,
                                      code: str) -> None:
    got, body = call(fake, params, **kwargs)
    assert (got, body["Code"]) == (status, code)
    assert set(body) == {"RequestId", "HostId", "Code", "Message"} and SK not in json.dumps(body)
    assert not fake.sts.issued


def _jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def test_assume_role_with_oidc_is_anonymous_and_reports_the_token(fake: FakeFc) -> None:
    provider = f"acs:ram::{ACCOUNT}:oidc-provider/ack"
    params = {"Action": "AssumeRoleWithOIDC", "RoleArn": ROLE, "RoleSessionName": "rrsa", "OIDCProviderArn": provider,
              "OIDCToken": _jwt({"iss": "https://i", "sub": "sa", "aud": ["a", "b"], "exp": Clock.now + 60})}
    status, body = call(fake, params, sign=False)
    assert status == 200 and body["OIDCTokenInfo"] == {"Subject": "sa", "Issuer": "https://i", "ClientIds": "a,b"}
    assert fake.sts.lookup(body["Credentials"]["AccessKeyId"]) is not None
    for change, code in (({"OIDCToken": "not-a-jwt"}, "InvalidParameter.OIDCToken"),
                         ({"OIDCToken": _jwt({"exp": Clock.now - 1})}, "AuthenticationFail.OIDCToken.Expired"),
                         ({"OIDCProviderArn": "acs:ram::42:oidc-provider/x"}, "EntityNotExist.OIDCProvider")):
        assert call(fake, {**params, **change}, sign=False)[1]["Code"] == code
