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
