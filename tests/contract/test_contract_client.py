"""DESIGN.md "Public API contract": FcClient, its models and its error mapping, line by line."""

from __future__ import annotations

import inspect
import json
import logging
from typing import Any

import pytest
import requests
import responses

from fcinfra.errors import (
    AccessDeniedError,
    ConflictError,
    FcApiError,
    FcinfraError,
    InvalidArgumentError,
    NoChangesToPublishError,
    NotFoundError,
    PreconditionFailedError,
    ThrottledError,
    VersionInUseError,
)
from fcinfra.fc import FcClient
from tests.contract.conftest import ACCOUNT, AK, REGION, SK, Wire, make_client, publish_changed, zip_bytes

ENV_VARS = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_ACCOUNT_ID", "ALIBABA_CLOUD_REGION", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY",
    "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_ACCOUNT_ID", "ALICLOUD_REGION", "FC_ENDPOINT", "ALIBABA_CLOUD_ENDPOINT_FC",
    "FC_CA_BUNDLE", "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# ------------------------------------------------------------------------------------ construction


def test_constructor_takes_the_contract_keywords_and_builds_the_fc_host(fake: Any) -> None:
    c = FcClient(account_id="1234567890", region="cn-hangzhou",
                 access_key_id=AK, access_key_secret=SK, security_token=None, endpoint=None)
    assert "1234567890.cn-hangzhou.fc.aliyuncs.com" in c.endpoint
    c.create_service("svc")
    assert [s.service_name for s in c.list_services()] == ["svc"]


def test_constructor_positional_order_matches_the_contract() -> None:
    names = list(inspect.signature(FcClient).parameters)
    assert names[:6] == ["account_id", "region", "access_key_id", "access_key_secret", "security_token", "endpoint"]


def test_explicit_endpoint_needs_no_account_or_region(fake: Any) -> None:
    fake.add_endpoint("http://127.0.0.1:9")
    c = FcClient(access_key_id=AK, access_key_secret=SK, endpoint="http://127.0.0.1:9")
    c.create_service("svc")
    assert c.get_service("svc").service_name == "svc"


def test_missing_credentials_is_an_fcinfra_error(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(FcinfraError):
        FcClient(account_id=ACCOUNT, region=REGION, access_key_id="", access_key_secret="")
    with pytest.raises(FcinfraError):
        FcClient.from_env()


def test_security_token_is_sent_as_x_fc_security_token(fake: Any) -> None:
    c = make_client(security_token="STS-token-value")
    wire = Wire(c)
    c.list_services()
    assert wire.sent[-1].headers["x-fc-security-token"] == "STS-token-value"


# ---------------------------------------------------------------------------------------- from_env


def test_from_env_reads_every_alibaba_cloud_variable(clean_env: pytest.MonkeyPatch, fake: Any) -> None:
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
    clean_env.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "tok-1")
    clean_env.setenv("ALIBABA_CLOUD_ACCOUNT_ID", "5550001")
    clean_env.setenv("ALIBABA_CLOUD_REGION", "cn-shanghai")
    c = FcClient.from_env()
    assert c.endpoint == "https://5550001.cn-shanghai.fc.aliyuncs.com"
    wire = Wire(c)
    c.create_service("svc")  # signed with AK/SK (the fake checks the signature)
    assert wire.sent[-1].headers["x-fc-security-token"] == "tok-1"
    assert fake.region_backend("5550001", "cn-shanghai") is not None
    assert "5550001" in wire.sent[-1].url


def test_from_env_falls_back_to_alicloud_variables(clean_env: pytest.MonkeyPatch, fake: Any) -> None:
    clean_env.setenv("ALICLOUD_ACCESS_KEY", AK)
    clean_env.setenv("ALICLOUD_SECRET_KEY", SK)
    clean_env.setenv("ALICLOUD_SECURITY_TOKEN", "tok-2")
    clean_env.setenv("ALICLOUD_ACCOUNT_ID", "5550002")
    clean_env.setenv("ALICLOUD_REGION", "cn-beijing")
    c = FcClient.from_env()
    assert c.endpoint == "https://5550002.cn-beijing.fc.aliyuncs.com"
    wire = Wire(c)
    c.list_services()
    assert wire.sent[-1].headers["x-fc-security-token"] == "tok-2"


