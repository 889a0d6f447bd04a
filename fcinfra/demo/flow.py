"""``fcinfra demo``: the seeds' whole story, end to end, on a local emulator, in well under a minute.

1. start the emulator on a free loopback port (a random access key pair; signatures are verified);
2. deploy ``examples/functions/v1`` as two functions, the event function ``quote`` and the HTTP function
   ``web`` (a WSGI app, as FC 2.0 calls functions behind an HTTP trigger), publish version 1, create alias
   ``prod``, bind an HTTP trigger on ``web`` to ``prod``, and call both: ``prod`` resolves to version 1;
3. deploy v2, publish version 2 and roll it out 10 -> 25 -> 50 -> 100 with health probes: promoted;
4. deploy v3 (fails on a third of its inputs), publish version 3, roll it out: the probe catches it at
   10 % and the alias goes back to version 2 alone;
5. print a summary table and write the HTML report with a chart of weight and error rate over time.

The probe sends a rotating set of orders (``ORDERS``), as real traffic would; v3 fails on the items it
forgot. Exit status 0 only if version 2 was promoted, version 3 rolled back and ``prod`` ends on version 2.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fcinfra.demo.package import function_code
from fcinfra.demo.report import Recorder, Release, Timeline, write_report
from fcinfra.display.output import Output
from fcinfra.release import FunctionSettings, publish_or_reuse, upload_code

if TYPE_CHECKING:
    from fcinfra.fc import FcClient

SERVICE = "demo-shop"
FUNCTION = "quote"  # the event function: invoked through the API and by the rollout's probe
WEB = "web"  # the HTTP function (WSGI) behind the alias-bound HTTP trigger
HANDLERS = {FUNCTION: "index.handler", WEB: "index.web"}
ALIAS = "prod"
TRIGGER = "http-prod"
RUNTIME = "python3.10"
STEPS = (10, 25, 50, 100)
MAX_ERROR_RATE = 0.05
ORDERS: tuple[dict[str, Any], ...] = tuple(
    {"item": item, "qty": qty}
    for qty, item in zip(itertools.cycle((1, 2, 3, 12)), ("apple", "pear", "fig", "plum", "kiwi", "lime") * 2,
                         strict=False)
)


def order_probe(samples: int) -> Any:
    """An InvokeProbe through the alias whose payload rotates over ``ORDERS`` (like real, varied traffic)."""
    from fcinfra.rollout.health import InvokeProbe

    return InvokeProbe(FUNCTION, samples=samples, max_error_rate=MAX_ERROR_RATE, name=f"invoke:{FUNCTION}",
                       payloads=[json.dumps(order) for order in ORDERS])


@dataclass
class DemoOutcome:
    v2: str = "not run"
    v3: str = "not run"
    final_alias: str = ""
    report: Path | None = None

    @property
    def ok(self) -> bool:
        return self.v2 == "promoted" and self.v3 == "rolled_back" and self.final_alias == "2"


class Narrator:
    """The demo's voice: rich lines for people; JSON lines (``{"kind": "demo", ...}``, like rollout events).
    """

    def __init__(self, out: Output, clock: Callable[[], float], timeline: Timeline | None = None) -> None:
        self.out = out
        self.clock = clock
        self.t0 = clock()
        self.timeline = timeline

    @property
    def now(self) -> float:
        return self.clock() - self.t0

    def step(self, text: str, **data: Any) -> None:
        if self.timeline is not None:
            self.timeline.steps.append((self.now, _plain(text)))
        if self.out.json:
            self.out.emit({"kind": "demo", "at": round(self.now, 3), "message": _plain(text), **data})
        else:
            self.out.console.print(f"[cyan]●[/] {text}")

    def detail(self, text: str) -> None:
        if not self.out.json:
            self.out.console.print(f"    [dim]{text}[/]", markup=True)

    def heading(self, text: str) -> None:
        if not self.out.json:
            self.out.console.print()
            self.out.console.rule(f"[bold]{text}[/]", align="left")


def _plain(text: str) -> str:
    from rich.text import Text

    return Text.from_markup(text).plain


def run_demo(
    interval: float = 1.0,
    samples: int = 20,
    report_path: Path = Path("fcinfra-report.html"),
    json_output: bool = False,
    *,
    out: Output | None = None,
    clock: Callable[[], float] = time.monotonic,
    wait_for_exit: Callable[[], None] | None = None,
) -> int:
    """Run the demo; returns the exit status (0 = v2 promoted, v3 rolled back, prod on version 2)."""
    from fcinfra.fake.server import Emulator

    out = out or Output("json" if json_output else "text")
    timeline = Timeline(f"fcinfra demo: canary releases of {SERVICE}/{FUNCTION} through alias {ALIAS}")
    say = Narrator(out, clock, timeline)
    outcome = DemoOutcome()
    if not out.json:
        out.console.print("[bold]fcinfra demo[/]: versions, an alias, an alias-bound HTTP trigger and two canary "
                          "releases, on a local Function Compute emulator (no cloud account needed).")
    key_id, secret = "demo-" + secrets.token_hex(4), secrets.token_urlsafe(24)
    with Emulator(port=0, access_keys={key_id: secret}) as emu:
        say.step(f"emulator listening on [bold]{emu.endpoint}[/] (account {emu.account_id}, {emu.region})",
                 endpoint=emu.endpoint)
        from fcinfra.fc import FcClient

        with FcClient(emu.account_id, emu.region, key_id, secret, endpoint=emu.endpoint) as client:
            _first_release(client, say)
            outcome.v2 = _rollout(client, say, timeline, "v2", "healthy", "1", interval, samples)
            outcome.v3 = _rollout(client, say, timeline, "v3", "buggy", "2", interval, samples)
            alias = client.get_alias(SERVICE, ALIAS)
            outcome.final_alias = alias.version_id if not alias.additional_version_weight else "split"
            versions = [v.version_id for v in client.list_versions(SERVICE)]
        timeline.notes.append(
            f"Probe: invoke:{FUNCTION} through alias {ALIAS}, each result attributed to the version FC reports; "
            f"{samples} samples of the new version per verdict; roll back above {MAX_ERROR_RATE:.0%} errors."
        )
        timeline.notes.append(f"Bake time per weight: {interval:g}s. Versions left: {', '.join(versions)}.")
        outcome.report = write_report(timeline, report_path)
        _summary(out, say, timeline, outcome, versions)
        if wait_for_exit is not None:
            _explore(out, emu.endpoint, emu.account_id, key_id, secret)
            wait_for_exit()
    return 0 if outcome.ok else 1


def wait_for_ctrl_c() -> None:
    """Block until Ctrl-C (``fcinfra demo --keep-running``)."""
    import contextlib
    import threading

    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def _explore(out: Output, endpoint: str, account_id: str, key_id: str, secret: str) -> None:
    """How to poke at the demo's emulator from another terminal (its key pair is throwaway)."""
    exports = (f"export FC_ENDPOINT={endpoint} ALIBABA_CLOUD_ACCOUNT_ID={account_id} "
               f"ALIBABA_CLOUD_ACCESS_KEY_ID={key_id} ALIBABA_CLOUD_ACCESS_KEY_SECRET={secret}")
    if out.json:
        out.emit({"kind": "emulator", "endpoint": endpoint, "account_id": account_id, "access_key_id": key_id})
        return
    out.console.print()
    out.console.print("The emulator keeps running until Ctrl-C. In another terminal (this key pair is throwaway):")
    out.console.print(f"  {exports}", markup=False, soft_wrap=True)
    out.console.print(f"  fcinfra status {SERVICE}", markup=False)
    out.console.print(f"  fcinfra invoke {SERVICE} {FUNCTION} -q {ALIAS} -n 20", markup=False)
    out.console.print(f"  curl '{endpoint}/2016-08-15/proxy/{SERVICE}.{ALIAS}/{WEB}/?item=lime&qty=2'",
                      markup=False, soft_wrap=True)


