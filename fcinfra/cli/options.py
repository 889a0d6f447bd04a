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
    from fcinfra.fc3 import Fc3Client

F = TypeVar("F", bound=Callable[..., Any])
ACCESS_KEY_ID = "fcinfra.access_key_id"  # click context meta key: the key id the command's client signs with
FC3 = "fcinfra.fc3"  # click context meta key, set by the `fcinfra fc3` group: its commands speak FC 3.0

CONNECTION_HELP = """\b
Connection (flags override the environment):
  --endpoint        FC_ENDPOINT              e.g. http://127.0.0.1:9000 for `fcinfra emulator`
  --account-id      ALIBABA_CLOUD_ACCOUNT_ID (or ALICLOUD_ACCOUNT_ID)
  --region          ALIBABA_CLOUD_REGION     (or ALICLOUD_REGION), e.g. cn-hangzhou
  --access-key-id   ALIBABA_CLOUD_ACCESS_KEY_ID (or ALICLOUD_ACCESS_KEY)
  secret            ALIBABA_CLOUD_ACCESS_KEY_SECRET (or ALICLOUD_SECRET_KEY); environment only
  STS token         ALIBABA_CLOUD_SECURITY_TOKEN (or ALICLOUD_SECURITY_TOKEN)
  --profile         ALIBABA_CLOUD_PROFILE    an `aliyun configure` profile (~/.aliyun/config.json)
  role to assume    ALICLOUD_ASSUME_ROLE_ARN (STS endpoint: FC_STS_ENDPOINT)
  no keys set: Alibaba's default chain (aliyun CLI profile, OIDC, ECS role, ALIBABA_CLOUD_CREDENTIALS_URI)
  CA bundle         FC_CA_BUNDLE             for https endpoints with a private CA (emulator --tls)
"""


ENDPOINT_HINT = (
    "no FC endpoint: set --region / ALIBABA_CLOUD_REGION (FC is then https://ACCOUNT.REGION.fc.aliyuncs.com; "
    "the account comes from --account-id / ALIBABA_CLOUD_ACCOUNT_ID, else from STS GetCallerIdentity), "
    "or --endpoint / FC_ENDPOINT, e.g. http://127.0.0.1:9000 for `fcinfra emulator`"
)


@dataclass(frozen=True)
class Connection:
    """Connection flags as given; unset ones fall back to the environment when the client is built."""

    endpoint: str | None = None
    account_id: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    profile: str | None = None
    fc3: bool = False  # under `fcinfra fc3`: the owner argument is a function, the client an Fc3Client

    def client(self) -> FcClient:
        """Build the FC 2.0 client (imported only now, to keep ``--help`` fast); flags win over the environment."""
        from fcinfra.fc import FcClient

        return self._build(FcClient)

    def client3(self) -> Fc3Client:
        """Build the FC 3.0 client from the same flags, environment and credentials chain."""
        from fcinfra.fc3 import Fc3Client

        return self._build(Fc3Client)

    def any_client(self) -> FcClient | Fc3Client:
        """The client of the API the command runs under (``fcinfra fc3 ...``: FC 3.0)."""
        return self.client3() if self.fc3 else self.client()

    def _build(self, cls: Any) -> Any:
        from fcinfra.config import resolve_settings
        from fcinfra.errors import ConfigurationError

        given = {k: v for k, v in vars(self).items() if v and k != "fc3"}
        settings = resolve_settings(use_pulumi=False, **given)
        check_settings(settings)
        ctx = click.get_current_context(silent=True)
        if ctx is not None:  # named in auth errors: which key FC refused is the first thing to check
            ctx.meta[ACCESS_KEY_ID] = settings.access_key_id
        try:
            return cls.from_settings(settings)
        except ConfigurationError as exc:
            if str(exc).startswith("cannot tell which FC endpoint"):
                raise click.ClickException(ENDPOINT_HINT) from None
            if not str(exc).startswith("no credentials found"):
                raise
            raise click.ClickException(
                f"{exc} For a local emulator: `fcinfra emulator --access-key AK:SK`, then export its key pair "
                "and FC_ENDPOINT") from None


def check_settings(settings: Any) -> None:
    """Name the flags and variables a command-line user can set, instead of the library's generic message."""
    missing = [name for name, value in (("ALIBABA_CLOUD_ACCESS_KEY_ID (or --access-key-id)", settings.access_key_id),
                                        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", settings.access_key_secret)) if not value]
    if len(missing) == 1:  # half a key pair; with none, the credentials chain (profiles, roles...) is asked
        raise click.ClickException(
            f"no credentials: set {' and '.join(missing)}. For a local emulator: "
            "`fcinfra emulator --access-key AK:SK`, then export its key pair and FC_ENDPOINT (see `fcinfra --help`)"
        )



def under_fc3() -> bool:
    """True inside ``fcinfra fc3 ...`` (its group marks the click context)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(FC3))


def command_prefix() -> str:
    """How the user calls fcinfra for the running command's API, for hints: ``fcinfra fc3`` on FC 3.0."""
    from fcinfra.rollout.owner import cli_name

    return cli_name(under_fc3())


def connection_options(func: F) -> F:
    """Add --endpoint/--account-id/--region/--access-key-id/--profile and pass them as one ``conn`` argument."""
    options = [
        click.option("--endpoint", envvar="FC_ENDPOINT", metavar="URL",
                     help="FC endpoint; default https://{account}.{region}.fc.aliyuncs.com. [env FC_ENDPOINT]"),
        click.option("--account-id", envvar=["ALIBABA_CLOUD_ACCOUNT_ID", "ALICLOUD_ACCOUNT_ID"], metavar="ID",
                     help="Alibaba Cloud account id. [env ALIBABA_CLOUD_ACCOUNT_ID]"),
        click.option("--region", envvar=["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"], metavar="REGION",
                     help="Region, e.g. cn-hangzhou. [env ALIBABA_CLOUD_REGION]"),
        # No envvar here: the environment's key id is read with the rest of the environment, so that a
        # --profile flag can win over environment keys (an explicit flag is an explicit choice).
        click.option("--access-key-id", metavar="AK",
                     help="Access key id; the secret is read from ALIBABA_CLOUD_ACCESS_KEY_SECRET only. "
                          "[env ALIBABA_CLOUD_ACCESS_KEY_ID]"),
        click.option("--profile", metavar="NAME",
                     help="Credentials from this `aliyun configure` profile (~/.aliyun/config.json or "
                          "~/.alibabacloud/credentials.ini). [env ALIBABA_CLOUD_PROFILE]"),
    ]

    def wrapper(**kwargs: Any) -> Any:
        conn = Connection(
            endpoint=kwargs.pop("endpoint"),
            account_id=kwargs.pop("account_id"),
            region=kwargs.pop("region"),
            access_key_id=kwargs.pop("access_key_id"),
            profile=kwargs.pop("profile"),
            fc3=under_fc3(),
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
