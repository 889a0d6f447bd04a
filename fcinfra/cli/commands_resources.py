"""``fcinfra invoke``, ``fcinfra versions ...`` and ``fcinfra alias ...``: one FC operation each."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fcinfra.cli.options import Connection, connection_options, output_option
from fcinfra.cli.parsing import parse_percent, read_payload
from fcinfra.display.output import EXIT_ERROR, Output

F = TypeVar("F", bound=Callable[..., Any])


def lifecycle(conn: Connection) -> Any:
    """Version deletion and retention for the command's API: per service (FC 2.0) or per function (FC 3.0)."""
    return importlib.import_module("fcinfra.fc3.lifecycle" if conn.fc3 else "fcinfra.lifecycle")

# ------------------------------------------------------------------------------------------------ invoke


def invoke_options(func: F) -> F:
    """The options of ``invoke`` (FC 2.0 and FC 3.0 alike), with the connection and output options."""
    for option in (
        output_option,
        connection_options,
        click.option("--count", "-n", default=1, show_default=True, type=click.IntRange(1, 10000),
                     help="Invoke this many times and summarise which versions answered."),
        click.option("--payload", "-p", metavar="TEXT|@FILE|-",
                     help="Event bytes: literal text, @file, or - for stdin."),
        click.option("--qualifier", "-q", default="LATEST", show_default=True,
                     help="LATEST, a version number, or an alias name (weighted aliases pick a version per call)."),
    ):
        func = option(func)
    return func


@click.command(short_help="Invoke a function through an alias or version.")
@click.argument("service")
@click.argument("function")
@invoke_options
def invoke(conn: Connection, output: str, service: str, function: str, qualifier: str,
           payload: str | None, count: int) -> None:
    """Invoke FUNCTION of SERVICE through a qualifier and show the version it resolved to.

    \b
    Examples:
      fcinfra invoke my-svc quote -q prod -p '{"item": "pear", "qty": 3}'
      fcinfra invoke my-svc quote -q prod -n 100      # how is traffic split right now?
      fcinfra invoke my-svc quote -q 2 -p @event.json -o json

    A function error (the code raised) is shown with its error type and gives exit status 1.
    """
    client = conn.client()
    event = read_payload(payload)
    show_invocations(Output(output), f"{service}.{qualifier}/{function}", qualifier, count,
                     lambda: client.invoke(service, function, payload=event, qualifier=qualifier))


def show_invocations(out: Output, label: str, qualifier: str, count: int, call: Callable[[], Any]) -> None:
    """Make ``count`` calls, print the answer (one call) or which versions answered; exit 1 on a function error."""
    results = [call() for _ in range(count)]
    failed = [r for r in results if not r.ok]
    by_version: dict[str, dict[str, int]] = {}
    for inv in results:
        row = by_version.setdefault(str(inv.version_id), {"calls": 0, "errors": 0})
        row["calls"] += 1
        row["errors"] += 0 if inv.ok else 1
    if count == 1:
        inv = results[0]
        if out.json:  # the summary keys of -n N too, so a script reads both the same way
            out.emit({"qualifier": qualifier, "calls": 1, "by_version": by_version, "version_id": inv.version_id,
                      "status_code": inv.status_code, "error_type": inv.error_type, "request_id": inv.request_id,
                      "payload": inv.payload.decode(errors="replace")})
        else:
            style = "green" if inv.ok else "red"
            out.console.print(f"qualifier [bold]{qualifier}[/] -> version [bold]{inv.version_id}[/]  "
                              f"[{style}]{inv.status_code}{' ' + inv.error_type if inv.error_type else ''}[/]  "
                              f"request {inv.request_id}")
            _print_payload(out, inv.payload)
    else:
        if out.json:
            out.emit({"qualifier": qualifier, "calls": count, "by_version": by_version})
        else:
            from rich.table import Table

            table = Table(title=f"{count} calls to {label}")
            for col in ("version", "calls", "share", "errors"):
                table.add_column(col, justify="right")
            for version, row in sorted(by_version.items()):
                table.add_row(version, str(row["calls"]), f"{row['calls'] / count:.0%}", str(row["errors"]))
            out.console.print(table)
    if failed:
        raise SystemExit(EXIT_ERROR)


