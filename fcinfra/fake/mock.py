"""``mock_fc()``: the fake in-process, moto-style, by intercepting ``requests`` through ``responses``.

Every ``*.fc.aliyuncs.com`` host (http and https, ``-internal`` too), FC 3.0's other hosts (the official FC 3.0
SDK's ``fcv3.{region}.aliyuncs.com`` and ``fc.{region}.aliyuncs.com``, HTTP triggers' ``*.fcapp.run``; FC 3.0's
``/2023-03-30/`` API is answered by ``fake.fc3``), STS (``sts[-vpc][.region].aliyuncs.com``, answered by
``fake.sts``) and every endpoint you add is answered by the fake; any other host is *not* let through to the
network (``responses`` raises its ConnectionError).
Usable as a context manager or a decorator::

    with mock_fc(access_keys={"AK": "SK"}) as fake:
        fake.register_handler("svc", "fn", handler)
        ...

    fake = mock_fc()
    @fake
    def test_something():          # each call starts from an empty fake (handlers stay registered)
        fake.register_handler(...)
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import requests
import responses

from fcinfra.fake.context import CodeRunner
from fcinfra.fake.core import FakeFc
from fcinfra.fake.faults import DropConnection
from fcinfra.fake.fc3 import api as fc3_api
from fcinfra.fake.handlers import FakeRequest
from fcinfra.fake.sts import STS_HOSTS

F = TypeVar("F", bound=Callable[..., Any])
FC_HOSTS = re.compile(r"^https?://[^/?#]*\.fc\.aliyuncs\.com(?::\d+)?(?:[/?#].*)?$", re.IGNORECASE)
_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")


def _endpoint_pattern(endpoint: str) -> re.Pattern[str]:
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    parts = urlsplit(endpoint)
    if not parts.netloc:
        raise ValueError(f"endpoint {endpoint!r} has no host")
    return re.compile(f"^{re.escape(parts.scheme)}://{re.escape(parts.netloc)}(?:[/?#].*)?$", re.IGNORECASE)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk) for chunk in body)


class MockFc(FakeFc):
    """A :class:`FakeFc` that also owns a ``responses`` mock while it is active."""

    def __init__(self, access_keys: Mapping[str, str] | None = None, strict: bool = True,
                 account_id: str = "1234567890", region: str = "cn-hangzhou", seed: int | None = None,
                 endpoints: Iterable[str] = (), code_runner: CodeRunner | None = None, **kwargs: Any) -> None:
        super().__init__(access_keys=access_keys, strict=strict, account_id=account_id, region=region, seed=seed,
                         code_runner=code_runner, **kwargs)
        self._patterns: list[re.Pattern[str]] = [FC_HOSTS, STS_HOSTS, fc3_api.MOCK_HOSTS]
        self._mock: responses.RequestsMock | None = None
        for endpoint in endpoints:
            self.add_endpoint(endpoint)

    def add_endpoint(self, endpoint: str) -> None:
        """Also answer requests to this endpoint (e.g. ``http://127.0.0.1:9000``)."""
        pattern = _endpoint_pattern(endpoint)
        self._patterns.append(pattern)
        if self._mock is not None:
            self._register(self._mock, pattern)

    def _register(self, mock: responses.RequestsMock, pattern: re.Pattern[str]) -> None:
        for method in _METHODS:
            mock.add_callback(method, pattern, callback=self._callback, content_type=None)

    def _callback(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(prepared.url or "")
        request = FakeRequest(
            method=prepared.method or "GET", path=parts.path or "/", query=parts.query,
            headers=dict(prepared.headers), body=_body_bytes(prepared.body), host=parts.netloc,
            scheme=parts.scheme or "https",
        )
        try:
            response = self.handle(request)
        except DropConnection as exc:
            raise requests.exceptions.ConnectionError(str(exc), request=prepared) from None
        return response.status, response.headers, response.body

    # ------------------------------------------------------------------------------------------ lifecycle
    def start(self) -> MockFc:
        """Start intercepting FC's endpoints (what ``with`` does); stop() undoes it."""
        if self._mock is not None:
            raise RuntimeError("this mock_fc() is already active")
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for pattern in self._patterns:
            self._register(mock, pattern)
        mock.start()
        self._mock = mock
        return self

    def stop(self) -> None:
        """Stop intercepting; the fake's state stays readable."""
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def __enter__(self) -> MockFc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Decorator: run ``func`` with the mock active, starting from empty state each call.

        On a class, every ``test*`` method is wrapped.
        """
        if inspect.isclass(func):
            for name, member in list(vars(func).items()):
                if name.startswith("test") and callable(member):
                    setattr(func, name, self(member))
            return func
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                self.reset()
                with self:
                    return await func(*args, **kwargs)
            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.reset()
            with self:
                return func(*args, **kwargs)
        return wrapper  # type: ignore[return-value]


@overload
def mock_fc(access_keys: F, /) -> F: ...


@overload
def mock_fc(access_keys: Mapping[str, str] | None = None, strict: bool = True, seed: int | None = None,
            endpoints: Iterable[str] = (), account_id: str = "1234567890", region: str = "cn-hangzhou",
            code_runner: CodeRunner | None = None, **kwargs: Any) -> MockFc: ...


def mock_fc(access_keys: Any = None, strict: bool = True, seed: int | None = None,
            endpoints: Iterable[str] = (), account_id: str = "1234567890", region: str = "cn-hangzhou",
            code_runner: CodeRunner | None = None, **kwargs: Any) -> Any:
    """The fake FC, in-process. See the module docstring.

    Also usable bare, moto-style: ``@mock_fc`` on a test function or class runs it with a default fake.
    """
    if callable(access_keys) and not isinstance(access_keys, Mapping):
        return MockFc()(access_keys)
    return MockFc(access_keys=access_keys, strict=strict, account_id=account_id, region=region, seed=seed,
                  endpoints=endpoints, code_runner=code_runner, **kwargs)
