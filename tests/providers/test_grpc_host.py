"""The providers driven through Pulumi's own provider host, over gRPC, against the emulator on loopback.

This is what ``pulumi up`` does with a dynamic resource: the engine starts ``python -m pulumi.dynamic``,
reads its port from stdout, calls Configure with the stack config, then Check/Diff/Create/Update/Delete
with properties that carry the dill-pickled provider in ``__provider``. No credentials are in the
host's environment: they reach the provider only through Configure (stack config), as in a real stack.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from fcinfra.providers import AliasShiftProvider, AliasTriggerProvider, ServiceVersionProvider
from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.plugin import TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET

URN = "urn:pulumi:test::fcinfra::pulumi-python:dynamic/fcinfra:{}::{}"


def _struct(props: dict[str, Any]) -> Any:
    loop = asyncio.new_event_loop()  # not asyncio.run: it would unset the thread's loop Pulumi's SDK relies on
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def _props(struct: Any) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct))


@pytest.fixture
def host() -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_", "FC_"))}
    env["PULUMI_PROJECT"] = "fcinfra"
    # Alibaba's credentials chain must find nothing either: no profile files, no ECS metadata service to dial
    env["HOME"] = tempfile.mkdtemp(prefix="fcinfra-host-home-")
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    proc = subprocess.Popen(
        # -u as Pulumi's own launcher (pulumi-resource-pulumi-python) runs it: the port line is read through a pipe
        [sys.executable, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield provider_pb2_grpc.ResourceProviderStub(channel)
        channel.close()
    finally:
        with proc:  # closes its pipes and reaps it
            proc.terminate()


def _configure(stub: Any, emulator: Any) -> None:
    config = {
        "fcinfra:endpoint": emulator.endpoint,
        "fcinfra:accountId": emulator.account_id,
        "alicloud:region": emulator.region,
        "alicloud:accessKey": TEST_ACCESS_KEY_ID,
        "alicloud:secretKey": TEST_ACCESS_KEY_SECRET,
    }
    stub.Configure(provider_pb2.ConfigureRequest(args=_struct(config), acceptSecrets=False))


class Resource:
    """One dynamic resource's lifecycle, spoken in the engine's gRPC calls."""

    def __init__(self, stub: Any, typ: str, name: str, provider: Any) -> None:
        self.stub, self.urn = stub, URN.format(typ, name)
        self.serialized = serialize_provider(provider)
        self.id = ""
        self.state: dict[str, Any] = {}

    def _with_provider(self, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, "__provider": self.serialized}

    def check(self, news: dict[str, Any]) -> dict[str, Any]:
        resp = self.stub.Check(provider_pb2.CheckRequest(
            urn=self.urn, olds=_struct(self._with_provider(self.state) if self.state else {}),
            news=_struct(self._with_provider(news)),
        ))
        assert list(resp.failures) == []
        return {k: v for k, v in _props(resp.inputs).items() if k != "__provider"}

    def create(self, inputs: dict[str, Any]) -> dict[str, Any]:
        checked = self.check(inputs)
        request = provider_pb2.CreateRequest(urn=self.urn, properties=_struct(self._with_provider(checked)))
        resp = self.stub.Create(request)
        self.id, self.state = resp.id, _props(resp.properties)
        return self.state

    def diff(self, news: dict[str, Any]) -> Any:
        return self.stub.Diff(provider_pb2.DiffRequest(
            id=self.id, urn=self.urn, olds=_struct(self.state), news=_struct(self._with_provider(self.check(news)))
        ))

    def update(self, news: dict[str, Any]) -> dict[str, Any]:
        resp = self.stub.Update(provider_pb2.UpdateRequest(
            id=self.id, urn=self.urn, olds=_struct(self.state), news=_struct(self._with_provider(self.check(news)))
        ))
        self.state = _props(resp.properties)
        return self.state

    def read(self) -> dict[str, Any]:
        resp = self.stub.Read(provider_pb2.ReadRequest(id=self.id, urn=self.urn, properties=_struct(self.state)))
        self.state = _props(resp.properties)
        return self.state

    def delete(self) -> None:
        self.stub.Delete(provider_pb2.DeleteRequest(id=self.id, urn=self.urn, properties=_struct(self.state)))


def test_pulumi_up_through_the_provider_host(host: Any, fc_emulator: Any, fc_emulator_client: Any) -> None:
    client = fc_emulator_client
    client.create_service("web")
    client.create_function("web", "api", "python3.10", "index.handler", code=code_zip(handler_source("v1")))
    _configure(host, fc_emulator)

    # ServiceVersion: create publishes 1; an unchanged fingerprint is no diff; a new one publishes 2.
    version = Resource(host, "ServiceVersion", "v", ServiceVersionProvider())
    preview = version.check({"service": "web", "fingerprint": rpc.UNKNOWN})  # a preview's Check: no failure
    assert preview["service"] == "web" and preview.get("fingerprint") is None  # still unknown
    assert version.create({"service": "web", "fingerprint": "fp1"})["version_id"] == "1"
    assert version.diff({"service": "web", "fingerprint": "fp1"}).changes == provider_pb2.DiffResponse.DIFF_NONE
    client.update_function("web", "api", code=code_zip(handler_source("v2")))
    diff = version.diff({"service": "web", "fingerprint": "fp2"})
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []
    assert version.update({"service": "web", "fingerprint": "fp2"})["version_id"] == "2"

    # AliasShift on an alias owned elsewhere: canary 10 % on 2, then promote 2.
    client.create_alias("web", "prod", "1")
    shift = Resource(host, "AliasShift", "prod", AliasShiftProvider())
    shift.create({"service": "web", "alias": "prod", "version_id": "1", "canary_version": "2", "canary_percent": 10})
    assert client.get_alias("web", "prod").additional_version_weight == {"2": 0.1}
    promote = {"service": "web", "alias": "prod", "version_id": "2"}
    assert shift.diff(promote).changes == provider_pb2.DiffResponse.DIFF_SOME
    assert shift.update(promote)["version_id"] == "2"
    assert client.get_alias("web", "prod").additional_version_weight == {}
    client.update_alias("web", "prod", additional_version_weight={"1": 0.5})  # drift made by hand
    refreshed = shift.read()  # `pulumi refresh`
    assert refreshed["drifted"] is True and refreshed["canary_version"] == "1"
    assert shift.diff(promote).changes == provider_pb2.DiffResponse.DIFF_SOME  # the next up corrects it
    shift.update(promote)
    assert client.get_alias("web", "prod").additional_version_weight == {}

    # AliasShift with a strategy: the rollout itself runs inside the provider host (real time, zero bake).
    client.update_function("web", "api", code=code_zip(handler_source("v3")))
    assert version.update({"service": "web", "fingerprint": "fp3"})["version_id"] == "3"
    canary = Resource(host, "AliasShift", "canary", AliasShiftProvider())
    client.create_alias("web", "live", "2")
    walked = canary.create({
        "service": "web", "alias": "live", "version_id": "3", "fingerprint": "fp3",
        "strategy": '{"type":"steps","weights":[50,100],"interval":0,"check_every":0.05}',
        "health": '[{"type":"invoke","function":"api","samples":4,"max_error_rate":0}]',
    })
    assert walked["status"] == "promoted" and walked["history"] == [50, 100]
    assert client.get_alias("web", "live").version_id == "3"

    # AliasTrigger: created bound to prod, re-bound in place to version 1, then deleted.
    trigger = Resource(host, "AliasTrigger", "http", AliasTriggerProvider())
    spec = {"service": "web", "function": "api", "name": "http", "trigger_type": "http", "qualifier": "prod",
            "trigger_config": {"authType": "anonymous", "methods": ["GET"]}}
    trigger.create(spec)
    assert client.get_trigger("web", "api", "http").qualifier == "prod"
    rebind = {**spec, "qualifier": "1"}
    diff = trigger.diff(rebind)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []
    trigger.update(rebind)
    assert client.get_trigger("web", "api", "http").qualifier == "1"
    trigger.delete()
    assert client.list_triggers("web", "api") == []

    # Deleting the version resource retains the version (the default).
    version.delete()
    assert [v.version_id for v in client.list_versions("web")] == ["3", "2", "1"]


def test_provider_host_without_credentials_fails_with_a_clear_error(host: Any) -> None:
    host.Configure(provider_pb2.ConfigureRequest(args=_struct({}), acceptSecrets=False))
    version = Resource(host, "ServiceVersion", "v", ServiceVersionProvider())
    with pytest.raises(grpc.RpcError) as err:
        version.create({"service": "web", "fingerprint": "fp1"})
    assert "ConfigurationError" in str(err.value.details())
