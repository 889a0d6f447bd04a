"""FC 3.0 on the emulator, over real HTTP beside FC 2.0 on the same port: the official ``alibabacloud-fc20230330``
SDK drives every operation (zip code run by the emulator's Python runtime, the HTTP trigger's URL served with FC
3.0's event convention), Fc3Client tells the seeds' story, and the state file keeps FC 3.0's state."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from fcinfra.fake.emulator.runtime import PythonCodeRunner
from fcinfra.fake.server import Emulator
from fcinfra.fc import FcClient
from fcinfra.fc3 import Fc3Client

from .conftest import make_zip

fc = pytest.importorskip("alibabacloud_fc20230330.client")
models = pytest.importorskip("alibabacloud_fc20230330.models")
openapi = pytest.importorskip("alibabacloud_tea_openapi.models")
exceptions = pytest.importorskip("alibabacloud_tea_openapi.exceptions")

AK, SK = "fc3-ak", "fc3-sk"


def source(answer: str) -> bytes:
    """An FC 3.0 Python handler: answers ``answer@version`` to events, FC 3.0's HTTP response to trigger calls."""
    return make_zip({"index.py": f'''
import json

def handler(event, context):
    data = json.loads(event or b"{{}}")
    ran = "{answer}@" + context.service.version_id
    if isinstance(data, dict) and "requestContext" in data:
        return {{"statusCode": 200, "headers": {{"x-ran": ran}},
                 "body": json.dumps({{"path": data["requestContext"]["http"]["path"], "query": data["queryParameters"],
                                      "body": data["body"], "method": data["requestContext"]["http"]["method"]}})}}
    return ran
'''})


