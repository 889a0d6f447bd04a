"""Safe version deletion and retention on FC 3.0: the same rules as ``fcinfra.lifecycle``, per function.

FC 3.0, like FC 2.0, deletes a version even while an alias or trigger of the function still uses it. The
pure rules (which aliases and triggers refer to a version, directly or through an alias; which versions
retention removes) are FC 2.0's, reused as they are: only gathering the function's aliases and triggers differs.
"""

from __future__ import annotations

from collections.abc import Iterable

from fcinfra.errors import InvalidArgumentError, NotFoundError, VersionInUseError
from fcinfra.fc.models import Alias, Trigger, check_version_id
from fcinfra.fc3.client import Fc3Client
from fcinfra.fc3.models import LATEST
from fcinfra.lifecycle import FunctionTrigger, referenced_versions, version_referrers, versions_to_prune

__all__ = ["delete_version_safely", "gather_references", "prune_versions"]


def gather_references(client: Fc3Client, function: str) -> tuple[list[Alias], list[FunctionTrigger]]:
    """The function's aliases and triggers (a trigger is bound to a version, an alias or LATEST)."""
    aliases = client.list_aliases(function)
    triggers = [
        FunctionTrigger(function, Trigger(trigger_name=t.name, trigger_type=t.trigger_type, qualifier=t.qualifier))
        for t in client.list_triggers(function)
    ]
    return aliases, triggers


def delete_version_safely(client: Fc3Client, function: str, version_id: str | int) -> None:
    """Delete a function version only if no alias or trigger refers to it; otherwise raise ``VersionInUseError``
    naming every referrer. LATEST is never deleted."""
    version_id = str(version_id)
    if version_id == LATEST:
        raise InvalidArgumentError("LATEST cannot be deleted: it is the function's mutable head")
    try:
        check_version_id(version_id)
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None
    aliases, triggers = gather_references(client, function)
    referrers = version_referrers(version_id, aliases, triggers)
    if referrers:
        raise VersionInUseError(function, version_id, referrers, owner="function")
    client.delete_version(function, version_id)


def prune_versions(client: Fc3Client, function: str, keep_last: int = 5, dry_run: bool = False,
                   protect: Iterable[str] = ()) -> list[str]:
    """Delete the function's versions beyond the newest ``keep_last`` that nothing refers to; oldest first.

    Returns the ids deleted (or, with ``dry_run``, that would be). A version an alias (main or additional) or
    a trigger (directly or through an alias) uses is never deleted, however old, nor one in ``protect``.
    """
    versions_to_prune((), set(), keep_last)  # validate keep_last before asking FC anything
    candidates = versions_to_prune([v.version_id for v in client.list_versions(function)], set(), keep_last)
    if not candidates:
        return []
    aliases, triggers = gather_references(client, function)
    doomed = sorted(set(candidates) - referenced_versions(aliases, triggers) - {str(v) for v in protect}, key=int)
    if dry_run:
        return doomed
    deleted: list[str] = []
    for version_id in doomed:
        try:
            client.delete_version(function, version_id)
        except NotFoundError:  # already gone: the goal is reached
            continue
        deleted.append(version_id)
    return deleted
