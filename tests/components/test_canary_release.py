"""CanaryRelease's hooks and notifications under Pulumi mocks: a failing post-traffic hook fails the update after
100 %, notification URLs and secrets stay in the environment (never in any input, output or pickled provider),
and a release without them registers exactly the inputs it did before they existed."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from fcinfra import history
from fcinfra.components import CanaryRelease, FcService
from fcinfra.errors import InvalidArgumentError, RolloutError
from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.pulumi_mocks import FcMocks, run_stack, unpickle_provider

TOKEN = "tok-cr-5e5e-never-in-state"
SECRET = "sec-cr-6f6f-never-in-state"
STRATEGY = {"type": "steps", "weights": [50, 100], "interval": 30}


def shop(code_dir: Path, **extra: Any) -> Any:
    def program() -> None:
        svc = FcService("shop", {"functions": {
            "api": {"runtime": "python3.10", "handler": "index.handler", "code": str(code_dir)}}})
        args: Any = {"service": svc, "alias": "prod", "strategy": STRATEGY, **extra}
        CanaryRelease("shop-release", args)

    return program


def test_without_hooks_or_notifications_the_shift_gets_no_new_input(code_dir: Path) -> None:
    """What a stack created before these options existed registers: no new property, so no diff."""
    shift = run_stack(shop(code_dir), FcMocks()).one("AliasShift").inputs
    assert "hooks" not in shift and "notifications" not in shift


def test_a_literal_url_is_refused_before_anything_is_registered(code_dir: Path) -> None:
    mocks = FcMocks()
    with pytest.raises(InvalidArgumentError, match="must not carry url") as err:
        run_stack(shop(code_dir, notifications=[{"type": "slack", "url": f"https://hooks.slack.test/{TOKEN}"}]),
                  mocks)
    assert TOKEN not in str(err.value)
    assert not mocks.of_type("AliasShift")


def test_a_failing_post_traffic_hook_fails_the_update_after_100(code_dir: Path, fc_client: Any,
                                                                fc_fake: Any) -> None:
    fc_fake.register_handler("shop", "api", lambda event, ctx: "ok")
    fc_client.create_service("ops")
    fc_client.create_function("ops", "smoke", "python3.10", "index.handler", code=code_zip(handler_source("x")))
    fc_fake.register_handler("ops", "smoke", lambda event, ctx: json.dumps({"status": "failed", "reason": "smoke"}))
    hooks = {"post_traffic": "ops/smoke", "post_traffic_bake": 60}
    mocks = FcMocks(fc_client)
    run_stack(shop(code_dir, hooks=hooks), mocks)  # first up: the alias is created on version 1, nothing walks
    (code_dir / "index.py").write_text(handler_source("v2"))
    with pytest.raises(RolloutError, match="version 2 was rolled back"):
        run_stack(shop(code_dir, hooks=hooks), mocks)
    shift = mocks.one("AliasShift")
    assert shift.outputs["history"] == [50, 100, 0]
    assert json.loads(shift.inputs["hooks"]) == hooks
    alias = fc_client.get_alias("shop", "prod")
    assert (alias.version_id, alias.additional_version_weight) == ("1", {})
    assert [(e.to_version, e.outcome) for e in history.read(fc_client, "shop", "prod")] == [("2", "rolled_back")]


def test_notification_urls_and_secrets_never_reach_inputs_outputs_or_the_pickle(
        code_dir: Path, fc_client: Any, fc_fake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOP_WEBHOOK", f"https://hooks.example.test/{TOKEN}")
    monkeypatch.setenv("SHOP_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("SHOP_DINGTALK", f"https://oapi.dingtalk.test/robot/send?access_token={TOKEN}")
    warnings: list[str] = []
    monkeypatch.setattr("fcinfra.providers.alias_shift._warn", warnings.append)  # nothing listens there
    fc_fake.register_handler("shop", "api", lambda event, ctx: "ok")
    notifications = [{"type": "webhook", "url_env": "SHOP_WEBHOOK", "secret_env": "SHOP_WEBHOOK_SECRET"},
                     {"type": "dingtalk", "url_env": "SHOP_DINGTALK"}]
    mocks = FcMocks(fc_client)
    run_stack(shop(code_dir, notifications=notifications), mocks)
    (code_dir / "index.py").write_text(handler_source("v2"))
    run_stack(shop(code_dir, notifications=notifications), mocks)  # the rollout runs and notifies
    shift = mocks.one("AliasShift")
    assert shift.outputs["status"] == "promoted"  # an unreachable receiver changes nothing
    # the channels were built from the environment and tried (the fake answers nothing outside FC) ...
    assert any("webhook at hooks.example.test" in w for w in warnings)
    assert any("dingtalk at oapi.dingtalk.test" in w for w in warnings)
    # ... and no URL token or secret is in any input, output, warning or the pickled provider (dill, as Pulumi)
    serialized = shift.outputs["__provider"]
    assert type(unpickle_provider(serialized)).__name__ == "AliasShiftProvider"
    raw = base64.b64decode(serialized["value"] if isinstance(serialized, dict) else serialized)
    stored = json.dumps([(r.inputs, r.outputs) for r in mocks.registrations], default=str) + json.dumps(warnings)
    for secret in (TOKEN, SECRET):
        assert secret not in stored and secret.encode() not in raw
    assert "SHOP_WEBHOOK_SECRET" in stored  # what is stored: the variable's name
