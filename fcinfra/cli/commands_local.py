"""``fcinfra emulator`` and ``fcinfra demo``: everything that runs locally, with no cloud account."""

from __future__ import annotations

from pathlib import Path

import click

from fcinfra.cli.parsing import DURATION, parse_access_key


@click.command(short_help="Run a local FC 2.0 emulator (no cloud account needed).")
@click.option("--port", default=9000, show_default=True, type=click.IntRange(0, 65535),
              help="Loopback port to listen on (0 picks a free one and prints it).")
@click.option("--access-key", "access_keys", multiple=True, metavar="AK:SK",
              help="Accept only requests signed with this key pair (signatures verified); repeatable. "
                   "Default: any key id, signatures not checked.")
@click.option("--account-id", default="1234567890", show_default=True, help="The account id the emulator reports.")
@click.option("--region", default="cn-hangzhou", show_default=True, help="The region the emulator reports.")
@click.option("--state-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Load state from this JSON file at start (if it exists); save it on exit, SIGINT and SIGTERM.")
@click.option("--tls", is_flag=True, help="Serve https with a throwaway certificate authority (printed at start).")
def emulator(port: int, access_keys: tuple[str, ...], account_id: str, region: str, state_file: Path | None,
             tls: bool) -> None:
    """Run the FC 2.0 emulator: the fake of Function Compute served on 127.0.0.1, like moto's server mode.

    It speaks FC's HTTP API (signatures, versions, aliases with weights, triggers, HTTP triggers) and runs
    Python functions' zip code in worker processes, so fcinfra, Alibaba's SDKs and Pulumi can use it.

    \b
    Example:
      fcinfra emulator --port 9000 --access-key AK:SK --state-file fc-state.json
      # in another terminal:
      export FC_ENDPOINT=http://127.0.0.1:9000 ALIBABA_CLOUD_ACCOUNT_ID=1234567890
      export ALIBABA_CLOUD_ACCESS_KEY_ID=AK ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK
      fcinfra versions list my-svc

    Stop it with Ctrl-C.
    """
    from fcinfra.fake.server import EmulatorError, run_emulator

    keys = dict(parse_access_key(value) for value in access_keys) if access_keys else None
    try:
        code = run_emulator(port=port, access_keys=keys, account_id=account_id, region=region,
                            state_file=state_file, tls=tls, echo=click.echo)
    except (EmulatorError, OSError) as exc:
        busy = "in use" in str(exc)
        hint = "; is another emulator running? Pick another --port (0 = any free one)" if busy else ""
        raise click.ClickException(f"{exc}{hint}") from exc
    raise SystemExit(code)


@click.command(short_help="Try it: a full canary release on a local emulator (~5s).")
@click.option("--interval", default="1s", show_default=True, metavar="DURATION", type=DURATION,
              help="Bake time at each canary weight (e.g. 10s to watch it slowly).")
@click.option("--samples", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="Probe invocations of the new version needed before each verdict.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("fcinfra-report.html"), show_default=True,
              help="Where to write the HTML rollout report (with its chart).")
@click.option("--keep-running", is_flag=True,
              help="Keep the emulator up afterwards (until Ctrl-C) to explore it with fcinfra or curl.")
@click.option("--output", "-o", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json prints the demo's events as JSON lines.")
@click.option("--fc3", is_flag=True, help="The same story on FC 3.0: function-level versions, aliases, triggers.")
def demo(interval: float, samples: int, report_path: Path, keep_running: bool, output: str, fc3: bool) -> None:
    """Walk through a full canary release on a local FC emulator, with no cloud account.

    \b
    1. starts the emulator on a free loopback port
    2. deploys examples/functions/v1 (a real Python function), publishes version 1,
       creates alias prod, binds an HTTP trigger to prod, and calls it (prod -> version 1)
    3. deploys a healthy v2 and rolls it out 10% -> 25% -> 50% -> 100% with health probes: promoted
    4. deploys v3, which fails on a third of its inputs: the canary catches it and rolls back
    5. prints a summary and writes an HTML report with a chart of weight and error rate over time

    \b
    Example:
      fcinfra demo                      # about 5 seconds
      fcinfra demo --interval 10s       # slower, to watch each step
      fcinfra demo --keep-running       # then explore the emulator from another terminal
      fcinfra demo --fc3                # on FC 3.0: the function owns its versions and alias

    Exit status 0 when version 2 was promoted and version 3 rolled back.
    """
    from fcinfra.demo.flow import run_demo, wait_for_ctrl_c
    from fcinfra.fake.server import EmulatorError

    try:
        code = run_demo(interval=interval, samples=samples, report_path=report_path,
                        json_output=output == "json", wait_for_exit=wait_for_ctrl_c if keep_running else None,
                        fc3=fc3)
    except EmulatorError as exc:
        raise click.ClickException(f"the demo's emulator could not start: {exc}") from exc
    raise SystemExit(code)
