"""``fcinfra rollout``, ``promote``, ``rollback`` and ``status``: staged canary releases of an alias."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from fcinfra.cli.hook_options import hook_options
from fcinfra.cli.notify_options import notification_options
from fcinfra.cli.options import Connection, connection_options, output_option
from fcinfra.cli.parsing import DURATION, read_payload
from fcinfra.cli.strategy import build_strategy, schedule_document
from fcinfra.display.output import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_ROLLED_BACK,
    EXIT_TERMINATED,
    EXIT_UNFINISHED,
    Output,
)

ROLLOUT_HELP = """Move alias ALIAS of SERVICE to VERSION in health-checked steps; promote or roll back.

VERSION is a published version number (`fcinfra versions list SERVICE`; publish LATEST with
`fcinfra deploy ... --publish` or `fcinfra versions publish`).

\b
Each step writes the alias once (the new version gets the step's share of traffic), then bakes for
--interval while the health gates probe it. Reaching 100% is the promotion: VERSION becomes the alias's
main version with no canary left. A failed gate rolls back with one write. The alias itself is the
rollout's state, so re-running the same command after a crash resumes where it stopped.

\b
Examples:
  fcinfra rollout my-svc prod 3 --dry-run
  fcinfra rollout my-svc prod 3 --steps 10,25,50,100 --interval 5m \\
      --probe-function quote --payload '{"item": "pear"}' --samples 50 --max-error-rate 0.01
  fcinfra rollout my-svc prod 3 --canary 10 --interval 10m --pause-at 10   # then: fcinfra promote my-svc prod
  fcinfra rollout my-svc prod 3 --linear 20 --interval 1m -o json           # JSON lines for CI

\b
Health probes invoke your function with your --payload: they run production code, so choose a payload
that is safe to repeat (a read, a dry-run flag). Without --probe-function the steps only wait.

\b
\b
Before any traffic moves it checks that ALIAS, VERSION and the probe function exist and that VERSION is
not already the main version; --dry-run makes the same checks. Health options need a gate
(--probe-function); with --all-at-once the gate checks VERSION directly before its one write.

\b
Exit status: 0 promoted, 3 rolled back (or refused by the pre-traffic check), 4 stopped by --timeout at
a planned weight, before a weight it could not bake (re-run to resume), 2 bad usage or refused by the
checks before traffic moves, 1 error, someone else changed the alias, or another live rollout holds it,
130 interrupted (Ctrl-C) and 143 terminated (SIGTERM): the alias stays where it was, re-run to resume.
"""


def _published_version(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A rollout moves traffic between published versions; LATEST or an alias name cannot be one."""
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(
            f"{value!r} is not a published version number (e.g. 3). Publish LATEST first: "
            "`fcinfra versions publish SERVICE` or `fcinfra deploy ... --publish`")
    return str(int(value))


@click.command(help=ROLLOUT_HELP, short_help="Shift an alias to a version in health-checked canary steps.")
@click.argument("service")
@click.argument("alias_name", metavar="ALIAS")
@click.argument("version", metavar="VERSION", callback=_published_version)
@click.option("--steps", metavar="W1,W2,...",
              help="Whole percents, increasing; 100 is added if missing. Default: 10,25,50,100.")
@click.option("--canary", metavar="PERCENT", help="Canary PERCENT for one interval, then 100%.")
@click.option("--linear", metavar="STEP", help="+STEP percent every interval until 100%.")
@click.option("--all-at-once", is_flag=True,
              help="Straight to 100% in one write; with --probe-function, VERSION is probed directly first.")
@click.option("--interval", default="60s", show_default=True, metavar="DURATION", type=DURATION,
              help="Bake time at each weight: 30, 30s, 5m, 1h.")
@click.option("--pause-at", "pauses", multiple=True, metavar="WEIGHT[:DURATION]",
              help="Hold at WEIGHT after its bake: for DURATION, or until `fcinfra promote` if none. Repeatable.")
@click.option("--dry-run", is_flag=True,
              help="Check VERSION, ALIAS and the probe function, print the schedule and where a run would start; "
                   "change nothing.")
@click.option("--probe-function", metavar="FUNCTION", help="Invoke this function of SERVICE to judge health.")
@click.option("--gate", "gate_specs", multiple=True, metavar="TYPE:KEY=VALUE,...",
              help="A gate on real traffic (repeatable): sls:project=P,logstore=L,function=F; cms:function=F; "
                   "prometheus:url=URL,function=F (docs/gates.md).")
@click.option("--payload", "payloads", multiple=True, metavar="TEXT|@FILE",
              help="Probe event: literal text or @file. Repeat to probe with each in turn. Default: empty.")
@click.option("--samples", default=20, show_default=True, type=click.IntRange(1),
              help="Probe results of the new version needed before a verdict (fewer: keep waiting).")
@click.option("--max-error-rate", default=0.05, show_default=True, type=click.FloatRange(0, 1),
              help="Roll back if the new version's error rate is above this fraction.")
@click.option("--max-latency-ms", type=click.FloatRange(0), help="Roll back if p95 latency is above this.")
@click.option("--max-error-rate-increase", type=click.FloatRange(0, 1),
              help="Roll back if the new version fails this much more often than the main version (0.02 = +2%).")
@click.option("--probe-mode", type=click.Choice(["alias", "direct"]), default="alias", show_default=True,
              help="alias: call through ALIAS (real routing) and judge the calls VERSION served; "
                   "direct: call VERSION by its number, so every sample is about it.")
@click.option("--pre-traffic", is_flag=True,
              help="Probe VERSION directly before any traffic moves; refuse the rollout if it fails.")
@click.option("--timeout", "time_budget", metavar="DURATION", type=DURATION,
              help="Stop after this long, before a weight it could not bake to the end (re-run to resume).")
@click.option("--check-every", metavar="DURATION", type=DURATION,
              help="How often gates are checked while baking. Default: a quarter of --interval, 1s..10s.")
@click.option("--force", is_flag=True, help="Release VERSION even though an earlier run rolled it back on ALIAS.")
@click.option("--report", "report_path", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an HTML report (weights and verdicts over time, with a chart) to PATH at the end.")
@hook_options
@notification_options
@connection_options
@output_option
def rollout(conn: Connection, output: str, service: str, alias_name: str, version: str, steps: str | None,
            canary: str | None, linear: str | None, all_at_once: bool, interval: float, pauses: tuple[str, ...],
            dry_run: bool, probe_function: str | None, payloads: tuple[str, ...], samples: int,
            max_error_rate: float, max_latency_ms: float | None, max_error_rate_increase: float | None,
            probe_mode: str, pre_traffic: bool, check_every: float | None, time_budget: float | None,
            force: bool = False, notifier: Any = None, pre_hook: Any = None, post_hook: Any = None,
            post_bake: float = 0.0, report_path: Path | None = None, gate_specs: tuple[str, ...] = ()) -> None:
    out = Output(output)
    ends = RunEnd(out, service, alias_name, version, command="fcinfra fc3" if conn.fc3 else "fcinfra")
    with ends.reported():
        strategy = build_strategy(steps, canary, linear, all_at_once, interval, pauses)
        _refuse_gate_options_without_a_gate(click.get_current_context(), has_gate=bool(probe_function))
        for flag, seconds in (("--timeout", time_budget), ("--check-every", check_every)):
            if seconds is not None and seconds <= 0:  # 0 would silently mean "no budget" / "the default"
                raise click.BadParameter("must be more than 0", param_hint=flag)
        if time_budget is not None:
            from fcinfra.errors import InvalidArgumentError
            from fcinfra.rollout.runner import check_time_budget

            try:
                check_time_budget(time_budget, strategy.plan())
            except InvalidArgumentError as exc:
                raise click.BadParameter(str(exc), param_hint="--timeout") from None
        health: list[Any] = []
        if probe_function:
            health.append(_invoke_probe(probe_function, [read_payload(p) for p in payloads] or [b""], samples,
                                        max_error_rate, max_latency_ms, max_error_rate_increase, probe_mode))
        if conn.fc3 and gate_specs:  # FC 2.0 services only
            raise click.UsageError("--gate is not available on FC 3.0 yet")
        if conn.fc3 and probe_function not in (None, service):  # an FC 3.0 alias belongs to one function
            raise click.BadParameter(f"on FC 3.0 alias {alias_name} belongs to function {service}: the probe "
                                     f"can only invoke {service}", param_hint="--probe-function")
        traffic_specs = _traffic_gate_specs(gate_specs)
        client = conn.any_client()
        health += _traffic_gates(traffic_specs, client)
        # FC 3.0: the alias's owner is the probed function itself, so there is no other function to look up
        current = _checked(client, service, alias_name, version, None if conn.fc3 else probe_function, conn.fc3)
        from fcinfra.cli.commands_history import refuse_rolled_back  # history: service (FC 3.0: function) tags

        refuse_rolled_back(client, service, alias_name, version, force)
        if dry_run:
            _print_dry_run(out, strategy, service, alias_name, version, probe_function, samples, max_error_rate,
                           current)
            return
        from fcinfra.display.progress import RolloutDisplay
        from fcinfra.rollout import Rollout

        every = check_every if check_every is not None else _default_check_every(strategy)
        display = RolloutDisplay(out, service, alias_name, version, strategy)
        ends.display = display
        sinks = [display.handle] if notifier is None else [display.handle, notifier]  # notify: never the outcome
        report = _Report(service, alias_name, current.version_id, version, probe_function, max_error_rate) \
            if report_path is not None else None
        if report is not None:
            sinks.append(report.recorder)
        from fcinfra.gate_board import GateBoard  # the latest verdicts in a tag, for `status --watch` elsewhere

        sinks.append(GateBoard(client, service, alias_name, every=max(every, 5.0)))
        runner = Rollout(client, service=None if conn.fc3 else service, function=service if conn.fc3 else None,
                         alias=alias_name, to_version=version, strategy=strategy,
                         health=health, on_event=sinks,
                         pre_traffic=pre_traffic if pre_hook is None else  # the hook is one more pre-traffic gate
                         [*(health if pre_traffic or all_at_once else []), pre_hook],
                         check_every=every, poll_every=every, time_budget=time_budget,
                         look_every=every)  # `fcinfra abort` elsewhere: seen at the next check
        try:
            with display:
                result = runner.run()
            if post_hook is not None:
                result = _post_traffic(client, result, post_hook, post_bake, sinks)
        finally:
            for failure in notifier.close() if notifier is not None else []:
                out.err.print(f"Warning: {failure}", soft_wrap=True)
        _record(client, out, result)
        if report is not None and report_path is not None:
            out.err.print(f"report: {report.write(result, report_path)}", soft_wrap=True)
        display.finish(result)
    raise SystemExit(exit_code_for(result.status))


class _Report:
    """--report: the demo's report (fcinfra/demo/report.py) drawn from this rollout's events."""

    def __init__(self, service: str, alias: str, main: str, version: str, probe: str | None,
                 max_error_rate: float) -> None:
        from fcinfra.demo.report import Recorder, Release

        self.title = f"{service}/{alias}: version {main} -> {version}"
        self.release = Release(f"version {version}", main, version, max_error_rate=max_error_rate if probe else None)
        self.release.add(0.0, 0, None, f"start: {alias} = version {main}")
        self.recorder = Recorder(self.release)

    def write(self, result: Any, path: Path) -> Path:
        from fcinfra.demo.report import Timeline, write_report

        self.release.outcome, self.release.reason = result.status, result.reason
        if result.status == "rolled_back" and (not self.release.points or self.release.points[-1].weight):
            self.release.add(result.duration, 0, None, "rolled back")  # e.g. by a post-traffic hook
        steps = [(result.duration, f"version {result.to_version}: {result.status.replace('_', ' ')}: "
                                   f"{result.reason}")]
        return write_report(Timeline(self.title, [self.release], steps=steps), path)


def _post_traffic(client: Any, result: Any, hook: Any, bake: float, sinks: list[Any]) -> Any:
    """The post-traffic hook after the promotion (rollout/hooks.py); a failure rolls back, and is told."""
    from fcinfra.rollout.hooks import after_promotion

    return after_promotion(client, result, hook, bake, on_event=sinks)


GATE_OPTIONS = ("payloads", "samples", "max_error_rate", "max_latency_ms", "max_error_rate_increase", "probe_mode",
                "pre_traffic")


def _traffic_gate_specs(texts: tuple[str, ...]) -> list[dict[str, Any]]:
    """``--gate`` values parsed and checked before anything is read or changed (bad ones exit 2)."""
    from fcinfra.errors import InvalidArgumentError
    from fcinfra.rollout.traffic.specs import GateCredentials, gate_from_spec, parse_gate_option

    specs = []
    for text in texts:
        try:
            spec = parse_gate_option(text)
            gate_from_spec(spec, GateCredentials("cn-hangzhou", "validation-only", "validation-only"))
        except InvalidArgumentError as exc:
            raise click.BadParameter(str(exc), param_hint="--gate") from None
        specs.append(spec)
    return specs


def _traffic_gates(specs: list[dict[str, Any]], client: Any) -> list[Any]:
    """Issue 14's gates on real traffic, querying with the access key the FC client uses."""
    from fcinfra.rollout.traffic.specs import credentials_from_client, gate_from_spec

    needs_key = any(spec["type"] in ("sls", "cms") for spec in specs)
    credentials = credentials_from_client(client) if needs_key else None
    return [gate_from_spec(spec, credentials) for spec in specs]


def _refuse_gate_options_without_a_gate(ctx: click.Context, has_gate: bool) -> None:
    """A threshold given without any gate would be silently ignored: the rollout would go unchecked."""
    if has_gate:
        return
    from click.core import ParameterSource

    given = [p for p in ctx.command.params if p.name in GATE_OPTIONS
             and ctx.get_parameter_source(p.name) not in (None, ParameterSource.DEFAULT)]
    if given:
        flags = ", ".join(sorted({p.opts[0] for p in given}))
        raise click.UsageError(f"{flags} configure a health gate, but no gate was given: add --probe-function "
                               "FUNCTION (without a gate the steps only wait)")


def _checked(client: Any, service: str, alias_name: str, version: str, probe_function: str | None,
             fc3: bool = False) -> Any:
    """Everything that can be checked before traffic moves; a refusal (``ReleaseCheckError``) is exit 2."""
    from fcinfra.rollout.preflight import check_release

    return check_release(client, service, alias_name, version, [probe_function] if probe_function else [],
                         function_level=fc3)


class RunEnd:
    """Makes every run end with a ``result`` line in JSON mode, and SIGTERM behave like Ctrl-C (exit 143)."""

    def __init__(self, out: Output, service: str, alias: str, version: str, command: str = "fcinfra") -> None:
        self.out, self.service, self.alias, self.version = out, service, alias, version
        self.command = command  # how the user calls fcinfra for this API (`fcinfra fc3` on FC 3.0)
        self.display: Any = None
        self.signal = 0

    @contextlib.contextmanager
    def reported(self) -> Iterator[None]:
        from fcinfra.errors import FcinfraError, ReleaseCheckError

        previous = signal.signal(signal.SIGTERM, self._terminated) if _main_thread() else None
        try:
            yield
        except KeyboardInterrupt:
            self._interrupted()
        except (FcinfraError, click.ClickException) as exc:
            usage = isinstance(exc, ReleaseCheckError | click.UsageError)
            status = "refused" if usage else "error"
            message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
            self._last_line(status, message)
            raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def _terminated(self, signum: int, frame: Any) -> None:
        self.signal = signum
        raise KeyboardInterrupt

    def _weight(self) -> int | None:
        return None if self.display is None else self.display.weight

    def _last_line(self, status: str, reason: str) -> None:
        if self.out.json:  # machines get a last line too, in one shape for every early end
            self.out.emit({"kind": "result", "status": status, "service": self.service, "alias": self.alias,
                           "to_version": self.version, "weight": self._weight(), "reason": reason})

    def _interrupted(self) -> NoReturn:
        name = "SIGTERM" if self.signal == signal.SIGTERM else "Ctrl-C"
        weight = self._weight()
        where = f" at {weight}%" if weight is not None else ""
        self._last_line("interrupted", f"interrupted by {name}")
        self.out.err.print(f"Interrupted{' by SIGTERM' if name == 'SIGTERM' else ''}{where} on version "
                           f"{self.version}: the alias stays as it is. Run the same command to resume, or "
                           f"`{self.command} rollback {self.service} {self.alias}` to undo.", soft_wrap=True)
        raise SystemExit(EXIT_TERMINATED if self.signal == signal.SIGTERM else EXIT_INTERRUPTED)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _default_check_every(strategy: Any) -> float:
    bakes = [stage.bake for stage in strategy.plan() if stage.bake > 0]
    return min(10.0, max(1.0, min(bakes) / 4)) if bakes else 1.0


def exit_code_for(status: str) -> int:
    """0 promoted; 3 rolled back; 4 stopped unfinished at a planned weight (--timeout); 1 aborted."""
    if status == "promoted":
        return EXIT_OK
    if status == "rolled_back":
        return EXIT_ROLLED_BACK
    if status in ("in_progress", "paused"):
        return EXIT_UNFINISHED
    return 1


def _invoke_probe(function: str, payloads: list[bytes], samples: int, max_error_rate: float,
                  max_latency_ms: float | None, max_error_rate_increase: float | None, mode: str) -> Any:
    from fcinfra.rollout import InvokeProbe

    return InvokeProbe(function=function, payloads=payloads, samples=samples, max_error_rate=max_error_rate,
                       max_latency_ms=max_latency_ms, max_error_rate_increase=max_error_rate_increase,
                       mode="direct" if mode == "direct" else "alias")


def _print_dry_run(out: Output, strategy: Any, service: str, alias_name: str, version: str,
                   probe_function: str | None, samples: int, max_error_rate: float, current: Any) -> None:
    from fcinfra.rollout.engine import AliasView, resume_point

    plan = strategy.plan()
    observed = AliasView.from_alias(current)
    start = resume_point(plan, observed, version, 0.0)
    at = observed.weight if observed.canary_version == version else 0
    next_weights = [stage.weight for stage in plan[start.stage + 1:]]
    doc = schedule_document(strategy)
    if out.json:
        out.emit({"dry_run": True, "service": service, "alias": alias_name, "to_version": version, **doc,
                  "current_weight": at, "next_weights": next_weights})
        return
    out.console.print(f"[bold]Dry run[/]: roll alias [bold]{alias_name}[/] of {service} to version "
                      f"[bold]{version}[/]; nothing will change.")
    out.console.print(strategy.describe(), markup=False)
    gate = (f"health: invoke {probe_function}, {samples} samples per verdict, roll back above "
            f"{max_error_rate:.1%} errors" if probe_function else "health: none (steps only wait)")
    out.console.print(gate)
    where = f"resume at {at}% (found on the alias)" if at else f"start from {observed.describe()}"
    out.console.print(f"checked: alias, version {version}" + (f", function {probe_function}" if probe_function
                      else "") + f". A run now would {where}; next: {' -> '.join(f'{w}%' for w in next_weights)}")


# ------------------------------------------------------------------------------------- promote / rollback


@click.command(short_help="Move a rollout on: its next step, or (--full) 100% at once.")
@click.argument("service")
@click.argument("alias_name", metavar="ALIAS")
@click.option("--version", "to_version", metavar="VERSION",
              help="Make this version the main one instead of the alias's current canary (not an older one).")
@click.option("--full", is_flag=True, help="Straight to 100%: the canary becomes the main version now.")
@connection_options
@output_option
def promote(conn: Connection, output: str, service: str, alias_name: str, to_version: str | None,
            full: bool) -> None:
    """Move the rollout on ALIAS on: to its next planned weight, or with --full to 100% (one write).

    \b
    The answer to a manual pause (--pause-at): the running `fcinfra rollout` sees the new weight and goes
    on from there. At the last step, or with --full, the canary becomes the main version and the running
    rollout ends with status promoted.

    \b
    Examples:
      fcinfra promote my-svc prod                 # a pause at 10%: on to the next step
      fcinfra promote my-svc prod --full          # all traffic to the canary now
      fcinfra promote my-svc prod --version 4     # switch straight to version 4
    """
    from fcinfra.rollout import promote as do_promote

    out = Output(output)
    client = conn.any_client()
    result = do_promote(client, service, alias_name, to_version, full=full, function_level=conn.fc3)  # refusals: 2
    _record(client, out, result)
    _print_change(out, result, "promoted" if result.status == "promoted" else "moved on")


@click.command(short_help="Send all of an alias's traffic back (drop the canary).")
@click.argument("service")
@click.argument("alias_name", metavar="ALIAS")
@click.option("--to-version", metavar="VERSION",
              help="Send all traffic to this older version instead, e.g. to undo a promotion.")
@connection_options
@output_option
def rollback(conn: Connection, output: str, service: str, alias_name: str, to_version: str | None) -> None:
    """Send all of ALIAS's traffic back to its main version, dropping the canary (one write).

    \b
    A rollout running elsewhere notices and stops with status rolled_back. An alias that already sends all
    traffic there has nothing to undo: exit 0, no write. A newer --to-version is refused: that is a release.

    \b
    Examples:
      fcinfra rollback my-svc prod
      fcinfra rollback my-svc prod --to-version 2  # undo a promotion of version 3
    """
    from fcinfra.rollout import rollback as do_rollback

    out = Output(output)
    client = conn.any_client()
    result = do_rollback(client, service, alias_name, to_version, function_level=conn.fc3)  # refusals: exit 2
    _record(client, out, result)
    _print_change(out, result, "rolled back" if result.history else "nothing to do")


def _print_change(out: Output, result: Any, verb: str) -> None:
    if out.json:
        out.emit(result.to_dict())
    else:
        out.console.print(f"[bold]{verb}[/]: {result.reason}")


# ------------------------------------------------------------------------------------------------ status


def _gate_boards(client: Any, service: str) -> dict[str, Any]:
    """The running rollouts' latest gate verdicts (fcinfra/gate_board.py, on the service or FC 3.0 function);
    none when tags cannot be read."""
    from fcinfra import gate_board
    from fcinfra.errors import FcinfraError

    try:
        return gate_board.read(client, service)
    except FcinfraError:  # no account id/region (a bare --endpoint): no ARN to read tags by
        return {}


@click.command(short_help="Show aliases, rollouts in progress, triggers and versions.")
@click.argument("service")
@click.argument("alias_name", metavar="[ALIAS]", required=False)
@click.option("--steps", metavar="W1,W2,...",
              help="The rollout's schedule, to also show the weights still to come and the time they take.")
@click.option("--interval", default="60s", show_default=True, metavar="DURATION", type=DURATION,
              help="Bake time of that schedule.")
@click.option("--watch", "-w", is_flag=True,
              help="Look again every --every and show each change, until a rollout seen in progress ends.")
@click.option("--every", default="2s", show_default=True, metavar="DURATION", type=DURATION,
              help="How often --watch looks.")
@connection_options
@output_option
def status(conn: Connection, output: str, service: str, alias_name: str | None, steps: str | None,
           interval: float, watch: bool = False, every: float = 2.0) -> None:
    """Show SERVICE's aliases (traffic split, what a rollout in progress is doing), triggers and versions.

    \b
    Examples:
      fcinfra status my-svc
      fcinfra status my-svc prod --steps 10,25,50,100 --interval 5m
      fcinfra status my-svc -o json
      fcinfra status my-svc prod --watch          # a live view until the rollout ends
    """
    from fcinfra.display.progress import render_status, status_document
    from fcinfra.rollout import status as alias_status

    out = Output(output)
    client = conn.any_client()
    strategy = build_strategy(steps, None, None, False, interval) if steps else None

    def snapshot() -> dict[str, Any]:
        import time

        aliases = client.list_aliases(service)
        names = [alias_name] if alias_name else [a.alias_name for a in aliases]
        statuses = [alias_status(client, service, name, strategy, wall_now=time.time()) for name in names]
        triggers = _triggers(client, service, conn.fc3)
        doc = status_document(service, statuses, client.list_versions(service), triggers, aliases)
        boards = _gate_boards(client, service)
        for entry in doc["aliases"]:
            board = boards.get(entry["alias"])
            entry["gates"] = board.to_dict() if board is not None and entry["state"] != "stable" else None
        return doc

    if watch:  # issue 12: a live view (fcinfra/cli/watch.py)
        from fcinfra.cli.watch import watch_status

        watch_status(out, snapshot, every, lambda d: render_status(out.console, d))
        return
    doc = snapshot()
    if out.json:
        out.emit(doc)
    else:
        render_status(out.console, doc)


def _record(client: Any, out: Output, result: Any) -> None:
    """Record the release's end in the history (the service's tags; FC 3.0: the function's)."""
    from fcinfra.cli.commands_history import record_result

    record_result(client, out, result)


def _triggers(client: Any, owner: str, fc3: bool) -> list[tuple[str, Any]]:
    """(function, trigger) of every function of the service (FC 2.0), or of the function itself (FC 3.0)."""
    if fc3:
        return [(owner, t) for t in client.list_triggers(owner)]
    return [(fn.function_name, t) for fn in client.list_functions(owner)
            for t in client.list_triggers(owner, fn.function_name)]
