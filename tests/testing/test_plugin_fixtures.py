"""fcinfra.testing.plugin's fixtures, used as a user would: the fake, its client, the emulator, and
fc_pulumi_mocks with Pulumi's own ``@pulumi.runtime.test`` (dynamic providers really run against the fake)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_alicloud as alicloud

from fcinfra.fc import FcClient
from fcinfra.providers import ServiceVersion
from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.plugin import fc_client, fc_emulator, fc_emulator_client, fc_fake, fc_pulumi_mocks

__all__ = ["fc_client", "fc_emulator", "fc_emulator_client", "fc_fake", "fc_pulumi_mocks"]


def test_fc_client_talks_to_fc_fake(fc_fake: Any, fc_client: FcClient) -> None:
    fc_client.create_service("svc")
    assert list(fc_fake.region_backend().services) == ["svc"]


def test_fc_emulator_client_talks_to_the_emulator_over_loopback(fc_emulator: Any,
                                                                 fc_emulator_client: FcClient) -> None:
    assert fc_emulator.endpoint.startswith("http://127.0.0.1:")
    fc_emulator_client.create_service("svc")
    fc_emulator_client.create_function("svc", "fn", "python3.10", "index.handler", code=code_zip(handler_source("hi")))
    result = fc_emulator_client.invoke("svc", "fn", b"{}")
    assert result.ok and result.version_id == "LATEST"


def test_fc_pulumi_mocks_runs_a_stack_against_the_fake(fc_pulumi_mocks: Any, fc_client: FcClient) -> None:
    fc_client.create_service("shop")

    @pulumi.runtime.test  # type: ignore[misc]
    def check() -> Any:
        fn = alicloud.fc.Function("api", service="shop", name="api", runtime="python3.10", handler="index.handler",
                                  memory_size=256)
        version = ServiceVersion("v", service="shop", fingerprint="fp-1", opts=pulumi.ResourceOptions(depends_on=[fn]))
        return version.version_id.apply(lambda v: seen.append(v))

    seen: list[str] = []
    check()
    assert seen == ["1"]
    assert fc_client.get_function("shop", "api", qualifier="1").memory_size == 256  # published for real
    assert fc_pulumi_mocks.one("ServiceVersion").outputs["version_id"] == "1"