def _first_release(client: FcClient, say: Narrator) -> None:
    say.heading("First release: version 1 behind alias prod")
    code = function_code("v1")
    for name, handler in HANDLERS.items():
        upload_code(client, SERVICE, name, code, FunctionSettings(RUNTIME, handler, memory_size=128, timeout=10),
                    service_description="fcinfra demo shop", function_description="prices an order line")
    say.step(f"deployed functions [bold]{SERVICE}/{FUNCTION}[/] (event) and [bold]{SERVICE}/{WEB}[/] (HTTP, WSGI) "
             f"from examples/functions/v1 ({RUNTIME})")
    v1 = publish_or_reuse(client, SERVICE, description="v1")
    say.step(f"published version [bold]{v1.version_id}[/] (an immutable snapshot of the service and its code)",
             version=v1.version_id)
    client.create_alias(SERVICE, ALIAS, v1.version_id, description="production traffic")
    say.step(f"created alias [bold]{ALIAS}[/] -> version {v1.version_id}")
    client.create_trigger(SERVICE, WEB, TRIGGER, "http", {"authType": "anonymous", "methods": ["GET", "POST"]},
                          qualifier=ALIAS)
    say.step(f"bound HTTP trigger [bold]{TRIGGER}[/] of {WEB} to qualifier {ALIAS} (not to a version)")
    inv = client.invoke(SERVICE, FUNCTION, json.dumps({"item": "pear", "qty": 3}), qualifier=ALIAS)
    say.step(f"invoked {SERVICE}.{ALIAS}/{FUNCTION}: qualifier [bold]{ALIAS}[/] resolved to version "
             f"[bold]{inv.version_id}[/]", qualifier=ALIAS, version_id=inv.version_id)
    say.detail(f"POST /2016-08-15/services/{SERVICE}.{ALIAS}/functions/{FUNCTION}/invocations -> "
               f"{inv.payload.decode(errors='replace')}")
    http = client.http_trigger_request(SERVICE, ALIAS, WEB, "/", "GET", query={"item": "fig", "qty": "2"},
                                       sign=False)
    say.step(f"called the HTTP trigger: answered by version [bold]{http.version_id}[/] (status {http.status_code})",
             version_id=http.version_id, status_code=http.status_code)
    say.detail(f"GET /2016-08-15/proxy/{SERVICE}.{ALIAS}/{WEB}/?item=fig&qty=2 -> "
               f"{http.body.decode(errors='replace')}")


