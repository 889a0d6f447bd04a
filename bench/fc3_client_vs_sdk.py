"""Fc3Client vs Alibaba's official FC 3.0 SDK (``alibabacloud-fc20230330``) on the same server, side by side.

Both clients talk over loopback HTTP, keep-alive on both (Fc3Client's one ``requests.Session``; the SDK's
cached per-endpoint session), to the same emulator (``fcinfra emulator``'s server, FC 3.0 under ``/2023-03-30/``),
in alternating rounds (which client goes first flips every round) so machine noise hits both alike. Workload
per client: GetAlias, UpdateAlias and InvokeFunction calls on one function (defaults 1,000 / 250 / 250).
Signatures are verified by the server for both. Prints per-call times and the ratio fcinfra/SDK (target <= 1.0).

    .venv/bin/python bench/fc3_client_vs_sdk.py [--get 1000] [--update 250] [--invoke 250] [--rounds 10]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable

from alibabacloud_fc20230330 import models
from alibabacloud_fc20230330.client import Client as SdkClient
from alibabacloud_tea_openapi.models import Config
from darabonba.runtime import RuntimeOptions

from fcinfra.fake.server import Emulator
from fcinfra.fc3 import Fc3Client
from fcinfra.testing.helpers import code_zip

ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "AK", "SK"


def prepare(client: Fc3Client) -> None:
    """Function ``fn`` with versions 1 and 2 and alias ``prod`` -> 1 (made with Fc3Client, outside the timing)."""
    client.create_function("fn", "python3.10", "index.handler", code=code_zip("def handler(e, c):\n    return e\n"))
    client.publish_version("fn")
    client.update_function("fn", memory_size=256)
    client.publish_version("fn")
    client.create_alias("fn", "prod", "1")


def ours_chunk(client: Fc3Client, gets: int, updates: int, invokes: int) -> None:
    for i in range(gets):
        assert client.get_alias("fn", "prod").version_id == "1"
        if i < updates:
            client.update_alias("fn", "prod", version_id="1", additional_version_weight={"2": (i % 10) / 10})
        if i < invokes:
            assert client.invoke("fn", b"ping", qualifier="1").payload == b"ping"


def sdk_chunk(client: SdkClient, gets: int, updates: int, invokes: int) -> None:
    headers = models.InvokeFunctionHeaders(x_fc_invocation_type="Sync")
    runtime = RuntimeOptions()
    for i in range(gets):
        assert client.get_alias("fn", "prod").body.version_id == "1"
        if i < updates:
            body = models.UpdateAliasInput(version_id="1", additional_version_weight={"2": (i % 10) / 10})
            client.update_alias("fn", "prod", models.UpdateAliasRequest(body=body))
        if i < invokes:
            request = models.InvokeFunctionRequest(body=io.BytesIO(b"ping"), qualifier="1")
            assert client.invoke_function_with_options("fn", request, headers, runtime).body.read() == b"ping"


def timed(fn: Callable[[], None], cpu: list[float]) -> float:
    """Wall time of ``fn``; the calling thread's own CPU time (the client's work, not the server's) goes to ``cpu``."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    fn()
    cpu.append(time.thread_time() - started_cpu)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--get", type=int, default=1000, help="GetAlias calls per client")
    parser.add_argument("--update", type=int, default=250, help="UpdateAlias calls per client")
    parser.add_argument("--invoke", type=int, default=250, help="InvokeFunction calls per client")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds the work is split into")
    args = parser.parse_args(argv)
    if any(n % args.rounds for n in (args.get, args.update, args.invoke)) or max(args.update, args.invoke) > args.get:
        parser.error("--get, --update and --invoke must divide by --rounds, and --update/--invoke <= --get")
    gets, updates, invokes = args.get // args.rounds, args.update // args.rounds, args.invoke // args.rounds

    with Emulator(access_keys={AK: SK}, account_id=ACCOUNT, region=REGION, seed=1, save_interval=None) as emu:
        emu.fake.fc3.register_handler("fn", lambda event, context: event)  # the same in-process echo for both
        address = emu.endpoint.split("://", 1)[1]
        ours = Fc3Client(ACCOUNT, REGION, AK, SK, endpoint=emu.endpoint)
        theirs = SdkClient(Config(access_key_id=AK, access_key_secret=SK, endpoint=address, protocol="http"))
        prepare(ours)
        ours_chunk(ours, 20, 5, 5)  # warm up both, outside the timing
        sdk_chunk(theirs, 20, 5, 5)
        ours.calls.clear()
        ours_times: list[float] = []
        sdk_times: list[float] = []
        ours_cpu: list[float] = []
        sdk_cpu: list[float] = []
        for round_no in range(args.rounds):
            runs = [
                (ours_times, ours_cpu, lambda: ours_chunk(ours, gets, updates, invokes)),
                (sdk_times, sdk_cpu, lambda: sdk_chunk(theirs, gets, updates, invokes)),
            ]
            if round_no % 2:
                runs.reverse()
            for sink, cpu, run in runs:
                sink.append(timed(run, cpu))
        counted = dict(ours.calls)

    total_ours, total_sdk = sum(ours_times), sum(sdk_times)
    per_client = args.get + args.update + args.invoke
    print(f"workload per client: {args.get} GetAlias + {args.update} UpdateAlias + {args.invoke} InvokeFunction, "
          f"{args.rounds} alternating rounds, over HTTP keep-alive to the emulator at {address}")
    print(f"fcinfra Fc3Client       : {total_ours:7.3f} s  ({total_ours / per_client * 1e6:6.1f} us/call, "
          f"median round {statistics.median(ours_times):.3f} s)")
    print(f"alibabacloud-fc20230330 : {total_sdk:7.3f} s  ({total_sdk / per_client * 1e6:6.1f} us/call, "
          f"median round {statistics.median(sdk_times):.3f} s)")
    print(f"client CPU per call (the calling thread only): fcinfra {sum(ours_cpu) / per_client * 1e6:.1f} us, "
          f"SDK {sum(sdk_cpu) / per_client * 1e6:.1f} us (ratio {sum(ours_cpu) / sum(sdk_cpu):.3f})")
    print(f"Fc3Client HTTP calls counted (timed part): {counted}")
    ratio = total_ours / total_sdk
    median_ratio = statistics.median(ours_times) / statistics.median(sdk_times)
    print(f"median-round ratio fcinfra/SDK = {median_ratio:.3f} (less sensitive to a noisy neighbour)")
    print(f"ratio fcinfra/SDK = {ratio:.3f}  (target <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
