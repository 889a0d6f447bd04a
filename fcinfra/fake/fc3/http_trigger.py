"""FC 3.0's HTTP-trigger calling convention for built-in runtimes (Python handlers), as FC's docs give it.

The handler gets a JSON event (FC3.md §10, "HTTP trigger invoking function")::

    {"version": "v1", "rawPath": "/a%20b", "body": "...", "isBase64Encoded": false,
     "headers": {"h": "v1,v2"}, "queryParameters": {"p": "v1,v2"},
     "requestContext": {"accountId", "domainName", "domainPrefix", "http": {"method", "path", "protocol",
                        "sourceIp", "userAgent"}, "requestId", "time", "timeEpoch"}}

``rawPath`` keeps the percent-encoding, ``requestContext.http.path`` is decoded; repeated headers and query values
are comma-joined; a body that is not UTF-8 text is base64 with ``isBase64Encoded: true``; ``timeEpoch`` is
milliseconds as a string. The handler answers ``{"statusCode", "headers", "body", "isBase64Encoded"}`` (FC3.md
§10); any other return value is a 200 with the payload as the body (FC's mapping of those is UNCONFIRMED).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

# Headers callers may not pass through to the function (credentials, FC's own).
_HIDDEN = ("authorization",)


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs:
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def http_event(
    *,
    method: str,
    trigger_url: str,
    raw_path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    request_id: str,
    account_id: str,
    source_ip: str = "127.0.0.1",
    now: float,
) -> bytes:
    """The JSON event a Python handler behind an FC 3.0 HTTP trigger receives. ``raw_path``: after the trigger URL."""
    raw_path = raw_path if raw_path.startswith("/") else "/" + raw_path
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    domain = urlsplit(trigger_url).netloc
    visible = [(k.lower(), v) for k, v in headers.items() if k.lower() not in _HIDDEN]
    when = datetime.fromtimestamp(now, UTC)
    event = {
        "version": "v1",
        "rawPath": raw_path,
        "body": text,
        "isBase64Encoded": encoded,
        "headers": _joined(visible),
        "queryParameters": _joined(query),
        "requestContext": {
            "accountId": account_id,
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {
                "method": method.upper(),
                "path": unquote(raw_path),
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": next((v for k, v in visible if k == "user-agent"), ""),
            },
            "requestId": request_id,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timeEpoch": str(int(now * 1000)),
        },
    }
    return json.dumps(event).encode("utf-8")


def http_answer(payload: bytes, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for the trigger's caller from the handler's payload; ``headers`` (FC's own) win."""
    try:
        shaped = json.loads(payload) if payload[:1] == b"{" else None
    except ValueError:
        shaped = None
    if isinstance(shaped, dict) and isinstance(shaped.get("statusCode"), int):
        body = shaped.get("body") or ""
        if shaped.get("isBase64Encoded"):
            raw = base64.b64decode(str(body))
        else:
            raw = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
        given = {str(k): str(v) for k, v in (shaped.get("headers") or {}).items()}
        return shaped["statusCode"], {"Content-Type": "text/plain; charset=utf-8", **given, **headers}, raw
    return 200, {"Content-Type": "application/octet-stream", **headers}, payload
