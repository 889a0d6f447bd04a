"""``fcinfra demo --fc3``: the seeds' story on FC 3.0, where a function owns its versions, aliases and triggers.

The steps of :mod:`fcinfra.demo.flow` (its narrator, releases, summary and report), function-level: deploy
``quote`` from ``examples/functions/v1``, publish its version 1, alias ``prod`` -> 1, bind an HTTP trigger to
``prod`` (once: its qualifier never changes), invoke through ``prod``; then roll out v2 (promoted) and v3 (rolled
back at 10 %). As on FC 2.0, v3 is caught by the traffic gate (``SlsGate`` on FC 3.0's request-metric rows of
the function's ``logConfig`` logstore) on simulated users' orders, fig and lime included, which the warm-up
probe never sends. Exit status 0 only if that happened, ``prod`` ends on version 2 alone and the trigger (its
qualifier and URL) is the one bound at the start, now answered by version 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fcinfra.demo.flow import (
    ALIAS,
    FUNCTION,
    LOG_CONFIG,
    PROBED_ITEMS,
    RUNTIME,
    TRIGGER,
    USER_RATE,
    Narrator,
    Shop,
    demo_session,
    finish,
    keep_running,
    traffic_gates,
    two_releases,
    users,
)
from fcinfra.demo.package import function_code
from fcinfra.display.output import Output
from fcinfra.fc3 import Fc3Client, Trigger
from fcinfra.release import Fc3Release, FunctionSettings, publish_or_reuse, upload_code

__all__ = ["run_fc3_demo"]


def run_fc3_demo(interval: float, samples: int, report_path: Path, out: Output, clock: Callable[[], float],
                 wait_for_exit: Callable[[], None] | None = None) -> int:
    """Run the FC 3.0 demo on a local emulator; returns the exit status (0: as the module docstring says)."""
    title = f"fcinfra demo --fc3: canary releases of function {FUNCTION} through alias {ALIAS}"
    with demo_session(out, clock, title,
                      "[bold]fcinfra demo --fc3[/]: function-level versions, an alias, an alias-bound HTTP trigger "
                      "and two canary releases on FC 3.0, on a local emulator (no cloud account needed).",
                      "FC 3.0 under /2023-03-30/; ") as run:
        emu = run.emulator
        with Fc3Client(emu.account_id, emu.region, run.key_id, run.secret, endpoint=emu.endpoint) as client:
            bound = _first_release(client, run.say)
            gate = (emu.endpoint, run.key_id, run.secret)
            shop = Shop(Fc3Release(client), FUNCTION, (FUNCTION,), health=lambda n: traffic_gates(gate, n),
                        sleep=users(client, FUNCTION), fc3=True)
            versions = two_releases(run, shop, interval, samples)
            trigger_kept = _trigger_unchanged(client, run.say, bound)
        finish(run, versions, interval, report_path,
               f"Gate: sls:{FUNCTION}, FC 3.0's request-metric rows of simulated users' orders ({USER_RATE:g}/s "
               f"through alias {ALIAS}, every item, fig and lime included) split by the version that served them; "
               f"the sequential verdict rolls back once the canary's failures prove it worse than the baseline's. "
               f"Probe invoke:{FUNCTION} (orders for {', '.join(PROBED_ITEMS)} only) is warm-up traffic.")
        keep_running(run, wait_for_exit, f"fcinfra fc3 status {FUNCTION}",
                     f"fcinfra fc3 invoke {FUNCTION} -q {ALIAS} -n 20", f"curl '{bound.url_internet}?item=lime&qty=2'")
    return 0 if run.outcome.ok and trigger_kept else 1


def _first_release(client: Fc3Client, say: Narrator) -> Trigger:
    say.heading(f"First release: version 1 of function {FUNCTION} behind alias {ALIAS}")
    release = Fc3Release(client)
    upload_code(release, FUNCTION, FUNCTION, function_code("v1"),
                FunctionSettings(RUNTIME, "index.handler", memory_size=128, timeout=10),
                function_description="prices an order line")
    client.update_function(FUNCTION, log_config=LOG_CONFIG)  # request metrics: the traffic gate's evidence
    say.step(f"deployed function [bold]{FUNCTION}[/] from examples/functions/v1 ({RUNTIME}); on FC 3.0 there is no "
             "service: the function owns its versions, aliases and triggers")
    say.step(f"request metrics of {FUNCTION} go to Log Service {LOG_CONFIG['project']}/{LOG_CONFIG['logstore']} "
             "(the function's logConfig)")
    v1 = publish_or_reuse(release, FUNCTION, description="v1")
    say.step(f"published version [bold]{v1.version_id}[/] of {FUNCTION} (an immutable snapshot of its code and "
             "config)", version=v1.version_id)
    client.create_alias(FUNCTION, ALIAS, v1.version_id, description="production traffic")
    say.step(f"created alias [bold]{ALIAS}[/] of {FUNCTION} -> version {v1.version_id}")
    trigger = client.create_trigger(FUNCTION, TRIGGER, "http", {"authType": "anonymous", "methods": ["GET", "POST"]},
                                    qualifier=ALIAS)
    say.step(f"bound HTTP trigger [bold]{TRIGGER}[/] to qualifier {ALIAS} (not to a version), once: "
             f"{trigger.url_internet}", url=trigger.url_internet)
    say.step(f"called the HTTP trigger: answered by version [bold]{_served_by(trigger)}[/]")
    inv = client.invoke(FUNCTION, json.dumps({"item": "pear", "qty": 3}), qualifier=ALIAS)
    say.step(f"invoked {FUNCTION} through {ALIAS}: qualifier [bold]{ALIAS}[/] resolved to version "
             f"[bold]{inv.version_id}[/]", qualifier=ALIAS, version_id=inv.version_id)
    say.detail(f"POST /2023-03-30/functions/{FUNCTION}/invocations?qualifier={ALIAS} -> "
               f"{inv.payload.decode(errors='replace')}")
    return trigger


def _trigger_unchanged(client: Fc3Client, say: Narrator, bound: Trigger) -> bool:
    """The canaries moved the alias's traffic only: the trigger is still bound to it, at the same URL."""
    now = client.get_trigger(FUNCTION, TRIGGER)
    same = (now.qualifier, now.url_internet, now.trigger_id) == (bound.qualifier, bound.url_internet,
                                                                 bound.trigger_id)
    served = _served_by(now)
    say.step(f"trigger [bold]{TRIGGER}[/] after both canaries: qualifier {now.qualifier}, "
             + ("the same trigger and URL as at the start" if same else "[red]CHANGED[/]")
             + f"; it now answers with version [bold]{served}[/]",
             qualifier=now.qualifier, url=now.url_internet, unchanged=same, version_id=served)
    return same and served == "2"


def _served_by(trigger: Trigger) -> str:
    """The version that answered a GET of the trigger's URL (the example function reports it in its answer)."""
    import requests

    assert trigger.url_internet is not None  # an HTTP trigger always has one
    answer = requests.get(trigger.url_internet, params={"item": "pear", "qty": "2"}, timeout=30)
    return str(answer.json().get("versionId"))
