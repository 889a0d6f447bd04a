"""Signed raw HTTP against mock_fc, without FcClient (the fake is tested on the wire, like FC itself)."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from fcinfra.fake import MockFc, mock_fc
from fcinfra.fc import signing

ACCOUNT = "1234567890"
REGION = "cn-hangzhou"
HOST = f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com"
KEYS = {"AK": "SK"}


def make_zip(files: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in (files or {"index.py": "def handler(event, context):\n    return 'hi'\n"}).items():
            zf.writestr(name, text)
    return buf.getvalue()


class Api:
    """Signs and sends FC requests with ``requests`` (so they go through mock_fc's interception)."""

    def __init__(self, base: str = HOST, key_id: str = "AK", secret: str = "SK",
                 session: requests.Session | None = None) -> None:
        self.base = base
        self.key_id = key_id
        self.secret = secret
        self.session = session or requests.Session()
        self.date_offset = 0.0

    def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, raw: bytes | None = None, sign: bool = True,
                prefix: bool = True) -> requests.Response:
        full = ("/2016-08-15" + path) if prefix else path
        hdrs = {"Content-Type": "application/json",
                "Date": signing.http_date(time.time() + self.date_offset)}
        hdrs.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        qs = urlencode(query or {}, doseq=True)
        if sign:
            pairs = signing.query_pairs(qs)
            hdrs["Authorization"] = signing.authorization(self.key_id, self.secret, method, full, hdrs, pairs)
        url = self.base + full + (f"?{qs}" if qs else "")
        return self.session.request(method, url, data=data, headers=hdrs)

    # conveniences for setting up state
    def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        resp = self.request(method, path, body, **kw)
        assert resp.status_code < 300, (resp.status_code, resp.text)
        return resp.json() if resp.content and resp.headers.get("Content-Type") == "application/json" else None

    def service(self, name: str = "svc", **cfg: Any) -> Any:
        return self.ok("POST", "/services", {"serviceName": name, **cfg})

    def function(self, service: str = "svc", name: str = "fn", code: bytes | None = None, **cfg: Any) -> Any:
        body = {"functionName": name, "runtime": "python3.10", "handler": "index.handler", **cfg}
        body["code"] = {"zipFile": base64.b64encode(code if code is not None else make_zip()).decode()}
        return self.ok("POST", f"/services/{service}/functions", body)

    def publish(self, service: str = "svc", description: str | None = None) -> str:
        body = {"description": description} if description else None
        return str(self.ok("POST", f"/services/{service}/versions", body)["versionId"])

    def update_function(self, service: str = "svc", name: str = "fn", **changes: Any) -> Any:
        return self.ok("PUT", f"/services/{service}/functions/{name}", changes)

    def alias(self, name: str, version: str, service: str = "svc", weights: dict[str, float] | None = None) -> Any:
        body: dict[str, Any] = {"aliasName": name, "versionId": version}
        if weights is not None:
            body["additionalVersionWeight"] = weights
        return self.ok("POST", f"/services/{service}/aliases", body)

    make_zip = staticmethod(make_zip)

    @staticmethod
    def error_of(resp: requests.Response) -> tuple[int, str]:
        body = resp.json()
        return resp.status_code, body["ErrorCode"]

    def invoke(self, target: str = "svc", fn: str = "fn", payload: bytes = b"", **kw: Any) -> requests.Response:
        return self.request("POST", f"/services/{target}/functions/{fn}/invocations", raw=payload, **kw)


def error_of(resp: requests.Response) -> tuple[int, str]:
    body = resp.json()
    return resp.status_code, body["ErrorCode"]


@pytest.fixture
def fake() -> Iterator[MockFc]:
    with mock_fc(access_keys=KEYS, seed=1234) as f:
        yield f


@pytest.fixture
def api(fake: MockFc) -> Api:
    return Api()


@pytest.fixture
def seeded(api: Api, fake: MockFc) -> Api:
    """A service 'svc' with function 'fn' whose handler echoes its context."""

    def handler(event: bytes, context: Any) -> dict[str, Any]:
        return {"event": event.decode(), "qualifier": context.service.qualifier,
                "version": context.service.version_id, "function": context.function.name,
                "service": context.service.name, "request_id": context.request_id}

    fake.register_handler("svc", "fn", handler)
    api.service()
    api.function()
    return api


@pytest.fixture
def rejects(fake: MockFc) -> Any:
    """rejects(lambda: api.request(...), status, code) -> the response; asserts the state did not change."""

    def check(send: Any, status: int, code: str) -> requests.Response:
        before = fake.dump_state()
        resp = send()
        assert resp.status_code == status, (resp.status_code, resp.text)
        assert resp.json()["ErrorCode"] == code, resp.text
        assert resp.json()["ErrorMessage"]
        assert resp.headers["X-Fc-Request-Id"]
        assert fake.dump_state() == before, "a rejected request changed the fake's state"
        return resp

    return check


@pytest.fixture
def make_api() -> type[Api]:
    """The Api class, to talk to other hosts or with other keys."""
    return Api
