"""Stack-level helpers shared by the example programs: the alicloud provider and code paths from config."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud

__all__ = ["alicloud_provider", "code_path"]


def alicloud_provider(config: pulumi.Config | None = None) -> alicloud.Provider | None:
    """An explicit alicloud provider with the settings and credentials fcinfra's own providers use.

    Settings come from ``fcinfra.config.resolve_settings`` (stack config, then the environment) and credentials
    follow the same chain (``fcinfra.credentials.alicloud_provider_args``: stack-config keys as secrets, else
    the profile; the role to assume; never a fetched token), so ``pulumi up`` does not depend on which
    provider reads which setting. Returns None (use the default provider) when nothing fcinfra-specific is
    configured: no account id or keys that only fcinfra reads (arguments, ``fcinfra:`` config), no profile or
    role. The default provider reads ``alicloud:*`` config and the environment itself, and stacks made before
    the credentials chain rely on it: such a setup must not add a provider to their state.
    ``config`` is accepted for compatibility; the whole stack config is read.
    """
    from fcinfra.config import resolve_settings
    from fcinfra.credentials import alicloud_provider_args

    del config
    settings = resolve_settings()
    args = alicloud_provider_args(settings)
    fcinfra_only = any(_only_fcinfra_reads(settings.origin(name)) for name in ("account_id", "access_key_id"))
    if not fcinfra_only and not ({"profile", "assume_role"} & set(args)):
        return None
    for secret in ("access_key", "secret_key", "security_token"):
        if secret in args:
            args[secret] = pulumi.Output.secret(args[secret])
    if "assume_role" in args:
        args["assume_role"] = alicloud.ProviderAssumeRoleArgs(**args["assume_role"])
    return alicloud.Provider("fcinfra-alicloud", **args)


def _only_fcinfra_reads(origin: str | None) -> bool:
    """A setting given as an argument or in ``fcinfra:`` stack config, which pulumi-alicloud does not read."""
    return origin is not None and (origin == "argument" or origin.startswith("pulumi:fcinfra:"))


def code_path(value: str | None, default: str, base: Path) -> str:
    """A code folder or zip from config: absolute as given, else relative to ``base`` (the program's folder)."""
    path = Path(value or default).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())
