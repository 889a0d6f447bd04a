"""FC 3.0 canary: an ``Fc3Function`` whose every code change is published as a function version and walked onto
its alias ``prod`` during ``pulumi up`` (10 -> 25 -> 50 -> 100 %), with health gates; an HTTP trigger is bound to
the alias once. A failing version is rolled back and the update fails.

    cd examples/fc3-canary && pulumi up                                # v1: published, prod -> 1, trigger on prod
    pulumi config set codeDir ../functions/v2 && pulumi up             # v2: canary walked, promoted
    pulumi config set codeDir ../functions/v3 && pulumi up             # v3: rolled back, update fails
"""

from pathlib import Path

import pulumi

from fcinfra.components import CanaryRelease, Fc3Function
from fcinfra.components.stack import alicloud_provider, code_path

HERE = Path(__file__).resolve().parent
config = pulumi.Config()  # this project's own keys (see Pulumi.yaml)
function_name = config.get("functionName") or "fcinfra-fc3-quote"
interval = config.get_float("stepInterval") or 60.0

provider = alicloud_provider(pulumi.Config("fcinfra"))
opts = pulumi.ResourceOptions(providers=[provider] if provider else None)

# On FC 3.0 one function serves both the API (InvokeFunction, used by the health gate) and its HTTP trigger.
quote = Fc3Function(
    "quote",
    {
        "function_name": function_name,
        "runtime": "python3.10",
        "handler": "index.handler",
        "code": code_path(config.get("codeDir"), "../functions/v1", HERE),
        "memory_size": 128,
        "timeout": 10,
        "description": "fcinfra FC 3.0 canary example",
    },
    opts=opts,
)

release = CanaryRelease(
    "quote-prod",
    {
        "service": quote,
        "alias": "prod",
        "strategy": {"type": "steps", "weights": [10, 25, 50, 100], "interval": interval},
        "health": [
            # invoke through the alias; judge the canary version on its own samples ("fig" crashes v3)
            {"type": "invoke", "function": function_name, "samples": 30, "max_error_rate": 0.05,
             "payload": '{"item": "fig", "qty": 2}'},
        ],
        "triggers": [
            {"function": function_name, "trigger_type": "http", "name": "http",
             "trigger_config": {"authType": "anonymous", "methods": ["GET", "POST"]}},
        ],
        "time_budget": config.get_float("timeBudget") or 900.0,
        "force": config.get("force"),
        "keep_last": 10,
    },
    opts=opts,
)

trigger = release.triggers["http"]
pulumi.export("function_name", quote.function_name)
pulumi.export("version_id", release.version_id)
pulumi.export("status", release.status)
pulumi.export("live_version", release.shift.version_id)
pulumi.export("history", release.shift.history)
pulumi.export("trigger_id", trigger.trigger_id)
pulumi.export("trigger_url", trigger.http_trigger.apply(lambda h: h.url_internet if h else None))
