"""Safe version deletion and retention: never break an alias or a trigger.

FC itself deletes a version even while aliases and triggers still point at it (they are left dangling
and calls through them fail). The seeds' rule "remove any aliases and triggers that reference a version
before you can delete it" is enforced here. ``version_referrers`` is the pure core (lists in, names
out); the two public functions only gather those lists from FC and act on the answer.

Between checking and deleting, someone else could point an alias at the version; FC offers no way to
make that atomic, so run releases through one tool at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from fcinfra.errors import AliasInUseError, InvalidArgumentError, NotFoundError, ReleaseCheckError, VersionInUseError
from fcinfra.fc.client import FcClient
from fcinfra.fc.models import LATEST, Alias, Trigger, Version, check_version_id


@dataclass(frozen=True)
class FunctionTrigger:
    """A trigger together with the function it belongs to (FC lists triggers per function)."""

    function: str
    trigger: Trigger


def alias_versions(alias: Alias) -> set[str]:
    """The versions an alias sends traffic to: its main version and its additional one, if any."""
    return {alias.version_id, *alias.additional_version_weight}


def version_referrers(
    version_id: str, aliases: Iterable[Alias], triggers: Iterable[FunctionTrigger]
) -> list[str]:
    """Every alias and trigger that refers to ``version_id``, directly or through an alias. Pure.

    e.g. ``["alias prod", "alias canary (additional version)", "trigger fn/http (via alias prod)",
    "trigger fn/timer"]``.
    """
    version_id = str(version_id)
    referrers: list[str] = []
    using_aliases: set[str] = set()
    for alias in sorted(aliases, key=lambda a: a.alias_name):
        if alias.version_id == version_id:
            referrers.append(f"alias {alias.alias_name}")
            using_aliases.add(alias.alias_name)
        elif version_id in alias.additional_version_weight:
            weight = alias.additional_version_weight[version_id]
            referrers.append(f"alias {alias.alias_name} (additional version, weight {weight:g})")
            using_aliases.add(alias.alias_name)
    for item in sorted(triggers, key=lambda t: (t.function, t.trigger.trigger_name)):
        name = f"trigger {item.function}/{item.trigger.trigger_name}"
        qualifier = item.trigger.qualifier
        if qualifier == version_id:
            referrers.append(name)
        elif qualifier in using_aliases:
            referrers.append(f"{name} (via alias {qualifier})")
    return referrers


def referenced_versions(aliases: Iterable[Alias], triggers: Iterable[FunctionTrigger]) -> set[str]:
    """Every version id some alias or trigger refers to (triggers through aliases included). Pure."""
    alias_list = list(aliases)
    by_name = {a.alias_name: a for a in alias_list}
    used: set[str] = set()
    for alias in alias_list:
        used |= alias_versions(alias)
    for item in triggers:
        qualifier = item.trigger.qualifier
        if qualifier is None or qualifier == LATEST:
            continue
        if qualifier in by_name:
            used |= alias_versions(by_name[qualifier])
        else:
            used.add(qualifier)
    return used


def versions_to_prune(
    version_ids_newest_first: Sequence[str], referenced: set[str], keep_last: int
) -> list[str]:
    """The versions retention removes: beyond the newest ``keep_last``, and unreferenced. Pure."""
    if isinstance(keep_last, bool) or not isinstance(keep_last, int) or keep_last < 0:
        raise InvalidArgumentError(f"keep_last must be a whole number >= 0, got {keep_last!r}")
    ordered = sorted({str(v) for v in version_ids_newest_first if v != LATEST}, key=int, reverse=True)
    return [v for v in ordered[keep_last:] if v not in referenced]


def gather_references(client: FcClient, service: str) -> tuple[list[Alias], list[FunctionTrigger]]:
    """The service's aliases and every trigger of every function (at LATEST: triggers are not versioned)."""
    aliases = client.list_aliases(service)
    triggers: list[FunctionTrigger] = []
    for function in client.list_functions(service):
        try:
            found = client.list_triggers(service, function.function_name)
        except NotFoundError:  # deleted between listing and asking: it has no triggers any more
            continue
        triggers.extend(FunctionTrigger(function.function_name, t) for t in found)
    return aliases, triggers


References = Callable[[], tuple[list[Alias], list[FunctionTrigger]]]


class VersionOwner(Protocol):
    """The two version calls the rules below make (FcClient on a service, Fc3Client on a function)."""

    def list_versions(self, owner: str, /) -> list[Version]: ...

    def delete_version(self, owner: str, version_id: str, /) -> None: ...


