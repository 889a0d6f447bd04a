"""FcClient: typed FC 2.0 calls with validation, retries, pagination, ETags and error mapping.

Every method validates its input with the shared pydantic models *before* anything is sent (bad input
raises ``InvalidArgumentError``), sends through one reused ``requests.Session`` and returns a model
carrying the answer's ``ETag``. Idempotent calls are retried on throttling, 5xx and broken
connections; ``publish_version`` is not idempotent and is never resent blindly (see its docstring).

The API methods are grouped by resource in ``_services.py``, ``_releases.py`` and ``_triggers.py`` on top of the
shared plumbing in ``_core.py``; this module assembles them and owns construction and credentials.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from fcinfra.config import Settings, resolve_settings
from fcinfra.credentials import CredentialSource, credentials_for, static_credentials
from fcinfra.errors import ConfigurationError
from fcinfra.fc import arguments
from fcinfra.fc._core import PAGE_LIMIT
from fcinfra.fc._releases import VersionsAndAliases
from fcinfra.fc._services import ServicesAndFunctions
from fcinfra.fc._tags import Tagging
from fcinfra.fc._triggers import HttpTriggerResponse, TriggersAndInvocation
from fcinfra.fc.retry import RetryPolicy
from fcinfra.fc.transport import RequestEvent, Timeout, Transport, build_endpoint

__all__ = ["DEFAULT_TIMEOUT", "PAGE_LIMIT", "FcClient", "HttpTriggerResponse"]

DEFAULT_TIMEOUT: Timeout = (5.0, 60.0)


def client_credentials(account_id: str | None, region: str | None, access_key_id: str | None,
                       access_key_secret: str | None, security_token: str | None, endpoint: str | None,
                       credentials: CredentialSource | None) -> tuple[str | None, CredentialSource]:
    """The account id (digits; a number is accepted too) and where keys come from, checked the same way for
    every client (FC 2.0 and FC 3.0): keys or a credentials source, never both, and enough to reach FC."""
    if isinstance(account_id, int) and not isinstance(account_id, bool):
        account_id = str(account_id)
    if credentials is None:
        Settings(account_id, region, access_key_id, access_key_secret, security_token, endpoint).require_credentials()
        assert access_key_id and access_key_secret  # checked just above
        return account_id, static_credentials(access_key_id, access_key_secret, security_token)
    if access_key_id or access_key_secret or security_token:
        raise ConfigurationError("give either credentials= or access keys, not both")
    if not endpoint and not (account_id and region):
        raise ConfigurationError("an FC endpoint needs both the account id and the region (or pass endpoint=)")
    return account_id, credentials


def wire_client(client: Any, transport_class: type[Transport], account_id: str | None, region: str | None,
                access_key_id: str | None, access_key_secret: str | None, security_token: str | None,
                endpoint: str | None, *, verify: bool | str | os.PathLike[str] | None, internal: bool,
                timeout: Timeout, retry_policy: RetryPolicy | None, session: requests.Session | None,
                sleep: Callable[[float], None], clock: Callable[[], float],
                on_request: Callable[[RequestEvent], None] | None, credentials: CredentialSource | None) -> None:
    """Set up what every client (FcClient, Fc3Client) holds: settings, credentials, retry policy, transport."""
    account_id, source = client_credentials(account_id, region, access_key_id, access_key_secret, security_token,
                                            endpoint, credentials)
    client.credentials = source
    client.verify = arguments.verify_setting(verify)
    client.account_id = account_id or None
    client.region = region or None
    client.endpoint = build_endpoint(account_id, region, endpoint, internal)
    client.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
    client._sleep = sleep
    client._transport = transport_class(client.endpoint, source, client.account_id,
                                        session if session is not None else requests.Session(), timeout, clock,
                                        on_request, verify=client.verify)


class FcClient(ServicesAndFunctions, VersionsAndAliases, TriggersAndInvocation, Tagging):
    """A Function Compute 2.0 API client. Thread-compatible; one ``requests.Session`` per client."""

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
        """``verify``: a CA bundle (PEM path) to trust, ``False`` to skip TLS verification, or None/True for the
        default. It is applied to every request, so it wins over ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE``
        (which requests would otherwise let override ``Session.verify``).

        ``credentials``: where keys come from instead of the three key arguments (``from_settings`` passes
        the credentials chain); it is asked on every request, so temporary credentials are refreshed."""
        wire_client(self, Transport, account_id, region, access_key_id, access_key_secret, security_token, endpoint,
                    verify=verify, internal=internal, timeout=timeout, retry_policy=retry_policy, session=session,
                    sleep=sleep, clock=clock, on_request=on_request, credentials=credentials)

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> FcClient:
        """The one way fcinfra builds a client from resolved ``Settings`` (CLI, providers, ``from_env``).

        Credentials come from ``fcinfra.credentials`` (explicit keys, Pulumi config, a profile, Alibaba's
        default chain, an assumed role). Without an account id or endpoint, the account is found once per
        process with STS ``GetCallerIdentity`` through the same credentials. Keyword arguments are the client's
        own options (``timeout=``, ``session=``, ``verify=``...); ``settings.ca_bundle`` becomes ``verify``
        unless one is given. Raises ``ConfigurationError`` naming what is missing before any FC call.
        """
        if kwargs.get("verify") is None and settings.ca_bundle:
            kwargs["verify"] = settings.ca_bundle
        source = credentials_for(settings)
        source.get()  # fail now, naming every source tried, rather than at the first FC call
        settings.require_endpoint()
        account = settings.account_id
        if not settings.endpoint and not account:
            from fcinfra.fc import sts

            account = sts.account_id(source, sts.sts_endpoint(settings.region, settings.sts_endpoint),
                                     kwargs.get("session"), arguments.verify_setting(kwargs.get("verify")))
        return cls(account, settings.region, endpoint=settings.endpoint, credentials=source, **kwargs)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> FcClient:
        """Credentials, account, region and endpoint from the environment (and Pulumi config when running there).

        Keyword arguments override what the environment says (``account_id=``, ``endpoint=``, ``timeout=``...).
        ``FC_CA_BUNDLE`` names a CA bundle to trust (``verify=``), e.g. the one ``fcinfra emulator --tls`` prints.
        """
        setting_names = ("account_id", "region", "access_key_id", "access_key_secret", "security_token", "endpoint",
                         "profile", "role_arn", "role_session_name", "sts_endpoint")
        explicit = {k: kwargs.pop(k) for k in setting_names if k in kwargs}
        return cls.from_settings(resolve_settings(env=env, **explicit), **kwargs)
