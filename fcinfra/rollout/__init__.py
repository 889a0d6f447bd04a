"""Progressive delivery on FC aliases: walk traffic to a new version in steps, check health, promote or roll back.

    from fcinfra.rollout import Rollout, Steps, InvokeProbe
    result = Rollout(client, service="svc", alias="prod", to_version="3",
                     strategy=Steps([10, 25, 50, 100], interval=30),
                     health=[InvokeProbe(function="fn", samples=20, max_error_rate=0.05)]).run()
    result.status   # "promoted" | "rolled_back" | "aborted" | "in_progress" | "paused"

Pure core (:mod:`.spec`, :mod:`.verdicts`, :func:`.engine.decide`), thin shell (:mod:`.runner`,
:mod:`.health`, :mod:`.ops`). See docs/rollout.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fcinfra._lazy import lazy_exports

# Names are imported on first use (PEP 562): `fcinfra.rollout.spec` (a Pulumi provider's check, a preview's
# schedule) must not import the runner, the probes and the traffic gates with this package.
_EXPORTS: dict[str, str] = {
    "AliasView": "fcinfra.rollout.engine",
    "decide": "fcinfra.rollout.engine",
    "Event": "fcinfra.rollout.events",
    "json_lines": "fcinfra.rollout.events",
    "CallableGate": "fcinfra.rollout.health",
    "Gate": "fcinfra.rollout.health",
    "HttpProbe": "fcinfra.rollout.health",
    "InvokeProbe": "fcinfra.rollout.health",
    "Target": "fcinfra.rollout.health",
    "AliasStatus": "fcinfra.rollout.ops",
    "promote": "fcinfra.rollout.ops",
    "rollback": "fcinfra.rollout.ops",
    "status": "fcinfra.rollout.ops",
    "check_release": "fcinfra.rollout.preflight",
    "Checkpoint": "fcinfra.rollout.result",
    "Rollout": "fcinfra.rollout.runner",
    "RolloutResult": "fcinfra.rollout.runner",
    "VirtualClock": "fcinfra.rollout.runner",
    "SequentialTest": "fcinfra.rollout.sequential",
    "AllAtOnce": "fcinfra.rollout.spec",
    "Canary": "fcinfra.rollout.spec",
    "Linear": "fcinfra.rollout.spec",
    "Pause": "fcinfra.rollout.spec",
    "Stage": "fcinfra.rollout.spec",
    "Steps": "fcinfra.rollout.spec",
    "Strategy": "fcinfra.rollout.spec",
    "CmsGate": "fcinfra.rollout.traffic",
    "PrometheusGate": "fcinfra.rollout.traffic",
    "SlsGate": "fcinfra.rollout.traffic",
    "TrafficGate": "fcinfra.rollout.traffic",
    "WarmUp": "fcinfra.rollout.traffic",
    "Thresholds": "fcinfra.rollout.verdicts",
    "Verdict": "fcinfra.rollout.verdicts",
}

__all__ = [
    "AliasStatus",
    "AliasView",
    "AllAtOnce",
    "CallableGate",
    "Canary",
    "Checkpoint",
    "CmsGate",
    "Event",
    "Gate",
    "HttpProbe",
    "InvokeProbe",
    "Linear",
    "Pause",
    "PrometheusGate",
    "Rollout",
    "RolloutResult",
    "SequentialTest",
    "SlsGate",
    "Stage",
    "Steps",
    "Strategy",
    "Target",
    "Thresholds",
    "TrafficGate",
    "Verdict",
    "VirtualClock",
    "WarmUp",
    "check_release",
    "decide",
    "json_lines",
    "promote",
    "rollback",
    "status",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from fcinfra.rollout.engine import AliasView, decide
    from fcinfra.rollout.events import Event, json_lines
    from fcinfra.rollout.health import CallableGate, Gate, HttpProbe, InvokeProbe, Target
    from fcinfra.rollout.ops import AliasStatus, promote, rollback, status
    from fcinfra.rollout.preflight import check_release
    from fcinfra.rollout.result import Checkpoint
    from fcinfra.rollout.runner import Rollout, RolloutResult, VirtualClock
    from fcinfra.rollout.sequential import SequentialTest
    from fcinfra.rollout.spec import AllAtOnce, Canary, Linear, Pause, Stage, Steps, Strategy
    from fcinfra.rollout.traffic import CmsGate, PrometheusGate, SlsGate, TrafficGate, WarmUp
    from fcinfra.rollout.verdicts import Thresholds, Verdict


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
