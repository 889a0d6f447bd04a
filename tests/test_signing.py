"""Golden vectors for FC request signing (FC_API.md §1.3, worked examples A and B)."""

from __future__ import annotations

from fcinfra.fc import signing

EXAMPLE_A = (
    "GET\nef5b43a0fe1d5b401b62c3ba33a7a3d6\ntext/json\n1583221068\nx-fc-trace-id:trace-id\n"
    "/2016-08-15/proxy/service.LATEST/func/abc 123\na=123 45\nx-fc-access-key-id=akID\n"
    "x-fc-expires=1583221068\nx-fc-security-token=stsToken\nx=456\nx=xyz"
)


def test_example_a_signature() -> None:
    assert signing.sign_string("S9MWOBG0AOWHSO9HPASP216QOPHT5YR4NLH3A", EXAMPLE_A) == (
        "QFdNhz0Dl+onUM/MvpX940WFH3H8OHayZHbby1c01aI="
    )


def test_example_a_string_built_from_request_parts() -> None:
    headers = {"Content-MD5": "ef5b43a0fe1d5b401b62c3ba33a7a3d6", "Content-Type": "text/json",
               "x-fc-trace-id": "trace-id"}
    query = signing.query_pairs(
        "x=xyz&a=123%2045&x=456&x-fc-expires=1583221068&x-fc-access-key-id=akID&x-fc-security-token=stsToken"
    )
    built = signing.string_to_sign("GET", "/2016-08-15/proxy/service.LATEST/func/abc%20123", headers, query)
    assert built == EXAMPLE_A


def test_example_b_authorization() -> None:
    headers = {"Date": "Mon, 09 Nov 2020 09:46:33 GMT", "Content-Type": "application/json",
               "x-fc-account-id": "1234567890"}
    auth = signing.authorization("AK", "testsecret", "POST", "/2016-08-15/services/demo/versions", headers)
    assert auth == "FC AK:OhiGDpfqQ/9wXEt0N7402MkSGSuGY1W75hqrki7XHP0="


def test_management_paths_do_not_sign_the_query() -> None:
    headers = {"Date": "d"}
    with_query = signing.string_to_sign("GET", "/2016-08-15/services", headers, [("limit", "100")])
    assert with_query.endswith("\n/2016-08-15/services")


def test_proxy_key_without_value_is_bare() -> None:
    resource = signing.canonical_resource("/2016-08-15/proxy/s.LATEST/f/", [("b", ""), ("a", "1")])
    assert resource == "/2016-08-15/proxy/s.LATEST/f/\na=1\nb"


def test_verify_rejects_tampering() -> None:
    headers = {"Date": "d", "x-fc-account-id": "1"}
    auth = signing.authorization("AK", "SK", "PUT", "/2016-08-15/services/a", headers)
    parsed = signing.parse_authorization(auth)
    assert parsed is not None
    assert parsed[0] == "AK"
    sig = parsed[1]
    assert signing.verify("SK", sig, "PUT", "/2016-08-15/services/a", headers)
    assert not signing.verify("SK", sig, "PUT", "/2016-08-15/services/b", headers)
    assert not signing.verify("wrong", sig, "PUT", "/2016-08-15/services/a", headers)
