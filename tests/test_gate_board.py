"""The gate board (fcinfra/gate_board.py): a running rollout's latest verdicts in one service tag, within FC's tag
limits, throttled, cleared at the end, never failing the rollout."""

from __future__ import annotations

from typing import Any

from fcinfra import gate_board
from fcinfra.fc.tagging import MAX_KEY_LENGTH, MAX_VALUE_LENGTH
from fcinfra.gate_board import Board, GateBoard, decode, encode, key_for
from fcinfra.rollout.events import Event
from fcinfra.testing.helpers import code_zip, handler_source
from fcinfra.testing.plugin import fc_client, fc_fake

__all__ = ["fc_client", "fc_fake"]


def check(weight: int, *verdicts: tuple[str, str], pre: bool = False) -> Event:
    return Event("check", 1.0, "", "svc", "prod", "2", weight,
                 {"pre_traffic": pre, "verdicts": [{"gate": g, "status": s, "reason": "r"} for g, s in verdicts]})


def test_encode_fits_fc_limits_and_round_trips() -> None:
    board = Board(1795000000, "prod", 25, (("invoke fn (alias)", "pass"), ("sls error rate", "inconclusive")))
    assert decode(encode(board)) == board
    many = Board(1795000000, "prod", 50, tuple((f"gate number {i} with a long name", "fail") for i in range(20)))
    value = encode(many)
    assert len(value) <= MAX_VALUE_LENGTH and value.endswith("...")
    assert "://" not in encode(Board(1, "prod", 5, (("http https://x.test/secret?t=1", "pass"),)))
    assert len(key_for("a" * 128)) <= MAX_KEY_LENGTH and key_for("a" * 128) != key_for("a" * 127 + "b")
    assert decode("something else") is None


def test_the_board_is_published_throttled_and_cleared_at_the_end(fc_client: Any) -> None:
    deployed = fc_client
    deployed.create_service("svc")
    deployed.create_function("svc", "fn", "python3.10", "index.handler", code=code_zip(handler_source("v1")))
    deployed.publish_version("svc")
    deployed.create_alias("svc", "prod", "1")
    now = [100.0]
    sink = GateBoard(deployed, "svc", "prod", every=10, clock=lambda: now[0])
    sink(check(0, ("smoke", "pass"), pre=True))  # pre-traffic: not a rollout's weight yet
    assert gate_board.read(deployed, "svc") == {}
    sink(check(20, ("invoke fn", "pass")))
    calls = deployed.calls["TagResource"]
    now[0] += 3
    sink(check(20, ("invoke fn", "fail")))  # within `every`: not written
    assert deployed.calls["TagResource"] == calls
    assert gate_board.read(deployed, "svc")["prod"].verdicts == (("invoke fn", "pass"),)
    now[0] += 10
    sink(check(50, ("invoke fn", "inconclusive")))
    board = gate_board.read(deployed, "svc")["prod"]
    assert (board.weight, board.verdicts, board.at) == (50, (("invoke fn", "inconclusive"),), 113)
    sink(Event("promoted", 9.0, "done", "svc", "prod", "2", None))
    assert gate_board.read(deployed, "svc") == {}
    assert "prod" not in str(deployed.service_tags("svc"))
    assert deployed.get_alias("svc", "prod").version_id == "1"  # no alias write: only tags


def test_a_refused_tag_write_never_raises_and_goes_quiet() -> None:
    class Refusing:
        calls = 0

        def tag_service(self, service: str, tags: Any) -> None:
            Refusing.calls += 1
            raise RuntimeError("no room")

        def service_tags(self, service: str) -> dict[str, str]:
            return {}

        def untag_service(self, service: str, keys: Any = (), *, all: bool = False) -> None:
            Refusing.calls += 1

    sink = GateBoard(Refusing(), "svc", "prod", every=0)
    sink(check(20, ("g", "pass")))
    sink(check(50, ("g", "pass")))
    sink(Event("promoted", 2.0, "", "svc", "prod", "2"))
    assert Refusing.calls == 1 and sink.failures and "no room" in sink.failures[0]