def test_from_env_accepts_alicloud_spelled_like_alibaba_cloud(clean_env: pytest.MonkeyPatch, fake: Any) -> None:
    clean_env.setenv("ALICLOUD_ACCESS_KEY_ID", AK)
    clean_env.setenv("ALICLOUD_ACCESS_KEY_SECRET", SK)
    clean_env.setenv("ALICLOUD_ACCOUNT_ID", "5550003")
    clean_env.setenv("ALICLOUD_REGION", "cn-hangzhou")
    c = FcClient.from_env()
    assert c.endpoint == "https://5550003.cn-hangzhou.fc.aliyuncs.com"
    c.list_services()  # signed with AK/SK


def test_from_env_prefers_alibaba_cloud_over_alicloud(clean_env: pytest.MonkeyPatch, fake: Any) -> None:
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
    clean_env.setenv("ALICLOUD_ACCESS_KEY", "other-key")
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
    clean_env.setenv("ALICLOUD_SECRET_KEY", "other-secret")
    clean_env.setenv("ALIBABA_CLOUD_ACCOUNT_ID", "1")
    clean_env.setenv("ALICLOUD_ACCOUNT_ID", "2")
    clean_env.setenv("ALIBABA_CLOUD_REGION", "cn-hangzhou")
    clean_env.setenv("ALICLOUD_REGION", "cn-beijing")
    c = FcClient.from_env()
    assert c.endpoint == "https://1.cn-hangzhou.fc.aliyuncs.com"
    c.list_services()  # the fake accepts only AK/SK


def test_from_env_fc_endpoint(clean_env: pytest.MonkeyPatch, fake: Any) -> None:
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", AK)
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK)
    clean_env.setenv("FC_ENDPOINT", "http://127.0.0.1:9")
    fake.add_endpoint("http://127.0.0.1:9")
    c = FcClient.from_env()
    assert c.endpoint == "http://127.0.0.1:9"
    c.create_service("svc")
    assert [s.service_name for s in c.list_services()] == ["svc"]


# ------------------------------------------------------------------------------ services, functions


def test_service_calls_with_contract_argument_names(client: FcClient) -> None:
    s = client.create_service(name="svc", description="first", role=None)
    assert s.service_name == "svc" and s.name == "svc" and s.description == "first"
    assert client.get_service(name="svc", qualifier=None).description == "first"
    client.update_service("svc", description="second")
    assert client.get_service("svc").description == "second"
    client.delete_service(name="svc")
    with pytest.raises(NotFoundError):
        client.get_service("svc")


def test_function_calls_with_contract_argument_names(client: FcClient) -> None:
    client.create_service("svc")
    code = zip_bytes({"index.py": "def handler(event, context):\n    return 'hi'\n"})
    f = client.create_function(service="svc", name="fn", runtime="python3.10", handler="index.handler",
                               code=code, memory_size=256, timeout=10, environment_variables={"A": "1"},
                               description="d")
    assert (f.function_name, f.name, f.runtime, f.handler) == ("fn", "fn", "python3.10", "index.handler")
    assert (f.memory_size, f.timeout, f.environment_variables, f.description) == (256, 10, {"A": "1"}, "d")
    assert f.code_size and f.code_size > 0
    got = client.get_function(service="svc", name="fn", qualifier=None)
    assert got.memory_size == 256
    updated = client.update_function("svc", "fn", memory_size=512, timeout=20, description="e")
    assert (updated.memory_size, updated.timeout, updated.description) == (512, 20, "e")
    client.delete_function(service="svc", name="fn")
    with pytest.raises(NotFoundError):
        client.get_function("svc", "fn")


def test_create_function_defaults_are_128_mb_and_3_seconds(client: FcClient) -> None:
    client.create_service("svc")
    f = client.create_function("svc", "fn", "python3.10", "index.handler")
    assert (f.memory_size, f.timeout) == (128, 3)


