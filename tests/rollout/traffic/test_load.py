"""send_traffic: paced, repeatable, always stops, and reports how each version answered (in mock_fc)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout.traffic.load import MAX_REQUESTS, send_traffic


def breaks_on_gift_cards(event: bytes, context: Any) -> Any:
    if json.loads(event or b"{}").get("item") == "gift-card":
        raise RuntimeError("gift cards are broken in this release")
    return "ok"


MIX = [({"item": "book"}, 9.0), ({"item": "gift-card"}, 1.0)]


def test_mix_reaches_both_versions_and_only_the_broken_one_fails(world: Any) -> None:
    world.client.update_alias("svc", "prod", "1", additional_version_weight={"2": 0.5})
    world.set_version_behaviour("2", breaks_on_gift_cards)
    report = send_traffic(world.client, "svc", "prod", "fn", rate=20, count=200, payloads=MIX, seed=3,
                          clock=world.clock, sleep=world.clock.sleep)
    assert report.sent == 200
    assert set(report.by_version) == {"1", "2"}
    assert report.by_version["1"].errors == 0
    assert 0 < report.by_version["2"].errors < report.by_version["2"].calls
    assert report.failed == report.by_version["2"].errors
    assert report.errors == {"UnhandledInvocationError": report.failed}
    assert report.seconds == pytest.approx(199 / 20)  # paced at 20/s on the injected clock
    again = send_traffic(world.client, "svc", "prod", "fn", rate=20, count=200, payloads=MIX, seed=3,
                         clock=world.clock, sleep=world.clock.sleep)
    assert sum(v.calls for v in again.by_version.values()) == 200


def test_duration_bounds_the_run(world: Any) -> None:
    report = send_traffic(world.client, "svc", "prod", "fn", rate=5, duration=3, clock=world.clock,
                          sleep=world.clock.sleep)
    assert report.sent == 15 and report.by_version["1"].calls == 15


@pytest.mark.parametrize("kwargs", [
    {"rate": 0, "count": 1}, {"rate": 10}, {"rate": 10, "count": 5, "duration": 1}, {"rate": 10, "count": 0},
    {"rate": 1000, "duration": 86_400}, {"rate": 10, "count": MAX_REQUESTS + 1},
    {"rate": 10, "count": 1, "payloads": []}, {"rate": 10, "count": 1, "payloads": [(b"", -1)]},
    {"rate": 10, "count": 1, "via": "smoke"},
])
def test_bad_input_is_refused_before_any_call(world: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        send_traffic(world.client, "svc", "prod", "fn", **kwargs)
    assert world.ops("InvokeFunction") == 0
