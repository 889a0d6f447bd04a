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
  (each publish after a one-field function change), and the size of its saved state;
* what a page costs: one ListServiceVersions page (10 versions, as a signed raw request) and one publish
  (FcClient's, which lists one page first), on a service with 10 versions and on one with 10,000 (made by
  loading a state built from the 10 versions), in alternating rounds; target: 10,000 / 10 <= 1.2x each.

    .venv/bin/python bench/emulator.py [--get 4000] [--invoke 2000] [--routing 20000] [--versions 10000]
                                       [--paging-versions 10000] [--paging-rounds 200] [--only paging]
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from fcinfra.fake import FakeFc, FakeRequest, mock_fc
from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fc import FcClient, signing
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


def one_page(session: requests.Session, endpoint: str, service: str, limit: int = 10) -> None:
    """One signed ListServiceVersions page, newest first (what any client's first page costs)."""
    path = f"/2016-08-15/services/{service}/versions"
    query = f"limit={limit}&direction=BACKWARD"
    headers = {"Date": signing.http_date(time.time()), "Content-Type": "application/json"}
    headers["Authorization"] = signing.authorization(AK, SK, "GET", path, headers, signing.query_pairs(query))
    resp = session.get(f"{endpoint}{path}?{query}", headers=headers, timeout=30)
    assert resp.status_code == 200 and len(resp.json()["versions"]) == limit, resp.text


def many_versions(state: dict[str, Any], source: str, target: str, count: int) -> dict[str, Any]:
    """``state`` with ``count`` versions for ``target``, copies of ``source``'s newest (the state file format)."""
    services = next(r for r in state["regions"] if r["account_id"] == ACCOUNT)["services"]
    template = services[source]["versions"][str(max(int(n) for n in services[source]["versions"]))]
    versions = {}
    for number in range(1, count + 1):
        copy = json.loads(json.dumps(template))
        copy["number"] = number
        copy["service"]["name"] = target
        versions[str(number)] = copy
    services[target]["versions"] = versions
    services[target]["last_version_number"] = count
    return state


def median_pair(rounds: int, a: Callable[[], float], b: Callable[[], float]) -> tuple[float, float]:
    """Median seconds of a and of b over ``rounds`` alternating calls (each returns the time it measured);
    medians, because on a shared machine a few calls land on someone else's burst."""
    ta: list[float] = []
    tb: list[float] = []
    for i in range(rounds):
        for fn, out in ([(a, ta), (b, tb)] if i % 2 == 0 else [(b, tb), (a, ta)]):
            out.append(fn())
    return statistics.median(ta), statistics.median(tb)


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started
    return run


def report(what: str, unit: float, label: str, count: int, few: float, many: float) -> None:
    print(f"{what:<40} 10 versions {few * unit:8.2f} {label}   {count} versions {many * unit:8.2f} {label}   "
          f"ratio {many / few:.2f}x (target <= 1.2)")


def paging(args: argparse.Namespace) -> None:
    rounds, count = args.paging_rounds, args.paging_versions
    print(f"== what a page costs: 10 versions against {count} (medians of {rounds} alternating calls)")
    with emulator_process(seed=4) as (endpoint, _pid):
        client = FcClient(ACCOUNT, REGION, AK, SK, endpoint=endpoint)
        for service in ("few", "many"):
            client.create_service(service)
            client.create_function(service, "fn", "python3.10", "index.handler", code=code_zip(SOURCE))
        for i in range(10):
            client.update_function("few", "fn", description=f"revision {i}")
            client.publish_version("few")
        state = requests.get(f"{endpoint}/_fcinfra/state", timeout=60).json()
        state = many_versions(state, "few", "many", count)
        requests.put(f"{endpoint}/_fcinfra/state", json=state, timeout=120).raise_for_status()
        assert client.list_versions("many")[0].version_id == str(count)
        session = requests.Session()
        revision = iter(range(10**9))

        def publish(service: str) -> Callable[[], float]:
            def run() -> float:
                client.update_function(service, "fn", description=f"bench {next(revision)}")  # outside the timing
                return timed(lambda: client.publish_version(service))()
            return run

        for service in ("few", "many"):  # warm both paths
            one_page(session, endpoint, service)
        few, many = median_pair(rounds, timed(lambda: one_page(session, endpoint, "few")),
                                timed(lambda: one_page(session, endpoint, "many")))
        report("emulator: ListServiceVersions, 1 page", 1e3, "ms", count, few, many)
        few, many = median_pair(rounds, publish("few"), publish("many"))
        report("emulator: publish (FcClient)", 1e3, "ms", count, few, many)
    in_process_paging(count, rounds)


def in_process_paging(count: int, rounds: int) -> None:
    """The same two costs through ``FakeFc.handle`` alone: no sockets, no client, so only the fake's work."""
    fake = FakeFc(access_keys={AK: SK}, account_id=ACCOUNT, region=REGION)

    def send(method: str, path: str, body: Any = None, query: str = "") -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        host, full = f"{ACCOUNT}.{REGION}.fc.aliyuncs.com", "/2016-08-15" + path
        headers = {"Date": signing.http_date(time.time()), "Content-Type": "application/json"}
        headers["Authorization"] = signing.authorization(AK, SK, method, full, headers, signing.query_pairs(query))
        resp = fake.handle(FakeRequest(method, full, query, headers, raw, host))
        assert resp.status < 300, resp.body
        return resp.json()

    code = {"zipFile": base64.b64encode(code_zip(SOURCE)).decode()}
    for service in ("few", "many"):
        send("POST", "/services", {"serviceName": service})
        send("POST", f"/services/{service}/functions", {"functionName": "fn", "runtime": "python3.10",
                                                        "handler": "index.handler", "code": code})
    for i in range(10):
        send("PUT", "/services/few/functions/fn", {"description": f"revision {i}"})
        send("POST", "/services/few/versions")
    fake.load_state(many_versions(fake.dump_state(), "few", "many", count))
    revision = iter(range(10**9))

    def page(service: str) -> Callable[[], float]:
        return timed(lambda: send("GET", f"/services/{service}/versions", query="limit=10&direction=BACKWARD"))

    def publish(service: str) -> Callable[[], float]:
        def run() -> float:
            send("PUT", f"/services/{service}/functions/fn", {"description": f"bench {next(revision)}"})
            return page(service)() + timed(lambda: send("POST", f"/services/{service}/versions"))()
        return run

    few, many = median_pair(rounds, page("few"), page("many"))
    report("in-process FakeFc: 1 page", 1e6, "us", count, few, many)
    few, many = median_pair(rounds, publish("few"), publish("many"))
    report("in-process FakeFc: list 1 page + publish", 1e6, "us", count, few, many)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--get", type=int, default=4000, help="GetAlias calls per side")
    parser.add_argument("--invoke", type=int, default=2000, help="invocations per side")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds")
    parser.add_argument("--routing", type=int, default=20000, help="invocations for the routing accuracy")
    parser.add_argument("--versions", type=int, default=10000, help="versions for the memory figure")
    parser.add_argument("--paging-versions", type=int, default=10000, help="versions of the large service")
    parser.add_argument("--paging-rounds", type=int, default=200, help="pages and publishes per side")
    parser.add_argument("--only", choices=["throughput", "routing", "memory", "paging"], help="run one section")
    args = parser.parse_args(argv)
    sections = {"throughput": throughput, "routing": routing, "memory": memory, "paging": paging}
    with tempfile.TemporaryDirectory():
        for name, section in sections.items():
            if args.only in (None, name):
                section(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
