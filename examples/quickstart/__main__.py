"""Quickstart: an FC service, a version published when the code changes, alias ``prod``, and an HTTP
trigger bound to ``prod`` from its first moment. Run from the repository root: ``pulumi up``.

Change the code (``pulumi config set fcinfra:codeDir ../functions/v2``) and ``pulumi up`` again: a new
version is published and ``prod`` moves to it; the trigger follows the alias without being touched.
"""

from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud

from fcinfra.components import FcService
from fcinfra.components.stack import alicloud_provider, code_path
from fcinfra.providers import AliasShift, AliasTrigger, ServiceVersion

HERE = Path(__file__).resolve().parent
config = pulumi.Config("fcinfra")
service_name = config.get("serviceName") or "fcinfra-quickstart"
alias_name = config.get("alias") or "prod"

provider = alicloud_provider(config)
opts = pulumi.ResourceOptions(providers=[provider] if provider else None)

service = FcService(
    "quickstart",
    {
        "service_name": service_name,
        "description": "fcinfra quickstart",
        "functions": {
            "quote": {
                "runtime": "python3.10",
                "handler": "index.handler",
                "code": code_path(config.get("codeDir"), "../functions/v1", HERE),
                "memory_size": 128,
                "timeout": 10,
            },
            # the HTTP function behind the trigger: the package's WSGI app (FC 2.0 calls it that way)
            "web": {
                "runtime": "python3.10",
                "handler": "index.web",
                "code": code_path(config.get("codeDir"), "../functions/v1", HERE),
                "memory_size": 128,
                "timeout": 10,
            },
        },
    },
    opts=opts,
)

# A new version whenever the service config or any function's code/config changes (not otherwise).
version = ServiceVersion(
    "quickstart-version",
    service=service.service_name,
    fingerprint=service.fingerprint,
    keep_last=config.get_int("keepVersions") or 5,
)

# The alias exists through pulumi-alicloud; its traffic belongs to AliasShift (hence ignore_changes).
alias = alicloud.fc.Alias(
    "quickstart-alias",
    service_name=service.service_name,
    alias_name=alias_name,
    service_version=version.version_id,
    description="production traffic",
    opts=pulumi.ResourceOptions(provider=provider, ignore_changes=["service_version", "routing_config"]),
)
traffic = AliasShift(
    "quickstart-traffic",
    service=service.service_name,
    alias=alias.alias_name,
    version_id=version.version_id,
    opts=pulumi.ResourceOptions(depends_on=[alias]),
)

# Bound to the alias at creation: it never serves LATEST's unpublished code.
trigger = AliasTrigger(
    "quickstart-http",
    service=service.service_name,
    function="web",
    name="http",
    trigger_type="http",
    qualifier=alias.alias_name,
    trigger_config={"authType": "anonymous", "methods": ["GET", "POST"]},
)

pulumi.export("service", service.service_name)
pulumi.export("version_id", version.version_id)
pulumi.export("alias", alias.alias_name)
pulumi.export("alias_version", traffic.version_id)
pulumi.export("trigger_qualifier", trigger.qualifier)
pulumi.export("url", trigger.url_internet)
