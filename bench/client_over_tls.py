"""FcClient vs Alibaba's FC 2.0 SDK (aliyun-fc2) over loopback https to the emulator, same calls alternating.

The emulator runs in a child process with ``tls=True`` (a throw-away CA made by trustme; both clients trust
it through ``REQUESTS_CA_BUNDLE``, which requests honours for new sessions). Each round makes the same call
with each client, one right after the other (who goes first flips every round): GetAlias, GetFunction,
ListServiceVersions and InvokeFunction through an alias, in turn. FcClient keeps one ``requests.Session``
(one TLS connection, kept alive); the SDK opens a new session, hence a new TLS handshake, per request.
Prints the median per-call time of each, per operation and overall, and the ratio fcinfra/SDK
(target: at most 0.5).

    .venv/bin/python bench/client_over_tls.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import fc2  # aliyun-fc2, bench-only dependency

from fcinfra.fc import FcClient
from fcinfra.testing.helpers import code_zip

ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "AK", "SK"
SOURCE = "def handler(event, context):\n    return {'version': context.service.version_id}\n"


def start_emulator(ca_file: Path) -> tuple[subprocess.Popen[str], str]:
    script = (
        "import sys; from fcinfra.fake.server import run_emulator; "
        f"run_emulator(0, {{{AK!r}: {SK!r}}}, {ACCOUNT!r}, {REGION!r}, tls=True, ca_file=sys.argv[1], seed=1)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(ca_file)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    banner = proc.stdout.readline()
    if " at https://" not in banner:
        proc.kill()
        raise SystemExit(f"the emulator did not start: {banner!r}")
    return proc, banner.strip().split(" at ", 1)[1]


def prepare(client: FcClient) -> None:
    client.create_service("bench")
    client.create_function("bench", "fn", "python3.10", "index.handler", code=code_zip(SOURCE))
    client.publish_version("bench")
    client.update_function("bench", "fn", memory_size=256)
    client.publish_version("bench")
    client.create_alias("bench", "prod", "1", additional_version_weight={"2": 0.5})


def operations(ours: FcClient, sdk: fc2.Client) -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    def our_invoke() -> object:
        inv = ours.invoke("bench", "fn", b"{}", qualifier="prod")
        assert inv.ok
        return inv

    def sdk_invoke() -> object:
        return sdk.invoke_function("bench", "fn", payload=b"{}", qualifier="prod")

    return {
        "GetAlias": (lambda: ours.get_alias("bench", "prod"), lambda: sdk.get_alias("bench", "prod")),
        "GetFunction": (lambda: ours.get_function("bench", "fn"), lambda: sdk.get_function("bench", "fn")),
        "ListServiceVersions": (lambda: ours.list_versions("bench"), lambda: sdk.list_versions("bench")),
        "InvokeFunction": (our_invoke, sdk_invoke),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per client, spread over the operations")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ca_file = Path(tmp) / "emulator-ca.pem"
        proc, endpoint = start_emulator(ca_file)
        try:
            os.environ["REQUESTS_CA_BUNDLE"] = str(ca_file)  # both clients trust the emulator's CA
            ours = FcClient(ACCOUNT, REGION, AK, SK, endpoint=endpoint)
            sdk = fc2.Client(endpoint=endpoint, accessKeyID=AK, accessKeySecret=SK)
            prepare(ours)
            ops = operations(ours, sdk)
            for mine, theirs in ops.values():  # warm up: imports, first connection, warm function workers
                for _ in range(5):
                    mine()
                    theirs()
            times: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"fcinfra": [], "sdk": []})
            names = list(ops)
            for i in range(args.calls):
                name = names[i % len(names)]
                pair = [("fcinfra", ops[name][0]), ("sdk", ops[name][1])]
                if (i // len(names)) % 2:
                    pair.reverse()
                for who, call in pair:
                    started = time.perf_counter()
                    call()
                    times[name][who].append(time.perf_counter() - started)
        finally:
            proc.terminate()
            proc.wait(30)

    print(f"FcClient vs aliyun-fc2 over https to the emulator on loopback: {args.calls} calls each, alternating")
    print(f"{'operation':<22}{'fcinfra ms':>12}{'sdk ms':>10}{'ratio':>8}")
    all_ours: list[float] = []
    all_sdk: list[float] = []
    for name in names:
        ours_t, sdk_t = times[name]["fcinfra"], times[name]["sdk"]
        all_ours += ours_t
        all_sdk += sdk_t
        ours_ms, sdk_ms = statistics.median(ours_t) * 1e3, statistics.median(sdk_t) * 1e3
        print(f"{name:<22}{ours_ms:>12.2f}{sdk_ms:>10.2f}{ours_ms / sdk_ms:>8.2f}")
    ratio = statistics.median(all_ours) / statistics.median(all_sdk)
    total = sum(all_ours) / sum(all_sdk)
    print(f"{'all (median per call)':<22}{statistics.median(all_ours) * 1e3:>12.2f}"
          f"{statistics.median(all_sdk) * 1e3:>10.2f}{ratio:>8.2f}")
    print(f"per-call time ratio fcinfra/SDK: {ratio:.2f} (median), {total:.2f} (total time); target <= 0.5: "
          + ("OK" if ratio <= 0.5 else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
