"""``--webhook``, ``--dingtalk``, ``--slack`` for commands that run a rollout; signing secrets come from the
environment only (FCINFRA_WEBHOOK_SECRET, FCINFRA_DINGTALK_SECRET), never from a flag, so they stay out of
shell history and ``ps``. The URLs carry tokens too: prefer their environment variables."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from fcinfra.notify import Notifier

F = TypeVar("F", bound=Callable[..., Any])


def build_notifier(webhook: str | None, dingtalk: str | None, slack: str | None) -> Notifier | None:
    """The notifier for the given URLs (None when none); secrets read from the environment here."""
    if not (webhook or dingtalk or slack):
        return None
    from fcinfra.notify import Channel, Notifier

    channels = []
    if webhook:
        channels.append(Channel("webhook", webhook, os.environ.get("FCINFRA_WEBHOOK_SECRET") or None))
    if dingtalk:
        channels.append(Channel("dingtalk", dingtalk, os.environ.get("FCINFRA_DINGTALK_SECRET") or None))
    if slack:
        channels.append(Channel("slack", slack))
    for channel in channels:
        if not channel.url.startswith(("http://", "https://")):
            raise click.BadParameter(f"the {channel.kind} URL must start with https:// (or http://)",
                                     param_hint=f"--{channel.kind}")
    return Notifier(channels)


def notification_options(func: F) -> F:
    """Add the three notification flags and pass them as one ``notifier`` argument (None without any)."""
    options = [
        click.option("--webhook", envvar="FCINFRA_WEBHOOK_URL", metavar="URL", show_envvar=True,
                     help="POST each step, promotion, rollback and abort as JSON (docs/cli.md has the schema); "
                          "signed with FCINFRA_WEBHOOK_SECRET when set."),
        click.option("--dingtalk", envvar="FCINFRA_DINGTALK_URL", metavar="URL", show_envvar=True,
                     help="DingTalk robot webhook; signed with FCINFRA_DINGTALK_SECRET when set."),
        click.option("--slack", envvar="FCINFRA_SLACK_URL", metavar="URL", show_envvar=True,
                     help="Slack incoming webhook."),
    ]

    def wrapper(**kwargs: Any) -> Any:
        notifier = build_notifier(kwargs.pop("webhook"), kwargs.pop("dingtalk"), kwargs.pop("slack"))
        return func(notifier=notifier, **kwargs)

    functools.update_wrapper(wrapper, func)
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated
