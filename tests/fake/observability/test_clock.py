"""MovableClock: real time plus an offset that only grows."""

from __future__ import annotations

import pytest

from fcinfra.fake.observability.clock import MovableClock


def test_advance_moves_forward_only() -> None:
    now = [100.0]
    clock = MovableClock(lambda: now[0])
    assert clock() == 100.0
    assert clock.advance(60) == 160.0
    now[0] = 101.0
    assert clock() == 161.0 and clock.offset == 60.0
    for bad in (-1, True, "60", float("nan"), 10**9):
        with pytest.raises(ValueError):
            clock.advance(bad)  # type: ignore[arg-type]
    assert clock() == 161.0
