"""The official ``alibabacloud-fc20230330`` SDK drives every FC 3.0 operation of the fake (signatures verified).

This is the conformance check of the fake's wire format: the SDK's own request building, ACS3 signing and
answer parsing must all work against it, on the SDK's default host ``fcv3.{region}.aliyuncs.com``.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest

from fcinfra.testing.helpers import code_zip

from .conftest import AK, REGION, SECRET, Fake

fc = pytest.importorskip("alibabacloud_fc20230330.client")
models = pytest.importorskip("alibabacloud_fc20230330.models")
openapi = pytest.importorskip("alibabacloud_tea_openapi.models")
exceptions = pytest.importorskip("alibabacloud_tea_openapi.exceptions")


def _sdk(secret: str = SECRET) -> Any:
    config = openapi.Config(access_key_id=AK, access_key_secret=secret, region_id=REGION)
    return fc.Client(config)


def _zip(answer: str) -> str:
    return base64.b64encode(code_zip(f"def handler(event, context):\n    return {answer!r}\n")).decode()


def test_official_sdk_drives_every_operation(fc3_fake: Fake) -> None:
    sdk = _sdk()
    fc3_fake.api.register_handler("fn", lambda event, ctx: f"{ctx.service.version_id}:{event.decode()}")
    created = sdk.create_function(
        models.CreateFunctionRequest(
            body=models.CreateFunctionInput(
                function_name="fn",
                runtime="python3.10",
                handler="index.handler",
                code=models.InputCodeLocation(zip_file=_zip("a")),
                memory_size=256,
                cpu=0.25,
                disk_size=512,
                description="created",
                environment_variables={"K": "V"},
            )
        )
    ).body
    assert created.function_name == "fn" and created.memory_size == 256 and created.function_arn
    assert sdk.get_function("fn", models.GetFunctionRequest()).body.environment_variables == {"K": "V"}
    listed = sdk.list_functions(models.ListFunctionsRequest(prefix="f", limit=10)).body
    assert [f.function_name for f in listed.functions] == ["fn"]

    v1 = sdk.publish_function_version("fn", models.PublishFunctionVersionRequest(body=models.PublishVersionInput(
        description="one"))).body
    assert v1.version_id == "1" and v1.description == "one"
    with pytest.raises(exceptions.ClientException) as no_change:
        sdk.publish_function_version("fn", models.PublishFunctionVersionRequest(body=models.PublishVersionInput()))
    assert no_change.value.status_code == 400
    sdk.update_function(
        "fn", models.UpdateFunctionRequest(body=models.UpdateFunctionInput(code=models.InputCodeLocation(
            zip_file=_zip("b"))))
    )
    v2 = sdk.publish_function_version("fn", models.PublishFunctionVersionRequest(body=models.PublishVersionInput(
        description="two"))).body
    versions = sdk.list_function_versions("fn", models.ListFunctionVersionsRequest(limit=1)).body
    assert [v.version_id for v in versions.versions] == ["2"] and versions.next_token == "1"
    assert versions.direction == "BACKWARD"
    snapshot = sdk.get_function("fn", models.GetFunctionRequest(qualifier="1")).body
    assert snapshot.description == "one" and snapshot.code_checksum == created.code_checksum

    alias = sdk.create_alias("fn", models.CreateAliasRequest(body=models.CreateAliasInput(
        alias_name="prod", version_id="1", additional_version_weight={"2": 0.3}))).body
    assert alias.alias_name == "prod" and alias.additional_version_weight == {"2": 0.3}
    updated = sdk.update_alias("fn", "prod", models.UpdateAliasRequest(body=models.UpdateAliasInput(
        version_id=v2.version_id, additional_version_weight={}))).body
    assert updated.version_id == "2" and not updated.additional_version_weight
    assert sdk.get_alias("fn", "prod").body.version_id == "2"
    assert [a.alias_name for a in sdk.list_aliases("fn", models.ListAliasesRequest()).body.aliases] == ["prod"]

    trigger = sdk.create_trigger("fn", models.CreateTriggerRequest(body=models.CreateTriggerInput(
        trigger_name="web", trigger_type="http", qualifier="prod",
        trigger_config=json.dumps({"authType": "anonymous", "methods": ["GET", "POST"]})))).body
    assert trigger.qualifier == "prod" and trigger.http_trigger.url_internet and trigger.trigger_id
    assert json.loads(trigger.trigger_config)["authType"] == "anonymous"
    changed = sdk.update_trigger("fn", "web", models.UpdateTriggerRequest(body=models.UpdateTriggerInput(
        description="bound"))).body
    assert changed.description == "bound" and changed.qualifier == "prod"
    assert sdk.get_trigger("fn", "web").body.trigger_name == "web"
    assert [t.trigger_name for t in sdk.list_triggers("fn", models.ListTriggersRequest()).body.triggers] == ["web"]

    headers = models.InvokeFunctionHeaders(x_fc_invocation_type="Sync", x_fc_log_type="Tail")
    from darabonba.runtime import RuntimeOptions

    invoked = sdk.invoke_function_with_options(
        "fn", models.InvokeFunctionRequest(body=io.BytesIO(b"hello"), qualifier="prod"), headers, RuntimeOptions()
    )
    assert invoked.body.read() == b"2:hello"
    assert invoked.headers["x-fc-invocation-service-version"] == "2"
    assert base64.b64decode(invoked.headers["x-fc-log-result"])

    code = sdk.get_function_code("fn", models.GetFunctionCodeRequest(qualifier="1")).body
    assert code.url and code.checksum

    sdk.delete_trigger("fn", "web")
    sdk.delete_alias("fn", "prod")
    sdk.delete_function_version("fn", "1")
    with pytest.raises(exceptions.ClientException) as gone:
        sdk.get_function("fn", models.GetFunctionRequest(qualifier="1"))
    assert gone.value.code == "VersionNotFound" and gone.value.status_code == 404
    sdk.delete_function("fn")
    with pytest.raises(exceptions.ClientException) as missing:
        sdk.get_function("fn", models.GetFunctionRequest())
    assert missing.value.code == "FunctionNotFound" and missing.value.request_id


def test_official_sdk_with_a_wrong_secret_is_refused(fc3_fake: Fake) -> None:
    with pytest.raises(exceptions.ClientException) as exc:
        _sdk("wrong").list_functions(models.ListFunctionsRequest())
    assert exc.value.status_code == 403 and exc.value.code == "SignatureNotMatch"


def test_official_sdk_tags_a_function(fc3_fake: Fake) -> None:
    """TagResources / ListTagResources / UntagResources (the alicloud provider's V3Function tags through them)."""
    sdk = _sdk()
    arn = sdk.create_function(models.CreateFunctionRequest(body=models.CreateFunctionInput(
        function_name="fn", runtime="python3.10", handler="index.handler"))).body.function_arn
    sdk.tag_resources(models.TagResourcesRequest(body=models.TagResourcesInput(
        resource_id=[arn], resource_type="function", tag=[models.Tag(key="team", value="a"),
                                                          models.Tag(key="env", value="prod")])))
    listed = sdk.list_tag_resources(models.ListTagResourcesRequest(resource_type="function", resource_id=[arn]))
    assert sorted((t.tag_key, t.tag_value) for t in listed.body.tag_resources) == [("env", "prod"), ("team", "a")]
    assert sdk.get_function("fn", models.GetFunctionRequest()).body.tags[0].key == "env"
    sdk.untag_resources(models.UntagResourcesRequest(resource_type="function", resource_id=[arn], tag_key=["team"]))
    listed = sdk.list_tag_resources(models.ListTagResourcesRequest(resource_type="function", resource_id=[arn]))
    assert [(t.tag_key, t.tag_value) for t in listed.body.tag_resources] == [("env", "prod")]
    with pytest.raises(exceptions.ClientException) as bad:
        sdk.tag_resources(models.TagResourcesRequest(body=models.TagResourcesInput(
            resource_id=[arn], resource_type="function", tag=[models.Tag(key="aliyun:x", value="v")])))
    assert bad.value.status_code == 400


def test_official_sdk_creates_a_function_with_tags(fc3_fake: Fake) -> None:
    """CreateFunctionInput's ``tags`` tag the function at creation; a bad tag refuses the whole create."""
    sdk = _sdk()
    with pytest.raises(exceptions.ClientException) as bad:
        sdk.create_function(models.CreateFunctionRequest(body=models.CreateFunctionInput(
            function_name="fn", runtime="python3.10", handler="index.handler",
            tags=[models.Tag(key="team", value="a"), models.Tag(key="acs:x", value="v")])))
    assert bad.value.status_code == 400
    assert sdk.list_functions(models.ListFunctionsRequest()).body.functions == []  # nothing half-created

    created = sdk.create_function(models.CreateFunctionRequest(body=models.CreateFunctionInput(
        function_name="fn", runtime="python3.10", handler="index.handler",
        tags=[models.Tag(key="team", value="a"), models.Tag(key="env", value="prod")]))).body
    assert sorted((t.key, t.value) for t in created.tags) == [("env", "prod"), ("team", "a")]
    listed = sdk.list_tag_resources(models.ListTagResourcesRequest(resource_type="function",
                                                                   resource_id=[created.function_arn]))
    assert sorted((t.tag_key, t.tag_value) for t in listed.body.tag_resources) == [("env", "prod"), ("team", "a")]
