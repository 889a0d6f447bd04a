"""FcClient vs Alibaba's official FC 2.0 SDK (aliyun-fc2, ``import fc2``) on the same workload, side by side.

Both talk to the same in-process fake (``mock_fc()``) in one run, in alternating rounds (which client goes
first flips every round), so machine noise hits both alike. Workload per client: GetAlias and UpdateAlias
calls on one alias (defaults: 2,000 and 500). Prints the wall time of each and the ratio fcinfra/SDK
(target: <= 1.0).

    .venv/bin/python bench/client_vs_sdk.py [--get 2000] [--update 500] [--rounds 10] [--emulator]

``--emulator`` runs the same comparison over real HTTP on loopback (``fcinfra emulator``'s server), where
FcClient's kept-alive session meets the SDK's connection per request.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator

import fc2  # aliyun-fc2, bench-only dependency

from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient

ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "AK", "SK"
ENDPOINT = f"https://{ACCOUNT}.{REGION}.fc.aliyuncs.com"
ZIP = b"PK\x05\x06" + b"\x00" * 18


def prepare(client: FcClient) -> None:
    """A service with versions 1 and 2 and an alias ``prod`` -> 1 (made with FcClient, outside the timing)."""
    client.create_service("bench")
    client.create_function("bench", "fn", "python3.10", "index.handler", code=ZIP)
    client.publish_version("bench")
    client.update_function("bench", "fn", memory_size=256)
    client.publish_version("bench")
    client.create_alias("bench", "prod", "1")


def fcinfra_chunk(client: FcClient, gets: int, updates: int) -> None:
    for i in range(gets):
        assert client.get_alias("bench", "prod").version_id == "1"
        if i < updates:
            weight = (i % 10) / 10
            client.update_alias("bench", "prod", version_id="1", additional_version_weight={"2": weight})


def sdk_chunk(client: fc2.Client, gets: int, updates: int) -> None:
    for i in range(gets):
        assert client.get_alias("bench", "prod").data["versionId"] == "1"
        if i < updates:
            weight = (i % 10) / 10
            client.update_alias("bench", "prod", "1", additionalVersionWeight={"2": weight})


@contextlib.contextmanager
def target(emulator: bool) -> Iterator[tuple[str | None, str, str]]:
    """(endpoint for FcClient, endpoint for the SDK, description) of a fresh fake."""
    if emulator:
        from fcinfra.fake.server import Emulator

        with Emulator(access_keys={AK: SK}, seed=1, save_interval=None) as emu:
            yield emu.endpoint, emu.endpoint, f"the emulator over HTTP at {emu.endpoint}"
    else:
        with mock_fc(access_keys={AK: SK}, seed=1):
            yield None, ENDPOINT, "mock_fc() (in-process fake)"


def timed(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--get", type=int, default=2000, help="GetAlias calls per client (>= 2000 for the report)")
    parser.add_argument("--update", type=int, default=500, help="UpdateAlias calls per client")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds the work is split into")
    parser.add_argument("--emulator", action="store_true", help="talk to the emulator over loopback HTTP")
    args = parser.parse_args(argv)
    if args.get % args.rounds or args.update % args.rounds or args.update > args.get:
        parser.error("--get and --update must divide by --rounds, and --update <= --get")
    gets, updates = args.get // args.rounds, args.update // args.rounds

    with target(args.emulator) as (our_endpoint, sdk_endpoint, where):
        ours = FcClient(ACCOUNT, REGION, AK, SK, endpoint=our_endpoint)
        theirs = fc2.Client(endpoint=sdk_endpoint, accessKeyID=AK, accessKeySecret=SK)
        prepare(ours)
        # Warm up both (imports, first connections, caches), outside the timing.
        fcinfra_chunk(ours, 20, 5)
        sdk_chunk(theirs, 20, 5)
        ours.calls.clear()

        ours_times: list[float] = []
        sdk_times: list[float] = []
        for round_no in range(args.rounds):
            runs = [
                (ours_times, lambda: fcinfra_chunk(ours, gets, updates)),
                (sdk_times, lambda: sdk_chunk(theirs, gets, updates)),
            ]
            if round_no % 2:
                runs.reverse()
            for sink, run in runs:
                sink.append(timed(run))
        counted = dict(ours.calls)
        alias = ours.get_alias("bench", "prod")

    total_ours, total_sdk = sum(ours_times), sum(sdk_times)
    per_call = args.get + args.update
    print(f"workload per client: {args.get} GetAlias + {args.update} UpdateAlias, {args.rounds} alternating rounds,"
          f" against {where}")
    print(f"fcinfra FcClient : {total_ours:7.3f} s  ({total_ours / per_call * 1e6:6.1f} us/call, "
          f"median round {statistics.median(ours_times):.3f} s)")
    print(f"aliyun-fc2 SDK   : {total_sdk:7.3f} s  ({total_sdk / per_call * 1e6:6.1f} us/call, "
          f"median round {statistics.median(sdk_times):.3f} s)")
    print(f"FcClient HTTP calls counted (timed part): {counted}; final alias: {alias.version_id} "
          f"{alias.additional_version_weight}")
    ratio = total_ours / total_sdk
    print(f"ratio fcinfra/SDK = {ratio:.3f}  (target <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
