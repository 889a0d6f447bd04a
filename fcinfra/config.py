"""Settings for reaching FC: explicit arguments > Pulumi config > environment.

Which *credentials* those settings lead to (static keys, an ``aliyun`` CLI profile, a role to assume,
OIDC, ECS, a credentials URI) is decided in ``fcinfra.credentials``; this module only collects values
and remembers where each came from (``Settings.origins``).

Pulumi is consulted only when a Pulumi program (or provider) is already running in this process, so
importing this module, or using fcinfra from a plain script, never pays for importing ``pulumi``.
Credentials are resolved when needed and never cached on disk, printed or pickled: ``Settings`` hides
its secrets from ``repr``.
"""

from __future__ import annotations

import json
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
    # An ``aliyun`` CLI profile (~/.aliyun/config.json) or credentials.ini section to take credentials from.
    "profile": (
        ("fcinfra:profile", "alicloud:profile"),
        ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"),
    ),
    # A RAM role to assume (STS AssumeRole) with whatever credentials the rest of the chain yields.
    # ``alicloud:assumeRole.roleArn`` is the ``roleArn`` field of pulumi-alicloud's ``assumeRole`` object.
    "role_arn": (
        ("fcinfra:roleArn", "alicloud:assumeRole.roleArn"),
        ("ALICLOUD_ASSUME_ROLE_ARN",),
    ),
    "role_session_name": (
        ("fcinfra:roleSessionName", "alicloud:assumeRole.sessionName"),
        ("ALICLOUD_ASSUME_ROLE_SESSION_NAME", "ALIBABA_CLOUD_ROLE_SESSION_NAME"),
    ),
    # Where STS is (AssumeRole for ``role_arn``, GetCallerIdentity for the account id): e.g. the emulator.
    "sts_endpoint": (
        ("fcinfra:stsEndpoint",),
        ("FC_STS_ENDPOINT",),
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
    profile: str | None = None
    role_arn: str | None = None
    role_session_name: str | None = None
    sts_endpoint: str | None = None
    # Whether Pulumi stack config was a source: only then is it worth naming in an error message.
    read_pulumi_config: bool = field(default=False, compare=False)
    # setting -> where its value came from: "argument", "pulumi:<key>" or "env:<VARIABLE>".
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    # The environment the rest of the credentials chain reads (HOME, ALIBABA_CLOUD_* ...): os.environ by default.
    env: Mapping[str, str] | None = field(default=None, compare=False, repr=False)

    def origin(self, name: str) -> str | None:
        """Where setting ``name`` came from (``"argument"``, ``"pulumi:<key>"``, ``"env:<VAR>"``), or None."""
        return self.origins.get(name)

    def __repr__(self) -> str:
        return (
            f"Settings(account_id={self.account_id!r}, region={self.region!r}, "
            f"access_key_id={mask(self.access_key_id)!r}, access_key_secret=<hidden>, "
            f"security_token={'<hidden>' if self.security_token else None}, endpoint={self.endpoint!r}, "
            f"ca_bundle={self.ca_bundle!r}, profile={self.profile!r}, role_arn={self.role_arn!r})"
        )

    @property
    def has_keys(self) -> bool:
        """True when an access key pair was given (argument, Pulumi config or environment)."""
        return bool(self.access_key_id and self.access_key_secret)

    def require_credentials(self) -> None:
        """Fail early with a ConfigurationError naming the variables to set, instead of a 403 later.

        This checks an explicit key pair; ``fcinfra.credentials`` checks the rest of the chain.
        """
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

    def require_endpoint(self) -> None:
        """An FC endpoint needs the region (the account id can be found with STS) or an explicit endpoint."""
        if not self.endpoint and not self.region:
            raise ConfigurationError(
                "cannot tell which FC endpoint to use: give the region (ALIBABA_CLOUD_REGION; the account id, "
                "ALIBABA_CLOUD_ACCOUNT_ID, is looked up with STS when not set) or an endpoint (FC_ENDPOINT)"
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
    profile: str | None = None,
    role_arn: str | None = None,
    role_session_name: str | None = None,
    sts_endpoint: str | None = None,
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
        "profile": profile,
        "role_arn": role_arn,
        "role_session_name": role_session_name,
        "sts_endpoint": sts_endpoint,
    }
    values: dict[str, str | None] = {}
    origins: dict[str, str] = {}
    for name, (config_keys, env_vars) in _SOURCES.items():
        value, origin = explicit[name], "argument"
        if not value and reader is not None:
            value, origin = next(((v, f"pulumi:{k}") for k in config_keys if (v := _read(reader, k))), (None, ""))
        if not value:
            value, origin = next(((environ[k], f"env:{k}") for k in env_vars if environ.get(k)), (None, ""))
        values[name] = value or None
        if value:
            origins[name] = origin
    return Settings(**values, read_pulumi_config=reader is not None, origins=origins, env=environ)


def _read(reader: ConfigReader, key: str) -> str | None:
    """One Pulumi config value; ``ns:object.field`` reads a field of a structured value (JSON)."""
    base, _, attr = key.partition(".")
    value = reader(base)
    if not value or not attr:
        return value or None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    found = data.get(attr) if isinstance(data, dict) else None
    return str(found) if found not in (None, "") else None
