"""Fc3Client against the FC 3.0 fake (signatures verified): the seeds' story, errors, retries, paging."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses

from fcinfra.errors import (
    AccessDeniedError,
    AmbiguousPublishError,
    ConfigurationError,
    ConflictError,
    FcinfraError,
    InvalidArgumentError,
    InvalidRequestError,
    NoChangesToPublishError,
    NotFoundError,
    PreconditionFailedError,
    ServerError,
)
from fcinfra.fake.messages import FakeResponse
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc3 import Fc3Client
from fcinfra.testing.helpers import code_zip

from .conftest import ACCOUNT, AK, REGION, SECRET, Fake


def _code(answer: str) -> bytes:
    return code_zip(f"def handler(event, context):\n    return {answer!r}\n")


def _client(**kwargs: Any) -> Fc3Client:
    return Fc3Client(ACCOUNT, REGION, AK, SECRET, sleep=lambda _: None, **kwargs)


def test_seeds_story_on_fc3(fc3_fake: Fake) -> None:
    """Publish, immutable versions never reused, canary alias, alias-bound trigger, invoke, switch, rollback."""
    client = _client()
    fc3_fake.api.register_handler("fn", lambda event, ctx: f"ran {ctx.service.version_id} via {ctx.service.qualifier}")
    fn = client.create_function("fn", "python3.10", "index.handler", code=_code("v1"), memory_size=256)
    assert fn.function_arn == f"acs:fc:{REGION}:{ACCOUNT}:functions/fn" and fn.memory_size == 256
    v1 = client.publish_version("fn", "first")
    assert v1.version_id == "1"
    with pytest.raises(NoChangesToPublishError):
        client.publish_version("fn")
    client.update_function("fn", code=_code("v2"))
    v2 = client.publish_version("fn", "second")
    assert v2.version_id == "2"
    assert client.get_function("fn", qualifier=1).code_checksum != client.get_function("fn").code_checksum
    assert client.get_function("fn", qualifier=1).description == "first"
    alias = client.create_alias("fn", "prod", v1.version_id)
    trigger = client.create_trigger("fn", "web", "http", {"authType": "anonymous"}, qualifier="prod")
    assert trigger.qualifier == "prod" and trigger.url_internet and trigger.trigger_config
    assert trigger.trigger_config["authType"] == "anonymous"

    canary = client.update_alias("fn", "prod", additional_version_weight={2: 0.5}, if_match=alias.etag)
    assert canary.canary == ("2", 0.5)
    seen = {client.invoke("fn", b"{}", qualifier="prod").version_id for _ in range(40)}
    assert seen == {"1", "2"}
    result = client.invoke("fn", qualifier="prod", log_type="Tail")
    assert result.ok and result.payload.decode().endswith("via prod") and result.log_result

    switched = client.update_alias("fn", "prod", version_id="2", additional_version_weight={})
    assert switched.version_id == "2" and switched.canary is None
    assert {client.invoke("fn", qualifier="prod").version_id for _ in range(10)} == {"2"}
    served = requests.get(f"{trigger.url_internet}/hello", timeout=5)  # the trigger URL serves the alias
    assert served.status_code == 200 and served.text == "ran 2 via prod"
    assert served.headers["x-fc-invocation-service-version"] == "2"
    rolled = client.update_alias("fn", "prod", version_id="1")
    assert rolled.version_id == "1"
    assert client.invoke("fn", qualifier="prod").payload == b"ran 1 via prod"
    assert client.get_trigger("fn", "web").url_internet == trigger.url_internet  # the trigger never moved

    client.delete_version("fn", "2")
    client.update_function("fn", code=_code("v3"))
    assert client.publish_version("fn").version_id == "3"  # 2 is never given out again
    assert [v.version_id for v in client.list_versions("fn")] == ["3", "1"]


def test_errors_map_onto_the_error_tree(fc3_fake: Fake) -> None:
    client = _client()
    with pytest.raises(NotFoundError) as exc:
        client.get_function("missing")
    assert exc.value.code == "FunctionNotFound" and exc.value.request_id
    client.create_function("fn", "python3.10", "index.handler", code=_code("a"))
    with pytest.raises(ConflictError):
        client.create_function("fn", "python3.10", "index.handler", code=_code("a"))
    client.publish_version("fn")
    alias = client.create_alias("fn", "prod", "1")
    client.update_alias("fn", "prod", description="moved on")
    with pytest.raises(PreconditionFailedError):
        client.update_alias("fn", "prod", version_id="1", if_match=alias.etag)
    client.create_trigger("fn", "web", "http", {}, qualifier="prod")
    with pytest.raises(InvalidRequestError) as bad:
        client.delete_function("fn")
    assert bad.value.code == "FunctionNotEmpty"
    with pytest.raises(NotFoundError) as missing:
        client.invoke("fn", qualifier="beta")
    assert missing.value.code == "AliasNotFound"


def test_bad_input_is_refused_before_sending(fc3_fake: Fake) -> None:
    client = _client()
    for call in (
        lambda: client.create_function("9bad", "python3.10", "index.handler"),
        lambda: client.create_function("x" * 65, "python3.10", "index.handler"),
        lambda: client.create_function("fn", "python3.10", "index.handler", cpu=32),
        lambda: client.create_function("fn", "python3.10", "index.handler", colour="red"),
        lambda: client.create_alias("fn", "LATEST", "1"),
        lambda: client.create_alias("fn", "prod", "1", additional_version_weight={"2": 1.5}),
        lambda: client.create_alias("fn", "prod", "1", additional_version_weight={"2": 0.1, "3": 0.1}),
        lambda: client.create_trigger("fn", "t", "http", "not json"),
        lambda: client.invoke("fn", qualifier="bad qualifier"),
        lambda: client.delete_version("fn", "LATEST"),
    ):
        with pytest.raises(InvalidArgumentError):
            call()
    assert sum(client.calls.values()) == 0


def test_wrong_secret_is_a_signature_error(fc3_fake: Fake) -> None:
    client = Fc3Client(ACCOUNT, REGION, AK, "wrong", retry_policy=RetryPolicy.none())
    with pytest.raises(AccessDeniedError) as exc:
        client.list_functions()
    assert exc.value.code == "SignatureNotMatch"
    assert "wrong" not in str(exc.value)


def test_security_token_is_signed(fc3_fake: Fake) -> None:
    seen: list[requests.PreparedRequest] = []
    client = _client(security_token="sts-token", on_request=None)
    client.session.hooks["response"].append(lambda r, *a, **k: seen.append(r.request))
    client.list_functions()
    headers = seen[0].headers
    assert headers["x-acs-security-token"] == "sts-token"
    assert "x-acs-security-token" in headers["authorization"].split("SignedHeaders=")[1].split(",")[0]


def test_pagination_follows_next_token(fc3_fake: Fake) -> None:
    client = _client()
    for i in range(105):
        client.create_function(f"f{i:03d}", "python3.10", "index.handler")
    names = [f.function_name for f in client.list_functions(prefix="f")]
    assert names == [f"f{i:03d}" for i in range(105)]
    assert client.calls["ListFunctions"] == 2


def _fail_first(fake: Fake, method: str, path_end: str, status: int, after: bool) -> None:
    """Make the first matching call fail with ``status``; ``after`` applies it to the fake first (a lost answer)."""
    state = {"done": False}
    original = fake.api.handle

    def handle(request: Any) -> Any:
        if not state["done"] and request.method == method and request.path.endswith(path_end):
            state["done"] = True
            if after:
                original(request)
            body = json.dumps({"Code": "InternalServerError", "Message": "boom", "RequestId": "r"}).encode()
            return FakeResponse(status, {"x-fc-request-id": "r"}, body)
        return original(request)

    fake.api.handle = handle  # type: ignore[method-assign]


@pytest.mark.parametrize("applied", [False, True])
def test_publish_is_never_blindly_resent(fc3_fake: Fake, applied: bool) -> None:
    """A 500 on publish: the versions are checked; the call yields exactly one version either way."""
    client = _client()
    client.create_function("fn", "python3.10", "index.handler", code=_code("a"))
    _fail_first(fc3_fake, "POST", "/versions", 500, after=applied)
    version = client.publish_version("fn", "mine")
    assert version.version_id == "1"
    assert [v.version_id for v in client.list_versions("fn")] == ["1"]
    assert client.calls["PublishFunctionVersion"] == (1 if applied else 2)


def test_ambiguous_publish_with_a_foreign_version_is_not_guessed(fc3_fake: Fake) -> None:
    client = _client()
    client.create_function("fn", "python3.10", "index.handler", code=_code("a"))
    original = fc3_fake.api.handle
    state = {"done": False}

    def handle(request: Any) -> Any:
        if not state["done"] and request.method == "POST" and request.path.endswith("/versions"):
            state["done"] = True
            from fcinfra.fc3.models import PublishVersionRequest

            fc3_fake.backend.publish_version("fn", PublishVersionRequest(description="someone else"))
            return FakeResponse(503, {"x-fc-request-id": "r"}, b'{"Code":"ServiceUnavailable","Message":"x"}')
        return original(request)

    fc3_fake.api.handle = handle  # type: ignore[method-assign]
    with pytest.raises(AmbiguousPublishError):
        client.publish_version("fn", "mine")
    assert len(client.list_versions("fn")) == 1


def test_idempotent_reads_are_retried_on_5xx(fc3_fake: Fake) -> None:
    client = _client()
    client.create_function("fn", "python3.10", "index.handler")
    _fail_first(fc3_fake, "GET", "/functions/fn", 500, after=False)
    assert client.get_function("fn").function_name == "fn"
    assert client.calls["GetFunction"] == 2
    _fail_first(fc3_fake, "GET", "/functions/fn", 500, after=False)
    with pytest.raises(ServerError):
        _client(retry_policy=RetryPolicy.none()).get_function("fn")


def test_delete_after_a_lost_answer_counts_as_done(fc3_fake: Fake) -> None:
    client = _client()
    client.create_function("fn", "python3.10", "index.handler")
    _fail_first(fc3_fake, "DELETE", "/functions/fn", 502, after=True)
    client.delete_function("fn")
    assert "fn" not in fc3_fake.backend.functions


def test_invoke_reports_function_errors_and_async(fc3_fake: Fake) -> None:
    client = _client()
    client.create_function("fn", "python3.10", "index.handler")

    def boom(event: bytes, context: Any) -> None:
        raise RuntimeError("kaput")

    fc3_fake.api.register_handler("fn", boom)
    failed = client.invoke("fn", {"x": 1})
    assert not failed.ok and failed.error_type == "UnhandledInvocationError"
    assert json.loads(failed.payload)["errorMessage"] == "kaput" and failed.version_id == "LATEST"
    assert client.invoke("fn", invocation_type="Async").status_code == 202


def test_from_env_and_repr_hide_secrets() -> None:
    env = {
        "ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT,
        "ALIBABA_CLOUD_REGION": REGION,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIabcdefgh",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "very-secret-value",
    }
    client = Fc3Client.from_env(env)
    assert client.endpoint == f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com"
    assert "very-secret-value" not in repr(client) and "LTAIabcdefgh" not in repr(client)
    assert Fc3Client.from_env(env, endpoint="127.0.0.1:9000").endpoint == "https://127.0.0.1:9000"
    with pytest.raises(ConfigurationError):  # no keys, and nothing else in the chain (no HOME files, no ECS)
        Fc3Client.from_env({"ALIBABA_CLOUD_REGION": REGION, "HOME": "/nonexistent",
                            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(client)


def test_from_settings_is_fc_clients_one_factory(fc3_fake: Fake) -> None:
    """The same factory as FcClient: keys from the credentials chain, asked per request; options passed on."""
    from fcinfra.config import Settings

    client = Fc3Client.from_settings(Settings(ACCOUNT, REGION, AK, SECRET), timeout=2.0)
    assert isinstance(client, Fc3Client) and client.endpoint == f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com"
    assert client.list_functions() == []  # signed with the chain's keys, verified by the fake
    assert SECRET not in repr(client)
    with pytest.raises(ConfigurationError):
        Fc3Client(ACCOUNT, REGION, AK, SECRET, credentials=client.credentials)


def test_unreachable_endpoint_is_a_connection_error() -> None:
    client = Fc3Client(ACCOUNT, REGION, AK, SECRET, endpoint="http://127.0.0.1:9", retry_policy=RetryPolicy.none())
    with responses.RequestsMock() as mock:
        mock.add_passthru("http://127.0.0.1:9")
        with pytest.raises(FcinfraError) as exc:
            client.list_functions()
    assert "127.0.0.1:9" in str(exc.value) and SECRET not in str(exc.value)
