"""fcinfra.release: upload only what changed, publish or reuse, and refuse bad settings before creating anything."""

from __future__ import annotations

import pytest

from fcinfra.errors import InvalidArgumentError, NotFoundError
from fcinfra.fc import FcClient
from fcinfra.release import FunctionSettings, publish_or_reuse, upload_code
from fcinfra.testing.helpers import code_zip
from fcinfra.testing.plugin import fc_emulator, fc_emulator_client

__all__ = ["fc_emulator", "fc_emulator_client"]

V1 = code_zip("def handler(event, context):\n    return 'v1'\n")
V2 = code_zip("def handler(event, context):\n    return 'v2'\n")


def test_create_then_unchanged_then_updated(fc_emulator_client: FcClient) -> None:
    client = fc_emulator_client
    assert upload_code(client, "rel", "fn", V1).action == "created"
    first = publish_or_reuse(client, "rel", "v1")
    assert upload_code(client, "rel", "fn", V1, FunctionSettings(memory_size=128)).action == "unchanged"
    assert publish_or_reuse(client, "rel", "again") == type(first)(first.version_id, False)

    updated = upload_code(client, "rel", "fn", V1, FunctionSettings(runtime="python3.9", handler="index.handler"))
    assert updated.action == "updated" and updated.function is not None and updated.function.runtime == "python3.9"
    assert upload_code(client, "rel", "fn", V2).action == "updated"
    assert publish_or_reuse(client, "rel", "v2").published


@pytest.mark.parametrize("settings", [FunctionSettings(memory_size=100), FunctionSettings(timeout=0),
                                      FunctionSettings(handler=" ")])
def test_bad_settings_create_nothing(fc_emulator_client: FcClient, settings: FunctionSettings) -> None:
    with pytest.raises(InvalidArgumentError):
        upload_code(fc_emulator_client, "never-made", "fn", V1, settings)
    with pytest.raises(NotFoundError):
        fc_emulator_client.get_service("never-made")


def test_a_bad_function_name_creates_no_service(fc_emulator_client: FcClient) -> None:
    with pytest.raises(InvalidArgumentError):
        upload_code(fc_emulator_client, "never-made-2", "1-bad name", V1)
    with pytest.raises(NotFoundError):
        fc_emulator_client.get_service("never-made-2")