@pytest.mark.parametrize("memory", [64, 100, 130, 192 + 1, 32768 + 64, 0, -128])
def test_memory_size_outside_the_rules_is_refused_before_sending(client: FcClient, memory: int) -> None:
    client.create_service("svc")
    wire = Wire(client)
    with pytest.raises(InvalidArgumentError) as info:
        client.create_function("svc", "fn", "python3.10", "index.handler", memory_size=memory)
    assert isinstance(info.value, ValueError)
    assert wire.sent == []


@pytest.mark.parametrize("memory", [128, 192, 1024, 32768])
def test_memory_size_multiples_of_64_are_accepted(client: FcClient, memory: int) -> None:
    client.create_service("svc")
    assert client.create_function("svc", "fn", "python3.10", "i.h", memory_size=memory).memory_size == memory


def test_qualifier_reads_return_the_snapshot(client: FcClient, svc: str) -> None:
    client.update_function(svc, "fn", memory_size=256)
    client.update_service(svc, description="at v1")
    v1 = client.publish_version(svc).version_id
    client.update_function(svc, "fn", memory_size=512)
    client.update_service(svc, description="after v1")
    assert client.get_function(svc, "fn", qualifier=v1).memory_size == 256
    assert client.get_function(svc, "fn", qualifier="LATEST").memory_size == 512
    assert client.get_function(svc, "fn").memory_size == 512
    assert client.get_service(svc, qualifier=v1).description == "at v1"
    client.create_alias(svc, "prod", v1)
    assert client.get_function(svc, "fn", qualifier="prod").memory_size == 256
    assert client.get_service(svc, qualifier="prod").description == "at v1"


# ---------------------------------------------------------------------------------------- versions


def test_version_ids_are_decimal_strings_from_1_never_reused(client: FcClient, svc: str) -> None:
    v1 = client.publish_version(svc, description="one")
    assert v1.version_id == "1" and isinstance(v1.version_id, str) and v1.description == "one"
    v2 = publish_changed(client, svc, "two")
    assert v2 == "2"
    client.delete_version(svc, "2")
    assert publish_changed(client, svc, "three") == "3"
    assert [v.version_id for v in client.list_versions(svc)] == ["3", "1"]
    assert all(isinstance(v.version_id, str) for v in client.list_versions(svc))


