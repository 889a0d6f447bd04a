"""``fcinfra status --watch``: look again every few seconds and show the status each time it changes, like
``kubectl argo rollouts get rollout --watch``; ends when a rollout that was seen in progress has ended."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fcinfra.display.output import Output


def _moving(doc: dict[str, Any]) -> bool:
    return any(a.get("state") != "stable" for a in doc["aliases"])


def _shown(doc: dict[str, Any]) -> dict[str, Any]:
    """What counts as a change: the aliases' split and state (not the seconds left, which tick every look)."""
    return {"aliases": [{k: v for k, v in a.items() if k not in ("remaining_seconds",)} for a in doc["aliases"]]}


def watch_status(out: Output, snapshot: Callable[[], dict[str, Any]], every: float,
                 render: Callable[[dict[str, Any]], None], sleep: Callable[[float], None] = time.sleep) -> None:
    """Show ``snapshot()`` now and on every change; stop once a rollout seen in progress is over (Ctrl-C
    stops earlier: exit 130)."""
    last: dict[str, Any] | None = None
    seen_moving = False
    while True:
        doc = snapshot()
        if last is None or _shown(doc) != last:
            last = _shown(doc)
            if out.json:
                out.emit({**doc, "at": round(time.time(), 3)})
            else:
                out.console.rule(time.strftime("%H:%M:%S"))
                render(doc)
        moving = _moving(doc)
        seen_moving = seen_moving or moving
        if seen_moving and not moving:
            return
        sleep(every)
