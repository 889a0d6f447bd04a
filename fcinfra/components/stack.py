"""Stack-level helpers shared by the example programs: the alicloud provider and code paths from config."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud

__all__ = ["alicloud_provider", "code_path"]


def alicloud_provider(config: pulumi.Config | None = None) -> alicloud.Provider | None:
    """An explicit alicloud provider when ``fcinfra:accountId`` is set (legacy FC resources need an account id).

    Credentials are not passed here: the provider reads ``alicloud:accessKey``/``alicloud:secretKey`` or
    the environment itself. Returns None (use the default provider) when no account id is configured.
    """
    config = config or pulumi.Config("fcinfra")
    account_id = config.get("accountId")
    if not account_id:
        return None
    region = config.get("region") or pulumi.Config("alicloud").get("region")
    return alicloud.Provider("fcinfra-alicloud", account_id=account_id, region=region)


def code_path(value: str | None, default: str, base: Path) -> str:
    """A code folder or zip from config: absolute as given, else relative to ``base`` (the program's folder)."""
    path = Path(value or default).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())
