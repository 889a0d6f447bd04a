"""What asking the credentials source on every request costs (fcinfra/credentials.py).

The client asks its ``CredentialSource`` for keys before signing each request, so a refreshed STS token is
used by the next call. Baseline: ``FcClient(..., "AK", "SK")`` (fixed keys). Compared side by side, in
interleaved rounds, against the in-process fake (``mock_fc``), per ``GetAlias`` call:

* ``env chain``: ``FcClient.from_env()`` with environment keys (alibabacloud-credentials' static provider
  behind fcinfra's chain);
* ``assumed role``: the same plus ``ALICLOUD_ASSUME_ROLE_ARN`` (the package's RamRoleArn provider, cached
  until 15 minutes before the token expires; one AssumeRole at the fake STS for the whole run).

    .venv/bin/python bench/credentials.py [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient, sts

ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "LTAIbench", "bench-secret"
ENV = {"HOME": "/nonexistent", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true", "ALIBABA_CLOUD_REGION": REGION,
       "ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT, "ALIBABA_CLOUD_ACCESS_KEY_ID": AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK}


def per_call_ms(client: FcClient, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        client.get_alias("svc", "prod")
    return (time.perf_counter() - started) * 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sts.forget_accounts()
    with mock_fc(access_keys={AK: SK}) as fake:
        builders: dict[str, Callable[[], FcClient]] = {
            "fixed keys (baseline)": lambda: FcClient(ACCOUNT, REGION, AK, SK),
            "env chain": lambda: FcClient.from_env(env=ENV),
            "assumed role": lambda: FcClient.from_env(env={**ENV, "ALICLOUD_ASSUME_ROLE_ARN":
                                                           f"acs:ram::{ACCOUNT}:role/bench"}),
        }
        clients = {name: build() for name, build in builders.items()}
        setup = clients["fixed keys (baseline)"]
        setup.create_service("svc")
        setup.create_function("svc", "fn", "python3.10", "index.handler")
        setup.create_alias("svc", "prod", setup.publish_version("svc").version_id)
        times: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(args.rounds):
            for name, client in clients.items():
                times[name].append(per_call_ms(client, args.calls))
        assume_calls = fake.sts.calls["AssumeRole"]
    base = statistics.median(times["fixed keys (baseline)"])
    print(f"{'credentials':24}{'ms/call':>10}{'ratio':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:24}{median:10.3f}{median / base:8.2f}")
    print(f"AssumeRole calls for {args.rounds * args.calls} role-signed requests: {assume_calls}")


if __name__ == "__main__":
    main()
