"""Hooks and notifications of a Pulumi rollout, from plain properties that hold no secret.

``hooks``: ``{"pre_traffic": "[SERVICE/]FUNCTION", "post_traffic": "[SERVICE/]FUNCTION", "post_traffic_bake": 60}``
(any FC function, :mod:`fcinfra.rollout.hooks`; on FC 3.0 ``FUNCTION``, any FC 3.0 function).
``notifications``: ``[{"type": "webhook" | "dingtalk" | "slack", "url_env": "ENV_NAME", "secret_env": "ENV_NAME"}]``.
Webhook URLs carry tokens and signing secrets are secrets, and every property of a dynamic resource is written to
Pulumi state: so the state holds only the *names* of environment variables, read in the provider's process when
the rollout runs. A literal ``url`` or ``secret`` is refused before anything is stored. A variable that is not set
is a warning (a notification that cannot be sent never changes the outcome).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fcinfra.errors import InvalidArgumentError
from fcinfra.providers._props import from_json

if TYPE_CHECKING:
    from fcinfra.notify import Notifier
    from fcinfra.rollout.hooks import TrafficHook

__all__ = ["Hooks", "build_hooks", "build_notifier", "check_notifications", "run_post_traffic"]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KINDS = ("webhook", "dingtalk", "slack")
_HOOK_KEYS = ("pre_traffic", "post_traffic", "post_traffic_bake")


@dataclass(frozen=True)
class Hooks:
    """The parsed ``hooks`` property."""

    pre: TrafficHook | None = None
    post: TrafficHook | None = None
    bake: float = 0.0


def build_hooks(spec: Any, function_level: bool = False) -> Hooks:
    """The ``hooks`` property -> hooks (FC 3.0 functions with ``function_level``); bad input is an
    ``InvalidArgumentError`` (shown by ``check``)."""
    from fcinfra.rollout.hooks import POST_TRAFFIC, PRE_TRAFFIC, TrafficHook

    spec = from_json(spec)
    if spec is None:
        return Hooks()
    if not isinstance(spec, Mapping):
        raise InvalidArgumentError(f"hooks must be a mapping like {{'post_traffic': 'fn'}}, got {spec!r}")
    unknown = sorted(set(spec) - set(_HOOK_KEYS))
    if unknown:
        raise InvalidArgumentError(f"unknown hooks key(s) {', '.join(unknown)}: use {', '.join(_HOOK_KEYS)}")
    found: dict[str, TrafficHook | None] = {}
    for key, phase in (("pre_traffic", PRE_TRAFFIC), ("post_traffic", POST_TRAFFIC)):
        value = spec.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip("/")):
            raise InvalidArgumentError(f"hooks.{key} must name an FC function ([SERVICE/]FUNCTION), got {value!r}")
        found[key] = TrafficHook.parse(value, phase, function_level) if value else None
    bake = spec.get("post_traffic_bake") or 0
    if isinstance(bake, bool) or not isinstance(bake, int | float) or bake < 0:
        raise InvalidArgumentError(f"hooks.post_traffic_bake must be seconds >= 0, got {bake!r}")
    if bake and found["post_traffic"] is None:
        raise InvalidArgumentError("hooks.post_traffic_bake needs hooks.post_traffic: the bake ends in that hook")
    return Hooks(found["pre_traffic"], found["post_traffic"], float(bake))


def check_notifications(specs: Any) -> list[dict[str, str]]:
    """Validate the ``notifications`` property (no URL or secret in it, only environment variable names)."""
    specs = from_json(specs)
    if specs is None:
        return []
    if not isinstance(specs, list | tuple):
        raise InvalidArgumentError(f"notifications must be a list of mappings, got {type(specs).__name__}")
    out = []
    for spec in specs:
        if not isinstance(spec, Mapping):
            raise InvalidArgumentError("each notification must be a mapping like "
                                       "{'type': 'webhook', 'url_env': 'FCINFRA_WEBHOOK_URL'}")
        kind = str(spec.get("type", "")).lower()
        if kind not in _KINDS:
            raise InvalidArgumentError(f"notification type must be one of {', '.join(_KINDS)}, got {kind!r}")
        literal = sorted(k for k in spec if k in ("url", "secret", "webhook", "token"))
        if literal:  # never echo the value: it is the secret
            raise InvalidArgumentError(f"a {kind} notification must not carry {', '.join(literal)} itself: Pulumi "
                                       "writes every property to the stack's state. Put it in an environment "
                                       "variable of the process running `pulumi up` and give its name as "
                                       "url_env / secret_env")
        unknown = sorted(set(spec) - {"type", "url_env", "secret_env"})
        if unknown:
            raise InvalidArgumentError(f"unknown notification key(s) {', '.join(unknown)}: use type, url_env, "
                                       "secret_env")
        names = {"url_env": spec.get("url_env"), "secret_env": spec.get("secret_env")}
        if names["secret_env"] is not None and kind == "slack":
            raise InvalidArgumentError("a slack incoming webhook is not signed: drop secret_env")
        for key, name in names.items():
            if (name is not None or key == "url_env") and (not isinstance(name, str) or not _ENV_NAME.match(name)):
                # the value is not echoed: a URL pasted here carries its token
                raise InvalidArgumentError(f"notification {key} must be the name of an environment variable "
                                           "(letters, digits and _), not its value")
        out.append({"type": kind, **{k: str(v) for k, v in names.items() if v is not None}})
    return out


def build_notifier(specs: Any, environ: Mapping[str, str] | None = None,
                   warn: Callable[[str], None] | None = None) -> Notifier | None:
    """The notifier for the ``notifications`` property, URLs and secrets read from the environment now."""
    from fcinfra.notify import Channel, Notifier

    env = os.environ if environ is None else environ
    channels = []
    for spec in check_notifications(specs):
        url = env.get(spec["url_env"]) or ""
        secret = env.get(spec["secret_env"]) if "secret_env" in spec else None
        if not url.startswith(("https://", "http://")):
            if warn is not None:
                why = "is not set" if not url else "is not an http(s) URL"
                warn(f"{spec['type']} notification skipped: environment variable {spec['url_env']} {why}")
            continue
        if "secret_env" in spec and not secret and warn is not None:
            warn(f"{spec['type']} notification sent unsigned: environment variable {spec['secret_env']} is not set")
        channels.append(Channel(spec["type"], url, secret or None))
    return Notifier(channels) if channels else None


def run_post_traffic(client: Any, result: Any, hooks: Hooks, sleep: Callable[[float], None],
                     sinks: list[Any]) -> Any:
    """After a promotion by this run: bake, run the post-traffic hook, roll back if it fails (``after_promotion``)."""
    from fcinfra.rollout.hooks import after_promotion

    assert hooks.post is not None
    return after_promotion(client, result, hooks.post, hooks.bake, sleep=sleep, on_event=sinks)
