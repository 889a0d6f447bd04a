"""InvokeProbe(payloads=[...]) cycles through varied inputs, so a canary failing on some inputs is caught."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient
from fcinfra.rollout import InvokeProbe, Rollout, Steps


def test_empty_payloads_are_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        InvokeProbe("fn", payloads=[])


def test_payloads_cycle_and_catch_a_canary_that_fails_on_some_inputs() -> None:
    seen: list[str] = []

    def handler(event: bytes, context: Any) -> dict[str, Any]:
        item = json.loads(event)["item"]
        seen.append(item)
        if context.service.version_id == "2" and item == "fig":
            raise KeyError(item)
        return {"ok": item}

    with mock_fc(access_keys={"AK": "SK"}) as fake:
        fake.register_handler("svc", "fn", handler)
        client = FcClient(account_id="1234567890", region="cn-hangzhou", access_key_id="AK", access_key_secret="SK")
        client.create_service("svc")
        client.create_function("svc", "fn", "python3.10", "index.handler")
        client.publish_version("svc")
        client.update_function("svc", "fn", memory_size=256)
        client.publish_version("svc")
        client.create_alias("svc", "prod", "1")
        orders = [json.dumps({"item": i}) for i in ("apple", "pear", "fig")]
        probe = InvokeProbe("fn", samples=30, max_error_rate=0.05, payloads=orders, mode="direct")
        result = Rollout(client, service="svc", alias="prod", to_version="2",
                         strategy=Steps([10, 100], interval=10), health=[probe], sleep=lambda s: None).run()
    assert result.status == "rolled_back"
    assert {"apple", "pear", "fig"} <= set(seen)
