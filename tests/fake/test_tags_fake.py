"""FC's tag API in the fake and the emulator: TagResource, GetResourceTags, UnTagResource within FC's limits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from fcinfra.errors import InvalidArgumentError, InvalidRequestError, NotFoundError
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.fc.tagging import MAX_KEY_LENGTH, MAX_TAGS, MAX_VALUE_LENGTH


@pytest.fixture(scope="module")
def client() -> Iterator[FcClient]:
    with Emulator(port=0, access_keys={"AK": "SK"}, save_interval=None) as emu, \
            FcClient(emu.account_id, emu.region, "AK", "SK", endpoint=emu.endpoint) as c:
        yield c


_names = itertools.count(1)


@pytest.fixture
def service(client: FcClient) -> str:
    name = f"tagged{next(_names)}"
    client.create_service(name)
    return name


def test_tag_read_overwrite_untag_and_the_service_shows_them(client: FcClient, service: str) -> None:
    assert client.service_tags(service) == {}
    assert client.get_service(service).tags is None
    client.tag_service(service, {"team": "shop", "env": "prod"})
    client.tag_service(service, {"env": "staging"})  # an existing key is overwritten
    assert client.service_tags(service) == {"team": "shop", "env": "staging"}
    assert client.get_service(service).tags == {"team": "shop", "env": "staging"}
    assert [s.service_name for s in client.list_services() if (s.tags or {}).get("team") == "shop"] == [service]
    client.untag_service(service, ["env", "absent"])
    assert client.service_tags(service) == {"team": "shop"}
    client.untag_service(service, all=True)
    assert client.service_tags(service) == {}
    assert client.get_service(service).tags is None


def test_tags_are_not_part_of_a_version(client: FcClient, service: str) -> None:
    from fcinfra.errors import NoChangesToPublishError

    client.create_function(service, "fn", "python3.10", "index.handler",
                           code={"zipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="})
    client.publish_version(service)
    client.tag_service(service, {"release": "1"})
    with pytest.raises(NoChangesToPublishError):
        client.publish_version(service)


def test_at_most_twenty_tags(client: FcClient, service: str) -> None:
    client.tag_service(service, {f"k{i}": "v" for i in range(MAX_TAGS - 1)})
    client.tag_service(service, {"k0": "overwritten", f"k{MAX_TAGS - 1}": "v"})  # 20: still fine
    with pytest.raises(InvalidRequestError, match="at most 20"):
        client.tag_service(service, {"one-more": "v"})
    assert len(client.service_tags(service)) == MAX_TAGS
    with pytest.raises(InvalidArgumentError):  # the client checks a request's own count before sending
        client.tag_service(service, {f"x{i}": "v" for i in range(MAX_TAGS + 1)})


@pytest.mark.parametrize("tags", [
    {"k" * (MAX_KEY_LENGTH + 1): "v"}, {"k": "v" * (MAX_VALUE_LENGTH + 1)}, {"": "v"}, {"k": ""},
    {"aliyun-x": "v"}, {"acs:x": "v"}, {"k": "see https://example.com"},
])
def test_keys_and_values_outside_fcs_limits_are_refused_by_client_and_fake(client: FcClient, service: str,
                                                                           tags: dict[str, str]) -> None:
    with pytest.raises(InvalidArgumentError):
        client.tag_service(service, tags)
    raw = client._call  # the fake's own check, without the client's: the same rule answers 400
    from fcinfra.fc.transport import api_path

    with pytest.raises(InvalidRequestError):
        raw("TagResource", "POST", api_path("tag"), body={"resourceArn": client.service_arn(service), "tags": tags})
    assert client.service_tags(service) == {}


def test_limits_at_the_edge_are_accepted(client: FcClient, service: str) -> None:
    client.tag_service(service, {"k" * MAX_KEY_LENGTH: "v" * MAX_VALUE_LENGTH})
    assert client.service_tags(service) == {"k" * MAX_KEY_LENGTH: "v" * MAX_VALUE_LENGTH}


def test_unknown_service_and_foreign_arn(client: FcClient) -> None:
    from fcinfra.fc.transport import api_path

    with pytest.raises(NotFoundError):
        client.tag_service("no-such-service", {"a": "b"})
    with pytest.raises(InvalidRequestError, match="not in this account"):
        client._call("TagResource", "POST", api_path("tag"),
                     body={"resourceArn": "acs:fc:cn-beijing:999:services/x", "tags": {"a": "b"}})
    with pytest.raises(InvalidRequestError, match="services only"):
        client._call("GetResourceTags", "GET", api_path("tag"), query=[("resourceArn", "acs:oss:x")])
