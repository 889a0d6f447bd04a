"""Pre- and post-traffic hooks: any FC function, invoked with an event naming the alias and both versions
(CodeDeploy's PreTraffic/PostTraffic hooks). On FC 3.0 (``function_level``) the hook is an FC 3.0 function,
invoked with the ``Fc3Client``, and ``service`` in the event is the name of the function that owns the alias.

The hook fails when the function raises (FC reports a function error) or answers JSON with
``"status": "failed"`` (any case); anything else passes. Event::

    {"hook": "pre_traffic" | "post_traffic", "service": "shop", "alias": "prod",
     "from_version": "3", "to_version": "4"}

The pre-traffic hook is a gate of the rollout's pre-traffic check (nothing moves if it fails). The post-traffic
hook runs after the promotion, and after an optional bake at 100 %: only then is the release done. If it fails,
:func:`after_promotion` rolls the alias back to the old main version in one write and the result is
``rolled_back``. Hook functions run the operator's code: the hook is called once per phase.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout.events import Event, EventSink
from fcinfra.rollout.health import Target
from fcinfra.rollout.result import RolloutResult
from fcinfra.rollout.verdicts import FAIL, PASS, Verdict

PRE_TRAFFIC, POST_TRAFFIC = "pre_traffic", "post_traffic"


@dataclass(frozen=True)
class TrafficHook:
    """``function`` of ``service`` (None: the rollout's own service), invoked at ``qualifier`` (LATEST). With
    ``function_level`` (FC 3.0) ``function`` is a function of its own: there is no service."""

    function: str
    phase: str = PRE_TRAFFIC
    service: str | None = None
    qualifier: str | None = None
    function_level: bool = False

    def __post_init__(self) -> None:
        if self.function_level and self.service:
            raise InvalidArgumentError(f"on FC 3.0 a hook is a function: name it FUNCTION, not "
                                       f"{self.service}/{self.function} (FC 3.0 has no services)")

    @classmethod
    def parse(cls, spec: str, phase: str, function_level: bool = False) -> TrafficHook:
        """``FUNCTION`` or ``SERVICE/FUNCTION`` (FC 2.0); ``FUNCTION`` only on FC 3.0 (``function_level``)."""
        service, _, function = spec.rpartition("/")
        return cls(function, phase, service or None, function_level=function_level)

    @property
    def name(self) -> str:
        return f"{self.phase.replace('_', '-')} hook {(self.service + '/') if self.service else ''}{self.function}"

    def run(self, client: Any, service: str, alias: str, from_version: str, to_version: str) -> Verdict:
        """Invoke the hook once and judge its answer."""
        event = {"hook": self.phase, "service": service, "alias": alias, "from_version": from_version,
                 "to_version": to_version}
        if self.function_level:  # FC 3.0: Fc3Client.invoke(function, payload, qualifier)
            inv = client.invoke(self.function, json.dumps(event), qualifier=self.qualifier)
        else:
            inv = client.invoke(self.service or service, self.function, payload=json.dumps(event),
                                qualifier=self.qualifier)
        if not inv.ok:
            return Verdict(self.name, FAIL, f"{self.function} raised {inv.error_type}: "
                                            f"{inv.payload.decode(errors='replace')[:200]}")
        try:
            answer = json.loads(inv.payload or b"null")
        except ValueError:
            answer = None
        if isinstance(answer, dict) and str(answer.get("status", "")).lower() == "failed":
            return Verdict(self.name, FAIL, f"{self.function} answered failed: {answer.get('reason', '')}"[:300])
        return Verdict(self.name, PASS, "ok")

    def check(self, target: Target) -> Verdict:
        """As a gate of the pre-traffic check (the rollout's FC version decides how the hook is invoked)."""
        hook = self if self.function_level == target.function_level else \
            replace(self, function_level=target.function_level)
        return hook.run(target.client, target.service, target.alias, target.main_version, target.canary_version)


def after_promotion(client: Any, result: RolloutResult, hook: TrafficHook, bake: float = 0.0,
                    sleep: Callable[[float], None] | None = None,
                    rollback: Callable[..., RolloutResult] | None = None,
                    on_event: Iterable[EventSink] = ()) -> RolloutResult:
    """Bake at 100 %, run the post-traffic hook; on failure roll back to the old main version (one write) and
    tell ``on_event`` (a ``rolled_back`` event: notifications, reports). The CLI and the Pulumi provider both
    call this."""
    if result.status != "promoted" or not result.alias_writes:
        return result  # not promoted by this run: nothing of ours to judge
    if bake > 0:
        import time

        (sleep or time.sleep)(bake)
    verdict = hook.run(client, result.service, result.alias, result.from_version, result.to_version)
    if verdict.status == PASS:
        return replace(result, verdicts=[*result.verdicts, verdict],
                       reason=f"{result.reason}; {hook.name} passed")
    from fcinfra.rollout.ops import rollback as one_write_back

    back = (rollback or one_write_back)(client, result.service, result.alias, result.from_version)
    judged = replace(result, status="rolled_back", history=[*result.history, *back.history],
                   alias_reads=result.alias_reads + back.alias_reads,
                   alias_writes=result.alias_writes + back.alias_writes, verdicts=[*result.verdicts, verdict],
                   reason=f"{verdict.reason} ({hook.name}, after 100%); rolled back to version {result.from_version}")
    event = Event("rolled_back", result.duration, judged.reason, result.service, result.alias, result.to_version, 0)
    for sink in on_event:
        sink(event)
    return judged