def test_publish_with_nothing_changed_raises_no_changes(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    with pytest.raises(NoChangesToPublishError) as info:
        client.publish_version(svc)
    err = info.value
    assert isinstance(err, FcApiError)
    assert (err.status, err.code) == (400, "VersionPublishError")
    assert "No changes were made since last publish" in err.message


def test_a_version_is_immutable_and_latest_stays_mutable(client: FcClient, svc: str) -> None:
    v1 = client.publish_version(svc).version_id
    client.update_function(svc, "fn", environment_variables={"K": "new"})
    assert client.get_function(svc, "fn", qualifier=v1).environment_variables in (None, {})
    with pytest.raises(FcinfraError):
        client.update_function(f"{svc}.{v1}", "fn", description="x")


def test_list_versions_follows_every_page_newest_first(client: FcClient, svc: str) -> None:
    for i in range(105):
        client.update_service(svc, description=f"d{i}")
        client.publish_version(svc)
    wire = Wire(client)
    versions = client.list_versions(svc)
    assert [v.version_id for v in versions] == [str(n) for n in range(105, 0, -1)]
    assert wire.count("GET", "/versions") >= 2


def test_delete_version_is_the_raw_call_even_when_an_alias_uses_it(client: FcClient, svc: str) -> None:
    v1 = client.publish_version(svc).version_id
    client.create_alias(svc, "prod", v1)
    client.delete_version(svc, v1)  # FC allows it; fcinfra.lifecycle is the safe variant
    assert client.list_versions(svc) == []
    with pytest.raises(NotFoundError) as info:
        client.invoke(svc, "fn", qualifier="prod")
    assert info.value.code == "VersionNotFound" and info.value.status == 404


def test_latest_cannot_be_deleted(client: FcClient, svc: str) -> None:
    with pytest.raises(InvalidArgumentError):
        client.delete_version(svc, "LATEST")


# ----------------------------------------------------------------------------------------- aliases


def test_alias_attributes_and_float_weights_round_trip_exactly(client: FcClient, svc: str) -> None:
    v1 = client.publish_version(svc).version_id
    v2 = publish_changed(client, svc, "b")
    a = client.create_alias(svc, "prod", v1, description="live", additional_version_weight={v2: 0.1})
    assert (a.name, a.alias_name, a.version_id, a.description) == ("prod", "prod", "1", "live")
    assert a.additional_version_weight == {"2": 0.1}
    assert a.etag
    got = client.get_alias(svc, "prod")
    assert got.additional_version_weight == {"2": 0.1}
    assert isinstance(got.additional_version_weight["2"], float)
    assert got.etag
    for w in (0.05, 0.25, 0.333, 1 / 3, 0.9, 0.0, 1.0):
        assert client.update_alias(svc, "prod", additional_version_weight={v2: w}).additional_version_weight == {
            "2": w}
        assert client.get_alias(svc, "prod").additional_version_weight == {"2": w}


def test_alias_weights_given_as_ints_and_int_version_ids(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    publish_changed(client, svc, "b")
    a = client.create_alias(svc, "prod", "1", additional_version_weight={"2": 1})
    assert a.additional_version_weight == {"2": 1.0}
    a = client.update_alias(svc, "prod", additional_version_weight={"2": 0})
    assert a.additional_version_weight == {"2": 0.0}
    a = client.update_alias(svc, "prod", additional_version_weight={2: 0.5})  # type: ignore[dict-item]
    assert a.additional_version_weight == {"2": 0.5}


def test_update_alias_none_keeps_weights_and_empty_dict_clears(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    publish_changed(client, svc, "b")
    publish_changed(client, svc, "c")
    client.create_alias(svc, "prod", "1", additional_version_weight={"2": 0.25})
    kept = client.update_alias(svc, "prod", version_id="3", additional_version_weight=None)
    assert kept.version_id == "3" and kept.additional_version_weight == {"2": 0.25}
    assert client.update_alias(svc, "prod", description="x").additional_version_weight == {"2": 0.25}
    cleared = client.update_alias(svc, "prod", additional_version_weight={})
    assert cleared.additional_version_weight == {}
    assert client.get_alias(svc, "prod").additional_version_weight == {}
    assert client.get_alias(svc, "prod").version_id == "3"


def test_update_alias_if_match(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    publish_changed(client, svc, "b")
    a = client.create_alias(svc, "prod", "1")
    b = client.update_alias(svc, "prod", version_id="2", if_match=a.etag)
    assert b.version_id == "2" and b.etag and b.etag != a.etag
    with pytest.raises(PreconditionFailedError) as info:
        client.update_alias(svc, "prod", version_id="1", if_match=a.etag)
    assert info.value.status == 412
    assert client.get_alias(svc, "prod").version_id == "2"


def test_alias_rules(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    publish_changed(client, svc, "b")
    publish_changed(client, svc, "c")
    wire = Wire(client)
    bad: list[dict[str, Any]] = [
        {"name": "LATEST", "version_id": "1"},
        {"name": "prod", "version_id": "1", "additional_version_weight": {"2": 1.5}},
        {"name": "prod", "version_id": "1", "additional_version_weight": {"2": -0.1}},
        {"name": "prod", "version_id": "1", "additional_version_weight": {"2": 0.1, "3": 0.1}},
        {"name": "prod", "version_id": "1", "additional_version_weight": {"1": 0.1}},
        {"name": "prod", "version_id": "1", "additional_version_weight": {"2": "half"}},
        {"name": "prod", "version_id": "one"},
        {"name": "", "version_id": "1"},
    ]
    for kwargs in bad:
        with pytest.raises(InvalidArgumentError):
            client.create_alias(svc, **kwargs)
    assert wire.sent == []
    with pytest.raises(NotFoundError):
        client.create_alias(svc, "prod", "99")
    client.create_alias(svc, "prod", "1")
    with pytest.raises(ConflictError) as info:
        client.create_alias(svc, "prod", "2")
    assert info.value.status == 409


def test_alias_list_and_delete(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    client.create_alias(svc, "a1", "1")
    client.create_alias(svc, "a2", "LATEST")
    aliases = client.list_aliases(svc)
    assert sorted(a.name for a in aliases) == ["a1", "a2"]
    assert {a.name: a.version_id for a in aliases} == {"a1": "1", "a2": "LATEST"}
    client.delete_alias(svc, "a1")
    assert [a.name for a in client.list_aliases(svc)] == ["a2"]
    with pytest.raises(NotFoundError):
        client.get_alias(svc, "a1")


# ---------------------------------------------------------------------------------------- triggers


def test_trigger_calls_with_contract_argument_names(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    client.create_alias(svc, "prod", "1")
    t = client.create_trigger(service=svc, function="fn", name="tick", trigger_type="timer",
                              trigger_config={"cronExpression": "@every 1m", "enable": True},
                              qualifier="prod", source_arn=None, invocation_role=None)
    assert (t.trigger_name, t.name, t.trigger_type, t.qualifier) == ("tick", "tick", "timer", "prod")
    assert client.get_trigger(svc, "fn", "tick").qualifier == "prod"
    u = client.update_trigger(svc, "fn", "tick", qualifier="1",
                              trigger_config={"cronExpression": "@every 2m", "enable": True})
    assert u.qualifier == "1" and u.trigger_config and u.trigger_config["cronExpression"] == "@every 2m"
    assert [x.qualifier for x in client.list_triggers(svc, "fn")] == ["1"]
    client.delete_trigger(svc, "fn", "tick")
    assert client.list_triggers(svc, "fn") == []


def test_trigger_without_qualifier_points_at_latest(client: FcClient, svc: str) -> None:
    t = client.create_trigger(svc, "fn", "web", "http", {"authType": "anonymous", "methods": ["GET"]})
    assert t.qualifier == "LATEST"


def test_triggers_are_not_part_of_a_version(client: FcClient, svc: str) -> None:
    client.create_trigger(svc, "fn", "tick", "timer", {"cronExpression": "@every 1m", "enable": True})
    client.publish_version(svc)
    with pytest.raises(NoChangesToPublishError):  # a trigger change is no change to publish
        client.create_trigger(svc, "fn", "tock", "timer", {"cronExpression": "@every 1m", "enable": True})
        client.publish_version(svc)


# -------------------------------------------------------------------------------------- invocation


def test_invoke_reports_status_payload_resolved_version_request_id(client: FcClient, svc: str, fake: Any) -> None:
    inv = client.invoke(svc, "fn", payload=b"", qualifier=None)
    assert inv.status_code == 200
    assert isinstance(inv.payload, bytes) and json.loads(inv.payload) == {"version": "LATEST"}
    assert inv.version_id == "LATEST"
    assert inv.request_id
    assert inv.error_type is None and inv.ok is True
    v1 = client.publish_version(svc).version_id
    client.create_alias(svc, "prod", v1)
    through_alias = client.invoke(svc, "fn", qualifier="prod")
    assert through_alias.version_id == "1"  # the resolved version, never the alias name
    assert json.loads(through_alias.payload) == {"version": "1"}
    assert client.invoke(svc, "fn", qualifier="1").version_id == "1"


def test_invoke_weighted_alias_reports_each_resolved_version(client: FcClient, svc: str) -> None:
    client.publish_version(svc)
    publish_changed(client, svc, "b")
    client.create_alias(svc, "prod", "1", additional_version_weight={"2": 0.5})
    seen = {client.invoke(svc, "fn", qualifier="prod").version_id for _ in range(60)}
    assert seen == {"1", "2"}
    client.update_alias(svc, "prod", additional_version_weight={"2": 0.0})
    assert {client.invoke(svc, "fn", qualifier="prod").version_id for _ in range(20)} == {"1"}
    client.update_alias(svc, "prod", additional_version_weight={"2": 1.0})
    assert {client.invoke(svc, "fn", qualifier="prod").version_id for _ in range(20)} == {"2"}


def test_function_error_is_reported_not_raised(client: FcClient, svc: str, fake: Any) -> None:
    def boom(event: bytes, context: Any) -> Any:
        raise RuntimeError("kaput")

    fake.register_handler(svc, "fn", boom)
    inv = client.invoke(svc, "fn", payload=b"{}")
    assert inv.ok is False
    assert inv.error_type == "UnhandledInvocationError"
    assert b"kaput" in inv.payload


def test_invoke_unknown_function_raises_not_found(client: FcClient, svc: str) -> None:
    with pytest.raises(NotFoundError) as info:
        client.invoke(svc, "nope")
    assert info.value.status == 404 and info.value.code == "FunctionNotFound"


# ------------------------------------------------------------------------------------------- errors


def test_api_error_attributes(client: FcClient) -> None:
    with pytest.raises(NotFoundError) as info:
        client.get_service("missing")
    err = info.value
    assert isinstance(err, FcApiError) and isinstance(err, FcinfraError)
    assert err.code == "ServiceNotFound"
    assert err.status == 404
    assert "missing" in err.message
    assert err.request_id


def test_conflict_error(client: FcClient) -> None:
    client.create_service("svc")
    with pytest.raises(ConflictError) as info:
        client.create_service("svc")
    assert info.value.status == 409


def test_wrong_secret_is_access_denied(fake: Any) -> None:
    with pytest.raises(AccessDeniedError) as info:
        make_client(access_key_secret="not-the-secret").list_services()
    assert (info.value.status, info.value.code) == (403, "SignatureNotMatch")
    assert "not-the-secret" not in str(info.value)


def test_unknown_key_is_access_denied(fake: Any) -> None:
    with pytest.raises(AccessDeniedError) as info:
        make_client(access_key_id="AKunknown").list_services()
    assert (info.value.status, info.value.code) == (403, "InvalidAccessKeyID")


@pytest.mark.parametrize("code", ["SignatureNotMatch", "InvalidAccessKeyID", "AccessDenied"])
def test_every_403_code_maps_to_access_denied(code: str) -> None:
    c = make_client()
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com/2016-08-15/services/svc", status=403,
                 json={"ErrorCode": code, "ErrorMessage": "no"}, headers={"X-Fc-Request-Id": "rid-1"})
        with pytest.raises(AccessDeniedError) as info:
            c.get_service("svc")
    assert (info.value.code, info.value.status, info.value.message, info.value.request_id) == (
        code, 403, "no", "rid-1")


@pytest.mark.parametrize(("status", "code", "cls"), [
    (404, "AliasNotFound", NotFoundError),
    (404, "TriggerNotFound", NotFoundError),
    (412, "PreconditionFailed", PreconditionFailedError),
    (409, "ConcurrentUpdateError", ConflictError),
    (429, "ResourceExhausted", ThrottledError),
    (400, "VersionPublishError", NoChangesToPublishError),
])
def test_status_mapping(status: int, code: str, cls: type[FcApiError]) -> None:
    c = FcClient(ACCOUNT, REGION, AK, SK, sleep=lambda s: None)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com/2016-08-15/services/svc/aliases/a",
                 status=status, json={"ErrorCode": code, "ErrorMessage": "m"})
        with pytest.raises(cls) as info:
            c.get_alias("svc", "a")
    assert info.value.status == status and info.value.code == code


def test_version_in_use_error_has_referrers() -> None:
    assert issubclass(VersionInUseError, FcinfraError)
    err = VersionInUseError("svc", "1", ["alias prod"])
    assert err.referrers == ["alias prod"]


def test_invalid_argument_error_is_a_value_error() -> None:
    assert issubclass(InvalidArgumentError, ValueError) and issubclass(InvalidArgumentError, FcinfraError)


@pytest.mark.parametrize("call", [
    lambda c: c.create_service(""),
    lambda c: c.create_service("bad name!"),
    lambda c: c.create_service("x" * 200),
    lambda c: c.create_service("svc", description="d" * 300),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", memory_size="big"),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", memory_size=128.5),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", timeout=-1),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", timeout="slow"),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", environment_variables={"A": 1}),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", environment_variables=["A"]),
    lambda c: c.create_function("svc", "fn", "python3.10", "i.h", code="not bytes"),
    lambda c: c.create_function("svc", "fn", "", "i.h"),
    lambda c: c.create_function("svc", "fn", None, "i.h"),
    lambda c: c.create_function("svc", "1fn", "python3.10", "i.h"),
    lambda c: c.update_function("svc", "fn", no_such_field=1),
    lambda c: c.update_function("svc", "fn", memory_size=1),
    lambda c: c.update_service("svc", no_such_field=1),
    lambda c: c.publish_version("svc", description=123),
    lambda c: c.create_alias("svc", "prod", None),
    lambda c: c.create_alias("svc", "prod", "1", additional_version_weight=[("2", 0.1)]),
    lambda c: c.create_alias("svc", "prod", "1", additional_version_weight={"2": None}),
    lambda c: c.update_alias("svc", "prod", additional_version_weight={"LATEST": 0.1}),
    lambda c: c.update_alias("svc", "prod", version_id="v1"),
    lambda c: c.create_trigger("svc", "fn", "t", "bogus", {}),
    lambda c: c.create_trigger("svc", "fn", "t", "timer", "not json"),
    lambda c: c.create_trigger("svc", "fn", "t", "timer", {}, qualifier="bad qualifier"),
    lambda c: c.update_trigger("svc", "fn", "t", trigger_config=42),
    lambda c: c.invoke("svc", "fn", payload=object()),
    lambda c: c.invoke("svc", "fn", qualifier="a b"),
    lambda c: c.delete_version("svc", "abc"),
    lambda c: c.get_function("svc", "fn", qualifier=""),
])
def test_bad_input_is_invalid_argument_before_any_request(client: FcClient, call: Any) -> None:
    wire = Wire(client)
    with pytest.raises(InvalidArgumentError) as info:
        call(client)
    assert isinstance(info.value, ValueError)
    assert "pydantic" not in type(info.value).__module__
    assert wire.sent == []


# ---------------------------------------------------------------------------- session and secrets


def test_one_reused_session_that_responses_can_see() -> None:
    c = make_client()
    assert isinstance(c.session, requests.Session)
    first = c.session
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com/2016-08-15/services/svc",
                 json={"serviceName": "svc", "description": "from responses"}, headers={"ETag": "e1"})
        assert c.get_service("svc").description == "from responses"
        assert c.get_service("svc").etag == "e1"
        assert len(rsps.calls) == 2
    assert c.session is first


def test_secrets_never_in_logs_repr_or_errors(fake: Any, caplog: pytest.LogCaptureFixture) -> None:
    secret, token = SK, "STS-secret-token-9"
    caplog.set_level(logging.DEBUG)
    c = make_client(security_token=token)
    c.create_service("svc")
    with pytest.raises(NotFoundError) as nf:
        c.get_service("nope")
    bad = make_client(access_key_secret="wrong-secret-value-77", security_token=token)
    with pytest.raises(AccessDeniedError) as denied:
        bad.list_services()
    texts = [caplog.text, repr(c), str(c), repr(bad), str(nf.value), repr(nf.value), str(denied.value),
             repr(denied.value)]
    for text in texts:
        for value in (secret, token, "wrong-secret-value-77"):
            assert value not in text


def test_client_is_not_picklable_so_secrets_cannot_leak_that_way() -> None:
    import pickle

    with pytest.raises(Exception) as info:
        pickle.dumps(make_client())
    assert SK not in str(info.value)


# ------------------------------------------------------------------------- signatures, positionally


SIGNATURES: dict[str, list[tuple[str, Any]]] = {
    "create_service": [("name", inspect.Parameter.empty), ("description", None), ("role", None)],
    "get_service": [("name", inspect.Parameter.empty), ("qualifier", None)],
    "create_function": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty),
                        ("runtime", inspect.Parameter.empty), ("handler", inspect.Parameter.empty), ("code", None),
                        ("memory_size", 128), ("timeout", 3), ("environment_variables", None),
                        ("description", None)],
    "get_function": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty), ("qualifier", None)],
    "publish_version": [("service", inspect.Parameter.empty), ("description", None)],
    "list_versions": [("service", inspect.Parameter.empty)],
    "delete_version": [("service", inspect.Parameter.empty), ("version_id", inspect.Parameter.empty)],
    "create_alias": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty),
                     ("version_id", inspect.Parameter.empty), ("description", None),
                     ("additional_version_weight", None)],
    "get_alias": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty)],
    "update_alias": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty)],
    "delete_alias": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty)],
    "list_aliases": [("service", inspect.Parameter.empty)],
    "create_trigger": [("service", inspect.Parameter.empty), ("function", inspect.Parameter.empty),
                       ("name", inspect.Parameter.empty), ("trigger_type", inspect.Parameter.empty),
                       ("trigger_config", inspect.Parameter.empty), ("qualifier", None), ("source_arn", None),
                       ("invocation_role", None)],
    "get_trigger": [("service", inspect.Parameter.empty), ("function", inspect.Parameter.empty),
                    ("name", inspect.Parameter.empty)],
    "update_trigger": [("service", inspect.Parameter.empty), ("function", inspect.Parameter.empty),
                       ("name", inspect.Parameter.empty)],
    "delete_trigger": [("service", inspect.Parameter.empty), ("function", inspect.Parameter.empty),
                       ("name", inspect.Parameter.empty)],
    "list_triggers": [("service", inspect.Parameter.empty), ("function", inspect.Parameter.empty)],
    "invoke": [("service", inspect.Parameter.empty), ("function", inspect.Parameter.empty), ("payload", b""),
               ("qualifier", None)],
    "update_service": [("name", inspect.Parameter.empty)],
    "delete_service": [("name", inspect.Parameter.empty)],
    "update_function": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty)],
    "delete_function": [("service", inspect.Parameter.empty), ("name", inspect.Parameter.empty)],
}


