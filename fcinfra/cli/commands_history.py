"""``fcinfra history`` and ``fcinfra undo``, plus the two hooks the release commands call: refuse to canary a
version that was rolled back (unless ``--force``) and record how a release ended. The history itself is
:mod:`fcinfra.history` (tags on the service, readable by every later run)."""

from __future__ import annotations

from typing import Any

import click

from fcinfra.cli.options import (
    ACCESS_KEY_ID,
    Connection,
    command_prefix,
    connection_options,
    output_option,
)
from fcinfra.display.output import Output


def _by() -> str | None:
    """The access key id the command signs with (only the secret is secret)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(ACCESS_KEY_ID) if ctx is not None else None


def refuse_rolled_back(client: Any, service: str, alias: str, version: str, force: bool) -> None:
    """A version an earlier run rolled back (or aborted, or undid) on this alias is not canaried again unless
    ``--force``: exit 2 (ReleaseCheckError), nothing written."""
    from fcinfra.errors import ReleaseCheckError
    from fcinfra.history import refusal

    if force:
        return
    entries = readable(client, service)
    if entries is None:
        return
    found = refusal(entries, alias, version)
    if found is not None:
        when = _when(found.at)
        what = found.outcome.replace("_", " ")
        why = f" ({found.reason})" if found.reason else ""
        cli = command_prefix()
        raise ReleaseCheckError(f"version {version} was {what} on {service}/{alias} at {when}{why}: pass --force (or "
                                f"use `{cli} retry`) to release it again; `{cli} history {service} {alias}` "
                                "shows why")


def readable(client: Any, service: str) -> list[Any] | None:
    """The service's (FC 3.0: function's) history, or None (with a warning) when it cannot be read: without the
    account id and region its ARN is unknown (a bare --endpoint), so a run goes on without history."""
    from fcinfra.errors import ConfigurationError
    from fcinfra.history import read

    try:
        return read(client, service)
    except ConfigurationError as exc:
        click.echo(f"Warning: release history unavailable: {exc}", err=True)
        return None


def record_result(client: Any, out: Output, result: Any, outcome: str | None = None) -> None:
    """Record a release that ended (:func:`fcinfra.history.record_result`, the one rule); a failure to record
    is a warning on stderr, never a different outcome."""
    from fcinfra.history import record_result as record

    why = record(client, result, outcome, _by())
    if why:
        out.err.print(f"Warning: {why}", soft_wrap=True)


def _when(at: int) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(at, datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


@click.command(short_help="Show an alias's recorded releases (kept in FC's tags).")
@click.argument("service")
@click.argument("alias_name", metavar="ALIAS")
@connection_options
@output_option
def history(conn: Connection, output: str, service: str, alias_name: str) -> None:
    """Show the releases recorded on ALIAS of SERVICE, oldest first: when, from/to, outcome, by whom, why.

    \b
    Every rollout, promote, rollback and undo records how it ended in the service's tags (FC keeps them with
    the service, so every machine sees the same history); the newest 10 entries are kept.

    \b
    Example:
      fcinfra history my-svc prod
    """
    from fcinfra.history import read

    out = Output(output)
    entries = read(conn.any_client(), service, alias_name)
    if out.json:
        out.emit([e.to_dict() for e in entries])
        return
    if not entries:
        out.console.print(f"no recorded releases of {service}/{alias_name}")
        return
    from rich.table import Table

    table = Table(title=f"releases of {service}/{alias_name}")
    for col in ("when (UTC)", "from", "to", "outcome", "by", "reason"):
        table.add_column(col)
    for e in entries:
        table.add_row(_when(e.at), e.from_version, e.to_version, e.outcome, e.by, e.reason)
    out.console.print(table)


@click.command(short_help="Back to the previous main version in one alias write.")
@click.argument("service")
@click.argument("alias_name", metavar="ALIAS")
@connection_options
@output_option
def undo(conn: Connection, output: str, service: str, alias_name: str) -> None:
    """Send all of ALIAS's traffic back to the main version it had before its last promotion: one write.

    \b
    The previous version comes from the release history (`fcinfra history`); undo is refused (exit 2,
    nothing written) when the history does not name one, when that version was deleted, or while a canary
    is live (use `fcinfra rollback`). `versions prune` never deletes the version undo would go back to.

    \b
    Example:
      fcinfra undo my-svc prod
    """
    from fcinfra.cli.commands_rollout import _print_change
    from fcinfra.errors import ReleaseCheckError
    from fcinfra.history import read, undo_target
    from fcinfra.rollout import rollback as do_rollback

    out = Output(output)
    client = conn.any_client()
    cli = command_prefix()
    current = client.get_alias(service, alias_name)
    if current.additional_version_weight:
        canary = ", ".join(current.additional_version_weight)
        raise ReleaseCheckError(f"{service}/{alias_name} has a canary ({canary}): a rollout is live or stopped half "
                                f"way; use `{cli} rollback {service} {alias_name}`")
    target = undo_target(read(client, service, alias_name), alias_name, current.version_id)
    if target is None:
        raise ReleaseCheckError(f"the history of {service}/{alias_name} names no promotion of version "
                                f"{current.version_id}, so there is no previous version to go back to "
                                f"(`{cli} history {service} {alias_name}`); use `{cli} rollback --to-version`")
    if target not in {v.version_id for v in client.list_versions(service)}:
        raise ReleaseCheckError(f"version {target}, the main version before {current.version_id}, was deleted: "
                                "nothing to go back to")
    result = do_rollback(client, service, alias_name, target, function_level=conn.fc3)  # refusals: exit 2
    record_result(client, out, result, "undone")
    _print_change(out, result, "undone")


def undo_targets(client: Any, service: str) -> set[str]:
    """The version each alias of SERVICE (FC 3.0: the function) would go back to on `undo` (prune keeps them)."""
    from fcinfra.history import undo_target

    entries = readable(client, service) or []  # unreadable history: no undo is possible either
    targets = {undo_target(entries, a.alias_name, a.version_id) for a in client.list_aliases(service)}
    return {t for t in targets if t is not None}


@click.command(short_help="Roll out a version that was rolled back, again (rollout --force).",
               context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def retry(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Start a rollout of a version an earlier run rolled back (or aborted, or undid): `fcinfra rollout`
    with --force. Takes rollout's arguments and options; see `fcinfra rollout --help`.

    \b
    Example:
      fcinfra retry my-svc prod 3 --steps 10,50,100 --interval 2m --probe-function quote
    """
    from fcinfra.cli.commands_rollout import rollout

    if not args or args[0] in ("-h", "--help"):
        click.echo(ctx.get_help())
        ctx.exit(0)
    sub = rollout.make_context(f"{ctx.command_path}", [*args, "--force"], parent=ctx)
    with sub:
        rollout.invoke(sub)


