"""Fixtures for the public-API contract tests: only names DESIGN.md promises are used here."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient

ACCOUNT = "1234567890"
REGION = "cn-hangzhou"
AK = "AKcontract0001"
SK = "SKcontract-secret-value-0001"


def make_client(**overrides: Any) -> FcClient:
    kwargs: dict[str, Any] = dict(account_id=ACCOUNT, region=REGION, access_key_id=AK, access_key_secret=SK,
                                  security_token=None, endpoint=None)
    kwargs.update(overrides)
    return FcClient(**kwargs)


def zip_bytes(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


class Wire:
    """Every HTTP exchange a client made, seen through the client's own requests.Session hooks."""

    def __init__(self, client: FcClient) -> None:
        self.sent: list[requests.PreparedRequest] = []
        self.answers: list[requests.Response] = []
        client.session.hooks["response"].append(self._record)

    def _record(self, resp: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.sent.append(resp.request)
        self.answers.append(resp)

    def count(self, method: str, path_part: str) -> int:
        return sum(1 for r in self.sent if r.method == method and path_part in (r.path_url or ""))


@pytest.fixture
def fake() -> Iterator[Any]:
    with mock_fc(access_keys={AK: SK}) as f:
        yield f


@pytest.fixture
def client(fake: Any) -> FcClient:
    return make_client()


@pytest.fixture
def svc(client: FcClient, fake: Any) -> str:
    """A service with one function 'fn' whose handler reports the version that ran."""
    client.create_service("svc")
    client.create_function("svc", "fn", "python3.10", "index.handler")
    fake.register_handler("svc", "fn", lambda event, context: {"version": context.service.version_id})
    return "svc"


def publish_changed(client: FcClient, service: str, note: str) -> str:
    """Change the function, then publish: returns the new version id."""
    client.update_function(service, "fn", description=note)
    return client.publish_version(service, description=note).version_id
