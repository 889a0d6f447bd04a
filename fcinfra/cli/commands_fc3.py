"""``fcinfra fc3 ...``: the FC 2.0 commands on FC 3.0, where versions and aliases belong to a function.

Each command is its FC 2.0 twin: the same callback, options, JSON and exit statuses. Only the owner argument
differs (FUNCTION instead of SERVICE) and the group marks the context so that ``Connection`` builds an
``Fc3Client``; the few places where the APIs differ (lifecycle module, triggers, the rollout's owner keyword)
branch on ``Connection.fc3`` inside the shared code.
"""

from __future__ import annotations

from pathlib import Path

import click

from fcinfra.cli.commands_history import abort, history, retry, undo
from fcinfra.cli.commands_resources import (
    alias_get,
    alias_set,
    deploy_options,
    invoke_options,
    run_deploy,
    show_invocations,
    versions_delete,
    versions_list,
    versions_prune,
    versions_publish,
)
from fcinfra.cli.commands_rollout import promote, rollback, rollout, status
from fcinfra.cli.commands_triggers import (
    alias_delete,
    alias_list,
    trigger_bind,
    trigger_create,
    trigger_delete,
    trigger_list,
)
from fcinfra.cli.options import FC3, Connection
from fcinfra.cli.parsing import read_payload
from fcinfra.display.output import Output

FC3_HELP = """FC 3.0 (API 2023-03-30): the same commands on function-level versions and aliases.

\b
On FC 3.0 there are no services: a function owns its versions, aliases and triggers, so every command
takes FUNCTION where its FC 2.0 twin takes SERVICE. Options, `-o json` output and exit statuses are the
twin's (`service` in JSON holds the function's name). Connection settings are the same.

\b
Examples:
  fcinfra fc3 versions list quote
  fcinfra fc3 alias set quote prod --version 1
  fcinfra fc3 rollout quote prod 2 --steps 10,50,100 --interval 1m --probe-function quote
  fcinfra fc3 invoke quote -q prod -n 20
  fcinfra fc3 rollback quote prod
  fcinfra fc3 history quote prod          # the release history, in the function's tags
  fcinfra fc3 undo quote prod
"""


def _twin(command: click.Command, help_text: str) -> click.Command:
    """``command`` with FUNCTION in place of SERVICE: same callback (hence output and exit statuses), same options."""
    params = [click.Argument(["service"], metavar="FUNCTION") if isinstance(p, click.Argument) and p.name == "service"
              else p for p in command.params]
    return click.Command(command.name, callback=command.callback, params=params, help=help_text,
                         short_help=command.short_help, context_settings=command.context_settings)


def _own_function_twin(command: click.Command, help_text: str) -> click.Command:
    """:func:`_twin` of a command taking SERVICE and FUNCTION: on FC 3.0 the function is the owner, so FUNCTION
    is given once (the callback gets it as both)."""
    twin = _twin(command, help_text)
    twin.params = [p for p in twin.params if not (isinstance(p, click.Argument) and p.name == "function")]
    callback = command.callback
    assert callback is not None
    twin.callback = lambda **kwargs: callback(function=kwargs["service"], **kwargs)
    return twin


@click.group(short_help="FC 3.0: the same commands on function-level versions and aliases.", help=FC3_HELP)
@click.pass_context
def fc3(ctx: click.Context) -> None:
    ctx.meta[FC3] = True


@fc3.group(short_help="List, publish, delete and prune a function's versions.")
def versions() -> None:
    """List, publish, delete and prune a function's versions (FC 3.0).

    \b
    A version is an immutable snapshot of the function's code and configuration. Deleting or pruning never
    removes a version that an alias (main or canary) or a trigger still uses.
    """


@fc3.group(short_help="List, show, point and delete a function's aliases.")
def alias() -> None:
    """List, read, point or delete an alias of a function (FC 3.0), optionally with a weighted canary."""


@fc3.group(short_help="List, create, bind and delete a function's triggers.")
def trigger() -> None:
    """List, create, re-bind and delete a function's triggers (FC 3.0).

    \b
    A trigger invokes one qualifier of its function: LATEST, a version or (best) an alias, so that a rollout
    of the alias moves the trigger's traffic too. Options, JSON and exit statuses: `fcinfra trigger --help`.

    \b
    Examples:
      fcinfra fc3 trigger list quote
      fcinfra fc3 trigger create quote http-prod --qualifier prod
      fcinfra fc3 trigger bind quote http-prod staging
      fcinfra fc3 trigger delete quote http-prod
    """


