"""``fcinfra demo``: the seeds' whole story, end to end, on a local emulator, in well under a minute.

1. start the emulator on a free loopback port (a random access key pair; signatures are verified);
2. deploy ``examples/functions/v1`` as two functions, the event function ``quote`` and the HTTP function
   ``web`` (a WSGI app, as FC 2.0 calls functions behind an HTTP trigger), publish version 1, create alias
   ``prod``, bind an HTTP trigger on ``web`` to ``prod``, and call both: ``prod`` resolves to version 1;
3. deploy v2, publish version 2 and roll it out 10 -> 25 -> 50 -> 100 with health probes: promoted;
4. deploy v3 (fails on a third of its inputs), publish version 3, roll it out: the probe (orders for the
   common items only) would pass it, but the traffic gate (``SlsGate`` on the request-metric rows of
   simulated users' orders, fig and lime included) catches it at 10 % and the alias goes back to version 2;
5. print a summary table and write the HTML report with a chart of weight and error rate over time.

Simulated users order every item of ``ORDERS`` while each weight bakes; v3 fails on the items it forgot,
which the probe never sends. Exit status 0 only if version 2 was promoted, version 3 rolled back and
``prod`` ends on version 2.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
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


LOG_CONFIG = {"project": "demo-shop-logs", "logstore": "fc-requests", "enableRequestMetrics": True}
USER_RATE = 200.0  # simulated users' requests per second through the alias while a weight bakes
PROBED_ITEMS = ("apple", "pear", "plum")  # what the warm-up probe orders: not fig or lime, which v3 breaks on


def order_probe(samples: int) -> Any:
    """An InvokeProbe through the alias rotating over the common orders (``PROBED_ITEMS``). It is warm-up
    traffic only (``WarmUp``): the verdict comes from the users' requests, through the traffic gate."""
    from fcinfra.rollout.health import InvokeProbe

    return InvokeProbe(FUNCTION, samples=samples, max_error_rate=MAX_ERROR_RATE, name=f"invoke:{FUNCTION}",
                       payloads=[json.dumps(order) for order in ORDERS if order["item"] in PROBED_ITEMS],
                       per_check=2)  # a trickle: warm-up traffic, not load that drowns the users' requests


def traffic_gate(endpoint: str, key_id: str, secret: str) -> Any:
    """SlsGate over the emulator's Log Service: FC's request-metric rows of the users' calls, per version."""
    from fcinfra.rollout.sequential import SequentialTest
    from fcinfra.rollout.traffic import SlsGate
    from fcinfra.rollout.traffic.sls import sls_client

    client = sls_client("cn-hangzhou.log.aliyuncs.com", key_id, secret, http_proxy=endpoint)
    # The demo bakes each weight for a second or less: a step may only pass on 40 canary requests, enough for
    # v3 (a third of its orders fail) to be caught at 10 % however short the bake.
    test = SequentialTest(min_canary_requests=40, min_baseline_requests=40)
    return SlsGate(LOG_CONFIG["project"], LOG_CONFIG["logstore"], FUNCTION, client,  # type: ignore[arg-type]
                   test=test)


def traffic_gates(gate: tuple[str, str, str], samples: int) -> list[Any]:
    """The demo's gates (FC 2.0 and FC 3.0): the traffic gate judges, the probe only warms the new version up."""
    from fcinfra.rollout.traffic import WarmUp

    return [traffic_gate(*gate), WarmUp(order_probe(samples))]