def delete_unreferenced(client: VersionOwner, owner: str, version_id: str | int, references: References,
                        owner_kind: str = "service") -> None:
    """The rule behind both APIs' ``delete_version_safely``: ``references()`` gathers the owner's aliases and
    triggers (a service's on FC 2.0, a function's on FC 3.0)."""
    version_id = str(version_id)
    if version_id == LATEST:
        raise InvalidArgumentError(f"LATEST cannot be deleted: it is the {owner_kind}'s mutable head")
    try:
        check_version_id(version_id)
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None
    aliases, triggers = references()
    referrers = version_referrers(version_id, aliases, triggers)
    if referrers:
        raise VersionInUseError(owner, version_id, referrers, owner=owner_kind)
    client.delete_version(owner, version_id)


def prune_unreferenced(client: VersionOwner, owner: str, references: References, keep_last: int = 5,
                       dry_run: bool = False, protect: Iterable[str] = ()) -> list[str]:
    """The rule behind both APIs' ``prune_versions`` (``references`` as for :func:`delete_unreferenced`)."""
    versions_to_prune((), set(), keep_last)  # validate keep_last before asking FC anything
    candidates = versions_to_prune([v.version_id for v in client.list_versions(owner)], set(), keep_last)
    if not candidates:
        return []
    aliases, triggers = references()
    doomed = sorted(set(candidates) - referenced_versions(aliases, triggers) - {str(v) for v in protect}, key=int)
    if dry_run:
        return doomed
    deleted: list[str] = []
    for version_id in doomed:
        try:
            client.delete_version(owner, version_id)
        except NotFoundError:  # already gone (someone else pruned): the goal is reached
            continue
        deleted.append(version_id)
    return deleted


def delete_version_safely(client: FcClient, service: str, version_id: str) -> None:
    """Delete a version only if no alias or trigger refers to it; otherwise raise ``VersionInUseError``
    naming every referrer. LATEST is never deleted."""
    delete_unreferenced(client, service, version_id, lambda: gather_references(client, service))


def prune_versions(client: FcClient, service: str, keep_last: int = 5, dry_run: bool = False,
                   protect: Iterable[str] = ()) -> list[str]:
    """Delete old versions beyond the newest ``keep_last`` that nothing refers to; oldest first.

    Returns the ids deleted (or, with ``dry_run``, that would be). A referenced version is never
    deleted, however old, nor one in ``protect`` (e.g. what ``undo`` would go back to); LATEST is not a
    version and is never touched.
    """
    return prune_unreferenced(client, service, lambda: gather_references(client, service), keep_last, dry_run,
                              protect)


def alias_triggers(alias_name: str, triggers: Iterable[FunctionTrigger]) -> list[str]:
    """The triggers (``function/trigger``) that invoke alias ``alias_name``. Pure."""
    return sorted(f"{t.function}/{t.trigger.trigger_name}" for t in triggers if t.trigger.qualifier == alias_name)


def delete_unused_alias(owner: str, name: str, references: References, delete: Callable[[], None],
                        owner_kind: str = "service") -> None:
    """The rule behind both APIs' ``delete_alias_safely``: ``delete()`` runs only if no trigger among
    ``references()`` invokes the alias (the caller has read the alias first: a typo is a 404)."""
    users = alias_triggers(name, references()[1])
    if users:
        raise AliasInUseError(owner, name, users, owner=owner_kind)
    delete()


def delete_alias_safely(client: FcClient, service: str, name: str) -> None:
    """Delete an alias only if no trigger invokes it; otherwise raise ``AliasInUseError`` naming them.

    FC deletes an alias a trigger still uses; the trigger then fails on every event. Missing alias: NotFoundError.
    """
    alias = client.get_alias(service, name)  # a typo is a 404 before anything else is asked
    delete_unused_alias(service, name, lambda: gather_references(client, service),
                        lambda: client.delete_alias(service, name, if_match=alias.etag))


class QualifierOwner(Protocol):
    """What checking a qualifier reads (FcClient on a service, Fc3Client on a function)."""

    def list_versions(self, owner: str, /) -> list[Version]: ...

    def get_alias(self, owner: str, name: str, /) -> Alias: ...


def check_qualifier(client: QualifierOwner, service: str, qualifier: str, owner_kind: str = "service") -> None:
    """A trigger may invoke LATEST, an existing version or an existing alias; anything else is refused
    before the trigger changes (FC would accept it and fail every event). ``owner_kind``: "function" on FC 3.0."""
    if qualifier == LATEST:
        return
    if qualifier.isdigit():
        if any(v.version_id == qualifier for v in client.list_versions(service)):
            return
        raise ReleaseCheckError(f"{owner_kind} {service} has no version {qualifier}")
    try:
        client.get_alias(service, qualifier)
    except NotFoundError:
        raise ReleaseCheckError(f"{owner_kind} {service} has no alias {qualifier} (nor is it a version "
                                "number)") from None