# ------------------------------------------------------------------------------------------------ deploy


def deploy_options(func: F) -> F:
    """FOLDER and the options of ``deploy`` (FC 2.0 and FC 3.0 alike), with the connection and output options."""
    for option in (
        output_option,
        connection_options,
        click.option("--description", "-d", help="Description of the published version."),
        click.option("--publish", is_flag=True,
                     help="Then publish a version (skipped, not failed, if nothing changed)."),
        click.option("--timeout", type=int, help="Seconds, 1..86400 (default 3 on creation)."),
        click.option("--memory-size", type=int,
                     help="MB, a multiple of 64 in 128..32768 (default 128 on creation)."),
        click.option("--handler", metavar="MODULE.FUNCTION",
                     help="Handler (index.handler when the function is created); given for an existing one, it "
                          "is updated."),
        click.option("--runtime", metavar="RUNTIME",
                     help="Runtime (python3.10 when the function is created); given for an existing one, it is "
                          "updated."),
        click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path)),
    ):
        func = option(func)
    return func


@click.command(short_help="Upload a folder as a function's code; optionally publish.")
@click.argument("service")
@click.argument("function")
@deploy_options
def deploy(conn: Connection, output: str, service: str, function: str, folder: Path, runtime: str | None,
           handler: str | None, memory_size: int | None, timeout: int | None, publish: bool,
           description: str | None) -> None:
    """Upload FOLDER as FUNCTION's code at LATEST (creating the service and function if needed).

    Every value is checked before anything is created; settings given for an existing function
    (--runtime, --handler, --memory-size, --timeout) are applied to it. Same code and settings: nothing is
    uploaded, and --publish reuses the version LATEST already equals.

    LATEST is never what an alias serves: publish a version (--publish) and move an alias to it with
    `fcinfra rollout` or `fcinfra alias set`.

    \b
    Examples:
      fcinfra deploy my-svc quote examples/functions/v1 --publish      # -> version 1
      fcinfra alias set my-svc prod --version 1
      fcinfra deploy my-svc quote examples/functions/v2 --publish -d "v2: bulk discount"
      fcinfra rollout my-svc prod 2 --probe-function quote
    """
    run_deploy(conn, output, service, function, folder, runtime, handler, memory_size, timeout, publish,
               description)


def run_deploy(conn: Connection, output: str, service: str, function: str, folder: Path, runtime: str | None,
               handler: str | None, memory_size: int | None, timeout: int | None, publish: bool,
               description: str | None) -> None:
    """``deploy``'s work, on FC 2.0 or (``conn.fc3``: ``service`` is the function itself) FC 3.0."""
    from fcinfra.errors import InvalidArgumentError
    from fcinfra.packaging import zip_folder
    from fcinfra.release import (
        Fc3Release,
        FunctionSettings,
        ReleaseClient,
        current_function,
        publish_or_reuse,
        upload_code,
    )

    out = Output(output)
    settings = FunctionSettings(runtime, handler, memory_size, timeout)
    try:
        settings.check()
    except InvalidArgumentError as exc:
        raise click.UsageError(str(exc)) from None
    client: ReleaseClient = Fc3Release(conn.client3()) if conn.fc3 else conn.client()
    code = zip_folder(folder)
    _, current = current_function(client, service, function)
    # checked before anything is created: the wrong folder would otherwise become a published, broken version
    _check_handler_module(folder, *settings.effective(current))
    uploaded = upload_code(client, service, function, code, settings)
    # the same keys every time: version_id is the version LATEST now equals (None without --publish);
    # published says whether this run created it
    doc: dict[str, object] = {"service": service, "function": function, "action": uploaded.action,
                              "version_id": None, "published": False}
    if publish:
        version = publish_or_reuse(client, service, description)
        doc["version_id"], doc["published"] = version.version_id, version.published
    if out.json:
        out.emit(doc)
        return
    where = function if conn.fc3 else f"{service}/{function}"
    out.console.print(f"{uploaded.action} {where} at LATEST from {folder}")
    if publish:
        verb = "published version" if doc["published"] else "nothing changed since version"
        out.console.print(f"{verb} [bold]{doc['version_id']}[/]")


