"""Checks before a rollout moves any traffic: everything a typo can get wrong, found with reads only.

A rollout that starts and then meets a missing probe function has already sent a share of production
traffic to the new version; a misspelled alias or version is better refused than half-applied. These
are reads (alias, versions, functions): nothing is written, nothing is invoked.
"""

from __future__ import annotations

from collections.abc import Iterable

from fcinfra.errors import NotFoundError, ReleaseCheckError
from fcinfra.fc.models import Alias
from fcinfra.rollout.engine import AliasView
from fcinfra.rollout.owner import cli_name, owner_word
from fcinfra.rollout.ports import ReleaseApi

__all__ = ["check_release"]


def check_release(client: ReleaseApi, service: str, alias: str, to_version: str,
                  probe_functions: Iterable[str] = (), *, function_level: bool = False) -> Alias:
    """The alias as read now, once the release is known to make sense; else ``ReleaseCheckError``.

    Refused: an alias or service that does not exist, a version that was never published (or was
    deleted), a version that already is the alias's main version, a probe function the service lacks.
    With ``function_level`` (FC 3.0: ``service`` is the function owning the alias) messages say so.
    """
    owner, cli = owner_word(function_level), cli_name(function_level)
    try:
        current = client.get_alias(service, alias)
    except NotFoundError as exc:
        raise ReleaseCheckError(
            f"alias {alias!r} of {owner} {service!r} does not exist ({exc.code}); create it on the version it "
            f"should serve first: `{cli} alias set {service} {alias} --version N`"
        ) from exc
    published = [v.version_id for v in client.list_versions(service)]
    if to_version not in published:
        newest = f"; the newest is {published[0]}" if published else "; it has none yet"
        raise ReleaseCheckError(
            f"version {to_version} of {owner} {service!r} does not exist{newest}. Publish it first: "
            f"`{cli} versions publish {service}` or `{cli} deploy ... --publish`"
        )
    view = AliasView.from_alias(current)
    if view.main_version == to_version:
        raise ReleaseCheckError(
            f"version {to_version} already is the main version of alias {alias!r} ({view.describe()}): "
            "nothing to roll out"
        )
    for function in dict.fromkeys(probe_functions):
        try:
            client.get_function(service, function)
        except NotFoundError as exc:
            raise ReleaseCheckError(
                f"probe function {function!r} does not exist in {owner} {service!r} (check the probe's function "
                "name)"
            ) from exc
    return current
