"""Stop a dynamic provider whose Pulumi engine is gone, before it writes again.

The engine starts each plugin in a process group of its own (so a Ctrl-C reaches the engine, which cancels
gracefully). A ``SIGKILL`` to the group of ``pulumi up`` therefore leaves the provider running: mid-canary it
would go on baking and moving traffic that no engine will ever record. The Python dynamic-provider plugin is
a shell script that runs ``python -m pulumi.dynamic`` as its child, so the engine is our parent's parent:
when it dies, our parent is re-parented (or we are, when the engine started Python directly). The rollout's
sleep looks at that at least every half second and ends the process at once, with no further write; the
rollout's lease (one per alias for Pulumi) lets the next ``pulumi up`` resume where it stopped.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

__all__ = ["EngineWatch", "engine_bound_sleep"]

STEP = 0.5  # seconds between looks while sleeping
EXIT_STATUS = 70  # EX_SOFTWARE: nobody reads it, the engine is gone


def _parent_of(pid: int) -> int | None:
    """A process's parent from /proc (Linux); None where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the fields after the command name: state, ppid, ...


class EngineWatch:
    """Who our parent and grandparent were when the provider started; ``alive()`` is False once either left."""

    def __init__(self) -> None:
        self.parent = os.getppid()
        self.grandparent = _parent_of(self.parent)

    def alive(self) -> bool:
        if os.getppid() != self.parent:
            return False
        if self.grandparent is None or self.grandparent <= 1:  # nothing above the parent to watch
            return True
        return _parent_of(self.parent) == self.grandparent


_WATCH = EngineWatch()  # made when the provider module is imported: the engine is calling us then


def engine_bound_sleep(seconds: float) -> None:
    """``time.sleep`` that ends this process as soon as the engine that started it is gone."""
    end = time.monotonic() + max(0.0, seconds)
    while True:
        if not _WATCH.alive():
            # the engine read our stderr: the pipe may be broken, and nothing may stop the exit
            with contextlib.suppress(OSError):
                os.write(2, b"fcinfra: the Pulumi engine is gone; stopping before any further write\n")
            os._exit(EXIT_STATUS)
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(STEP, left))
