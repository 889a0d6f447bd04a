"""``fcinfra traffic``: simulated user traffic through an alias, for demos and for testing traffic gates."""

from __future__ import annotations

import click

from fcinfra.cli.options import Connection, connection_options, output_option
from fcinfra.cli.parsing import parse_duration, read_payload
from fcinfra.display.output import Output


@click.command(short_help="Send simulated user traffic through an alias.")
@click.argument("service")
@click.argument("alias")
@click.option("--function", "-f", "function", help="The function to call (required on FC 2.0; under "
              "`fcinfra fc3` the alias's own function, the default).")
@click.option("--rate", "-r", type=click.FloatRange(0, 1000, min_open=True), default=10.0, show_default=True,
              help="Requests per second.")
@click.option("--count", "-n", type=click.IntRange(1, 100_000), help="Stop after this many requests.")
@click.option("--duration", "-d", metavar="DURATION", help="Stop after this long: 90, 90s, 5m (at most 24h).")
@click.option("--payload", "-p", "payloads", multiple=True, metavar="TEXT|@FILE",
              help="An event: literal text or @file. Repeat for a mix of payloads.")
@click.option("--weights", metavar="W1,W2,...", help="Relative weight of each --payload, in order (default: equal).")
@click.option("--via", type=click.Choice(["invoke", "http"]), default="invoke", show_default=True,
              help="Call through InvokeFunction, or through the function's HTTP trigger bound to ALIAS.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the payload choice (repeatable runs).")
@connection_options
@output_option
def traffic(conn: Connection, output: str, service: str, alias: str, function: str | None, rate: float,
            count: int | None,
            duration: str | None, payloads: tuple[str, ...], weights: str | None, via: str, seed: int) -> None:
    """Call FUNCTION through ALIAS of SERVICE at --rate requests/s with a mix of payloads, like users would.

    \b
    Examples:
      fcinfra traffic my-svc prod -f quote --rate 20 --duration 2m \\
          -p '{"item": "pear"}' -p '{"item": "fig"}' --weights 9,1
      fcinfra traffic my-svc prod -f quote -n 200 -o json

    Give exactly one of --count and --duration: the run always stops by itself. Every request is a real
    invocation of your function, so use payloads that are safe to repeat. A failed request is reported,
    not fatal: the summary shows calls and errors per version that answered.
    """
    from fcinfra.rollout.traffic.load import send_traffic

    if (count is None) == (duration is None):
        raise click.UsageError("give exactly one of --count and --duration")
    if conn.fc3 and function not in (None, service):  # an FC 3.0 alias belongs to one function
        raise click.BadParameter(f"on FC 3.0 alias {alias} belongs to function {service}: the traffic can only "
                                 f"call {service}", param_hint="--function")
    if function is None and not conn.fc3:
        raise click.UsageError("Missing option '--function' / '-f'.")
    function = function or service
    bodies = [read_payload(p) for p in payloads] or [b""]
    if weights is None:
        mix = [(b, 1.0) for b in bodies]
    else:
        try:
            values = [float(w) for w in weights.split(",")]
        except ValueError:
            raise click.BadParameter(f"{weights!r} is not a comma-separated list of numbers",
                                     param_hint="--weights") from None
        if len(values) != len(bodies):
            raise click.BadParameter(f"{len(values)} weights for {len(bodies)} payloads", param_hint="--weights")
        mix = list(zip(bodies, values, strict=True))
    seconds = parse_duration(duration) if duration is not None else None
    out = Output(output)
    client = conn.any_client()
    report = send_traffic(client, service, alias, function, rate=rate, count=count, duration=seconds,
                          payloads=mix, via=via, seed=seed)  # type: ignore[arg-type]
    if out.json:
        out.emit({"service": service, "alias": alias, "function": function, **report.to_dict()})
        return
    from rich.table import Table

    table = Table(title=f"{report.sent} calls to {service}.{alias}/{function} in {report.seconds:.1f}s")
    table.add_column("version")
    table.add_column("calls", justify="right")
    table.add_column("errors", justify="right")
    for version, row in sorted(report.by_version.items()):
        table.add_row(version, str(row.calls), f"[red]{row.errors}[/]" if row.errors else "0")
    out.console.print(table)
    for kind, n in sorted(report.errors.items()):
        out.console.print(f"  {n} x {kind}")