@pytest.mark.parametrize("method", sorted(SIGNATURES))
def test_positional_parameters_as_in_the_contract(method: str) -> None:
    params = [p for p in inspect.signature(getattr(FcClient, method)).parameters.values() if p.name != "self"]
    want = SIGNATURES[method]
    assert [(p.name, p.default) for p in params[:len(want)]] == want
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params[:len(want)])


def test_update_alias_and_update_trigger_keywords() -> None:
    alias = inspect.signature(FcClient.update_alias).parameters
    assert {"version_id", "additional_version_weight", "description", "if_match"} <= set(alias)
    assert alias["if_match"].default is None and alias["additional_version_weight"].default is None
    trigger = inspect.signature(FcClient.update_trigger).parameters
    assert {"qualifier", "trigger_config"} <= set(trigger)


def test_lifecycle_signatures() -> None:
    from fcinfra.lifecycle import delete_version_safely, prune_versions

    assert list(inspect.signature(delete_version_safely).parameters) == ["client", "service", "version_id"]
    prune = inspect.signature(prune_versions).parameters
    assert list(prune)[:4] == ["client", "service", "keep_last", "dry_run"]
    assert (prune["keep_last"].default, prune["dry_run"].default) == (5, False)


def test_latest_is_not_a_service_name(client: FcClient) -> None:
    with pytest.raises(InvalidArgumentError):
        client.create_service("LATEST")


