"""``fcinfra trigger list|create|bind|delete`` and ``fcinfra alias list|delete``: the wiring that points traffic
sources at aliases, without the console. Deleting an alias a trigger uses is refused, naming the trigger.

Under ``fcinfra fc3`` (``conn.fc3``) the same commands work on a function's own triggers and aliases: there the
owner is the function (``service`` holds its name and ``function`` is the same name), and the FC 3.0 client's
trigger calls take no service."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from fcinfra.cli.commands_resources import _describe_split, alias, lifecycle
from fcinfra.cli.options import Connection, connection_options, output_option
from fcinfra.display.output import Output

if TYPE_CHECKING:
    from fcinfra.lifecycle import FunctionTrigger

HTTP_DEFAULT = {"authType": "function", "methods": ["GET", "POST"]}  # signed calls only unless asked otherwise


def _row(function: str, trigger: Any) -> dict[str, Any]:
    """One trigger as `trigger list`/`create`/`bind` print it (docs/cli.md lists these keys)."""
    return {"function": function, "trigger_name": trigger.trigger_name, "trigger_type": trigger.trigger_type,
            "qualifier": trigger.qualifier, "description": trigger.description, "url_internet": trigger.url_internet}


def _checked_qualifier(client: Any, service: str, qualifier: str, fc3: bool = False) -> None:
    """A qualifier that is not LATEST, a version or an alias is a usage error (exit 2); nothing is changed."""
    from fcinfra.errors import ReleaseCheckError
    from fcinfra.lifecycle import check_qualifier

    try:
        check_qualifier(client, service, qualifier, "function" if fc3 else "service")
    except ReleaseCheckError as exc:
        raise click.BadParameter(str(exc), param_hint="QUALIFIER") from None


@click.group(short_help="List, create, bind and delete triggers.")
def trigger() -> None:
    """List, create, re-bind and delete a service's triggers.

    A trigger invokes one qualifier of its function: LATEST, a version or (best) an alias, so that a rollout
    of the alias moves the trigger's traffic too.

    \b
    Examples:
      fcinfra trigger list my-svc
      fcinfra trigger create my-svc web http-prod --qualifier prod
      fcinfra trigger bind my-svc web http-prod staging
      fcinfra trigger delete my-svc web http-prod
    """


@trigger.command("list")
@click.argument("service")
@click.argument("function", required=False)
@connection_options
@output_option
def trigger_list(conn: Connection, output: str, service: str, function: str | None) -> None:
    """List the triggers of FUNCTION (or of every function of SERVICE) and the qualifier each invokes.

    \b
    Example:
      fcinfra trigger list my-svc
    """
    from fcinfra.lifecycle import gather_references

    out = Output(output)
    client: Any = conn.any_client()
    found: list[FunctionTrigger]
    if conn.fc3:  # FC 3.0: the function's own triggers
        from fcinfra.lifecycle import FunctionTrigger

        found = [FunctionTrigger(service, t) for t in client.list_triggers(service)]
    elif function:
        from fcinfra.lifecycle import FunctionTrigger

        found = [FunctionTrigger(function, t) for t in client.list_triggers(service, function)]
    else:
        found = gather_references(client, service)[1]
    rows = [_row(t.function, t.trigger) for t in found]
    if out.json:
        out.emit(rows)
        return
    if not rows:
        out.console.print(f"no triggers in {service}")
        return
    from rich.table import Table

    table = Table(title=f"triggers of {service}")
    for col in ("function", "trigger", "type", "qualifier", "url"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["function"], r["trigger_name"], r["trigger_type"], r["qualifier"] or "LATEST",
                      r["url_internet"] or "")
    out.console.print(table)


@trigger.command("create")
@click.argument("service")
@click.argument("function")
@click.argument("name")
@click.option("--type", "trigger_type", default="http", show_default=True,
              help="FC trigger type: http, timer, oss, log, mns_topic, cdn_events, tablestore, eventbridge.")
@click.option("--config", "config", metavar="JSON|@FILE",
              help='Trigger config (FC\'s triggerConfig). Default for http: {"authType": "function", '
                   '"methods": ["GET", "POST"]}; required for other types.')
@click.option("--qualifier", "-q", default="LATEST", show_default=True,
              help="What it invokes: an alias (best), a version, or LATEST.")
@click.option("--source-arn", metavar="ARN", help="Event source (oss, log, mns_topic, ...).")
@click.option("--invocation-role", metavar="ARN", help="RAM role the event source assumes to invoke.")
@click.option("--description", "-d", help="Trigger description.")
@connection_options
@output_option
def trigger_create(conn: Connection, output: str, service: str, function: str, name: str, trigger_type: str,
                   config: str | None, qualifier: str, source_arn: str | None, invocation_role: str | None,
                   description: str | None) -> None:
    """Create trigger NAME of FUNCTION, invoking QUALIFIER (checked to exist first).

    \b
    Examples:
      fcinfra trigger create my-svc web http-prod --qualifier prod
      fcinfra trigger create my-svc quote nightly --type timer -q prod \\
          --config '{"cronExpression": "@every 1h", "enable": true}'
    """
    out = Output(output)
    trigger_config = _config(trigger_type, config)
    client: Any = conn.any_client()
    _checked_qualifier(client, service, qualifier, conn.fc3)
    owner = (service,) if conn.fc3 else (service, function)  # FC 3.0: the function owns its triggers
    created = client.create_trigger(*owner, name, trigger_type, trigger_config,
                                    qualifier=None if qualifier == "LATEST" else qualifier, source_arn=source_arn,
                                    invocation_role=invocation_role, description=description)
    if out.json:
        out.emit(_row(function, created))
    else:
        out.console.print(f"created trigger [bold]{function}/{name}[/] ({trigger_type}) of {service} -> "
                          f"{created.qualifier or 'LATEST'}" + (f"  {created.url_internet}" if created.url_internet
                                                               else ""))


def _config(trigger_type: str, config: str | None) -> dict[str, Any]:
    """--config as a mapping (literal JSON or @file); http has a safe default, other types need it."""
    if config is None:
        if trigger_type == "http":
            return dict(HTTP_DEFAULT)
        raise click.UsageError(f"a {trigger_type} trigger needs --config (FC's triggerConfig as JSON or @file)")
    from fcinfra.cli.parsing import read_payload

    try:
        value = json.loads(read_payload(config))
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--config") from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--config")
    return value


@trigger.command("bind")
@click.argument("service")
@click.argument("function")
@click.argument("name")
@click.argument("qualifier")
@connection_options
@output_option
def trigger_bind(conn: Connection, output: str, service: str, function: str, name: str, qualifier: str) -> None:
    """Point existing trigger NAME of FUNCTION at QUALIFIER (an alias, a version, or LATEST): one write.

    \b
    Examples:
      fcinfra trigger bind my-svc web http-prod prod
      fcinfra trigger bind my-svc web http-prod 3      # pin to a version
    """
    out = Output(output)
    client: Any = conn.any_client()
    owner = (service,) if conn.fc3 else (service, function)
    current = client.get_trigger(*owner, name)  # a missing trigger is FC's 404 (exit 1)
    _checked_qualifier(client, service, qualifier, conn.fc3)
    # FC 3.0 sends no trigger ETag (docs/fc3.md): its write is not conditional
    condition = {} if conn.fc3 else {"if_match": current.etag}
    bound = client.update_trigger(*owner, name, qualifier=qualifier, **condition)
    if out.json:
        out.emit(_row(function, bound))
    else:
        out.console.print(f"trigger [bold]{function}/{name}[/] of {service}: {current.qualifier or 'LATEST'} -> "
                          f"[bold]{bound.qualifier or 'LATEST'}[/]")


@trigger.command("delete")
@click.argument("service")
@click.argument("function")
@click.argument("name")
@connection_options
@output_option
def trigger_delete(conn: Connection, output: str, service: str, function: str, name: str) -> None:
    """Delete trigger NAME of FUNCTION.

    \b
    Example:
      fcinfra trigger delete my-svc web http-prod
    """
    out = Output(output)
    client: Any = conn.any_client()
    owner = (service,) if conn.fc3 else (service, function)
    current = client.get_trigger(*owner, name)
    client.delete_trigger(*owner, name, **({} if conn.fc3 else {"if_match": current.etag}))
    if out.json:
        out.emit({"deleted": [f"{function}/{name}"]})
    else:
        out.console.print(f"deleted trigger {function}/{name} of {service}")


# ------------------------------------------------------------------------------- alias list / alias delete


@alias.command("list")
@click.argument("service")
@connection_options
@output_option
def alias_list(conn: Connection, output: str, service: str) -> None:
    """List SERVICE's aliases with their traffic split.

    \b
    Example:
      fcinfra alias list my-svc
    """
    out = Output(output)
    found = conn.any_client().list_aliases(service)
    if out.json:
        out.emit(found)
        return
    if not found:
        out.console.print(f"no aliases in {service}")
    for a in found:
        split = _describe_split(a.version_id, a.additional_version_weight)
        out.console.print(f"alias [bold]{a.alias_name}[/]: {split}")


@alias.command("delete")
@click.argument("service")
@click.argument("name")
@connection_options
@output_option
def alias_delete(conn: Connection, output: str, service: str, name: str) -> None:
    """Delete alias NAME of SERVICE; refused (exit 1, naming them) while a trigger invokes it.

    \b
    Example:
      fcinfra alias delete my-svc staging
    """
    out = Output(output)
    lifecycle(conn).delete_alias_safely(conn.any_client(), service, name)  # FC 3.0: fcinfra.fc3.lifecycle
    if out.json:
        out.emit({"deleted": [name]})
    else:
        out.console.print(f"deleted alias {name} of {service}")
