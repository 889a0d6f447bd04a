"""Options shared by the commands: how to reach FC, and how to print.

Connection settings come from flags or the environment (the same names ``FcClient.from_env`` reads). The
access key secret is read from the environment only, so it never shows up in shell history or ``ps``.
Nothing heavy is imported here: the client is built inside :func:`Connection.client`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from fcinfra.fc import FcClient

F = TypeVar("F", bound=Callable[..., Any])

CONNECTION_HELP = """\b
Connection (flags override the environment):
  --endpoint        FC_ENDPOINT              e.g. http://127.0.0.1:9000 for `fcinfra emulator`
  --account-id      ALIBABA_CLOUD_ACCOUNT_ID (or ALICLOUD_ACCOUNT_ID)
  --region          ALIBABA_CLOUD_REGION     (or ALICLOUD_REGION), e.g. cn-hangzhou
  --access-key-id   ALIBABA_CLOUD_ACCESS_KEY_ID (or ALICLOUD_ACCESS_KEY)
  secret            ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_SECRET_KEY); environment only
  STS token         ALIBABA_CLOUD_SECURITY_TOKEN (or ALICLOUD_SECURITY_TOKEN)
  CA bundle         FC_CA_BUNDLE             for https endpoints with a private CA (emulator --tls)
"""


@dataclass(frozen=True)
class Connection:
    """Connection flags as given; unset ones fall back to the environment when the client is built."""

    endpoint: str | None = None
    account_id: str | None = None
    region: str | None = None
    access_key_id: str | None = None

    def client(self) -> FcClient:
        """Build the FC client (imported only now, to keep ``--help`` fast); flags win over the environment."""
        from fcinfra.config import resolve_settings
        from fcinfra.fc import FcClient

        given = {k: v for k, v in vars(self).items() if v}
        settings = resolve_settings(use_pulumi=False, **given)
        check_settings(settings)
        return FcClient.from_settings(settings)


def check_settings(settings: Any) -> None:
    """Name the flags and variables a command-line user can set, instead of the library's generic message."""
    missing = [name for name, value in (("ALIBABA_CLOUD_ACCESS_KEY_ID (or --access-key-id)", settings.access_key_id),
                                        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", settings.access_key_secret)) if not value]
    if missing:
        raise click.ClickException(
            f"no credentials: set {' and '.join(missing)}. For a local emulator: "
            "`fcinfra emulator --access-key AK:SK`, then export its key pair and FC_ENDPOINT (see `fcinfra --help`)"
        )
    if not settings.endpoint and not (settings.account_id and settings.region):
        need = [name for name, value in (("--account-id / ALIBABA_CLOUD_ACCOUNT_ID", settings.account_id),
                                         ("--region / ALIBABA_CLOUD_REGION", settings.region)) if not value]
        raise click.ClickException(
            f"no FC endpoint: set {' and '.join(need)} (FC is then https://ACCOUNT.REGION.fc.aliyuncs.com), "
            "or --endpoint / FC_ENDPOINT, e.g. http://127.0.0.1:9000 for `fcinfra emulator`"
        )


def connection_options(func: F) -> F:
    """Add --endpoint/--account-id/--region/--access-key-id and pass them as one ``conn`` argument."""
    options = [
        click.option("--endpoint", envvar="FC_ENDPOINT", metavar="URL",
                     help="FC endpoint; default https://{account}.{region}.fc.aliyuncs.com. [env FC_ENDPOINT]"),
        click.option("--account-id", envvar=["ALIBABA_CLOUD_ACCOUNT_ID", "ALICLOUD_ACCOUNT_ID"], metavar="ID",
                     help="Alibaba Cloud account id. [env ALIBABA_CLOUD_ACCOUNT_ID]"),
        click.option("--region", envvar=["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"], metavar="REGION",
                     help="Region, e.g. cn-hangzhou. [env ALIBABA_CLOUD_REGION]"),
        click.option("--access-key-id", envvar=["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"],
                     metavar="AK",
                     help="Access key id; the secret is read from ALIBABA_CLOUD_ACCESS_KEY_SECRET only."),
    ]

    def wrapper(**kwargs: Any) -> Any:
        conn = Connection(
            endpoint=kwargs.pop("endpoint"),
            account_id=kwargs.pop("account_id"),
            region=kwargs.pop("region"),
            access_key_id=kwargs.pop("access_key_id"),
        )
        return func(conn=conn, **kwargs)

    functools.update_wrapper(wrapper, func)  # keeps options declared below this decorator (__click_params__)
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def output_option(func: F) -> F:
    """Add ``--output text|json`` (passed as ``output``)."""
    return click.option(
        "--output",
        "-o",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="text for people; json for machines (rollout prints JSON lines, one event per line).",
    )(func)
