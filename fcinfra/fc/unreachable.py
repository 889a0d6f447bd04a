"""Short, whole sentences for "FC did not answer", instead of urllib3's retry-pool text.

Why: ``HTTPConnectionPool(host=..., port=...): Max retries exceeded with url ...`` buries the one fact a
user needs (which address, and refused / timed out / unknown name / untrusted certificate), and cutting it
to a fixed length used to chop the TLS reason in half. The original exception stays chained for debugging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

# Markers in the (nested) text of a requests/urllib3 failure, first match wins.
_REFUSED = ("Connection refused", "ConnectionRefusedError", "actively refused")
_UNRESOLVED = ("NameResolutionError", "Name or service not known", "nodename nor servname", "getaddrinfo failed",
               "Temporary failure in name resolution", "No address associated with hostname")
_CLOSED = ("RemoteDisconnected", "Connection aborted", "closed connection without response")
_RESET = ("reset by peer", "ConnectionResetError")
_VERIFY_REASON = re.compile(r"certificate verify failed: ([^()'\"]+?)\s*(?:\(_ssl\.c:\d+\)|['\"(]|$)")
_SSL_REASON = re.compile(r"\[SSL: [A-Z_]+\] ([^()'\"]+?)\s*(?:\(_ssl\.c:\d+\)|['\"(]|$)")

TRUST_HINT = "trust its CA with FcClient(verify=<CA bundle path>) or the FC_CA_BUNDLE environment variable"


@dataclass(frozen=True)
class Failure:
    """What went wrong, in words: ``never_connected`` means nothing reached FC (safe to retry anything)."""

    text: str
    never_connected: bool = False
    untrusted: bool = False


def origin(endpoint: str) -> str:
    """``https://1.cn-hangzhou.fc.aliyuncs.com/x`` -> ``https://1.cn-hangzhou.fc.aliyuncs.com:443``."""
    parts = urlsplit(endpoint)
    scheme = parts.scheme or "https"
    port = parts.port or (443 if scheme == "https" else 80)
    host = parts.hostname or endpoint
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def describe(endpoint: str, exc: requests.exceptions.RequestException, detail: str) -> Failure:
    """The failure of one request to ``endpoint``; ``detail`` is ``str(exc)`` with secrets already redacted."""
    where = origin(endpoint)
    if isinstance(exc, requests.exceptions.SSLError):
        verify = _VERIFY_REASON.search(detail)
        if verify or "CERTIFICATE_VERIFY_FAILED" in detail:
            reason = verify.group(1).strip() if verify else "certificate verify failed"
            return Failure(f"cannot reach {where}: its TLS certificate is not trusted ({reason}); {TRUST_HINT}",
                           untrusted=True)
        ssl = _SSL_REASON.search(detail)
        reason = ssl.group(1).strip() if ssl else "TLS handshake failed"
        return Failure(f"cannot reach {where}: TLS error ({reason}); check that the endpoint speaks "
                       "https on that port")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure(f"cannot reach {where}: timed out", never_connected=True)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Failure(f"{where} did not answer in time (read timed out)")
    if isinstance(exc, requests.exceptions.ConnectionError):
        if any(m in detail for m in _REFUSED):
            return Failure(f"cannot reach {where}: connection refused", never_connected=True)
        if any(m in detail for m in _UNRESOLVED):
            return Failure(f"cannot reach {where}: name not resolved", never_connected=True)
        if "NewConnectionError" in detail:
            return Failure(f"cannot reach {where}: could not connect", never_connected=True)
        if any(m in detail for m in _RESET):
            return Failure(f"connection to {where} was reset before an answer came")
        if any(m in detail for m in _CLOSED):
            return Failure(f"connection to {where} closed without an answer")
    return Failure(f"request to {where} failed: {_short(detail) or type(exc).__name__}")


def _short(detail: str) -> str:
    """urllib3's pool wrapper removed: the innermost ``Caused by ...`` part, or the text itself."""
    caused = detail.rpartition("(Caused by ")[2] if "(Caused by " in detail else detail
    return caused.rstrip(")").strip()