@pytest.mark.parametrize("call", [
    lambda c: c.delete_service("nope"),
    lambda c: c.delete_function("svc", "nope"),
    lambda c: c.delete_alias("svc", "nope"),
    lambda c: c.delete_trigger("svc", "fn", "nope"),
    lambda c: c.delete_version("svc", "42"),
    lambda c: c.get_trigger("svc", "fn", "nope"),
    lambda c: c.update_alias("svc", "nope", version_id="1"),
    lambda c: c.update_function("svc", "nope", description="x"),
    lambda c: c.list_versions("nope"),
    lambda c: c.list_aliases("nope"),
    lambda c: c.list_triggers("svc", "nope"),
    lambda c: c.publish_version("nope"),
    lambda c: c.get_function("svc", "fn", qualifier="9"),
    lambda c: c.invoke("svc", "fn", qualifier="nope"),
])
def test_missing_things_are_not_found(client: FcClient, svc: str, call: Any) -> None:
    client.publish_version(svc)
    with pytest.raises(NotFoundError) as info:
        call(client)
    assert info.value.status == 404 and info.value.code.endswith("NotFound")


def test_alias_without_weights_has_an_empty_mapping(client: FcClient, svc: str) -> None:
    v1 = client.publish_version(svc).version_id
    assert client.create_alias(svc, "prod", v1).additional_version_weight == {}
    assert client.get_alias(svc, "prod").additional_version_weight == {}
    assert client.list_aliases(svc)[0].additional_version_weight == {}
