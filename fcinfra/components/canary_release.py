"""``CanaryRelease``: publish, then walk an alias to the new version during ``pulumi up``.

Children (all parented to the component):

- a ``ServiceVersion`` published from the service's fingerprint;
- a real ``alicloud.fc.Alias`` that owns the alias's existence and description; its traffic fields
  (``service_version``, ``routing_config``) are in ``ignore_changes`` and belong to
- an ``AliasShift`` with the rollout strategy and health gates: its create/update runs
  :mod:`fcinfra.rollout`, promoting or rolling back within ``time_budget`` seconds;
- one ``AliasTrigger`` per declared trigger, bound to the alias from its creation.

A rollback is recorded in the ``AliasShift``'s state (so the same code never receives production
traffic again unless ``force`` changes) and then fails the update with a clear message. A rollout cut
short by the time budget leaves ``status == "in_progress"`` and a warning; the next ``pulumi up``
continues from the alias's real state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NotRequired, Required, TypedDict

import pulumi
import pulumi_alicloud as alicloud

from fcinfra.components.fc3_function import Fc3Function
from fcinfra.components.fc_service import FcService
from fcinfra.errors import InvalidArgumentError, RolloutError
from fcinfra.providers._props import as_json
from fcinfra.providers._rollout import DEFAULT_STRATEGY
from fcinfra.providers.alias_shift import AliasShift
from fcinfra.providers.alias_trigger import AliasTrigger
from fcinfra.providers.service_version import ServiceVersion

__all__ = ["CanaryRelease", "CanaryReleaseArgs", "TriggerSpec", "preview_note", "rollout_verdict"]

TYPE = "fcinfra:index:CanaryRelease"


class TriggerSpec(TypedDict, total=False):
    """A trigger bound to the release's alias."""

    function: Required[str]
    trigger_type: Required[str]
    name: NotRequired[str]
    trigger_config: NotRequired[pulumi.Input[dict[str, Any]]]
    source_arn: NotRequired[pulumi.Input[str]]
    invocation_role: NotRequired[pulumi.Input[str]]
    description: NotRequired[str]


class CanaryReleaseArgs(TypedDict, total=False):
    """What to release and how.

    ``service`` is an :class:`FcService` (its fingerprint is used), an :class:`Fc3Function` (FC 3.0: the
    function owns the versions and the alias; each trigger's ``function`` is then only its name's default), or a
    service name together with ``fingerprint``. ``strategy`` is plain data, e.g. ``{"type": "steps",
    "weights": [10, 25, 50, 100], "interval": 30}`` (also ``canary``/``linear``/``all_at_once``); ``health`` a
    list such as ``[{"type": "invoke", "function": "fn", "samples": 20, "max_error_rate": 0.05}]``. ``hooks``:
    ``{"pre_traffic": "fn", "post_traffic": "fn", "post_traffic_bake": 60}`` (any FC function; FC 2.0 only);
    ``notifications``: ``[{"type": "webhook", "url_env": "HOOK_URL", "secret_env": "HOOK_SECRET"}]`` (also
    ``dingtalk``, ``slack``), environment variable *names* only, read when the rollout runs, so no URL or secret
    reaches the state.
    """

    service: Required[FcService | Fc3Function | pulumi.Input[str]]
    alias: Required[str]
    fingerprint: NotRequired[pulumi.Input[str]]
    strategy: NotRequired[dict[str, Any]]
    health: NotRequired[list[dict[str, Any]]]
    triggers: NotRequired[list[TriggerSpec]]
    time_budget: NotRequired[float]
    force: NotRequired[str]
    alias_description: NotRequired[str]
    version_description: NotRequired[str]
    keep_last: NotRequired[int]
    retain_versions: NotRequired[bool]
    hooks: NotRequired[dict[str, Any]]
    notifications: NotRequired[list[dict[str, Any]]]




def _check_operator(release: str, args: CanaryReleaseArgs) -> None:
    """Hooks and notifications are checked when the component is built (typed errors, nothing registered); the
    hooks of an Fc3Function's release are FC 3.0 functions (FUNCTION, no SERVICE/)."""
    from fcinfra.providers._operator import build_hooks, check_notifications

    try:
        build_hooks(args.get("hooks"), function_level=isinstance(args["service"], Fc3Function))
        check_notifications(args.get("notifications"))
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"CanaryRelease {release!r}: {exc}") from None


