"""Fc3Client's function tags (fcinfra/fc3/_tags.py) against the FC 3.0 fake, whose limits the official SDK meets."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_fc20230330 import models
from alibabacloud_fc20230330.client import Client as SdkClient
from alibabacloud_tea_openapi import exceptions
from alibabacloud_tea_openapi import models as openapi

from fcinfra.errors import ConfigurationError, InvalidArgumentError, NotFoundError
from fcinfra.fc3 import Fc3Client

from .conftest import ACCOUNT, AK, REGION, SECRET, Fake


def _client(**kwargs: Any) -> Fc3Client:
    return Fc3Client(ACCOUNT, REGION, AK, SECRET, sleep=lambda _: None, **kwargs)


def _function(client: Fc3Client, name: str = "fn") -> None:
    client.create_function(name, "python3.10", "index.handler")


def test_tag_list_untag_a_function(fc3_fake: Fake) -> None:
    client = _client()
    _function(client)
    _function(client, "other")
    client.tag_function("fn", {"team": "a", "env": "prod", "empty": ""})
    client.tag_function("other", {"team": "b"})
    client.tag_function("fn", {"team": "c"})  # an existing key is overwritten
    assert client.function_tags("fn") == {"team": "c", "env": "prod", "empty": ""}
    assert fc3_fake.backend.functions["fn"].tags == {"team": "c", "env": "prod", "empty": ""}
    client.untag_function("fn", ["team", "absent"])
    assert client.function_tags("fn") == {"env": "prod", "empty": ""}
    client.untag_function("fn", all=True)
    assert client.function_tags("fn") == {}
    assert client.function_tags("other") == {"team": "b"}  # another function's tags untouched


def test_bad_tags_are_refused_before_sending(fc3_fake: Fake) -> None:
    client = _client()
    _function(client)
    for bad in ({"aliyun-x": "v"}, {"k": "http://x"}, {"k" * 65: "v"}, {"k": "v" * 129},
                {f"k{i}": "v" for i in range(21)}, {}):
        with pytest.raises(InvalidArgumentError):
            client.tag_function("fn", bad)
    assert client.calls["TagResources"] == 0
    with pytest.raises(InvalidArgumentError):
        client.untag_function("fn")
    assert client.calls["UntagResources"] == 0
    with pytest.raises(NotFoundError):
        client.function_tags("missing")


def test_tags_need_the_account_and_region(fc3_fake: Fake) -> None:
    client = Fc3Client(None, None, AK, SECRET, endpoint=f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com")
    with pytest.raises(ConfigurationError, match="account id and region"):
        client.function_tags("fn")


def _sdk() -> Any:
    return SdkClient(openapi.Config(access_key_id=AK, access_key_secret=SECRET, region_id=REGION))


def test_the_fake_keeps_fcs_limits_for_any_caller(fc3_fake: Fake) -> None:
    """20 tags per function, no URL in a value: the fake refuses what FC refuses, whoever sends it, and
    changes nothing when it refuses."""
    client = _client()
    _function(client)
    arn = f"acs:fc:{REGION}:{ACCOUNT}:functions/fn"
    client.tag_function("fn", {f"k{i}": "v" for i in range(19)})
    sdk = _sdk()

    def tag(*pairs: tuple[str, str]) -> None:
        sdk.tag_resources(models.TagResourcesRequest(body=models.TagResourcesInput(
            resource_id=[arn], resource_type="function", tag=[models.Tag(key=k, value=v) for k, v in pairs])))

    for pairs in ((("a", "1"), ("b", "2")), (("a", "https://hook.example/secret"),)):
        with pytest.raises(exceptions.ClientException) as refused:
            tag(*pairs)
        assert refused.value.status_code == 400 and refused.value.code == "InvalidArgument"
    assert len(client.function_tags("fn")) == 19
    tag(("k0", "overwritten"), ("a", "1"))  # 20: an overwritten key is not one more
    assert len(client.function_tags("fn")) == 20 and client.function_tags("fn")["k0"] == "overwritten"