for _group, _command, _help in (
    (versions, versions_list, "List FUNCTION's versions, newest first, with the aliases that use each."),
    (versions, versions_publish, "Publish FUNCTION's code and configuration (LATEST) as a new immutable version."),
    (versions, versions_delete, "Delete VERSION of FUNCTION, refusing if an alias or trigger still uses it."),
    (versions, versions_prune, "Delete old versions of FUNCTION, keeping the newest and every version in use."),
    (alias, alias_get, "Show alias NAME of FUNCTION and its traffic split."),
    (alias, alias_list, "List FUNCTION's aliases with their traffic split."),
    (alias, alias_delete, "Delete alias NAME of FUNCTION; refused (exit 1, naming them) while a trigger invokes it."),
    (alias, alias_set, "Create alias NAME of FUNCTION, or point it at another version (clears any canary unless "
                       "given). For a gradual, health-checked move use `fcinfra fc3 rollout`."),
    (fc3, rollout, "Move alias ALIAS of FUNCTION to VERSION in health-checked steps; promote or roll back.\n\n"
                   "The options, JSON lines and exit statuses are those of `fcinfra rollout` (see its --help). "
                   "--probe-function can only name FUNCTION itself: an FC 3.0 alias belongs to one function."),
    (fc3, promote, "Move the rollout on ALIAS of FUNCTION on: to its next planned weight, or with --full to 100%."),
    (fc3, rollback, "Send all of ALIAS's traffic back to its main version, dropping the canary (one write)."),
    (fc3, status, "Show FUNCTION's aliases (traffic split, a rollout in progress), triggers and versions.\n\n"
                  "With --watch, a live view until the rollout ends, with the gate verdicts the running rollout "
                  "publishes in the function's tags. Options and JSON: `fcinfra status --help`."),
    (fc3, history, "Show the releases recorded on ALIAS of FUNCTION, oldest first (kept in the function's tags: "
                   "every machine sees the same history; the newest 10 entries are kept)."),
    (fc3, undo, "Send all of ALIAS's traffic back to the main version it had before its last promotion (one "
                "write). Refused (exit 2, nothing written) when the history names none, that version was deleted, "
                "or a canary is live; see `fcinfra undo --help`."),
    (fc3, abort, "Stop the rollout moving ALIAS of FUNCTION: one write sends all traffic back to the main version; "
                 "the running `fcinfra fc3 rollout` ends aborted (exit 1). No canary: exit 0, no write."),
    (fc3, retry, "Start a rollout of a version an earlier run rolled back (or aborted, or undid): "
                 "`fcinfra fc3 rollout` with --force. Takes its arguments and options."),
):
    _group.add_command(_twin(_command, _help))

for _command, _help in (
    (trigger_list, "List FUNCTION's triggers and the qualifier each invokes."),
    (trigger_create, "Create trigger NAME of FUNCTION, invoking QUALIFIER (checked to exist first)."),
    (trigger_bind, "Point existing trigger NAME of FUNCTION at QUALIFIER (an alias, a version, or LATEST): one write."),
    (trigger_delete, "Delete trigger NAME of FUNCTION."),
):
    trigger.add_command(_own_function_twin(_command, _help))


@fc3.command(short_help="Invoke a function through an alias or version.")
@click.argument("function")
@invoke_options
def invoke(conn: Connection, output: str, function: str, qualifier: str, payload: str | None, count: int) -> None:
    """Invoke FUNCTION through a qualifier and show the version it resolved to (FC 3.0).

    \b
    Examples:
      fcinfra fc3 invoke quote -q prod -p '{"item": "pear", "qty": 3}'
      fcinfra fc3 invoke quote -q prod -n 100      # how is traffic split right now?

    A function error (the code raised) is shown with its error type and gives exit status 1.
    """
    client = conn.client3()
    event = read_payload(payload)
    show_invocations(Output(output), f"{function}.{qualifier}", qualifier, count,
                     lambda: client.invoke(function, event, qualifier=qualifier))


@fc3.command(short_help="Upload a folder as a function's code; optionally publish.")
@click.argument("function")
@deploy_options
def deploy(conn: Connection, output: str, function: str, folder: Path, runtime: str | None, handler: str | None,
           memory_size: int | None, timeout: int | None, publish: bool, description: str | None) -> None:
    """Upload FOLDER as FUNCTION's code at LATEST (creating the function if needed) (FC 3.0).

    The rules of `fcinfra deploy`: every value is checked before anything is created, settings given for an
    existing function are applied, the same code and settings upload nothing and --publish then reuses the
    version LATEST already equals.

    \b
    Examples:
      fcinfra fc3 deploy quote examples/functions/v1 --publish      # -> version 1
      fcinfra fc3 alias set quote prod --version 1
      fcinfra fc3 deploy quote examples/functions/v2 --publish -d "v2: bulk discount"
      fcinfra fc3 rollout quote prod 2 --probe-function quote
    """
    run_deploy(conn, output, function, function, folder, runtime, handler, memory_size, timeout, publish,
               description)