def rollout_verdict(release: str, status: str | None, target: str | None, live: str | None, reason: str | None) -> str:
    """Turn the AliasShift's recorded outcome into the update's outcome: an update raises on a rollback, a
    preview only warns (it must still show what the next update would do)."""
    if status == "rolled_back":
        message = (
            f"CanaryRelease {release!r}: version {target} was rolled back ({reason or 'health gates failed'}); "
            f"traffic stays on version {live}. This code will not receive production traffic again: change "
            "the code (a new fingerprint) or set `force` to a new value to retry it"
        )
        if pulumi.runtime.is_dry_run():  # a preview tells, and does not fail: the update will
            pulumi.log.warn(message)
            return status
        raise RolloutError(message)
    if status == "in_progress":
        pulumi.log.warn(
            f"CanaryRelease {release!r}: the rollout to version {target} reached its time budget; run `pulumi up` "
            "again to continue from the alias's current weights"
        )
    return status or "unknown"


def _describe_gate(spec: dict[str, Any]) -> str:
    kind = str(spec.get("type", "invoke"))
    words = [f"{kind} {spec.get('function', '?')}" + (f" {spec['path']}" if spec.get("path") else "")]
    if spec.get("samples") is not None:
        words.append(f"{int(spec['samples'])} samples")
    if spec.get("max_error_rate") is not None:
        words.append(f"max error rate {float(spec['max_error_rate']) * 100:g}%")
    if spec.get("max_latency_ms") is not None:
        words.append(f"max latency {float(spec['max_latency_ms']):g} ms")
    return ", ".join(words)


def preview_note(release: str, alias: str, strategy: dict[str, Any], health: list[dict[str, Any]],
                 time_budget: float | None) -> str:
    """What ``pulumi preview`` tells about a rollout: the schedule, the gates and the total time (pure)."""
    from fcinfra.providers._rollout import build_health, build_strategy

    plan = build_strategy(strategy)
    build_health(health)  # a bad gate fails the preview with the same typed error the update would give
    weights = " -> ".join(f"{w}%" for w in plan.schedule)
    gates = "; ".join(_describe_gate(g) for g in health) or "none"
    budget = f"; at most {time_budget:g}s per `pulumi up`" if time_budget else ""
    return (f"CanaryRelease {release!r}: a new version walks alias {alias!r} {weights}; health gates: {gates}; "
            f"total {plan.total_duration:g}s{budget}\n{plan.describe()}")


