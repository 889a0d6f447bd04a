"""ACS3-HMAC-SHA256 signing: golden vectors, and agreement with the official SDK's own signer."""

from __future__ import annotations

import hashlib

import pytest

from fcinfra.fc3 import signing

SHARED = {
    "accept": "application/json",
    "host": "127.0.0.1:9000",
    "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
    "x-acs-credentials-provider": "static_ak",
    "x-acs-date": "2024-05-01T12:00:00Z",
    "x-acs-signature-nonce": "3a1f0c6b9d2e4f5a8b7c6d5e4f3a2b1c",
    "x-acs-version": "2023-03-30",
}
BODY_A = b'{"description":"release 1"}'
HEADERS_A = {
    **SHARED,
    "content-type": "application/json; charset=utf-8",
    "x-acs-action": "PublishFunctionVersion",
    "x-acs-content-sha256": hashlib.sha256(BODY_A).hexdigest(),
}
HEADERS_B = {**SHARED, "x-acs-action": "ListFunctionVersions", "x-acs-content-sha256": signing.EMPTY_SHA256}
QUERY_B = [("direction", "BACKWARD"), ("limit", "2"), ("nextToken", "a b")]


def test_vector_a_publish_version() -> None:
    """Golden vector A of FC3.md §2.1 (computed with the official SDK's signer and a live capture)."""
    path = "/2023-03-30/functions/my-func/versions"
    canonical = signing.canonical_request("POST", path, [], HEADERS_A, HEADERS_A["x-acs-content-sha256"])
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "9cd25c41d0798690d670af6d1f74a13f15103f58eb50c213db22fe592f22f41b"
    )
    auth = signing.authorization("testid", "testsecret", "POST", path, [], HEADERS_A)
    assert auth == (
        "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=accept;content-type;host;user-agent;x-acs-action;"
        "x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=190711e4dc011103839101bc2b94a5cec1b2715391692a96d256ea710d4a6bc4"
    )


def test_vector_b_query_is_reencoded() -> None:
    """Golden vector B: a space in a query value is signed as %20 (the URL carries '+')."""
    path = "/2023-03-30/functions/my-func/versions"
    assert signing.canonical_query(QUERY_B) == "direction=BACKWARD&limit=2&nextToken=a%20b"
    auth = signing.authorization("testid", "testsecret", "GET", path, QUERY_B, HEADERS_B)
    assert auth.endswith("Signature=ef56d02985e139cb5a7e93b3668a8b425f4e10676e0937b621ef0d4cfb755c0b")


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body"),
    [
        ("POST", "/2023-03-30/functions/my-func/versions", [], HEADERS_A, BODY_A),
        ("GET", "/2023-03-30/functions/my-func/versions", QUERY_B, HEADERS_B, b""),
        (
            "GET",
            "/2023-03-30/functions",
            [("prefix", "a~b/c+d é"), ("limit", "100"), ("tags", '[{"Key":"k","Value":"v"}]')],
            {**HEADERS_B, "x-acs-action": "ListFunctions", "x-acs-security-token": " tok "},
            b"",
        ),
    ],
)
def test_agrees_with_the_official_sdk_signer(
    method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str], body: bytes
) -> None:
    """Same inputs through the official SDK's ``Utils.get_authorization`` give the same header."""
    utils = pytest.importorskip("alibabacloud_tea_openapi.utils")
    from darabonba.request import DaraRequest

    request = DaraRequest()
    request.method = method
    request.pathname = path
    request.query = dict(query)
    request.headers = dict(headers)
    payload = hashlib.sha256(body).hexdigest()
    theirs = utils.Utils.get_authorization(request, "ACS3-HMAC-SHA256", payload, "testid", "testsecret")
    ours = signing.authorization("testid", "testsecret", method, path, query, {**headers})
    assert ours == theirs


