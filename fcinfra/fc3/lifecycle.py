"""Safe version deletion and retention on FC 3.0: the same rules as ``fcinfra.lifecycle``, per function.

FC 3.0, like FC 2.0, deletes a version even while an alias or trigger of the function still uses it. The
pure rules (which aliases and triggers refer to a version, directly or through an alias; which versions
retention removes, how a safe delete and a prune act on them) are FC 2.0's, reused as they are
(``delete_unreferenced``, ``prune_unreferenced``): only gathering the function's aliases and triggers differs.
"""

from __future__ import annotations

from collections.abc import Iterable

from fcinfra.fc.models import Alias, Trigger
from fcinfra.fc3.client import Fc3Client
from fcinfra.lifecycle import FunctionTrigger, delete_unreferenced, delete_unused_alias, prune_unreferenced

__all__ = ["delete_alias_safely", "delete_version_safely", "gather_references", "prune_versions"]


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
    delete_unreferenced(client, function, version_id, lambda: gather_references(client, function), "function")


def prune_versions(client: Fc3Client, function: str, keep_last: int = 5, dry_run: bool = False,
                   protect: Iterable[str] = ()) -> list[str]:
    """Delete the function's versions beyond the newest ``keep_last`` that nothing refers to; oldest first.

    Returns the ids deleted (or, with ``dry_run``, that would be). A version an alias (main or additional) or
    a trigger (directly or through an alias) uses is never deleted, however old, nor one in ``protect``.
    """
    return prune_unreferenced(client, function, lambda: gather_references(client, function), keep_last, dry_run,
                              protect)


def delete_alias_safely(client: Fc3Client, function: str, name: str) -> None:
    """Delete the function's alias only if no trigger invokes it; otherwise raise ``AliasInUseError`` naming them.
    Missing alias: NotFoundError."""
    client.get_alias(function, name)  # a typo is a 404 before anything else is asked
    delete_unused_alias(function, name, lambda: gather_references(client, function),
                        lambda: client.delete_alias(function, name), "function")
