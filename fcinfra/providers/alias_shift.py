"""``AliasShift``: the traffic of an existing FC alias (main version + optional canary at a whole percent).

The alias itself (its existence, name, description) belongs to a real ``alicloud.fc.Alias`` whose
traffic fields are in ``ignore_changes``; this resource owns only where traffic goes, so the two never
fight over drift. Writes carry ``If-Match`` with the ETag read just before, so a concurrent change by
someone else fails the write (``AliasChangedError``) instead of being silently overwritten. Refresh
(``read``) reports the alias's live traffic, so drift shows up as a diff that the next update corrects.

With a ``strategy`` the resource does not jump: create/update walk the alias from its live main version
to ``version_id`` with :mod:`fcinfra.rollout` (health gates included), promoting or rolling back. A
rolled-back target is remembered (``rejected_fingerprints``) and never receives traffic again unless
``force`` is given a new value. A rollout never runs past ``time_budget`` seconds: it stops between
steps with ``status == "in_progress"``, and the next update continues from the alias's real state.

The import path of :class:`AliasShiftProvider` is public and stable: users' state refers to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from fcinfra.errors import AliasChangedError, FcinfraError, NotFoundError, PreconditionFailedError
from fcinfra.fc.names import LATEST, VERSION_ID_PATTERN
from fcinfra.providers._base import FcProviderBase, FcResource
from fcinfra.providers._props import as_json, changed, is_unknown, known_failures, plain

__all__ = ["AliasShift", "AliasShiftProvider", "desired_weights", "is_rejected"]

_REPLACE_KEYS = ("service", "alias")
_SETTINGS_KEYS = ("strategy", "health", "time_budget", "force", "fingerprint", "hooks", "notifications")
_OPTIONAL_SETTINGS = ("hooks", "notifications")  # added later: absent from older states, so stored only when set
_MAX_REMEMBERED = 20
DEFAULT_TIME_BUDGET = 600.0
_OUTPUT_ATTRS = ("canary_percent", "canary_weight", "target_version", "status", "history", "reason",
                 "rejected_version", "rejected_fingerprints")


def _percent(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def desired_weights(inputs: dict[str, Any]) -> dict[str, float]:
    """FC's ``additionalVersionWeight`` for the inputs: ``{}`` or ``{canary: percent / 100}``."""
    from fcinfra.rollout.spec import to_fc_weight

    canary, percent = inputs.get("canary_version"), _percent(inputs.get("canary_percent"))
    return {str(canary): to_fc_weight(percent)} if canary and percent > 0 else {}


