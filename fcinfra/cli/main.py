"""Entry point of the ``fcinfra`` command.

Only click and the standard library are imported at start-up; every command imports what it needs
(the FC client, the rollout engine, rich, the emulator) when it runs, so ``fcinfra --help`` stays fast and
pulumi / pulumi_alicloud are never imported on the command-line path.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from fcinfra.cli.commands_fc3 import fc3
from fcinfra.cli.commands_history import abort, history, retry, undo
from fcinfra.cli.commands_local import demo, emulator
from fcinfra.cli.commands_resources import alias, deploy, invoke, versions
from fcinfra.cli.commands_rollout import promote, rollback, rollout, status
from fcinfra.cli.commands_traffic import traffic
from fcinfra.cli.commands_triggers import trigger  # also adds `alias list` and `alias delete`
from fcinfra.cli.options import ACCESS_KEY_ID, CONNECTION_HELP
from fcinfra.display.output import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE

MAIN_HELP = f"""Safe releases on Alibaba Cloud Function Compute: versions, aliases and canary rollouts (FC 2.0; FC 3.0
under `fcinfra fc3`).

\b
Try it with no cloud account (starts a local FC emulator, deploys, canaries):
  fcinfra demo

\b
Typical release of a service whose alias `prod` serves version 1:
  fcinfra deploy my-svc quote ./build --publish --description "v2: new pricing"    # -> version 2
  fcinfra rollout my-svc prod 2 --steps 10,25,50,100 --interval 5m --probe-function quote
  fcinfra status my-svc prod

\b
Against a local emulator instead of the cloud:
  fcinfra emulator --port 9000 --access-key AK:SK &
  export FC_ENDPOINT=http://127.0.0.1:9000 ALIBABA_CLOUD_ACCOUNT_ID=1234567890
  export ALIBABA_CLOUD_ACCESS_KEY_ID=AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK

{CONNECTION_HELP}
\b
Exit status: 0 success (rollout promoted), 3 rolled back, 4 rollout unfinished (--timeout), 1 error,
2 bad usage (or a release refused before anything changed), 130 interrupted, 143 terminated (SIGTERM).
Run `fcinfra COMMAND --help` for a command's options and examples.
"""


class FcinfraGroup(click.Group):
    """Shows fcinfra's own errors as one clear line instead of a traceback; lists commands in workflow order."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        from fcinfra.errors import FcApiError, FcinfraError, ReleaseCheckError

        try:
            return super().invoke(ctx)
        except FcinfraError as exc:
            key_id = ctx.meta.get(ACCESS_KEY_ID)
            who = f" (access key id {key_id})" if isinstance(exc, FcApiError) and exc.status in (401, 403) and key_id \
                else ""  # only the secret is secret: the key id tells which credentials were refused
            click.secho(f"Error: {exc}{who}", fg="red", err=True)
            # a release refused before anything changed (no such version, alias...) is bad usage: exit 2
            ctx.exit(EXIT_USAGE if isinstance(exc, ReleaseCheckError) else EXIT_ERROR)
        except KeyboardInterrupt:
            click.secho("Interrupted.", fg="yellow", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=FcinfraGroup, help=MAIN_HELP, context_settings={"help_option_names": ["-h", "--help"],
                                                                 "max_content_width": 110})
@click.version_option(package_name="fcinfra", prog_name="fcinfra")
def cli() -> None:
    pass


for _command in (demo, deploy, rollout, retry, promote, rollback, abort, undo, status, history, invoke, traffic,
                 versions, alias, trigger, emulator, fc3):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point (``fcinfra = fcinfra.cli.main:main``)."""
    sys.exit(cli.main(prog_name="fcinfra"))


if __name__ == "__main__":
    main()
