"""FunctionAliasShiftProvider (FC 3.0) records each rollout's end in the function's tags and publishes its gate
verdicts there, as AliasShiftProvider does on the service (test_operator.py); a later `fcinfra fc3` run
honours that history. Its hooks are FC 3.0 functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from fcinfra import gate_board, history
from fcinfra.fake import mock_fc
from fcinfra.fake.mock import MockFc
from fcinfra.fc3 import Fc3Client
from fcinfra.providers.function_alias_shift import FunctionAliasShiftProvider
from fcinfra.testing.helpers import code_zip, handler_source

ACCOUNT, REGION, AK, SK = "1234567890", "cn-hangzhou", "fc3-ak", "fc3-sk"
STEPS = {"type": "steps", "weights": [20, 50, 100], "interval": 30}
HEALTH = [{"type": "invoke", "function": "fn", "samples": 10, "max_error_rate": 0.05}]


@pytest.fixture
def fake() -> Iterator[MockFc]:
    with mock_fc(access_keys={AK: SK}, account_id=ACCOUNT, region=REGION, seed=5) as f:
        yield f


@pytest.fixture
def client3(fake: MockFc) -> Fc3Client:
    """Function ``fn``: versions 1 (healthy) and 2 (raises), alias prod -> 1."""
    c = Fc3Client(ACCOUNT, REGION, AK, SK, sleep=lambda _: None)
    c.create_function("fn", "python3.10", "index.handler", code=code_zip(handler_source("v1")))
    c.publish_version("fn")
    c.update_function("fn", code=code_zip(handler_source("v2")))
    c.publish_version("fn")
    c.create_alias("fn", "prod", "1")
    fake.fc3.register_handler("fn", lambda event, ctx: "v1", version="1")

    def broken(event: bytes, ctx: Any) -> str:
        raise RuntimeError("bad release")

    fake.fc3.register_handler("fn", broken, version="2")
    return c


def provider(client: Fc3Client) -> FunctionAliasShiftProvider:
    p = FunctionAliasShiftProvider()
    p.use_client(lambda: client)  # type: ignore[arg-type, return-value]
    p.use_clock(lambda _s: None)  # virtual time
    return p


def shift(**over: Any) -> dict[str, Any]:
    return {"service": "fn", "alias": "prod", "version_id": "1", "strategy": STEPS, **over}


def test_a_rollback_is_in_the_functions_history_and_a_later_cli_run_refuses_it(client3: Fc3Client) -> None:
    from fcinfra.cli.main import cli

    p = provider(client3)
    outs = p.create(shift()).outs
    assert outs is not None
    done = p.update("fn:prod", outs, shift(version_id="2", health=HEALTH, fingerprint="fp2")).outs
    assert done is not None and done["status"] == "rolled_back"
    assert [(e.from_version, e.to_version, e.outcome, e.by) for e in history.read(client3, "fn", "prod")] == [
        ("1", "2", "rolled_back", AK)]
    assert any(k.startswith(history.KEY_PREFIX) for k in client3.function_tags("fn"))

    env = {"ALIBABA_CLOUD_ACCOUNT_ID": ACCOUNT, "ALIBABA_CLOUD_REGION": REGION, "ALIBABA_CLOUD_ACCESS_KEY_ID": AK,
           "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK, "FC_ENDPOINT": ""}
    runner = CliRunner()
    shown = runner.invoke(cli, ["fc3", "history", "fn", "prod", "-o", "json"], env=env, catch_exceptions=False)
    assert [e["outcome"] for e in json.loads(shown.stdout)] == ["rolled_back"]
    refused = runner.invoke(cli, ["fc3", "rollout", "fn", "prod", "2", "--steps", "100", "--interval", "0"],
                            env=env, catch_exceptions=False)
    assert refused.exit_code == 2 and "was rolled back" in refused.output
    assert client3.get_alias("fn", "prod").version_id == "1"
    forced = runner.invoke(cli, ["fc3", "rollout", "fn", "prod", "2", "--steps", "100", "--interval", "0",
                                 "--force"], env=env, catch_exceptions=False)
    assert forced.exit_code == 0, forced.output
    assert [e.outcome for e in history.read(client3, "fn", "prod")] == ["rolled_back", "promoted"]


def test_the_rollout_publishes_its_verdicts_on_the_function_and_clears_them(fake: MockFc,
                                                                             client3: Fc3Client) -> None:
    fake.fc3.register_handler("fn", lambda event, ctx: "v2", version="2")  # healthy this time
    boards: list[Any] = []
    real_tag = client3.tag_function

    def spy(function: str, tags: Any) -> None:
        real_tag(function, tags)
        boards.append(gate_board.read(client3, function).get("prod"))

    client3.tag_function = spy  # type: ignore[method-assign]
    p = provider(client3)
    outs = p.create(shift()).outs
    assert outs is not None
    done = p.update("fn:prod", outs, shift(version_id="2", health=HEALTH)).outs
    assert done is not None and done["status"] == "promoted"
    published = [b for b in boards if b is not None]
    assert published and published[0].weight == 20 and published[0].verdicts[0][0] == "invoke:fn"
    assert gate_board.read(client3, "fn") == {}  # gone once the rollout ended
    assert [e.outcome for e in history.read(client3, "fn", "prod")] == ["promoted"]


def test_a_failing_post_traffic_hook_function_rolls_back_after_100(fake: MockFc, client3: Fc3Client) -> None:
    fake.fc3.register_handler("fn", lambda event, ctx: "v2", version="2")  # healthy: only the hook says no
    client3.create_function("smoke", "python3.10", "index.handler", code=code_zip(handler_source("ok")))
    seen: list[dict[str, Any]] = []

    def smoke(event: bytes, ctx: Any) -> str:
        seen.append(json.loads(event))
        return json.dumps({"status": "failed", "reason": "smoke test said so"})

    fake.fc3.register_handler("smoke", smoke)
    p = provider(client3)
    outs = p.create(shift()).outs
    assert outs is not None
    done = p.update("fn:prod", outs, shift(version_id="2", hooks={"post_traffic": "smoke"})).outs
    assert done is not None and done["status"] == "rolled_back" and done["history"] == [20, 50, 100, 0]
    assert "smoke test said so" in done["reason"]
    assert seen == [{"hook": "post_traffic", "service": "fn", "alias": "prod", "from_version": "1",
                     "to_version": "2"}]
    assert client3.get_alias("fn", "prod").version_id == "1"
    assert [e.outcome for e in history.read(client3, "fn", "prod")] == ["rolled_back"]