def _rollout(client: FcClient, say: Narrator, timeline: Timeline, code: str, what: str, main: str,
             interval: float, samples: int) -> str:
    from fcinfra.display.progress import RolloutDisplay
    from fcinfra.rollout.runner import Rollout
    from fcinfra.rollout.spec import Steps

    say.heading(f"Release {code} ({what})" + (": fails on orders for fig and lime" if code == "v3" else ""))
    package = function_code(code)
    for name in HANDLERS:
        upload_code(client, SERVICE, name, package)
    say.step(f"deployed examples/functions/{code} to LATEST ({SERVICE}/{FUNCTION} and {WEB}); prod still serves "
             f"version {main}")
    version = publish_or_reuse(client, SERVICE, description=code).version_id
    say.step(f"published version [bold]{version}[/]", version=version)
    strategy = Steps(list(STEPS), interval=interval)
    release = Release(f"{code} ({what})", main, version, max_error_rate=MAX_ERROR_RATE)
    timeline.releases.append(release)
    release.add(say.now, 0, None, f"start: prod = version {main}")
    display = RolloutDisplay(say.out, SERVICE, ALIAS, version, strategy)

    recorder = Recorder(release, clock=lambda: say.now)

    def record(event: Any) -> None:
        recorder(event)
        display.handle(event)

    runner = Rollout(client, SERVICE, ALIAS, version, strategy, [order_probe(samples)], on_event=record,
                     check_every=max(interval / 2, 0.05), inconclusive_timeout=max(30.0, interval * 10))
    with display:
        result = runner.run()
    display.finish(result)
    release.outcome = result.status
    release.reason = result.reason
    timeline.steps.append((say.now, f"version {version}: {result.status.replace('_', ' ')}: {result.reason}"))
    return result.status


def _summary(out: Output, say: Narrator, timeline: Timeline, outcome: DemoOutcome, versions: list[str]) -> None:
    expected = {"v2": "promoted", "v3": "rolled_back"}
    if out.json:
        out.emit({"kind": "summary", "ok": outcome.ok, "v2": outcome.v2, "v3": outcome.v3,
                  "prod": outcome.final_alias, "versions": versions, "report": str(outcome.report),
                  "seconds": round(say.now, 2)})
        return
    from rich.table import Table

    say.heading("Summary")
    table = Table()
    for col, justify in (("release", "left"), ("versions", "left"), ("outcome", "left"), ("peak", "right"),
                         ("worst errors", "right"), ("took", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for release in timeline.releases:
        code = release.name.split()[0]
        ok = release.outcome == expected.get(code)
        mark = "[green]✔[/]" if ok else "[red]✖ unexpected:[/]"
        worst = release.worst_error_rate
        table.add_row(release.name, f"{release.from_version} -> {release.to_version}",
                      f"{mark} {release.outcome.replace('_', ' ')}", f"{release.peak_weight}%",
                      "-" if worst is None else f"{worst:.1%}", f"{release.duration:.1f}s")
    out.console.print(table)
    out.console.print(f"alias [bold]{ALIAS}[/] now serves version [bold]{outcome.final_alias}[/] alone; "
                      f"versions kept: {', '.join(versions)}")
    out.console.print(f"report with the weight / error-rate chart: [bold]{outcome.report}[/]")
    verdict = "[green bold]demo passed[/]" if outcome.ok else "[red bold]demo FAILED[/]"
    out.console.print(f"{verdict} in {say.now:.1f}s")
