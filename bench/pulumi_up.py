"""``pulumi up`` / ``pulumi preview`` with the real engine: fcinfra's components versus raw pulumi-alicloud.

Both programs declare 10 services x 4 functions, one alias ``prod`` per service and one HTTP trigger per
function, against the same emulator (https, in this process so its FC calls can be counted):

* **fcinfra**: ``FcService`` + ``CanaryRelease`` (strategy ``all_at_once``, no health gates);
* **raw** (the baseline): ``alicloud.fc.Service``, ``fc.Function``, ``fc.Alias`` and ``fc.Trigger``, with
  each service's version published by hand (an FcClient call in the program once its functions exist).

Per side it times a ``pulumi preview`` of the new stack, the ``pulumi up`` that creates it, and a
``pulumi preview`` with nothing to change, then prints the fcinfra/raw ratio of each (target <= 1.1) and
the FC calls (by operation) each side made. Runs are noisy on a shared machine, so it does ``--repeat``
rounds (each with a fresh emulator and stacks) and compares medians, printing every round's ratio and the
load average. ``--skip-checkpoints`` is a diagnosis: with ``PULUMI_SKIP_CHECKPOINTS=true`` the file backend
stops rewriting the whole state after every step, which is most of what ``pulumi up`` costs per resource.
Needs the tools: ``python3 tasks.py tools``.

    PATH="$(python3 tasks.py tools | tail -n 1):$PATH" .venv/bin/python bench/pulumi_up.py [--services 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fcinfra.fake import routes
from fcinfra.fake.server import Emulator

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "BENCHAK", "bench-secret"
CODE = ROOT / "examples" / "functions" / "v1"

COMMON = '''
import os
import pulumi
N_SERVICES = int(os.environ["BENCH_SERVICES"])
N_FUNCTIONS = int(os.environ["BENCH_FUNCTIONS"])
CODE = os.environ["BENCH_CODE"]
'''

FCINFRA_PROGRAM = COMMON + '''
from fcinfra.components import CanaryRelease, FcService

for s in range(N_SERVICES):
    names = [f"fn{f}" for f in range(N_FUNCTIONS)]
    svc = FcService(f"svc{s}", {"service_name": f"bench-fcinfra-{s}", "functions": {
        n: {"runtime": "python3.10", "handler": "index.handler", "code": CODE, "memory_size": 128, "timeout": 10}
        for n in names}})
    CanaryRelease(f"rel{s}", {"service": svc, "alias": "prod", "strategy": {"type": "all_at_once"},
                              "triggers": [{"function": n, "trigger_type": "http", "name": f"http-{n}",
                                            "trigger_config": {"authType": "anonymous", "methods": ["GET"]}}
                                           for n in names]})
'''

RAW_PROGRAM = COMMON + '''
import json
import pulumi_alicloud as alicloud
from fcinfra.components.code import package_code
from fcinfra.fc import FcClient

package = package_code(CODE)


def publish(service: str) -> str:
    """The version 'published by hand': one PublishServiceVersion once the functions exist."""
    if pulumi.runtime.is_dry_run():
        return "1"
    with FcClient.from_env() as fc:
        return fc.publish_version(service).version_id


for s in range(N_SERVICES):
    name = f"bench-raw-{s}"
    service = alicloud.fc.Service(f"svc{s}", name=name, publish=False)
    functions = [alicloud.fc.Function(f"svc{s}-fn{f}", service=service.name, name=f"fn{f}", runtime="python3.10",
                                      handler="index.handler", filename=package.path, memory_size=128, timeout=10)
                 for f in range(N_FUNCTIONS)]
    version = pulumi.Output.all(service.name, *[fn.id for fn in functions]).apply(lambda r: publish(r[0]))
    alias = alicloud.fc.Alias(f"rel{s}-alias", service_name=service.name, alias_name="prod",
                              service_version=version)
    for f, fn in enumerate(functions):
        alicloud.fc.Trigger(f"rel{s}-http-fn{f}", service=service.name, function=fn.name, name=f"http-fn{f}",
                            type="http", config=json.dumps({"authType": "anonymous", "methods": ["GET"]}))
'''


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(emu: Emulator, home: Path, tools: Path) -> dict[str, str]:
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "ALIBABA_CLOUD_", "ALICLOUD_"))}
    env.update({
        "PATH": os.pathsep.join([str(tools), str(Path(sys.executable).parent), env.get("PATH", "")]),
        "PULUMI_HOME": str(home / "pulumi-home"), "PULUMI_BACKEND_URL": (home / "backend").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "bench", "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true", "PULUMI_PYTHON_CMD": sys.executable,
        "SSL_CERT_FILE": str(emu.ca_file), "FC_CA_BUNDLE": str(emu.ca_file), "FC_ENDPOINT": emu.endpoint,
        "ALIBABA_CLOUD_ENDPOINT_FC": emu.endpoint.removeprefix("https://"), "ALIBABA_CLOUD_ACCOUNT_TYPE": "Domestic",
        "ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT, "ALIBABA_CLOUD_REGION": REGION,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK,
        "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "NO_PROXY": "127.0.0.1,localhost",
    })
    return env


def project(home: Path, name: str, program: str) -> Path:
    folder = home / name
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(textwrap.dedent(f"""\
        name: bench-{name}
        runtime:
          name: python
          options:
            virtualenv: {Path(sys.prefix)}
        config:
          alicloud:region:
            value: {REGION}
        """))
    (folder / "__main__.py").write_text(program)
    return folder


def pulumi(folder: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(["pulumi", *args, "--non-interactive"], cwd=folder, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"pulumi {' '.join(args)} in {folder.name} failed:\n{done.stdout}\n{done.stderr}")
    return took


PHASES = (("preview (create)", ["preview"]), ("up (create)", ["up", "--yes", "--skip-preview"]),
          ("preview (no change)", ["preview", "--expect-no-changes"]))


def one_round(args: argparse.Namespace, tools: Path, calls: dict[str, Counter[str]]) -> dict[str, dict[str, float]]:
    """Both sides against one fresh emulator and fresh stacks; each phase runs raw then fcinfra."""
    current: list[Counter[str]] = []
    with tempfile.TemporaryDirectory(prefix="fcinfra-bench-up-") as tmp, Emulator(
        access_keys={AK: SK}, account_id=ACCOUNT, region=REGION, tls=True, threads=32
    ) as emu:
        handle = emu.fake.handle

        def counting(req: Any) -> Any:
            if current:
                try:
                    current[-1][routes.match(req.method, req.path).operation] += 1
                except Exception:
                    current[-1]["(unrouted)"] += 1
            return handle(req)

        emu.fake.handle = counting  # type: ignore[method-assign]
        home = Path(tmp)
        (home / "backend").mkdir()
        env = environment(emu, home, tools)
        env.update({"BENCH_SERVICES": str(args.services), "BENCH_FUNCTIONS": str(args.functions),
                    "BENCH_CODE": str(CODE)})
        if args.skip_checkpoints:  # diagnosis only: the engine then writes the state once, at the end
            env["PULUMI_SKIP_CHECKPOINTS"] = "true"
        sides = {"raw": project(home, "raw", RAW_PROGRAM), "fcinfra": project(home, "fcinfra", FCINFRA_PROGRAM)}
        times: dict[str, dict[str, float]] = {side: {} for side in sides}
        for folder in sides.values():
            pulumi(folder, env, "stack", "init", "bench", "--secrets-provider", "passphrase")
        for phase, cmd in PHASES:
            for side, folder in sides.items():  # side by side, raw first in every phase
                current.append(calls.setdefault(side, Counter()))
                times[side][phase] = pulumi(folder, env, *cmd)
                current.pop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--functions", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds, each with a fresh emulator and stacks; the medians are compared")
    parser.add_argument("--skip-checkpoints", action="store_true",
                        help="diagnosis: PULUMI_SKIP_CHECKPOINTS=true on both sides, to see what the file backend's "
                             "per-step state writes cost each side (not how users run it)")
    args = parser.parse_args()
    tools = shutil.which("pulumi")
    if tools is None:
        raise SystemExit('pulumi is not on PATH: PATH="$(python3 tasks.py tools | tail -n 1):$PATH"')
    calls: dict[str, Counter[str]] = {}
    rounds: list[dict[str, dict[str, float]]] = []
    load = os.getloadavg()[0]
    for _ in range(args.repeat):
        rounds.append(one_round(args, Path(tools).parent, calls))
    print(f"pulumi up/preview, {args.services} services x {args.functions} functions, real engine vs emulator; "
          f"{args.repeat} round(s), load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          + ("; PULUMI_SKIP_CHECKPOINTS=true (diagnosis)" if args.skip_checkpoints else ""))
    print(f"{'phase':<22}{'raw s':>9}{'fcinfra s':>11}{'ratio':>8}   per-round ratios")
    for phase, _cmd in PHASES:
        raw = statistics.median(r["raw"][phase] for r in rounds)
        ours = statistics.median(r["fcinfra"][phase] for r in rounds)
        each = " ".join(f"{r['fcinfra'][phase] / r['raw'][phase]:.2f}" for r in rounds)
        print(f"{phase:<22}{raw:>9.1f}{ours:>11.1f}{ours / raw:>8.2f}   {each}")
    for side in ("raw", "fcinfra"):
        per_round = {op: n // args.repeat for op, n in calls[side].items()}
        detail = ", ".join(f"{op} {n}" for op, n in sorted(per_round.items()))
        print(f"FC calls per round, {side}: {sum(per_round.values())} ({detail})")


if __name__ == "__main__":
    main()
