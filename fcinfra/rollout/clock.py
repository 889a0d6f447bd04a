"""Time for the rollout: the injected ``sleep`` and ``clock``, or a virtual clock driven by the sleep.

Kept apart so the runner never reads the real clock by accident: every wait goes through what
``resolve_time`` returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["VirtualClock", "resolve_time", "wall_time"]


class VirtualClock:
    """Time that advances by exactly what was slept: ``sleep=lambda s: None`` runs a rollout instantly."""

    def __init__(self, sleep: Callable[[float], None] | None = None, start: float = 0.0) -> None:
        self.now = start
        self._sleep = sleep

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance virtual time by exactly ``seconds`` (after calling the real sleep, if one was given)."""
        if self._sleep is not None:
            self._sleep(seconds)
        self.now += seconds


def resolve_time(
    sleep: Callable[[float], None] | None, clock: Callable[[], float] | None
) -> tuple[Callable[[float], None], Callable[[], float]]:
    """The contract: a custom sleep without a clock gets a virtual clock driven by that sleep."""
    if clock is None and sleep is None:
        return time.sleep, time.monotonic
    if clock is None:
        virtual = VirtualClock(sleep)
        return virtual.sleep, virtual
    return (sleep if sleep is not None else time.sleep), clock


def wall_time() -> float:
    """Unix seconds: what a lease's expiry is written in, comparable across machines (the monotonic clock is not)."""
    return time.time()
