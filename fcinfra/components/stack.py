"""Stack-level helpers shared by the example programs: the alicloud provider and code paths from config."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud

__all__ = ["alicloud_provider", "code_path"]


def alicloud_provider(config: pulumi.Config | None = None) -> alicloud.Provider | None:
    """An explicit alicloud provider when ``fcinfra:accountId`` is set (legacy FC resources need an account id).

    An explicit provider does not read ``alicloud:*`` stack config, so the credentials set there (or as
    ``fcinfra:accessKeyId``/``accessKeySecret``/``securityToken``) are passed to it here, the secret and the
    token as Pulumi secrets (encrypted in the state). Without them the provider reads the environment itself
    (``ALIBABA_CLOUD_ACCESS_KEY_ID`` ...), and nothing is stored. Returns None (use the default provider) when
    no account id is configured.
    """
    config = config or pulumi.Config("fcinfra")
    account_id = config.get("accountId")
    if not account_id:
        return None
    ali = pulumi.Config("alicloud")
    region = config.get("region") or ali.get("region")
    access_key = config.get("accessKeyId") or ali.get("accessKey")
    secret_key = config.get_secret("accessKeySecret") or ali.get_secret("secretKey")
    token = config.get_secret("securityToken") or ali.get_secret("securityToken")
    return alicloud.Provider(
        "fcinfra-alicloud",
        account_id=account_id,
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        security_token=token,
    )


def code_path(value: str | None, default: str, base: Path) -> str:
    """A code folder or zip from config: absolute as given, else relative to ``base`` (the program's folder)."""
    path = Path(value or default).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())