class CanaryRelease(pulumi.ComponentResource):
    """ServiceVersion + Alias (existence) + AliasShift (traffic, walked as a canary) + alias-bound triggers."""

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        version: ServiceVersion
        alias: alicloud.fc.Alias
        shift: AliasShift
        triggers: dict[str, AliasTrigger]
        version_id: pulumi.Output[str]
        status: pulumi.Output[str]

    def __init__(self, name: str, args: CanaryReleaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        service = args["service"]
        _check_operator(name, args)  # before any child exists: a URL or secret never becomes an input
        if isinstance(service, Fc3Function):
            self._release_function(name, service, args)
            self._finish(name)
            return
        if isinstance(service, FcService):
            service_name: pulumi.Input[str] = service.service_name
            fp: pulumi.Input[str] | None = args.get("fingerprint") or service.fingerprint
        else:
            service_name, fp = service, args.get("fingerprint")
        if fp is None:
            raise InvalidArgumentError(f"CanaryRelease {name!r}: give an FcService, or a service name and fingerprint")
        alias_name = args["alias"]
        child = pulumi.ResourceOptions(parent=self)

        self.version = self._new_version(name, ServiceVersion, service_name, fp, args)
        self.alias = alicloud.fc.Alias(
            f"{name}-alias",
            service_name=service_name,
            alias_name=alias_name,
            service_version=self.version.version_id,  # only at creation: traffic belongs to the AliasShift
            description=args.get("alias_description"),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["service_version", "routing_config"]),
        )
        self.shift = self._new_shift(name, AliasShift, service_name, args)
        if pulumi.runtime.is_dry_run():
            pulumi.log.info(
                preview_note(name, alias_name, args.get("strategy") or DEFAULT_STRATEGY, args.get("health") or [],
                             args.get("time_budget")),
                resource=self,
            )
        self.triggers = {}
        for spec in args.get("triggers") or []:
            trigger_name = spec.get("name") or f"{spec['function']}-{spec['trigger_type']}"
            self.triggers[trigger_name] = AliasTrigger(
                f"{name}-{trigger_name}",
                service=service_name,
                function=spec["function"],
                name=trigger_name,
                trigger_type=spec["trigger_type"],
                qualifier=self.alias.alias_name,
                trigger_config=spec.get("trigger_config"),
                source_arn=spec.get("source_arn"),
                invocation_role=spec.get("invocation_role"),
                description=spec.get("description"),
                opts=child,
            )

        self._finish(name)

    def _release_function(self, name: str, fn: Fc3Function, args: CanaryReleaseArgs) -> None:
        """FC 3.0: FunctionVersion + ``alicloud.fc.V3Alias`` (existence) + FunctionAliasShift (traffic) +
        ``alicloud.fc.V3Trigger`` per trigger, bound to the alias once (its qualifier never changes)."""
        from fcinfra.providers.function_alias_shift import FunctionAliasShift
        from fcinfra.providers.function_version import FunctionVersion

        child = pulumi.ResourceOptions(parent=self)
        fp = args.get("fingerprint") or fn.fingerprint
        self.version = self._new_version(name, FunctionVersion, fn.function_name, fp, args)
        self.alias = alicloud.fc.V3Alias(  # type: ignore[assignment]
            f"{name}-alias",
            function_name=fn.function_name,
            alias_name=args["alias"],
            version_id=self.version.version_id,  # only at creation: traffic belongs to the FunctionAliasShift
            description=args.get("alias_description"),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["version_id", "additional_version_weight"]),
        )
        self.shift = self._new_shift(name, FunctionAliasShift, fn.function_name, args)
        self.triggers = {}
        for spec in args.get("triggers") or []:
            trigger_name = spec.get("name") or f"{spec['function']}-{spec['trigger_type']}"
            config = spec.get("trigger_config")
            self.triggers[trigger_name] = alicloud.fc.V3Trigger(  # type: ignore[assignment]
                f"{name}-{trigger_name}",
                function_name=fn.function_name,
                trigger_name=trigger_name,
                trigger_type=spec["trigger_type"],
                qualifier=self.alias.alias_name,  # bound once: a canary moves the alias, never the trigger
                trigger_config=None if config is None else pulumi.Output.from_input(config).apply(as_json),
                source_arn=spec.get("source_arn"),
                invocation_role=spec.get("invocation_role"),
                description=spec.get("description"),
                opts=child,
            )

    def _new_version(self, name: str, cls: type[ServiceVersion], owner: pulumi.Input[str], fp: pulumi.Input[str],
                 args: CanaryReleaseArgs) -> ServiceVersion:
        """The version published from ``fp``: a service's (FC 2.0) or, ``FunctionVersion``, a function's."""
        return cls(f"{name}-version", owner, fp, args.get("version_description"), args.get("retain_versions", True),
                   args.get("keep_last"), opts=pulumi.ResourceOptions(parent=self))

    def _new_shift(self, name: str, cls: type[AliasShift], owner: pulumi.Input[str],
                   args: CanaryReleaseArgs) -> AliasShift:
        """The alias's traffic, walked by ``cls`` (``AliasShift``, or ``FunctionAliasShift`` on FC 3.0)."""
        return cls(
            f"{name}-shift",
            service=owner,
            alias=self.alias.alias_name,
            version_id=self.version.version_id,
            strategy=args.get("strategy") or DEFAULT_STRATEGY,
            health=args.get("health") or [],
            time_budget=args.get("time_budget"),
            fingerprint=self.version.fingerprint,
            force=args.get("force"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.alias]),
            hooks=args.get("hooks"),
            notifications=args.get("notifications"),
        )

    def _finish(self, name: str) -> None:
        self.version_id = self.version.version_id
        self.status = pulumi.Output.all(
            self.shift.status, self.shift.target_version, self.shift.version_id, self.shift.reason
        ).apply(lambda r: rollout_verdict(name, r[0], r[1], r[2], r[3]))
        self.register_outputs(
            {
                "version_id": self.version_id,
                "alias_name": self.alias.alias_name,
                "status": self.status,
                "live_version": self.shift.version_id,
                "canary_version": self.shift.canary_version,
                "canary_percent": self.shift.canary_percent,
                "history": self.shift.history,
                "trigger_names": list(self.triggers),
            }
        )