def _check_handler_module(folder: Path, runtime: str | None, handler: str | None) -> None:
    """For Python runtimes, the handler's module must be in FOLDER (``index.handler`` needs ``index.py``)."""
    if not (runtime or "").startswith("python") or not handler or "." not in handler:
        return
    module = handler.rsplit(".", 1)[0].replace(".", "/")
    if (folder / f"{module}.py").is_file() or (folder / module / "__init__.py").is_file():
        return
    nested = sorted(p.parent for p in folder.glob(f"*/{module}.py"))
    hint = f" (did you mean {nested[0]}?)" if nested else ""
    raise click.BadParameter(f"{folder} has no {module}.py for handler {handler}{hint}", param_hint="FOLDER")


def _print_payload(out: Output, payload: bytes) -> None:
    """JSON payloads pretty-printed, anything else as text."""
    import json

    text = payload.decode(errors="replace")
    try:
        json.loads(text)
    except ValueError:
        out.console.print(text, markup=False)
        return
    from rich.json import JSON

    out.console.print(JSON(text))


# ---------------------------------------------------------------------------------------------- versions


@click.group(short_help="List, publish, delete and prune versions.")
def versions() -> None:
    """List, publish, delete and prune a service's versions.

    \b
    A version is an immutable snapshot of the service and all its functions. Deleting or pruning never
    removes a version that an alias (main or canary) or a trigger still uses.

    \b
    Examples:
      fcinfra versions list my-svc
      fcinfra versions publish my-svc -d "build 1f2e3d"
      fcinfra versions prune my-svc --keep-last 5 --dry-run
    """


@versions.command("list")
@click.argument("service")
@connection_options
@output_option
def versions_list(conn: Connection, output: str, service: str) -> None:
    """List SERVICE's versions, newest first, with the aliases that use each.

    \b
    Example:
      fcinfra versions list my-svc
    """
    out = Output(output)
    client = conn.any_client()
    found = client.list_versions(service)
    users: dict[str, list[str]] = {}
    for a in client.list_aliases(service):
        users.setdefault(a.version_id, []).append(a.alias_name)
        for extra, weight in a.additional_version_weight.items():
            users.setdefault(extra, []).append(f"{a.alias_name} ({weight:.0%})")
    if out.json:
        out.emit([{"version_id": v.version_id, "description": v.description, "created_time": v.created_time,
                   "aliases": users.get(v.version_id, [])} for v in found])
        return
    from rich.table import Table

    table = Table(title=f"versions of {service}")
    table.add_column("version", justify="right")
    table.add_column("created")
    table.add_column("aliases")
    table.add_column("description")
    for v in found:
        table.add_row(v.version_id, v.created_time or "", ", ".join(users.get(v.version_id, [])), v.description or "")
    out.console.print(table)


@versions.command("publish")
@click.argument("service")
@click.option("--description", "-d", help="Shown in `versions list`; e.g. the commit it was built from.")
@connection_options
@output_option
def versions_publish(conn: Connection, output: str, service: str, description: str | None) -> None:
    """Publish SERVICE's current code and configuration (LATEST) as a new immutable version.

    \b
    Example:
      fcinfra versions publish my-svc -d "build 1f2e3d"

    Fails with a clear message when nothing changed since the last published version.
    """
    out = Output(output)
    version = conn.any_client().publish_version(service, description=description)
    if out.json:
        out.emit(version)
    else:
        out.console.print(f"published version [bold]{version.version_id}[/] of {service}")


