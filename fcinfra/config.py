"""Settings for reaching FC: explicit arguments > Pulumi config > environment.

Pulumi is consulted only when a Pulumi program (or provider) is already running in this process, so
importing this module, or using fcinfra from a plain script, never pays for importing ``pulumi``.
Credentials are resolved when needed and never cached on disk, printed or pickled: ``Settings`` hides
its secrets from ``repr``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fcinfra.errors import ConfigurationError

# setting -> (Pulumi config keys, environment variables), each in order of preference.
_SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "account_id": (
        ("fcinfra:accountId", "alicloud:accountId"),
        ("ALIBABA_CLOUD_ACCOUNT_ID", "ALICLOUD_ACCOUNT_ID"),
    ),
    "region": (
        ("fcinfra:region", "alicloud:region"),
        ("ALIBABA_CLOUD_REGION", "ALICLOUD_REGION", "ALIBABA_CLOUD_REGION_ID"),
    ),
    "access_key_id": (
        ("fcinfra:accessKeyId", "alicloud:accessKey"),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALICLOUD_ACCESS_KEY_ID"),
    ),
    "access_key_secret": (
        ("fcinfra:accessKeySecret", "alicloud:secretKey"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALICLOUD_ACCESS_KEY_SECRET"),
    ),
    "security_token": (
        ("fcinfra:securityToken", "alicloud:securityToken"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
    ),
    "endpoint": (
        ("fcinfra:endpoint",),
        ("FC_ENDPOINT", "ALIBABA_CLOUD_ENDPOINT_FC"),
    ),
    # A PEM file of CAs to trust for the endpoint (e.g. ``fcinfra emulator --tls``). It wins over
    # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, which requests would otherwise apply to every session.
    "ca_bundle": (
        ("fcinfra:caBundle",),
        ("FC_CA_BUNDLE",),
    ),
}

ConfigReader = Callable[[str], "str | None"]


def mask(value: str | None) -> str:
    """Show just enough of an identifier to recognise it: ``LTAI****``."""
    if not value:
        return "<unset>"
    return value[:4] + "****" if len(value) > 8 else "****"


@dataclass(frozen=True)
class Settings:
    """Everything an FcClient needs. ``repr`` never shows the secret or token."""

    account_id: str | None = None
    region: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    access_key_secret: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    endpoint: str | None = None
    ca_bundle: str | None = None
    # Whether Pulumi stack config was a source: only then is it worth naming in an error message.
    read_pulumi_config: bool = field(default=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"Settings(account_id={self.account_id!r}, region={self.region!r}, "
            f"access_key_id={mask(self.access_key_id)!r}, access_key_secret=<hidden>, "
            f"security_token={'<hidden>' if self.security_token else None}, endpoint={self.endpoint!r}, "
            f"ca_bundle={self.ca_bundle!r})"
        )

    def require_credentials(self) -> None:
        """Fail early with a ConfigurationError naming the variables to set, instead of a 403 later."""
        missing = [
            name
            for name, value in (("access key id", self.access_key_id), ("access key secret", self.access_key_secret))
            if not value
        ]
        if missing:
            pulumi = "set Pulumi config (alicloud:accessKey / alicloud:secretKey) " if self.read_pulumi_config else ""
            raise ConfigurationError(
                "missing " + " and ".join(missing) + f": pass them explicitly, {pulumi}or set the environment "
                "(ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET)"
            )
        if not self.endpoint and not (self.account_id and self.region):
            raise ConfigurationError(
                "cannot tell which FC endpoint to use: give account id and region "
                "(ALIBABA_CLOUD_ACCOUNT_ID / ALIBABA_CLOUD_REGION) or an endpoint (FC_ENDPOINT)"
            )


def pulumi_active() -> bool:
    """True when a Pulumi program or provider runs in this process (pulumi already imported, or its env set)."""
    return "pulumi" in sys.modules or "PULUMI_CONFIG" in os.environ or "PULUMI_PROJECT" in os.environ


def pulumi_config_reader() -> ConfigReader | None:
    """A reader of Pulumi stack config, or None outside a Pulumi run (pulumi is imported only then)."""
    if not pulumi_active():
        return None
    try:
        from pulumi.runtime import config as pulumi_config
    except ImportError:
        return None

    def read(key: str) -> str | None:
        try:
            value = pulumi_config.get_config(key)
        except Exception:  # a half-initialised runtime must not break plain settings resolution
            return None
        return None if value is None else str(value)

    return read


def resolve_settings(
    *,
    account_id: str | None = None,
    region: str | None = None,
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    security_token: str | None = None,
    endpoint: str | None = None,
    ca_bundle: str | None = None,
    env: Mapping[str, str] | None = None,
    pulumi_config: ConfigReader | None = None,
    use_pulumi: bool = True,
) -> Settings:
    """Fill every setting from the first source that has it: explicit > Pulumi config > environment.

    ``env`` and ``pulumi_config`` are injectable for tests; by default the process environment and,
    when a Pulumi runtime is active, its stack config are read.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    reader = pulumi_config if pulumi_config is not None else (pulumi_config_reader() if use_pulumi else None)
    explicit = {
        "account_id": account_id,
        "region": region,
        "access_key_id": access_key_id,
        "access_key_secret": access_key_secret,
        "security_token": security_token,
        "endpoint": endpoint,
        "ca_bundle": ca_bundle,
    }
    values: dict[str, str | None] = {}
    for name, (config_keys, env_vars) in _SOURCES.items():
        value = explicit[name]
        if not value and reader is not None:
            value = next((v for v in map(reader, config_keys) if v), None)
        if not value:
            value = next((environ[k] for k in env_vars if environ.get(k)), None)
        values[name] = value or None
    return Settings(**values, read_pulumi_config=reader is not None)