@pytest.fixture
def emulator(runner: PythonCodeRunner, tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(access_keys={AK: SK}, seed=30, save_interval=None, code_runner=runner,
                  state_file=tmp_path / "state.json") as emu:
        yield emu


def _sdk(emu: Emulator, secret: str = SK) -> Any:
    address = emu.endpoint.split("://", 1)[1]
    return fc.Client(openapi.Config(access_key_id=AK, access_key_secret=secret, endpoint=address, protocol="http"))


def _zip64(answer: str) -> str:
    return base64.b64encode(source(answer)).decode()


def test_official_sdk_drives_every_operation_on_the_emulator(emulator: Emulator) -> None:
    sdk = _sdk(emulator)
    created = sdk.create_function(models.CreateFunctionRequest(body=models.CreateFunctionInput(
        function_name="fn", runtime="python3.10", handler="index.handler",
        code=models.InputCodeLocation(zip_file=_zip64("one")), memory_size=256, description="created"))).body
    assert created.function_name == "fn" and created.state == "Active"
    assert [f.function_name for f in sdk.list_functions(models.ListFunctionsRequest()).body.functions] == ["fn"]
    v1 = sdk.publish_function_version("fn", models.PublishFunctionVersionRequest(
        body=models.PublishVersionInput(description="one"))).body
    with pytest.raises(exceptions.ClientException) as no_change:
        sdk.publish_function_version("fn", models.PublishFunctionVersionRequest(body=models.PublishVersionInput()))
    assert no_change.value.status_code == 400
    sdk.update_function("fn", models.UpdateFunctionRequest(body=models.UpdateFunctionInput(
        code=models.InputCodeLocation(zip_file=_zip64("two")))))
    v2 = sdk.publish_function_version("fn", models.PublishFunctionVersionRequest(
        body=models.PublishVersionInput(description="two"))).body
    assert (v1.version_id, v2.version_id) == ("1", "2")
    versions = sdk.list_function_versions("fn", models.ListFunctionVersionsRequest(limit=10)).body.versions
    assert [v.version_id for v in versions] == ["2", "1"]
    assert sdk.get_function("fn", models.GetFunctionRequest(qualifier="1")).body.description == "one"

    sdk.create_alias("fn", models.CreateAliasRequest(body=models.CreateAliasInput(
        alias_name="prod", version_id="1", additional_version_weight={"2": 0.5})))
    trigger = sdk.create_trigger("fn", models.CreateTriggerRequest(body=models.CreateTriggerInput(
        trigger_name="web", trigger_type="http", qualifier="prod",
        trigger_config=json.dumps({"authType": "anonymous", "methods": ["GET", "POST"]})))).body
    url = trigger.http_trigger.url_internet
    assert url.startswith(emulator.endpoint + "/")

    headers = models.InvokeFunctionHeaders(x_fc_invocation_type="Sync", x_fc_log_type="Tail")
    from darabonba.runtime import RuntimeOptions

    ran = set()
    for _ in range(24):
        answer = sdk.invoke_function_with_options(
            "fn", models.InvokeFunctionRequest(body=io.BytesIO(b"{}"), qualifier="prod"), headers, RuntimeOptions())
        payload = answer.body.read().decode()
        assert payload == {"1": "one@1", "2": "two@2"}[answer.headers["x-fc-invocation-service-version"]]
        ran.add(payload)
    assert ran == {"one@1", "two@2"}

    served = requests.post(f"{url}/a%20b?x=1&x=2", data=b"hi", timeout=30)
    assert served.status_code == 200 and served.headers["x-ran"] in {"one@1", "two@2"}
    assert served.json() == {"path": "/a b", "query": {"x": "1,2"}, "body": "hi", "method": "POST"}

    sdk.update_alias("fn", "prod", models.UpdateAliasRequest(body=models.UpdateAliasInput(
        version_id="2", additional_version_weight={})))
    assert sdk.get_alias("fn", "prod").body.version_id == "2"
    assert requests.get(url, timeout=30).headers["x-ran"] == "two@2"
    sdk.update_trigger("fn", "web", models.UpdateTriggerRequest(body=models.UpdateTriggerInput(description="d")))
    assert [t.trigger_name for t in sdk.list_triggers("fn", models.ListTriggersRequest()).body.triggers] == ["web"]
    assert sdk.get_trigger("fn", "web").body.http_trigger.url_internet == url
    assert [a.alias_name for a in sdk.list_aliases("fn", models.ListAliasesRequest()).body.aliases] == ["prod"]
    assert sdk.get_function_code("fn", models.GetFunctionCodeRequest(qualifier="2")).body.checksum

    sdk.delete_trigger("fn", "web")
    sdk.delete_alias("fn", "prod")
    sdk.delete_function_version("fn", "1")
    with pytest.raises(exceptions.ClientException) as gone:
        sdk.get_function("fn", models.GetFunctionRequest(qualifier="1"))
    assert gone.value.code == "VersionNotFound"
    sdk.delete_function("fn")
    with pytest.raises(exceptions.ClientException) as missing:
        sdk.get_function("fn", models.GetFunctionRequest())
    assert missing.value.code == "FunctionNotFound" and missing.value.status_code == 404
    with pytest.raises(exceptions.ClientException) as refused:
        _sdk(emulator, "wrong").list_functions(models.ListFunctionsRequest())
    assert refused.value.code == "SignatureNotMatch"


def test_seeds_story_on_fc3_through_fc3client(emulator: Emulator) -> None:
    client = Fc3Client(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint)
    client.create_function("fn", "python3.10", "index.handler", code=source("one"))
    assert client.publish_version("fn", "one").version_id == "1"
    client.update_function("fn", code=source("two"))
    assert client.publish_version("fn", "two").version_id == "2"
    client.create_alias("fn", "prod", "1", additional_version_weight={"2": 0.3})
    trigger = client.create_trigger("fn", "web", "http", {"authType": "anonymous", "methods": ["GET"]},
                                    qualifier="prod")
    runs = [client.invoke("fn", qualifier="prod") for _ in range(30)]
    assert {r.version_id for r in runs} == {"1", "2"}
    assert all(r.payload.decode() == f"{'one' if r.version_id == '1' else 'two'}@{r.version_id}" for r in runs)
    client.update_alias("fn", "prod", version_id="2", additional_version_weight={})  # full switch
    assert {client.invoke("fn", qualifier="prod").version_id for _ in range(5)} == {"2"}
    client.update_alias("fn", "prod", version_id="1")  # rollback through the alias
    assert client.invoke("fn", qualifier="prod").payload == b"one@1"
    assert requests.get(trigger.url_internet or "", timeout=30).headers["x-ran"] == "one@1"
    assert client.get_trigger("fn", "web").url_internet == trigger.url_internet
    client.delete_version("fn", "2")
    client.update_function("fn", code=source("three"))
    assert client.publish_version("fn").version_id == "3"  # never reused

    # FC 2.0 keeps working on the same port, and FC 3.0's state survives a restart through the state file.
    fc2 = FcClient(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint)
    assert fc2.list_services() == []
    emulator.save_state()
    state = json.loads(Path(str(emulator.state_file)).read_text())
    assert [f["name"] for r in state["fc3"]["regions"] for f in r["functions"]] == ["fn"]


def test_fc3_state_survives_a_restart(runner: PythonCodeRunner, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Emulator(access_keys={AK: SK}, seed=31, save_interval=None, code_runner=runner, state_file=state) as emu:
        client = Fc3Client(emu.account_id, emu.region, AK, SK, endpoint=emu.endpoint)
        client.create_function("fn", "python3.10", "index.handler", code=source("one"))
        client.publish_version("fn")
        client.create_alias("fn", "prod", "1")
    with Emulator(access_keys={AK: SK}, seed=31, save_interval=None, code_runner=runner, state_file=state) as emu:
        client = Fc3Client(emu.account_id, emu.region, AK, SK, endpoint=emu.endpoint)
        assert emu.loaded_from_state and client.get_alias("fn", "prod").version_id == "1"
        assert client.invoke("fn", qualifier="prod").payload == b"one@1"
        client.update_function("fn", memory_size=256)
        assert client.publish_version("fn").version_id == "2"


def test_http_probe_judges_a_rollout_through_the_trigger_url(emulator: Emulator) -> None:
    """HttpProbe on FC 3.0: real HTTP to the URL the emulator reports for the alias's signed HTTP trigger, FC
    3.0's HTTP convention served by the zip code; a healthy version is promoted, a broken one rolled back."""
    from fcinfra.rollout import HttpProbe, Rollout, Steps
    from fcinfra.rollout.clock import VirtualClock

    broken = make_zip({"index.py": "def handler(event, context):\n    raise RuntimeError('broken')\n"})
    with Fc3Client(emulator.account_id, emulator.region, AK, SK, endpoint=emulator.endpoint) as client:
        client.create_function("web", "python3.10", "index.handler", code=source("v1"))
        client.publish_version("web")
        client.create_alias("web", "prod", "1")
        client.update_function("web", code=source("v2"))
        client.publish_version("web")
        client.update_function("web", code=broken)
        client.publish_version("web")
        client.create_trigger("web", "http", "http", {"authType": "function", "methods": ["GET"]}, qualifier="prod")

        def run(to: str) -> Any:
            clock = VirtualClock()
            probe = HttpProbe("web", "/health", samples=6, max_error_rate=0.0)
            return Rollout(client, function="web", alias="prod", to_version=to, strategy=Steps([50, 100], interval=5),
                           health=[probe], sleep=clock.sleep, clock=clock, check_every=5).run()

        assert run("2").status == "promoted"
        assert client.calls["HttpTriggerInvoke"] >= 6 and client.calls["InvokeFunction"] == 0
        failed = run("3")
        assert failed.status == "rolled_back" and "http:web" in failed.reason, failed.reason
        assert client.get_alias("web", "prod").version_id == "2"
