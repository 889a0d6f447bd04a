"""Fc3Client: typed FC 3.0 (API 2023-03-30) calls, built like ``FcClient`` and sharing its plumbing.

Validation before sending (``InvalidArgumentError``), one reused ``requests.Session`` (keep-alive), the same
error tree, the same retry policy (``fcinfra.fc.retry``: idempotent calls retried on throttling, 5xx and broken
connections; publishing never resent blindly) and the same pagination. Requests are signed ACS3-HMAC-SHA256 as
the official ``alibabacloud-fc20230330`` SDK signs them (``fcinfra.fc3.signing``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import requests

from fcinfra.config import Settings
from fcinfra.credentials import CredentialSource
from fcinfra.fc.client import DEFAULT_TIMEOUT, FcClient, wire_client
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc.transport import RequestEvent, Timeout
from fcinfra.fc3._functions import Functions
from fcinfra.fc3._releases import VersionsAndAliases
from fcinfra.fc3._tags import FunctionTags
from fcinfra.fc3._triggers import Triggers
from fcinfra.fc3.transport import Fc3Transport

__all__ = ["Fc3Client"]


class Fc3Client(Functions, VersionsAndAliases, Triggers, FunctionTags):
    """A Function Compute 3.0 API client: functions, their versions and aliases, triggers, invocation, tags.

    The endpoint defaults to ``https://{account_id}.{region}.fc.aliyuncs.com`` (FC 3.0's documented endpoint,
    the one the alicloud provider uses); ``endpoint=`` points it elsewhere (``http://127.0.0.1:9000`` for the
    emulator; without a scheme, https).
    """

    def __init__(
        self,
        account_id: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        endpoint: str | None = None,
        *,
        verify: bool | str | os.PathLike[str] | None = None,
        internal: bool = False,
        timeout: Timeout = DEFAULT_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_request: Callable[[RequestEvent], None] | None = None,
        credentials: CredentialSource | None = None,
    ) -> None:
        """The same arguments as ``FcClient``: ``credentials`` (what ``from_settings`` passes) instead of keys is
        asked on every request, so temporary credentials are refreshed."""
        wire_client(self, Fc3Transport, account_id, region, access_key_id, access_key_secret, security_token, endpoint,
                    verify=verify, internal=internal, timeout=timeout, retry_policy=retry_policy, session=session,
                    sleep=sleep, clock=clock, on_request=on_request, credentials=credentials)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Fc3Client:
        """``FcClient.from_settings`` itself (the one client factory), building an ``Fc3Client``: the same
        credentials chain (explicit keys, Pulumi config, profile, Alibaba's default chain, assumed role), the
        same account lookup and options."""
        return cast(Fc3Client, FcClient.from_settings.__func__(cls, settings, **kwargs))  # type: ignore[attr-defined]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> Fc3Client:
        """``FcClient.from_env`` for FC 3.0: settings from the environment (and Pulumi config when running
        there), keyword arguments overriding them."""
        return cast(Fc3Client, FcClient.from_env.__func__(cls, env, **kwargs))  # type: ignore[attr-defined]
