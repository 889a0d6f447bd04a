"""Canary: each code change is published as a version and walked onto alias ``prod`` during ``pulumi up``
(10 -> 25 -> 50 -> 100 %), with health gates; a failing version is rolled back and the update fails.

    cd examples/canary && pulumi up                                    # v1: published, prod -> 1
    pulumi config set codeDir ../functions/v2 && pulumi up             # v2: canary walked, promoted
    pulumi config set codeDir ../functions/v3 && pulumi up             # v3: rolled back, update fails
"""

from pathlib import Path

import pulumi

from fcinfra.components import CanaryRelease, FcService
from fcinfra.components.stack import alicloud_provider, code_path

HERE = Path(__file__).resolve().parent
config = pulumi.Config()  # this project's own keys (see Pulumi.yaml)
interval = config.get_float("stepInterval") or 60.0

provider = alicloud_provider(pulumi.Config("fcinfra"))
opts = pulumi.ResourceOptions(providers=[provider] if provider else None)

service = FcService(
    "shop",
    {
        "service_name": config.get("serviceName") or "fcinfra-canary",
        "description": "fcinfra canary example",
        "functions": {
            "quote": {
                "runtime": "python3.10",
                "handler": "index.handler",
                "code": code_path(config.get("codeDir"), "../functions/v1", HERE),
                "timeout": 10,
            },
            # the same package's WSGI app: the HTTP function behind the trigger (FC 2.0 refuses InvokeFunction on
            # a function with an HTTP trigger, so the probe above and the trigger need a function each)
            "web": {
                "runtime": "python3.10",
                "handler": "index.web",
                "code": code_path(config.get("codeDir"), "../functions/v1", HERE),
                "timeout": 10,
            },
        },
    },
    opts=opts,
)

release = CanaryRelease(
    "shop-prod",
    {
        "service": service,
        "alias": "prod",
        "strategy": {"type": "steps", "weights": [10, 25, 50, 100], "interval": interval},
        "health": [
            # invoke through the alias; judge the canary version on its own samples
            {"type": "invoke", "function": "quote", "samples": 30, "max_error_rate": 0.05,
             "payload": '{"item": "fig", "qty": 2}'},
        ],
        "triggers": [
            {"function": "web", "trigger_type": "http", "name": "http",
             "trigger_config": {"authType": "anonymous", "methods": ["GET", "POST"]}},
        ],
        "time_budget": config.get_float("timeBudget") or 900.0,
        "force": config.get("force"),
        "keep_last": 10,
    },
    opts=opts,
)

pulumi.export("version_id", release.version_id)
pulumi.export("status", release.status)
pulumi.export("live_version", release.shift.version_id)
pulumi.export("history", release.shift.history)
