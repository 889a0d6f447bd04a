"""The account id behind a set of credentials: STS ``GetCallerIdentity``, asked once per process.

FC 2.0's endpoint names the account (``https://{account}.{region}.fc.aliyuncs.com``); users configure a
profile or a role, not an account id. When no account id is configured, it is found here, through the
same credentials the client signs with, and remembered for the rest of the process.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import requests

from fcinfra.credentials import CredentialSource
from fcinfra.errors import ConfigurationError
from fcinfra.fc import rpc_signing

API_VERSION = "2015-04-01"
_ACCOUNTS: dict[tuple[str, ...], str] = {}
_LOCK = threading.Lock()


def sts_endpoint(region: str | None, endpoint: str | None = None) -> str:
    """``endpoint`` (https if no scheme), else ``https://sts.{region}.aliyuncs.com``, else ``https://sts.aliyuncs.com``."""
    if endpoint:
        endpoint = endpoint.strip().rstrip("/")
        return endpoint if "://" in endpoint else f"https://{endpoint}"
    return f"https://sts.{region}.aliyuncs.com" if region else "https://sts.aliyuncs.com"


def caller_identity(source: CredentialSource, endpoint: str, session: requests.Session | None = None,
                    verify: bool | str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """STS ``GetCallerIdentity`` signed with ``source``'s current credentials (RPC, signature v1)."""
    creds = source.get()
    timestamp = datetime.fromtimestamp(time.time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    params = rpc_signing.signed("POST", {"Action": "GetCallerIdentity", "Version": API_VERSION},
                                creds.access_key_id, creds.access_key_secret, creds.security_token,
                                timestamp, str(uuid.uuid4()))
    http = session or requests.Session()
    try:
        resp = http.post(endpoint + "/", params=params, timeout=timeout,
                         verify=http.verify if verify is None else verify)
    except requests.RequestException as exc:
        raise ConfigurationError(
            f"cannot find the account id: STS at {endpoint} is unreachable ({type(exc).__name__}); "
            "set ALIBABA_CLOUD_ACCOUNT_ID (or fcinfra:accountId)") from None
    finally:
        if session is None:
            http.close()
    try:
        data = resp.json()
    except ValueError:
        data = {}
    if resp.status_code != 200 or not isinstance(data, dict) or not data.get("AccountId"):
        code = data.get("Code", f"HTTP {resp.status_code}") if isinstance(data, dict) else resp.status_code
        message = source.redact(str(data.get("Message", "")) if isinstance(data, dict) else "")
        raise ConfigurationError(
            f"cannot find the account id: STS GetCallerIdentity at {endpoint} answered {code} {message}".rstrip()
            + "; set ALIBABA_CLOUD_ACCOUNT_ID (or fcinfra:accountId)")
    return data


def account_id(source: CredentialSource, endpoint: str, session: requests.Session | None = None,
               verify: bool | str | None = None) -> str:
    """The account behind ``source``: asked of STS the first time, remembered for this process after."""
    key = (*source.identity, endpoint)
    with _LOCK:
        known = _ACCOUNTS.get(key)
    if known:
        return known
    found = str(caller_identity(source, endpoint, session, verify)["AccountId"])
    with _LOCK:
        _ACCOUNTS[key] = found
    return found


def forget_accounts() -> None:
    """Forget every account id found so far (tests)."""
    with _LOCK:
        _ACCOUNTS.clear()