@versions.command("delete")
@click.argument("service")
@click.argument("version_id", metavar="VERSION")
@connection_options
@output_option
def versions_delete(conn: Connection, output: str, service: str, version_id: str) -> None:
    """Delete VERSION of SERVICE, refusing if an alias or trigger still uses it.

    \b
    Example:
      fcinfra versions delete my-svc 3
    """
    out = Output(output)
    lifecycle(conn).delete_version_safely(conn.any_client(), service, version_id)
    if out.json:
        out.emit({"deleted": [version_id]})
    else:
        out.console.print(f"deleted version {version_id} of {service}")


@versions.command("prune")
@click.argument("service")
@click.option("--keep-last", default=5, show_default=True, type=click.IntRange(0),
              help="Keep this many newest versions (versions in use are always kept).")
@click.option("--dry-run", is_flag=True, help="Only show what would be deleted.")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking (needed when stdin is not a terminal).")
@connection_options
@output_option
def versions_prune(conn: Connection, output: str, service: str, keep_last: int, dry_run: bool, yes: bool) -> None:
    """Delete old versions of SERVICE, keeping the newest, every version an alias or trigger uses and the
    version each alias's `fcinfra undo` would go back to. Asks before deleting (or pass --yes).

    \b
    Examples:
      fcinfra versions prune my-svc --keep-last 5 --dry-run
      fcinfra versions prune my-svc --keep-last 5 --yes
    """
    from fcinfra.cli.commands_history import undo_targets

    out = Output(output)
    client = conn.any_client()
    prune_versions = lifecycle(conn).prune_versions
    protect = undo_targets(client, service)  # the history is in the service's (FC 3.0: function's) tags
    if not dry_run and not yes:
        doomed = prune_versions(client, service, keep_last=keep_last, dry_run=True, protect=protect)
        if doomed and not click.confirm(f"delete versions {', '.join(doomed)} of {service}?", err=True):
            raise click.ClickException("nothing deleted (pass --yes to delete without asking)")
    removed = prune_versions(client, service, keep_last=keep_last, dry_run=dry_run, protect=protect)
    if out.json:
        out.emit({"dry_run": dry_run, "deleted": [] if dry_run else removed,
                  "would_delete": removed if dry_run else []})
    elif not removed:
        out.console.print("nothing to prune")
    else:
        verb = "would delete" if dry_run else "deleted"
        out.console.print(f"{verb} versions {', '.join(removed)} of {service}")


# ------------------------------------------------------------------------------------------------- alias


def _describe_split(version_id: str, weights: dict[str, float]) -> str:
    if not weights:
        return f"100% -> version {version_id}"
    (extra, weight), = weights.items()
    main_pct = round((1 - weight) * 100, 2)
    return f"{main_pct:g}% -> version {version_id}, {round(weight * 100, 2):g}% -> version {extra}"


@click.group(short_help="List, show, point and delete aliases.")
def alias() -> None:
    """List, read, point or delete an alias (a named pointer to one version, optionally with a weighted canary).

    \b
    Examples:
      fcinfra alias list my-svc
      fcinfra alias get my-svc prod
      fcinfra alias set my-svc prod --version 3
      fcinfra alias set my-svc prod --version 3 --canary-version 4 --weight 10
    """


@alias.command("get")
@click.argument("service")
@click.argument("name")
@connection_options
@output_option
def alias_get(conn: Connection, output: str, service: str, name: str) -> None:
    """Show alias NAME of SERVICE and its traffic split.

    \b
    Example:
      fcinfra alias get my-svc prod
    """
    out = Output(output)
    a = conn.any_client().get_alias(service, name)
    if out.json:
        out.emit(a)
    else:
        split = _describe_split(a.version_id, a.additional_version_weight)
        out.console.print(f"alias [bold]{a.alias_name}[/] of {service}: {split}")


