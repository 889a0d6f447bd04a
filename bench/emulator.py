"""The emulator over loopback beside the in-process fake, in one run.

Prints:
* requests per second for GetAlias, and for invocations through a weighted alias (``prod``: version 1, with
  version 2 at 0.5), through FcClient against the emulator (a separate process, plain http on 127.0.0.1) and
  against ``mock_fc()`` in this process, in alternating rounds so machine noise hits both alike. Invocations
  run the same real zip code in both (the in-process fake is given the emulator's ``PythonCodeRunner``);
  a row with a registered Python callable in-process is printed too, for scale;
* routing accuracy: the share of version 2 over 20,000 invocations through the emulator at weight 0.1
  (target: within 0.1 +/- 0.01);
* memory used by 10,000 versions: the emulator process's resident memory before and after publishing them
  (each publish after a one-field function change), and the size of its saved state.

    .venv/bin/python bench/emulator.py [--get 4000] [--invoke 2000] [--routing 20000] [--versions 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from fcinfra.fake import mock_fc
from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fc import FcClient
from fcinfra.testing.helpers import code_zip

ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "AK", "SK"
SOURCE = "def handler(event, context):\n    return {'version': context.service.version_id}\n"


@contextmanager
def emulator_process(seed: int) -> Iterator[tuple[str, int]]:
    """``fcinfra emulator`` in a child process (what users run); yields (endpoint, pid)."""
    script = (
        "import sys; from fcinfra.fake.server import run_emulator; "
        f"run_emulator(0, {{{AK!r}: {SK!r}}}, {ACCOUNT!r}, {REGION!r}, seed={seed})"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if " at " not in line:
            raise SystemExit(f"the emulator did not start: {line!r}")
        yield line.strip().split(" at ", 1)[1], proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def prepare(client: FcClient, service: str = "bench") -> None:
    """Versions 1 and 2 of a real Python function, alias ``prod`` -> 1 with 2 at 0.5 (outside the timing)."""
    client.create_service(service)
    client.create_function(service, "fn", "python3.10", "index.handler", code=code_zip(SOURCE), timeout=3)
    client.publish_version(service)
    client.update_function(service, "fn", memory_size=256)
    client.publish_version(service)
    client.create_alias(service, "prod", "1", additional_version_weight={"2": 0.5})


def get_aliases(client: FcClient, n: int) -> None:
    for _ in range(n):
        client.get_alias("bench", "prod")


def invocations(client: FcClient, n: int) -> None:
    for _ in range(n):
        inv = client.invoke("bench", "fn", b"{}", qualifier="prod")
        assert inv.ok and inv.version_id in ("1", "2"), inv


def alternate(rounds: int, a: Callable[[], None], b: Callable[[], None]) -> tuple[float, float]:
    """Total seconds of a and of b over ``rounds`` alternating rounds (who goes first flips each round)."""
    ta = tb = 0.0
    for i in range(rounds):
        order = [(0, a), (1, b)] if i % 2 == 0 else [(1, b), (0, a)]
        for which, fn in order:
            started = time.perf_counter()
            fn()
            spent = time.perf_counter() - started
            if which == 0:
                ta += spent
            else:
                tb += spent
    return ta, tb


def throughput(args: argparse.Namespace) -> None:
    print(f"== requests per second (FcClient, one connection; {args.rounds} alternating rounds)")
    runner = PythonCodeRunner()
    fake = mock_fc(access_keys={AK: SK}, seed=1, code_runner=runner)

    def in_process(fn: Callable[[], None]) -> Callable[[], None]:
        """The mock intercepts every request while active, so it is active only around in-process work."""

        def run() -> None:
            with fake:
                fn()

        return run

    with emulator_process(seed=1) as (endpoint, _pid):
        remote = FcClient(ACCOUNT, REGION, AK, SK, endpoint=endpoint)
        local = FcClient(ACCOUNT, REGION, AK, SK)
        prepare(remote)
        in_process(lambda: prepare(local))()
        get_aliases(remote, 50)
        invocations(remote, 50)
        in_process(lambda: get_aliases(local, 50))()
        in_process(lambda: invocations(local, 50))()
        per = args.get // args.rounds
        t_remote, t_local = alternate(args.rounds, lambda: get_aliases(remote, per),
                                      in_process(lambda: get_aliases(local, per)))
        n = per * args.rounds
        print(f"GetAlias              emulator over loopback {n / t_remote:8.0f}/s   in-process mock_fc "
              f"{n / t_local:8.0f}/s   (emulator/in-process {t_local / t_remote:.2f}x)")
        per = args.invoke // args.rounds
        t_remote, t_local = alternate(args.rounds, lambda: invocations(remote, per),
                                      in_process(lambda: invocations(local, per)))
        n = per * args.rounds
        print(f"Invoke via alias 50%  emulator over loopback {n / t_remote:8.0f}/s   in-process mock_fc "
              f"{n / t_local:8.0f}/s   (emulator/in-process {t_local / t_remote:.2f}x; both run the zip code "
              "in warm workers)")
        fake.register_handler("bench", "fn", lambda event, ctx: {"version": ctx.service.version_id})
        started = time.perf_counter()
        in_process(lambda: invocations(local, args.invoke))()
        spent = time.perf_counter() - started
        print(f"Invoke via alias 50%  in-process mock_fc with a registered callable (no worker) "
              f"{args.invoke / spent:8.0f}/s")
    runner.close()


def routing(args: argparse.Namespace) -> None:
    print(f"== routing accuracy over {args.routing} invocations through the emulator, additional weight 0.1")
    with emulator_process(seed=20000) as (endpoint, _pid):
        client = FcClient(ACCOUNT, REGION, AK, SK, endpoint=endpoint)
        prepare(client)
        client.update_alias("bench", "prod", additional_version_weight={"2": 0.1})
        counts: Counter[str] = Counter()
        started = time.perf_counter()
        for _ in range(args.routing):
            inv = client.invoke("bench", "fn", b"{}", qualifier="prod")
            body = json.loads(inv.payload)
            assert body["version"] == inv.version_id  # the code that ran is the version reported
            counts[inv.version_id or ""] += 1
        spent = time.perf_counter() - started
        share = counts["2"] / args.routing
        verdict = "OK" if abs(share - 0.1) <= 0.01 else "OUT OF TARGET"
        print(f"share of version 2: {share:.4f} (target 0.1 +/- 0.01: {verdict}); counts {dict(counts)}; "
              f"{args.routing / spent:.0f} invocations/s")


def memory(args: argparse.Namespace) -> None:
    print(f"== memory used by {args.versions} versions (emulator process RSS)")
    with emulator_process(seed=3) as (endpoint, pid):
        client = FcClient(ACCOUNT, REGION, AK, SK, endpoint=endpoint)
        client.create_service("many")
        client.create_function("many", "fn", "python3.10", "index.handler", code=code_zip(SOURCE))
        client.get_service("many")
        time.sleep(0.2)
        before = rss_mb(pid)
        started = time.perf_counter()
        for i in range(args.versions):
            client.update_function("many", "fn", description=f"revision {i}")
            client.publish_version("many")
        spent = time.perf_counter() - started
        time.sleep(0.2)
        after = rss_mb(pid)
        state = requests.get(f"{endpoint}/_fcinfra/state", timeout=60).content
        newest = client.list_versions("many")[0].version_id if args.versions <= 2000 else None
        print(f"RSS before {before:.1f} MB, after {after:.1f} MB: {after - before:.1f} MB for {args.versions} "
              f"versions ({(after - before) * 1024 / max(args.versions, 1):.2f} KB each); state JSON "
              f"{len(state) / 1e6:.1f} MB; published at {args.versions / spent:.0f} versions/s"
              + (f"; newest {newest}" if newest else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--get", type=int, default=4000, help="GetAlias calls per side")
    parser.add_argument("--invoke", type=int, default=2000, help="invocations per side")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds")
    parser.add_argument("--routing", type=int, default=20000, help="invocations for the routing accuracy")
    parser.add_argument("--versions", type=int, default=10000, help="versions for the memory figure")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory():
        throughput(args)
        routing(args)
        memory(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