def users(client: Any, owner: str = SERVICE) -> Callable[[float], None]:
    """The rollout's sleep: simulated users order from ``ORDERS`` (fig and lime included) meanwhile, through
    ``owner``'s alias (FC 2.0: the service; FC 3.0: the function itself)."""
    from fcinfra.rollout.traffic.load import send_traffic

    def sleep(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        count = int(seconds * USER_RATE)
        if count:
            send_traffic(client, owner, ALIAS, FUNCTION, rate=USER_RATE, count=count, seed=count,
                         payloads=[(json.dumps(order), 1.0) for order in ORDERS])
        time.sleep(max(0.0, deadline - time.monotonic()))
    return sleep


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
    fc3: bool = False,
) -> int:
    """Run the demo; returns the exit status (0 = v2 promoted, v3 rolled back, prod on version 2).

    ``fc3``: the same story on FC 3.0 (:mod:`fcinfra.demo.fc3`), where each function has its own versions.
    """

    if fc3:
        from fcinfra.demo.fc3 import run_fc3_demo

        return run_fc3_demo(interval, samples, report_path, out or Output("json" if json_output else "text"),
                            clock, wait_for_exit)

    out = out or Output("json" if json_output else "text")
    with demo_session(out, clock, f"fcinfra demo: canary releases of {SERVICE}/{FUNCTION} through alias {ALIAS}",
                      "[bold]fcinfra demo[/]: versions, an alias, an alias-bound HTTP trigger and two canary "
                      "releases, on a local Function Compute emulator (no cloud account needed).") as run:
        from fcinfra.fc import FcClient

        emu = run.emulator
        with FcClient(emu.account_id, emu.region, run.key_id, run.secret, endpoint=emu.endpoint) as client:
            _first_release(client, run.say)
            gate = (emu.endpoint, run.key_id, run.secret)
            shop = Shop(client, SERVICE, tuple(HANDLERS), health=lambda n: traffic_gates(gate, n),
                        sleep=users(client))
            versions = two_releases(run, shop, interval, samples)
        finish(run, versions, interval, report_path,
               f"Gate: sls:{FUNCTION}, FC's request-metric rows of simulated users' orders ({USER_RATE:g}/s through "
               f"alias {ALIAS}, every item, fig and lime included) split by the version that served them; the "
               f"sequential verdict rolls back once the canary's failures prove it worse than the baseline's. "
               f"Probe invoke:{FUNCTION} (orders for {', '.join(PROBED_ITEMS)} only) is warm-up traffic.")
        keep_running(run, wait_for_exit, f"fcinfra status {SERVICE}",
                     f"fcinfra invoke {SERVICE} {FUNCTION} -q {ALIAS} -n 20",
                     f"curl '{emu.endpoint}/2016-08-15/proxy/{SERVICE}.{ALIAS}/{WEB}/?item=lime&qty=2'")
    return 0 if run.outcome.ok else 1


@dataclass
class DemoRun:
    """One demo's emulator, its throwaway key pair, its narrator, timeline and outcome."""

    emulator: Any
    key_id: str
    secret: str
    say: Narrator
    timeline: Timeline
    outcome: DemoOutcome


@contextlib.contextmanager
def demo_session(out: Output, clock: Callable[[], float], title: str, intro: str,
                 where: str = "") -> Iterator[DemoRun]:
    """Start the emulator on a free loopback port with a random key pair, and say so."""
    from fcinfra.fake.server import Emulator

    timeline = Timeline(title)
    say = Narrator(out, clock, timeline)
    if not out.json:
        out.console.print(intro)
    key_id, secret = "demo-" + secrets.token_hex(4), secrets.token_urlsafe(24)
    with Emulator(port=0, access_keys={key_id: secret}) as emu:
        say.step(f"emulator listening on [bold]{emu.endpoint}[/] ({where}account {emu.account_id}, {emu.region})",
                 endpoint=emu.endpoint)
        yield DemoRun(emu, key_id, secret, say, timeline, DemoOutcome())


def two_releases(run: DemoRun, shop: Shop, interval: float, samples: int) -> list[str]:
    """v2 (healthy) rolled out, then v3 (buggy); returns the versions left, newest first."""
    run.outcome.v2 = _rollout(shop, run.say, run.timeline, "v2", "healthy", "1", interval, samples)
    run.outcome.v3 = _rollout(shop, run.say, run.timeline, "v3", "buggy", "2", interval, samples)
    alias = shop.api.get_alias(shop.owner, ALIAS)
    run.outcome.final_alias = alias.version_id if not alias.additional_version_weight else "split"
    return [v.version_id for v in shop.api.list_versions(shop.owner)]


def finish(run: DemoRun, versions: list[str], interval: float, report_path: Path, gates: str) -> None:
    """The report's notes (``gates``: how the releases were judged), the report, and the summary."""
    run.timeline.notes.append(gates)
    run.timeline.notes.append(f"Bake time per weight: {interval:g}s. Versions left: {', '.join(versions)}.")
    run.outcome.report = write_report(run.timeline, report_path)
    _summary(run.say.out, run.say, run.timeline, run.outcome, versions)


def wait_for_ctrl_c() -> None:
    """Block until Ctrl-C (``fcinfra demo --keep-running``)."""
    import contextlib
    import threading

    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def keep_running(run: DemoRun, wait_for_exit: Callable[[], None] | None, *tries: str) -> None:
    """With ``--keep-running``: say how to poke at the emulator (``tries``: commands to try), then wait."""
    if wait_for_exit is not None:
        emu = run.emulator
        _explore(run.say.out, emu.endpoint, emu.account_id, run.key_id, run.secret, tries)
        wait_for_exit()