@alias.command("set")
@click.argument("service")
@click.argument("name")
@click.option("--version", "version_id", required=True, metavar="VERSION", help="Main version (or LATEST).")
@click.option("--canary-version", metavar="VERSION", multiple=True,
              help="Additional version that gets --weight of the traffic (FC allows one).")
@click.option("--weight", metavar="PERCENT", multiple=True,
              help="Whole percent of traffic for --canary-version (0..100).")
@click.option("--description", help="Alias description.")
@click.option("--force", is_flag=True, help="Change the alias even while a live rollout is moving it (it then stops).")
@connection_options
@output_option
def alias_set(conn: Connection, output: str, service: str, name: str, version_id: str,
              canary_version: tuple[str, ...], weight: tuple[str, ...], description: str | None,
              force: bool) -> None:
    """Create alias NAME of SERVICE, or point it at another version (clears any canary unless given).

    \b
    Examples:
      fcinfra alias set my-svc prod --version 1
      fcinfra alias set my-svc prod --version 1 --canary-version 2 --weight 10

    For a gradual, health-checked move use `fcinfra rollout` instead.
    """
    from fcinfra.errors import NotFoundError

    weights = _canary_weights(version_id, canary_version, weight)
    out = Output(output)
    client = conn.any_client()
    try:
        current = client.get_alias(service, name)
    except NotFoundError:
        a = client.create_alias(service, name, version_id, description=description,
                                additional_version_weight=weights or None)
        verb = "created"
    else:
        from fcinfra.rollout.lease import split

        own, lease = split(current.description)
        if lease is not None and lease.live(time.time()):
            if not force:
                raise click.ClickException(
                    f"alias {name} of {service} is being moved by a live {lease.describe()}: setting it now would "
                    f"stop that rollout. Use `fcinfra promote`/`fcinfra rollback`, or pass --force")
            out.err.print(f"Warning: overriding the live {lease.describe()}; it will stop at its next look",
                          soft_wrap=True)
        changes: dict[str, object] = {"version_id": version_id, "additional_version_weight": weights}
        if description is not None or lease is not None:  # a lease is the rollout's, not the alias's: drop it
            changes["description"] = own if description is None else description
        a = client.update_alias(service, name, if_match=current.etag, **changes)  # type: ignore[arg-type]
        verb = "updated"
    if out.json:
        out.emit(a)
    else:
        out.console.print(f"{verb} alias [bold]{a.alias_name}[/] of {service}: "
                          f"{_describe_split(a.version_id, a.additional_version_weight)}")


def _canary_weights(main: str, canaries: tuple[str, ...], weights: tuple[str, ...]) -> dict[str, float]:
    """``--canary-version``/``--weight`` as FC's additionalVersionWeight; misuse is a usage error (exit 2)."""
    if len(canaries) > 1 or len(weights) > 1:
        given = f"--canary-version {', '.join(canaries) or '-'} and --weight {', '.join(weights) or '-'}"
        raise click.UsageError(f"an FC alias has at most one canary version besides its main one; got {given}")
    if bool(canaries) != bool(weights):
        raise click.UsageError("--canary-version and --weight go together")
    if not canaries:
        return {}
    if canaries[0] == main:
        raise click.BadParameter(f"version {main} is already the main version; pick another",
                                 param_hint="--canary-version")
    try:
        pct = parse_percent(weights[0])
    except click.BadParameter as exc:
        raise click.BadParameter(f"{weights[0]!r} is not a whole percentage (0..100)", param_hint="--weight") from exc
    if pct > 100:
        raise click.BadParameter(f"{pct} is above 100", param_hint="--weight")
    from fcinfra.rollout.spec import to_fc_weight

    return {canaries[0]: to_fc_weight(pct)}
