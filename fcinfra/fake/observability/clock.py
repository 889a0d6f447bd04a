"""A clock tests can move forward: real time plus an offset, never backwards.

The emulator's CloudMonitor keeps FC's 60-second period; instead of shrinking it, tests move this clock
(``POST /_fcinfra/clock {"advance": 60}``) so a minute ends at once and its points appear.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["MovableClock"]


class MovableClock:
    """``base() + offset``; :meth:`advance` adds to the offset (only forward: time never runs back)."""

    def __init__(self, base: Callable[[], float] = time.time) -> None:
        self.base = base
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.base() + self._offset

    @property
    def offset(self) -> float:
        """Seconds this clock is ahead of its base."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (>= 0); returns the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 366 * 86_400:
            raise ValueError(f"advance takes 0..31622400 seconds, got {seconds!r}")
        with self._lock:
            self._offset += float(seconds)
            return self.base() + self._offset