def _explore(out: Output, endpoint: str, account_id: str, key_id: str, secret: str, tries: Sequence[str]) -> None:
    """How to poke at the demo's emulator from another terminal (its key pair is throwaway)."""
    exports = (f"export FC_ENDPOINT={endpoint} ALIBABA_CLOUD_ACCOUNT_ID={account_id} "
               f"ALIBABA_CLOUD_ACCESS_KEY_ID={key_id} ALIBABA_CLOUD_ACCESS_KEY_SECRET={secret}")
    if out.json:
        out.emit({"kind": "emulator", "endpoint": endpoint, "account_id": account_id, "access_key_id": key_id})
        return
    out.console.print()
    out.console.print("The emulator keeps running until Ctrl-C. In another terminal (this key pair is throwaway):")
    out.console.print(f"  {exports}", markup=False, soft_wrap=True)
    for command in tries:
        out.console.print(f"  {command}", markup=False, soft_wrap=True)


def _first_release(client: FcClient, say: Narrator) -> None:
    say.heading("First release: version 1 behind alias prod")
    code = function_code("v1")
    for name, handler in HANDLERS.items():
        upload_code(client, SERVICE, name, code, FunctionSettings(RUNTIME, handler, memory_size=128, timeout=10),
                    service_description="fcinfra demo shop", function_description="prices an order line")
    say.step(f"deployed functions [bold]{SERVICE}/{FUNCTION}[/] (event) and [bold]{SERVICE}/{WEB}[/] (HTTP, WSGI) "
             f"from examples/functions/v1 ({RUNTIME})")
    client.update_service(SERVICE, log_config=LOG_CONFIG)
    say.step(f"request metrics on: FC writes one row per call to Log Service {LOG_CONFIG['project']}/"
             f"{LOG_CONFIG['logstore']} (the emulator serves it to the official SDK)")
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


@dataclass(frozen=True)
class Shop:
    """Where a release goes: FC 2.0's service (a version snapshots all its functions: ``functions`` are
    deployed together and ``owner`` is the service) or, on FC 3.0, one function that owns its versions."""

    client: Any  # FcClient, or fcinfra.release.Fc3Release over an Fc3Client
    owner: str
    functions: tuple[str, ...]
    health: Callable[[int], list[Any]]  # the gates of a rollout, given --samples
    sleep: Callable[[float], None] | None = None  # the rollout's sleep: simulated users order meanwhile
    fc3: bool = False

    @property
    def where(self) -> str:
        return " and ".join(self.functions) if self.fc3 else f"{SERVICE}/{FUNCTION} and {WEB}"

    @property
    def api(self) -> Any:
        """The FC client itself (``Fc3Release`` wraps the ``Fc3Client``)."""
        return self.client.client if self.fc3 else self.client

    def deploy(self, code: str) -> None:
        package = function_code(code)
        for name in self.functions:
            upload_code(self.client, self.owner, name, package)

    def rollout(self, version: str, strategy: Any, samples: int, interval: float, on_event: Any) -> Any:
        from fcinfra.rollout.runner import Rollout

        return Rollout(self.api, service=None if self.fc3 else self.owner, function=self.owner if self.fc3 else None,
                       alias=ALIAS, to_version=version, strategy=strategy, health=self.health(samples),
                       on_event=on_event, sleep=self.sleep, check_every=max(interval / 2, 0.05),
                       inconclusive_timeout=max(30.0, interval * 10))


def _rollout(shop: Shop, say: Narrator, timeline: Timeline, code: str, what: str, main: str,
             interval: float, samples: int) -> str:
    from fcinfra.display.progress import RolloutDisplay
    from fcinfra.rollout.spec import Steps

    say.heading(f"Release {code} ({what})" + (": fails on orders for fig and lime" if code == "v3" else ""))
    shop.deploy(code)
    say.step(f"deployed examples/functions/{code} to LATEST ({shop.where}); prod still serves version {main}")
    version = publish_or_reuse(shop.client, shop.owner, description=code).version_id
    say.step(f"published version [bold]{version}[/]", version=version)
    strategy = Steps(list(STEPS), interval=interval)
    release = Release(f"{code} ({what})", main, version, max_error_rate=MAX_ERROR_RATE)
    timeline.releases.append(release)
    release.add(say.now, 0, None, f"start: prod = version {main}")
    display = RolloutDisplay(say.out, shop.owner, ALIAS, version, strategy)

    recorder = Recorder(release, clock=lambda: say.now)

    def record(event: Any) -> None:
        recorder(event)
        display.handle(event)

    runner = shop.rollout(version, strategy, samples, interval, record)
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
