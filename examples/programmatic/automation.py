"""Release with Pulumi's Automation API: ``pulumi up`` driven from Python, no Pulumi.yaml needed.

The program is inline (:func:`make_program`): an ``FcService`` with the code in CODE_DIR as two functions (the
event function ``quote`` and the HTTP function ``web``, a WSGI app), and a ``CanaryRelease`` that publishes a
version when the code changed, walks alias ``prod`` 10 -> 25 -> 50 -> 100 with an invoke probe of ``quote``,
rolls back on failure, and keeps an HTTP trigger on ``web`` bound to the alias (FC 2.0 refuses InvokeFunction on
a function with an HTTP trigger, so the probe and the trigger need a function each).

Needs the Pulumi CLI (https://www.pulumi.com/docs/install/) and an Alibaba Cloud account:

    export ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... ALIBABA_CLOUD_ACCOUNT_ID=...
    pulumi login --local                      # or your Pulumi Cloud / S3 backend
    export PULUMI_CONFIG_PASSPHRASE=...       # for a local backend's secrets
    python examples/programmatic/automation.py up examples/functions/v2 --region cn-hangzhou
    python examples/programmatic/automation.py preview examples/functions/v3
    python examples/programmatic/automation.py destroy

Exit status: 0 when the release promoted (or preview/destroy succeeded), 3 when it was rolled back, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = "fcinfra-programmatic"
HERE = Path(__file__).resolve().parent
DEFAULT_CODE = HERE.parent / "functions" / "v1"
STRATEGY = {"type": "steps", "weights": [10, 25, 50, 100], "interval": 60}
HEALTH = [{"type": "invoke", "function": "quote", "samples": 20, "max_error_rate": 0.05,
           "payload": '{"item": "pear", "qty": 1}'}]


def make_program(code_dir: Path, service: str = "demo-shop", alias: str = "prod",
                 strategy: dict[str, Any] | None = None, time_budget: float = 900) -> Callable[[], None]:
    """The Pulumi program, as a function the Automation API runs in this process."""

    def program() -> None:
        import pulumi

        from fcinfra.components import CanaryRelease, FcService

        svc = FcService(service, {
            "functions": {
                "quote": {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir),
                          "memory_size": 128, "timeout": 10},
                "web": {"runtime": "python3.10", "handler": "index.web", "code": str(code_dir),
                        "memory_size": 128, "timeout": 10},
            },
        })
        release = CanaryRelease(f"{service}-{alias}", {
            "service": svc,
            "alias": alias,
            "strategy": strategy or STRATEGY,
            "health": HEALTH,
            "time_budget": time_budget,
            "triggers": [{"function": "web", "trigger_type": "http", "name": f"http-{alias}",
                          "trigger_config": {"authType": "anonymous", "methods": ["GET", "POST"]}}],
        })
        pulumi.export("version", release.version_id)
        pulumi.export("status", release.status)

    return program


def _select_stack(**kwargs: Any) -> Any:
    from pulumi import automation as auto

    # fcinfra's resources are Pulumi dynamic providers, which the engine starts with `python3` from PATH unless
    # told otherwise: run them with this interpreter, the one that has fcinfra and pulumi installed.
    opts = auto.LocalWorkspaceOptions(env_vars={"PULUMI_PYTHON_CMD": sys.executable})
    return auto.create_or_select_stack(opts=opts, **kwargs)


def run(
    action: str,
    code_dir: Path = DEFAULT_CODE,
    stack_name: str = "dev",
    region: str = "cn-hangzhou",
    interval: float = 60,
    *,
    select_stack: Callable[..., Any] = _select_stack,
    echo: Callable[[str], None] = print,
) -> int:
    """One Automation API action (``up``, ``preview`` or ``destroy``); returns the exit status.

    ``select_stack`` is the only door to the Pulumi CLI: tests replace it with a stand-in stack.
    """
    if action not in ("up", "preview", "destroy"):
        raise ValueError(f"unknown action {action!r}: use up, preview or destroy")
    from pulumi.automation import CommandError, ConfigValue

    program = make_program(code_dir, strategy={**STRATEGY, "interval": interval})
    stack = select_stack(stack_name=stack_name, project_name=PROJECT, program=program)
    stack.set_config("alicloud:region", ConfigValue(value=region))
    try:
        if action == "preview":
            stack.preview(on_output=echo)
            return 0
        if action == "destroy":
            stack.destroy(on_output=echo)
            return 0
        result = stack.up(on_output=echo)
    except CommandError as exc:
        rolled_back = "was rolled back" in str(exc)
        echo(f"pulumi {action} failed: " + ("the canary was rolled back" if rolled_back else str(exc)))
        return 3 if rolled_back else 1
    outputs = result.outputs
    status = outputs["status"].value if "status" in outputs else "unknown"
    version = outputs["version"].value if "version" in outputs else "?"
    echo(f"release of version {version}: {status}")
    return 0 if status == "promoted" else 3 if status == "rolled_back" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pulumi up / preview / destroy of an fcinfra canary release")
    parser.add_argument("action", choices=["up", "preview", "destroy"])
    parser.add_argument("code_dir", nargs="?", type=Path, default=DEFAULT_CODE)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--region", default="cn-hangzhou")
    parser.add_argument("--interval", type=float, default=60, help="seconds to bake at each canary step")
    args = parser.parse_args(argv)
    return run(args.action, args.code_dir, args.stack, args.region, args.interval)


if __name__ == "__main__":
    sys.exit(main())
