"""``--pre-traffic-hook``, ``--post-traffic-hook`` and ``--post-traffic-bake`` for commands that run a rollout."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from fcinfra.cli.parsing import DURATION

F = TypeVar("F", bound=Callable[..., Any])


def hook_options(func: F) -> F:
    """Add the hook flags and pass them as ``pre_hook``/``post_hook`` (TrafficHook or None) and ``post_bake``."""
    options = [
        click.option("--pre-traffic-hook", metavar="[SERVICE/]FUNCTION",
                     help="Invoke this FC function before traffic moves (event: alias and both versions); "
                          "if it fails nothing moves."),
        click.option("--post-traffic-hook", metavar="[SERVICE/]FUNCTION",
                     help="Invoke this FC function after 100% (and --post-traffic-bake); if it fails, roll back."),
        click.option("--post-traffic-bake", metavar="DURATION", type=DURATION, default=0.0,
                     help="Bake at 100% before the post-traffic hook. Default: none."),
    ]

    def wrapper(**kwargs: Any) -> Any:
        from fcinfra.rollout.hooks import POST_TRAFFIC, PRE_TRAFFIC, TrafficHook

        pre, post = kwargs.pop("pre_traffic_hook"), kwargs.pop("post_traffic_hook")
        return func(pre_hook=TrafficHook.parse(pre, PRE_TRAFFIC) if pre else None,
                    post_hook=TrafficHook.parse(post, POST_TRAFFIC) if post else None,
                    post_bake=kwargs.pop("post_traffic_bake"), **kwargs)

    functools.update_wrapper(wrapper, func)
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated
