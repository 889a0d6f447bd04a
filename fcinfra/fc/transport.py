"""One signed HTTP exchange with FC: headers, signature, timeout, error mapping. No retries, no models.

The client builds on ``Transport.send``; keeping the wire details here lets the client read as a list
of FC operations. Credentials are asked of a ``CredentialSource`` for every request (temporary ones are
refreshed by their provider before they expire); secrets live only in ``Credentials`` (hidden from
``repr``) and are redacted from every message this module produces.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from fcinfra.credentials import CredentialSource
from fcinfra.errors import ConfigurationError, FcApiError, FcConnectionError, error_for
from fcinfra.fc import signing, unreachable
from fcinfra.fc.retry import CertificateNotTrusted, ConnectionNotEstablished

API_VERSION = "2016-08-15"
API_PREFIX = f"/{API_VERSION}"
JSON = "application/json"

log = logging.getLogger("fcinfra.fc")

Timeout = float | tuple[float, float]


def build_endpoint(account_id: str | None, region: str | None, endpoint: str | None, internal: bool = False) -> str:
    """``https://{account}.{region}[-internal].fc.aliyuncs.com``, or the given endpoint (https if no scheme)."""
    if endpoint:
        endpoint = endpoint.strip().rstrip("/")
        return endpoint if "://" in endpoint else f"https://{endpoint}"
    if not account_id or not region:
        raise ConfigurationError("an FC endpoint needs both the account id and the region (or pass endpoint=)")
    return f"https://{account_id}.{region}{'-internal' if internal else ''}.fc.aliyuncs.com"


def api_path(*segments: str) -> str:
    """``/2016-08-15/seg/seg``, each segment percent-encoded (FC signs the decoded form)."""
    return API_PREFIX + "".join("/" + quote(s, safe="") for s in segments)


@dataclass(frozen=True)
class RequestEvent:
    """What ``on_request`` hooks see after each HTTP attempt: no headers, no bodies, no secrets."""

    operation: str
    method: str
    path: str
    status: int | None  # None when no answer arrived
    duration: float
    request_id: str | None


def parse_error(resp: requests.Response) -> tuple[str, str]:
    """``(code, message)`` from FC's error body; both ``ErrorCode`` and ``errorCode`` spellings accepted."""
    code = message = None
    try:
        data = resp.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        lower = {str(k).lower(): v for k, v in data.items()}
        code = lower.get("errorcode") or lower.get("code")
        message = lower.get("errormessage") or lower.get("message")
    if not code:
        code = resp.reason.replace(" ", "") if resp.reason else f"HTTP{resp.status_code}"
    if not message:
        message = resp.text[:500] if resp.text else (resp.reason or "")
    return str(code), str(message)


class Transport:
    """Signs and sends one request on a shared ``requests.Session`` and turns failures into fcinfra errors."""

    def __init__(
        self,
        endpoint: str,
        credentials: CredentialSource,
        account_id: str | None,
        session: requests.Session,
        timeout: Timeout,
        clock: Callable[[], float],
        on_request: Callable[[RequestEvent], None] | None = None,
        verify: bool | str | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.verify = verify
        self.source = credentials
        self.account_id = account_id
        self.session = session
        self.timeout = timeout
        self.clock = clock
        self.on_request = on_request
        self.calls: Counter[str] = Counter()
        self._environment: dict[str, Any] | None = None

    def _send(
        self,
        method: str,
        url: str,
        query: Sequence[tuple[str, str]],
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: Timeout | None,
    ) -> requests.Response:
        """``Session.request`` minus its per-call environment scan (proxies, CA bundle) and netrc lookup.

        The endpoint never changes, so the environment's settings for it are read once per client;
        this is most of the client's own per-call overhead. An explicit ``verify`` is passed with every
        request, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE cannot override it.
        """
        session = self.session
        environment = self._environment
        if environment is None:
            verify = self.verify
            if verify is None and session.verify is not True:
                verify = session.verify  # a session configured by the caller is not overridden by the environment
            environment = self._environment = dict(
                session.merge_environment_settings(self.endpoint, {}, None, verify, None)
            )
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=method,
            url=url,
            headers={**session.headers, **headers},
            data=body,
            params=list(query) or None,
            cookies=session.cookies,
            hooks=session.hooks,
        )
        return session.send(
            prepared,
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=False,
            **environment,
        )

    def headers_for(
        self,
        method: str,
        path: str,
        extra: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] = (),
        content_type: str | None = JSON,
    ) -> dict[str, str]:
        creds = self.source.get()  # per request: a refreshed STS token is picked up by the next call
        headers: dict[str, str] = {"Date": signing.http_date(self.clock()), "Accept": JSON}
        if content_type:
            headers["Content-Type"] = content_type
        if self.account_id:
            headers["x-fc-account-id"] = self.account_id
        if creds.security_token:
            headers["x-fc-security-token"] = creds.security_token
        if extra:
            headers.update(extra)
        headers["Authorization"] = signing.authorization(
            creds.access_key_id, creds.access_key_secret, method, path, headers, query
        )
        return headers

    def send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
        raise_for_status: bool = True,
        content_type: str | None = JSON,
        sign: bool = True,
        base_url: str | None = None,
    ) -> requests.Response:
        """One attempt. Raises ``FcApiError`` subclasses for FC errors, ``FcConnectionError`` for no answer.

        ``sign=False`` sends only the given headers (anonymous HTTP triggers). ``base_url`` replaces the
        endpoint for this request (FC 3.0's HTTP triggers have URLs of their own).
        """
        if sign:
            all_headers = self.headers_for(method, path, headers, query, content_type)
        else:
            all_headers = dict(headers or {})
            if content_type:
                all_headers["Content-Type"] = content_type
        url = (base_url or self.endpoint) + path
        self.calls[operation] += 1
        started = time.perf_counter()
        try:
            resp = self._send(method, url, query, body, all_headers, timeout)
        except requests.exceptions.RequestException as exc:
            self._emit(operation, method, path, None, started, None)
            raise self._connection_error(operation, method, path, exc) from exc
        request_id = resp.headers.get("X-Fc-Request-Id")
        self._emit(operation, method, path, resp.status_code, started, request_id)
        if raise_for_status and resp.status_code >= 400:
            raise self.api_error(resp, method, path)
        return resp

    def api_error(self, resp: requests.Response, method: str, path: str) -> FcApiError:
        """The fcinfra error for an FC error answer, with secrets redacted from FC's message."""
        code, message = parse_error(resp)
        return error_for(
            resp.status_code,
            code,
            self.source.redact(message),
            resp.headers.get("X-Fc-Request-Id"),
            method,
            path,
        )

    def _emit(
        self, operation: str, method: str, path: str, status: int | None, started: float, request_id: str | None
    ) -> None:
        duration = time.perf_counter() - started
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s -> %s in %.1f ms [%s]", operation, method, path, status, duration * 1000, request_id)
        if self.on_request is not None:
            self.on_request(RequestEvent(operation, method, path, status, duration, request_id))

    def _connection_error(
        self, operation: str, method: str, path: str, exc: requests.exceptions.RequestException
    ) -> FcConnectionError:
        """A whole sentence naming the address and the cause; the caller chains ``exc`` for the details."""
        failure = unreachable.describe(self.endpoint, exc, self.source.redact(str(exc)))
        text = f"{failure.text} (during {operation}, {method} {path})"
        if failure.untrusted:
            return CertificateNotTrusted(text)
        if failure.never_connected:
            return ConnectionNotEstablished(text)
        return FcConnectionError(text)


def json_body(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")
