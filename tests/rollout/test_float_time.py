"""Float time sums must not stall a virtual clock (10.0 + 0.2 - 10.0 is not exactly 0.2)."""

from __future__ import annotations

from fcinfra.fake import mock_fc
from fcinfra.fc import FcClient
from fcinfra.rollout import Steps
from fcinfra.rollout.engine import AliasView, Policy, Progress, SetWeight, decide
from fcinfra.rollout.runner import Rollout


def test_elapsed_a_hair_short_of_the_interval_moves_on() -> None:
    plan = Steps([10, 50, 100], interval=0.2).plan()
    progress = Progress("1", "2", 0, 10.0, AliasView("1", "2", 10), False)
    action = decide(plan, AliasView("1", "2", 10), progress, None, 10.0 + 0.2, Policy(check_every=1))
    assert action == SetWeight(1, 50)


def test_rollout_with_fractional_intervals_finishes_on_a_virtual_clock() -> None:
    with mock_fc(access_keys={"AK": "SK"}):
        client = FcClient(account_id="1234567890", region="cn-hangzhou", access_key_id="AK", access_key_secret="SK")
        client.create_service("svc")
        client.create_function("svc", "fn", "python3.10", "index.handler")
        client.publish_version("svc")
        client.update_function("svc", "fn", memory_size=256)
        client.publish_version("svc")
        client.create_alias("svc", "prod", "1")
        slept: list[float] = []
        result = Rollout(client, service="svc", alias="prod", to_version="2",
                         strategy=Steps([10, 50, 100], interval=0.2), sleep=slept.append).run()
        assert result.status == "promoted"
        assert result.history == [10, 50, 100]
        assert len(slept) < 50