def is_rejected(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Pure: was this target rolled back before, and has nobody forced a retry since?"""
    fingerprint = news.get("fingerprint")
    remembered = olds.get("rejected_fingerprints") or []
    same_code = bool(fingerprint) and fingerprint in remembered
    same_version = bool(olds.get("rejected_version")) and str(olds.get("rejected_version")) == str(
        news.get("version_id")
    )
    if not (same_code or same_version):
        return False
    force = news.get("force")
    return not (force and force != olds.get("rejected_force"))


class AliasShiftProvider(FcProviderBase):
    """Moves an alias's traffic with If-Match, directly or by walking a rollout strategy."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Refuse bad inputs at preview time, with per-field messages, before any traffic moves."""
        failures: list[CheckFailure] = []
        for key in ("service", "alias"):
            if not isinstance(news.get(key), str) or not news.get(key):
                failures.append(CheckFailure(key, f"{key} must be a non-empty name"))
        if news.get("alias") == LATEST:
            failures.append(CheckFailure("alias", "LATEST is not an alias"))
        version = news.get("version_id")
        if not isinstance(version, str) or not (version == LATEST or VERSION_ID_PATTERN.match(version)):
            failures.append(
                CheckFailure("version_id", f"version_id must be a version number or LATEST, got {version!r}")
            )
        canary, percent = news.get("canary_version"), news.get("canary_percent")
        if canary is not None:
            if not isinstance(canary, str) or not VERSION_ID_PATTERN.match(canary):
                failures.append(
                    CheckFailure("canary_version", f"canary_version must be a version number, got {canary!r}")
                )
            elif canary == version:
                failures.append(CheckFailure("canary_version", "canary_version must differ from version_id"))
        if percent is not None and not is_unknown(percent) and (
            isinstance(percent, bool) or not isinstance(percent, int | float) or not float(percent).is_integer()
            or not 0 <= percent <= 100
        ):
            failures.append(
                CheckFailure("canary_percent", f"canary_percent must be a whole percent in 0..100, got {percent!r}")
            )
        if news.get("strategy") is not None and canary is not None:
            failures.append(CheckFailure("canary_version", "give either a strategy or a fixed canary, not both"))
        if news.get("strategy") is not None and not is_unknown(news.get("strategy")) and not is_unknown(
            news.get("health")
        ):
            from fcinfra.providers._rollout import build_health, build_strategy, rollout_timing

            try:
                plan = build_strategy(news["strategy"]).plan()
                rollout_timing(news["strategy"])
                build_health(news.get("health"))
            except FcinfraError as exc:
                failures.append(CheckFailure("strategy", str(exc)))
                plan = None
        else:
            plan = None
        failures += _operator_failures(news, self.fc3)
        budget = news.get("time_budget")
        bad_budget = isinstance(budget, bool) or not isinstance(budget, int | float) or budget <= 0
        if budget is not None and not is_unknown(budget) and bad_budget:
            failures.append(
                CheckFailure("time_budget", f"time_budget must be a positive number of seconds, got {budget!r}")
            )
        elif plan is not None and not is_unknown(budget):
            from fcinfra.rollout.spec import check_time_budget

            try:  # a budget shorter than one bake could never raise that weight (it stops before such a write)
                check_time_budget(float(budget) if budget is not None else DEFAULT_TIME_BUDGET, plan)
            except FcinfraError as exc:
                failures.append(CheckFailure("time_budget", str(exc) + ("" if budget is not None else
                                             f" (time_budget not set: the default is {DEFAULT_TIME_BUDGET:g}s)")))
        return CheckResult(news, known_failures(failures, news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Pure: compare the last observed live traffic (olds) with the desired traffic (news)."""
        replaces = changed(olds, news, _REPLACE_KEYS)
        settings = changed(olds, news, _SETTINGS_KEYS)
        if news.get("strategy") is not None:
            if is_rejected(olds, news):
                moves = False
            elif olds.get("status") == "in_progress":
                moves = True
            else:
                moves = str(olds.get("version_id")) != str(news.get("version_id")) or bool(olds.get("canary_version"))
        else:
            live_weight = float(olds.get("canary_weight") or 0.0)
            want = desired_weights(news)
            moves = (
                str(olds.get("version_id")) != str(news.get("version_id"))
                or (olds.get("canary_version") or None) != (next(iter(want), None))
                or abs(live_weight - next(iter(want.values()), 0.0)) > 1e-9
            )
        return DiffResult(changes=bool(replaces or settings or moves), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Route the alias's traffic as declared: a staged rollout when a strategy is given, else one write."""
        inputs = plain(props)
        return CreateResult(f"{inputs['service']}:{inputs['alias']}", self._apply(inputs, {}))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Route the alias's traffic as newly declared, starting from what is live (see ``create``)."""
        return UpdateResult(self._apply(plain(news), olds))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh: the alias's live traffic; ``drifted`` tells whether it differs from what was applied."""
        state = plain(props)
        service = state.get("service") or id_.split(":", 1)[0]
        alias = state.get("alias") or id_.split(":", 1)[1]
        try:
            live = self.client().get_alias(service, alias)
        except NotFoundError:
            return ReadResult("", {})
        outs = {**state, **_live(live)}
        outs["drifted"] = any(str(state.get(k)) != str(outs.get(k)) for k in ("version_id", "canary_version")) or abs(
            float(state.get("canary_weight") or 0.0) - float(outs.get("canary_weight") or 0.0)
        ) > 1e-9
        return ReadResult(id_, outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Traffic needs no cleanup: the alias (owned by ``alicloud.fc.Alias``) keeps routing as it is."""

    # ------------------------------------------------------------------------------------------ helpers

    def _apply(self, inputs: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        if inputs.get("strategy") is not None:
            return self._roll(inputs, olds)
        client = self.client()
        service, alias = inputs["service"], inputs["alias"]
        live = client.get_alias(service, alias)
        want = desired_weights(inputs)
        if live.version_id != str(inputs["version_id"]) or dict(live.additional_version_weight) != want:
            try:
                live = client.update_alias(
                    service, alias, version_id=str(inputs["version_id"]), additional_version_weight=want,
                    if_match=live.etag,
                )
            except PreconditionFailedError as exc:
                raise AliasChangedError(
                    f"alias {alias!r} of service {service!r} changed while this update was writing it "
                    f"(If-Match failed, nothing was written): {exc.message}. Run `pulumi refresh` to see "
                    "who moved it, then `pulumi up` again"
                ) from exc
        return {**_settings(inputs), **_live(live), "status": "applied", "history": []}

    def _roll(self, inputs: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
        from fcinfra.providers._rollout import run_rollout

        client = self.client()
        service, alias, target = inputs["service"], inputs["alias"], str(inputs["version_id"])
        remembered = list(olds.get("rejected_fingerprints") or [])
        rejection = {
            "rejected_version": olds.get("rejected_version"),
            "rejected_fingerprints": remembered,
            "rejected_force": olds.get("rejected_force"),
            "reason": olds.get("reason") or "",
        }
        live = client.get_alias(service, alias)
        if is_rejected(olds, inputs):
            return {**_settings(inputs), **_live(live), **rejection, "status": "rolled_back", "history": []}
        if live.version_id == target and not live.canary:
            return {**_settings(inputs), **_live(live), **rejection, "status": "promoted", "history": []}
        budget = inputs.get("time_budget")
        outcome = run_rollout(
            client,
            service=service,
            alias=alias,
            to_version=target,
            strategy=inputs["strategy"],
            health=inputs.get("health"),
            budget=float(budget) if budget is not None else DEFAULT_TIME_BUDGET,
            sleep=self._sleep,
            clock=self._clock,
            checkpoint=olds.get("checkpoint") if olds.get("status") == "in_progress" else None,
            hooks=inputs.get("hooks"),
            notifications=inputs.get("notifications"),
            warn=_warn,
            fc3=self.fc3,
        )
        if outcome.status == "aborted":
            raise AliasChangedError(
                f"the rollout of version {target} on alias {alias!r} of service {service!r} stopped without "
                f"writing: {outcome.reason}. Run `pulumi refresh`, then `pulumi up` to resume from the live state"
            )
        live = client.get_alias(service, alias)
        if outcome.status == "rolled_back":
            fingerprint = inputs.get("fingerprint")
            if fingerprint and fingerprint not in remembered:
                remembered = [*remembered, fingerprint][-_MAX_REMEMBERED:]
            rejection = {
                "rejected_version": target,
                "rejected_fingerprints": remembered,
                "rejected_force": inputs.get("force"),
                "reason": outcome.reason or f"health gates failed while shifting traffic to version {target}",
            }
        else:
            rejection["reason"] = outcome.reason
        status = "in_progress" if outcome.status == "paused" else outcome.status
        return {**_settings(inputs), **_live(live), **rejection, "status": status, "history": outcome.history,
                "checkpoint": outcome.checkpoint}


def _operator_failures(news: dict[str, Any], fc3: bool = False) -> list[CheckFailure]:
    """Hooks and notifications (no URL or secret in them: only environment variable names), at preview time."""
    from fcinfra.providers._operator import build_hooks, check_notifications

    failures = []
    checks: tuple[tuple[str, Callable[[Any], Any]], ...] = (
        ("hooks", lambda spec: build_hooks(spec, function_level=fc3)), ("notifications", check_notifications))
    for key, check in checks:
        if news.get(key) is None or is_unknown(news.get(key)):
            continue
        if news.get("strategy") is None:
            failures.append(CheckFailure(key, f"{key} need a strategy: they belong to a rollout"))
            continue
        try:
            check(news[key])
        except FcinfraError as exc:
            failures.append(CheckFailure(key, str(exc)))
    return failures


def _warn(message: str) -> None:
    """A warning from inside a rollout (a notification not sent, history not recorded): shown, never fatal."""
    pulumi.log.warn(message)


def _settings(inputs: dict[str, Any]) -> dict[str, Any]:
    optional = {k: inputs[k] for k in _OPTIONAL_SETTINGS if inputs.get(k) is not None}
    return {
        **optional,
        "service": inputs["service"],
        "alias": inputs["alias"],
        "target_version": str(inputs["version_id"]),
        "strategy": inputs.get("strategy"),
        "health": inputs.get("health"),
        "time_budget": inputs.get("time_budget"),
        "force": inputs.get("force"),
        "fingerprint": inputs.get("fingerprint"),
    }


def _live(alias: Any) -> dict[str, Any]:
    canary = alias.canary
    weight = float(canary[1]) if canary else 0.0
    return {
        "version_id": alias.version_id,
        "canary_version": canary[0] if canary else None,
        "canary_weight": weight,
        "canary_percent": round(weight * 100, 2) if canary else 0,
        "etag": alias.etag,
    }


class AliasShift(FcResource, module="fcinfra", name="AliasShift"):
    """Where an existing alias sends traffic: ``version_id`` plus an optional canary at a whole percent.

    Give ``strategy`` (and ``health``) to walk there as a canary rollout during ``pulumi up``; ``hooks`` and
    ``notifications`` (:mod:`fcinfra.providers._operator`: only environment variable names, never a URL or a
    secret, reach the state) hook into it and tell about it.
    """

    if TYPE_CHECKING:  # for type checkers only: Pulumi re-evaluates class annotations for every resource
        service: pulumi.Output[str]
        alias: pulumi.Output[str]
        version_id: pulumi.Output[str]
        canary_version: pulumi.Output[str | None]
        canary_percent: pulumi.Output[float]
        canary_weight: pulumi.Output[float]
        target_version: pulumi.Output[str]
        status: pulumi.Output[str]
        history: pulumi.Output[list[int]]
        reason: pulumi.Output[str]
        rejected_version: pulumi.Output[str | None]
        rejected_fingerprints: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        service: pulumi.Input[str],
        alias: pulumi.Input[str],
        version_id: pulumi.Input[str],
        canary_version: pulumi.Input[str] | None = None,
        canary_percent: pulumi.Input[int] | None = None,
        strategy: pulumi.Input[dict[str, Any]] | None = None,
        health: pulumi.Input[list[dict[str, Any]]] | None = None,
        time_budget: pulumi.Input[float] | None = None,
        fingerprint: pulumi.Input[str] | None = None,
        force: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        hooks: pulumi.Input[dict[str, Any]] | None = None,
        notifications: pulumi.Input[list[dict[str, Any]]] | None = None,
    ) -> None:
        given = {"strategy": as_json(strategy), "health": as_json(health), "time_budget": time_budget,
                 "fingerprint": fingerprint, "force": force, "canary_percent": canary_percent,
                 "hooks": as_json(hooks), "notifications": as_json(notifications)}
        # Unset inputs are left out, and only the outputs worth an attribute are declared: every declared
        # property costs an Output per resource (the state still records all the provider returns).
        props: dict[str, Any] = {
            "service": service,
            "alias": alias,
            "version_id": version_id,
            "canary_version": canary_version,
            **{k: v for k, v in given.items() if v is not None},
        }
        for key in _OUTPUT_ATTRS:
            props.setdefault(key, None)
        super().__init__(self._new_provider(), resource_name, props, opts)

    @staticmethod
    def _new_provider() -> AliasShiftProvider:
        return AliasShiftProvider()
