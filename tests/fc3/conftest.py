"""An in-process FC 3.0 fake behind ``responses``, for the client and the official SDK alike (no sockets).

Both FC 3.0 hosts are served: ``{account}.{region}.fc.aliyuncs.com`` (ours, the docs', the alicloud provider's)
and ``fcv3.{region}.aliyuncs.com`` (the official SDK's endpoint map). Signatures are verified.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from fcinfra.fake.backend import Ids
from fcinfra.fake.fc3.api import Fc3Api, Fc3Request
from fcinfra.fake.fc3.backend import Fc3Backend

ACCOUNT, REGION, AK, SECRET = "1234567890", "cn-hangzhou", "test-ak", "test-secret"
TRIGGER_HOSTS = re.compile(r"^https://[^/]+\.fcapp\.run(/|$)")
HOSTS = re.compile(rf"^https?://({ACCOUNT}\.{REGION}\.fc\.aliyuncs\.com|fcv3\.{REGION}\.aliyuncs\.com)/2023-03-30/")


def to_request(prepared: requests.PreparedRequest) -> Fc3Request:
    url = urlsplit(prepared.url or "")
    body = prepared.body or b""
    return Fc3Request(
        method=prepared.method or "GET",
        path=url.path,
        query=parse_qsl(url.query, keep_blank_values=True),
        headers=dict(prepared.headers),
        body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
        host=url.netloc,
        scheme=url.scheme,
    )


@dataclass
class Fake:
    api: Fc3Api
    backend: Fc3Backend
    mock: responses.RequestsMock


@pytest.fixture
def fc3_fake() -> Iterator[Fake]:
    backend = Fc3Backend(ACCOUNT, REGION, Ids(seed=3), random.Random(3))
    api = Fc3Api(backend, access_keys={AK: SECRET})

    def answer(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        result = api.handle(to_request(prepared))
        return result.status, result.headers, result.body

    def trigger(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        result = api.handle_http_trigger(to_request(prepared))
        return result.status, result.headers, result.body

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST", "PUT", "DELETE"):
            mock.add_callback(method, HOSTS, callback=answer)
            mock.add_callback(method, TRIGGER_HOSTS, callback=trigger)
        yield Fake(api, backend, mock)