def test_verify_accepts_the_signed_request_and_rejects_tampering() -> None:
    path = "/2023-03-30/functions/my-func/versions"
    auth = signing.authorization("testid", "testsecret", "POST", path, [], HEADERS_A)
    parsed = signing.parse_authorization(auth)
    assert parsed is not None and parsed.access_key_id == "testid"
    received = {**HEADERS_A, "Content-Length": "27", "Accept-Encoding": "gzip"}  # unsigned extras are ignored
    assert signing.verify("testsecret", parsed, "POST", path, [], received, BODY_A)
    assert not signing.verify("other", parsed, "POST", path, [], received, BODY_A)
    assert not signing.verify("testsecret", parsed, "POST", path, [], received, b'{"description":"release 2"}')
    assert not signing.verify("testsecret", parsed, "PUT", path, [], received, BODY_A)
    assert not signing.verify("testsecret", parsed, "POST", path + "x", [], received, BODY_A)
    changed = {**received, "x-acs-action": "DeleteFunction"}
    assert not signing.verify("testsecret", parsed, "POST", path, [], changed, BODY_A)
    missing = {k: v for k, v in received.items() if k != "x-acs-date"}
    assert not signing.verify("testsecret", parsed, "POST", path, [], missing, BODY_A)


def test_parse_authorization_rejects_other_schemes() -> None:
    assert signing.parse_authorization("FC ak:sig") is None
    assert signing.parse_authorization("acs testid:liD5GW7aE/R4WSHzOnNopkHfVWA=") is None
    assert signing.parse_authorization(None) is None


ROA_HEADERS = {
    "accept": "application/json",
    "date": "Wed, 01 May 2024 12:00:00 GMT",
    "x-acs-signature-method": "HMAC-SHA1",
    "x-acs-signature-nonce": "3a1f0c6b9d2e4f5a8b7c6d5e4f3a2b1c",
    "x-acs-signature-version": "1.0",
    "x-acs-version": "2023-03-30",
}


def test_vector_c_legacy_roa_as_the_alicloud_provider_signs() -> None:
    """Golden vector C of FC3.md §2.2 (tea-roa's ``acs ak:sig``, used by the provider's fcv3 resources)."""
    post = {**ROA_HEADERS, "content-type": "application/json; charset=utf-8"}
    path = "/2023-03-30/functions/my-func/aliases"
    assert signing.roa_authorization("testid", "testsecret", "POST", path, [], post) == (
        "acs testid:liD5GW7aE/R4WSHzOnNopkHfVWA="
    )
    get = signing.roa_authorization("testid", "testsecret", "GET", "/2023-03-30/functions/my-func",
                                    [("qualifier", "2")], ROA_HEADERS)
    assert get == "acs testid:FARPd4vIoRO8H1iIFlmlWTLSZG8="
    ak, sig = signing.parse_roa_authorization(get) or ("", "")
    assert ak == "testid"
    assert signing.verify_roa("testsecret", sig, "GET", "/2023-03-30/functions/my-func", [("qualifier", "2")],
                              {k.upper(): v for k, v in ROA_HEADERS.items()})
    assert not signing.verify_roa("testsecret", sig, "GET", "/2023-03-30/functions/my-func", [("qualifier", "3")],
                                  ROA_HEADERS)


def test_legacy_roa_agrees_with_the_official_sdk() -> None:
    utils = pytest.importorskip("alibabacloud_tea_openapi.utils")
    from darabonba.request import DaraRequest

    request = DaraRequest()
    request.method = "GET"
    request.pathname = "/2023-03-30/functions/fn/versions"
    request.query = {"limit": "2", "nextToken": "a b", "flag": ""}
    request.headers = dict(ROA_HEADERS)
    theirs = utils.Utils.get_roasignature(utils.Utils.get_string_to_sign(request), "testsecret")
    ours = signing.roa_signature(
        "testsecret", signing.roa_string_to_sign("GET", request.pathname, list(request.query.items()), ROA_HEADERS)
    )
    assert ours == theirs
