"""Deploy a function folder to FC and release it through an alias with a health-checked canary, in plain Python.

What a CI job does on every merge, with no Pulumi: update the code at LATEST, publish a version (only if
something changed), point the alias at it through a canary (10 -> 25 -> 50 -> 100 with probes, automatic
rollback), keep the HTTP trigger bound to the alias, and prune old versions that nothing uses.

The code package becomes two FC 2.0 functions: ``quote`` (``index.handler``, an event function: invoked through
the API and by the canary's probe) and ``web`` (``index.web``, a WSGI app: the HTTP function behind the trigger;
FC 2.0 refuses InvokeFunction on a function with an HTTP trigger).

    # against the local emulator (no cloud account):
    fcinfra emulator --port 9000 --access-key AK:SK &
    export FC_ENDPOINT=http://127.0.0.1:9000 ALIBABA_CLOUD_ACCOUNT_ID=1234567890
    export ALIBABA_CLOUD_ACCESS_KEY_ID=AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK
    python examples/programmatic/deploy.py examples/functions/v1     # first release: prod -> version 1
    python examples/programmatic/deploy.py examples/functions/v2     # canary: promoted (exit 0)
    python examples/programmatic/deploy.py examples/functions/v3     # canary: rolled back (exit 3)

    # or all three against a throwaway emulator started by the script itself:
    python examples/programmatic/deploy.py --emulator

On a real account, set the ALIBABA_CLOUD_* variables (and no FC_ENDPOINT) and run the same commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from fcinfra.errors import FcinfraError, NotFoundError
from fcinfra.fc import FcClient
from fcinfra.lifecycle import prune_versions
from fcinfra.packaging import zip_folder
from fcinfra.release import FunctionSettings, publish_or_reuse, upload_code
from fcinfra.rollout import InvokeProbe, Rollout, Steps
from fcinfra.rollout.spec import DEFAULT_WEIGHTS

HERE = Path(__file__).resolve().parent
FUNCTIONS = HERE.parent / "functions"


@dataclass
class Release:
    """What one deploy did: the version it published (or found), and how the alias ended up."""

    version: str
    status: str  # "first_release" | "unchanged" | "promoted" | "rolled_back" | ...
    message: str
    pruned: list[str]

    @property
    def exit_code(self) -> int:
        return 0 if self.status in ("first_release", "unchanged", "promoted") else 3


def bind_http_trigger(client: FcClient, service: str, function: str, alias: str) -> None:
    """An anonymous HTTP trigger bound to the alias (never to LATEST or a fixed version)."""
    name = f"http-{alias}"
    try:
        trigger = client.get_trigger(service, function, name)
    except NotFoundError:
        client.create_trigger(service, function, name, "http", {"authType": "anonymous", "methods": ["GET", "POST"]},
                              qualifier=alias)
        return
    if trigger.qualifier != alias:
        client.update_trigger(service, function, name, qualifier=alias)


def deploy(
    client: FcClient,
    code_dir: Path,
    service: str = "demo-shop",
    function: str = "quote",
    web: str = "web",
    alias: str = "prod",
    steps: tuple[int, ...] = DEFAULT_WEIGHTS,
    interval: float = 30.0,
    probe_payload: str = '{"item": "fig", "qty": 1}',
    keep_last: int = 5,
    log: TextIO = sys.stdout,
) -> Release:
    """Upload (only if the code changed), publish (only if something changed), then canary the alias to it."""
    code = zip_folder(code_dir)
    for name, handler in ((function, "index.handler"), (web, "index.web")):
        upload_code(client, service, name, code, FunctionSettings(handler=handler, memory_size=128, timeout=10),
                    service_description="deployed by examples/programmatic/deploy.py")
    published = publish_or_reuse(client, service, description=f"{code_dir.name}")
    version, new = published.version_id, published.published
    try:
        current = client.get_alias(service, alias)
    except NotFoundError:
        client.create_alias(service, alias, version, description="production traffic")
        bind_http_trigger(client, service, web, alias)
        return Release(version, "first_release", f"{alias} -> version {version}", [])
    bind_http_trigger(client, service, web, alias)
    if current.version_id == version and not current.additional_version_weight:
        return Release(version, "unchanged", f"{alias} already serves version {version}" + ("" if new else
                       " (nothing changed since it was published)"), [])
    rollout = Rollout(
        client, service, alias, version,
        strategy=Steps(list(steps), interval=interval),
        health=[InvokeProbe(function, samples=20, max_error_rate=0.05, payload=probe_payload)],
        check_every=max(min(interval / 4, 10.0), 0.05),
        on_event=lambda event: print(f"  [{event.kind}] {event.message}", file=log, flush=True),
    )
    result = rollout.run()
    pruned = prune_versions(client, service, keep_last=keep_last) if result.status == "promoted" else []
    return Release(version, result.status, result.reason, pruned)


def _self_contained_run(interval: float) -> int:
    """Start a throwaway emulator and release v1, v2 (healthy) and v3 (fails on fig and lime) into it."""
    from fcinfra.fake.server import Emulator

    with Emulator(port=0, access_keys={"AK": "SK"}) as emu, \
            FcClient(emu.account_id, emu.region, "AK", "SK", endpoint=emu.endpoint) as client:
        print(f"emulator at {emu.endpoint}")
        codes = [0]
        for name in ("v1", "v2", "v3"):
            print(f"deploying examples/functions/{name}")
            release = deploy(client, FUNCTIONS / name, interval=interval)
            print(f"=> {release.status}: {release.message}")
            codes.append(release.exit_code)
        alias = client.get_alias("demo-shop", "prod")
        print(f"prod serves version {alias.version_id}")
        expected = [0, 0, 0, 3]
        return 0 if codes == expected and alias.version_id == "2" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("code_dir", nargs="?", type=Path, help="folder with index.py (e.g. examples/functions/v2)")
    parser.add_argument("--emulator", action="store_true", help="release v1, v2, v3 into a throwaway emulator")
    parser.add_argument("--service", default="demo-shop")
    parser.add_argument("--alias", default="prod")
    parser.add_argument("--interval", type=float, default=None, help="bake seconds per step (default 30; 0.5 with "
                        "--emulator)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    args = parser.parse_args(argv)
    try:
        if args.emulator:
            return _self_contained_run(0.5 if args.interval is None else args.interval)
        if args.code_dir is None:
            parser.error("give a code folder, or --emulator")
        with FcClient.from_env() as client:  # --json: stdout carries the outcome alone, progress goes to stderr
            release = deploy(client, args.code_dir, service=args.service, alias=args.alias,
                             interval=30.0 if args.interval is None else args.interval,
                             log=sys.stderr if args.json else sys.stdout)
    except FcinfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(release.__dict__))
    else:
        print(f"{release.status}: {release.message}" + (f"; pruned {release.pruned}" if release.pruned else ""))
    return release.exit_code


if __name__ == "__main__":
    sys.exit(main())
