"""fcinfra.testing: realistic alicloud outputs, dynamic providers run as Pulumi's host would, light imports."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
from pulumi.dynamic.dynamic import serialize_provider

from fcinfra.providers import AliasTriggerProvider, ServiceVersion, ServiceVersionProvider
from fcinfra.providers._base import serialized
from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.plugin import fc_client, fc_fake
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack, unpickle_provider

__all__ = ["fc_client", "fc_fake"]


def test_alicloud_resources_get_realistic_outputs_and_exist_in_the_fake(fc_client: Any, tmp_path: Any) -> None:
    zip_path = tmp_path / "code.zip"
    zip_path.write_bytes(code_zip(handler_source("hi")))
    seen: dict[str, Any] = {}

    def program() -> Any:
        svc = alicloud.fc.Service("svc", name="svc")
        fn = alicloud.fc.Function("fn", service=svc.name, name="fn", runtime="python3.10", handler="index.handler",
                                  filename=str(zip_path))
        trigger = alicloud.fc.Trigger("t", service=svc.name, function=fn.name, name="t", type="http",
                                      config=json.dumps({"authType": "anonymous", "methods": ["GET"]}))
        return pulumi.Output.all(fn.id, fn.function_arn, fn.memory_size, trigger.id).apply(lambda r: seen.update(
            fn_id=r[0], arn=r[1], memory=r[2], trigger_id=r[3]))

    mocks = run_stack(program, FcMocks(fc_client))
    assert seen == {
        "fn_id": "svc:fn",
        "arn": f"acs:fc:cn-hangzhou:{fc_client.account_id}:services/svc.LATEST/functions/fn",
        "memory": 128,
        "trigger_id": "svc:fn:t",
    }
    assert fc_client.get_function("svc", "fn").code_checksum == mocks.one("fc/function:Function").outputs[
        "code_checksum"
    ]
    assert fc_client.get_trigger("svc", "fn", "t").trigger_type == "http"


def test_dynamic_resources_run_their_real_provider(fc_client: Any) -> None:
    fc_client.create_service("svc")
    fc_client.create_function("svc", "fn", "python3.10", "index.handler", code=code_zip(handler_source("x")))
    versions: list[str] = []

    def program() -> Any:
        return ServiceVersion("v", service="svc", fingerprint="fp").version_id.apply(versions.append)

    run_stack(program, FcMocks(fc_client))
    assert versions == ["1"] and [v.version_id for v in fc_client.list_versions("svc")] == ["1"]


def test_pickle_written_by_the_resource_is_what_pulumi_would_write() -> None:
    for cls in (ServiceVersionProvider, AliasTriggerProvider):
        assert serialized(cls()) == serialize_provider(cls())
        assert type(unpickle_provider(serialized(cls()))) is cls
    wire = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "value": base64.b64encode(base64.b64decode(serialized(ServiceVersionProvider()))).decode()}
    assert type(unpickle_provider(wire)) is ServiceVersionProvider


def test_fcinfra_and_its_test_plugin_do_not_import_pulumi() -> None:
    code = (
        "import sys, fcinfra, fcinfra.fc, fcinfra.testing, fcinfra.testing.plugin, fcinfra.testing.helpers; "
        "print(any(m == 'pulumi' or m.startswith(('pulumi.', 'pulumi_alicloud')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
