"""``--pre-traffic-hook``, ``--post-traffic-hook`` and ``--post-traffic-bake`` for commands that run a rollout."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from fcinfra.cli.options import under_fc3
from fcinfra.cli.parsing import DURATION

F = TypeVar("F", bound=Callable[..., Any])


def hook_options(func: F) -> F:
    """Add the hook flags and pass them as ``pre_hook``/``post_hook`` (TrafficHook or None) and ``post_bake``."""
    options = [
        click.option("--pre-traffic-hook", metavar="[SERVICE/]FUNCTION",
                     help="Invoke this FC function before traffic moves (event: alias and both versions); "
                          "if it fails nothing moves. On FC 3.0 (`fcinfra fc3`): FUNCTION, any FC 3.0 function."),
        click.option("--post-traffic-hook", metavar="[SERVICE/]FUNCTION",
                     help="Invoke this FC function after 100% (and --post-traffic-bake); if it fails, roll back."),
        click.option("--post-traffic-bake", metavar="DURATION", type=DURATION, default=0.0,
                     help="Bake at 100% before the post-traffic hook. Default: none."),
    ]

    def wrapper(**kwargs: Any) -> Any:
        from fcinfra.rollout.hooks import POST_TRAFFIC, PRE_TRAFFIC

        pre, post = kwargs.pop("pre_traffic_hook"), kwargs.pop("post_traffic_hook")
        return func(pre_hook=_hook(pre, PRE_TRAFFIC), post_hook=_hook(post, POST_TRAFFIC),
                    post_bake=kwargs.pop("post_traffic_bake"), **kwargs)

    functools.update_wrapper(wrapper, func)
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def _hook(spec: str | None, phase: str) -> Any:
    """The hook named by ``spec``: an FC 3.0 function under ``fcinfra fc3`` (SERVICE/FUNCTION there: exit 2)."""
    if not spec:
        return None
    from fcinfra.errors import InvalidArgumentError
    from fcinfra.rollout.hooks import TrafficHook

    try:
        return TrafficHook.parse(spec, phase, function_level=under_fc3())
    except InvalidArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{phase.replace('_', '-')}-hook") from None