@click.command(short_help="Stop a running rollout from anywhere: one rollback write.")
@click.argument("service")
@click.argument("alias_name", metavar="ALIAS")
@connection_options
@output_option
def abort(conn: Connection, output: str, service: str, alias_name: str) -> None:
    """Stop the rollout moving ALIAS: one write sends all traffic back to the main version and marks the
    rollout aborted; the running `fcinfra rollout` (any machine) notices at its next check and ends with
    status aborted (exit 1). Nothing to abort (no canary): exit 0, no write.

    \b
    Example:
      fcinfra abort my-svc prod
    """
    from fcinfra.cli.commands_rollout import _print_change
    from fcinfra.rollout import abort as marks
    from fcinfra.rollout.lease import split
    from fcinfra.rollout.result import RolloutResult

    out = Output(output)
    client = conn.any_client()
    current = client.get_alias(service, alias_name)
    main = current.version_id
    canary = next(iter(current.additional_version_weight), None)
    if canary is None:
        result = RolloutResult("aborted", service, alias_name, main, main, [],
                               f"nothing to abort: {service}/{alias_name} sends all traffic to version {main}",
                               alias_reads=1)
        _print_change(out, result, "nothing to do")
        return
    own, lease = split(current.description)
    own = marks.split(own)[0]
    description = own if lease is None else marks.render(own, marks.AbortMark(lease.id, _by() or ""))
    client.update_alias(service, alias_name, version_id=main, additional_version_weight={},
                        description=description, if_match=current.etag)
    who = f"rollout {lease.id} of version {canary}" if lease is not None else f"the canary of version {canary}"
    result = RolloutResult("aborted", service, alias_name, main, canary, [0],
                           f"aborted {who}: {service}/{alias_name} sends all traffic to version {main}",
                           alias_reads=1, alias_writes=1)
    record_result(client, out, result)
    _print_change(out, result, "aborted")
