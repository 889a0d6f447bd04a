"""The FC client's refreshing credentials, as the Log Service and CloudMonitor SDKs ask for them.

The Tea/OpenAPI SDKs call ``credential.get_credential()`` before every request when their ``Config`` has a
``credential`` and no fixed key. :class:`SourceCredential` answers from the same source the FC client signs
with (``fcinfra.credentials.CredentialSource``: profiles, AssumeRole, ECS roles, refreshed before they
expire), so a rollout that outlives an STS token keeps reading its gates with the new one. Nothing is
copied: the secret never sits in a gate, a spec or a ``repr``.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["KeySource", "SourceCredential"]


class KeySource(Protocol):
    """What a ``CredentialSource`` offers: the keys to sign the next request with."""

    def get(self) -> Any: ...  # -> fcinfra.credentials.Credentials


class SourceCredential:
    """A Tea SDK ``credential`` backed by a :class:`KeySource`, asked once per request."""

    def __init__(self, source: KeySource) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"SourceCredential({self.source!r})"

    def __getstate__(self) -> None:
        raise TypeError("a SourceCredential reads credentials and is not picklable")

    def get_credential(self) -> Any:
        """The model the SDKs sign with: ``sts`` when the source hands out a token, else ``access_key``."""
        from alibabacloud_credentials.models import CredentialModel

        keys = self.source.get()
        return CredentialModel(access_key_id=keys.access_key_id, access_key_secret=keys.access_key_secret,
                               security_token=keys.security_token,
                               type="sts" if keys.security_token else "access_key", provider_name="fcinfra")

    async def get_credential_async(self) -> Any:  # the SDKs' interface has it; fcinfra calls them synchronously
        return self.get_credential()
