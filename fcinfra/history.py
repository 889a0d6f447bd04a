"""Release history kept on FC itself, in the service's (FC 3.0: the function's) tags, readable by every later run.

Each release operation on an alias (a rollout's end, a promote, a rollback, an undo) is one tag
``fcinfra-release-{seq}`` whose value packs ``when;alias;from;to;outcome;by;reason`` into FC's 128-character
value limit (the reason is shortened, URLs are cut: FC refuses ``http://`` in a tag and a URL may carry a
secret). At most :data:`HISTORY_TAGS` entries are kept (fewer if the owner's own tags leave less of FC's 20),
the oldest rolling off first. Recording never fails a release: a refused tag write is reported, not raised.

``from`` is the version serving all traffic afterwards (or before, for a promotion), ``to`` the version the
operation was about: promoted, rolled back, undone. FC 3.0 tags the function instead of the service, with the
same limits: the same entries fit there. Every function here takes either client; :func:`tags_of` is the one
adapter that gives an ``Fc3Client``'s function tags the service-tag calls (:class:`TagApi`) the rules use.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

from fcinfra.errors import FcinfraError
from fcinfra.fc.tagging import MAX_TAGS, MAX_VALUE_LENGTH

KEY_PREFIX = "fcinfra-release-"
HISTORY_TAGS = 10  # half of FC's 20 per resource: the rest stays the user's
REFUSED_OUTCOMES = ("rolled_back", "aborted", "undone")  # a version that ended so is not canaried again silently
_FORMAT = "1"  # first field: lets a later fcinfra change the packing and still read these


class TagApi(Protocol):
    """The three tag calls history needs (FcClient has them: the owner is a service)."""

    def tag_service(self, service: str, tags: Mapping[str, str]) -> None: ...

    def service_tags(self, service: str) -> dict[str, str]: ...

    def untag_service(self, service: str, keys: Iterable[str] = (), *, all: bool = False) -> None: ...


class FunctionTagApi(Protocol):
    """The same three calls on FC 3.0 (Fc3Client has them: the owner is a function)."""

    def tag_function(self, function: str, tags: Mapping[str, str]) -> None: ...

    def function_tags(self, function: str) -> dict[str, str]: ...

    def untag_function(self, function: str, keys: Iterable[str] = (), *, all: bool = False) -> None: ...


class _FunctionTags:
    """FC 3.0's function tags behind the :class:`TagApi` port: the "service" the rules name is the function."""

    def __init__(self, client: FunctionTagApi) -> None:
        self.client = client

    def tag_service(self, service: str, tags: Mapping[str, str]) -> None:
        self.client.tag_function(service, tags)

    def service_tags(self, service: str) -> dict[str, str]:
        return self.client.function_tags(service)

    def untag_service(self, service: str, keys: Iterable[str] = (), *, all: bool = False) -> None:
        self.client.untag_function(service, keys, all=all)


def tags_of(client: TagApi | FunctionTagApi) -> TagApi:
    """The tag port of the alias's owner: FC 2.0's service tags as they are, FC 3.0's function tags adapted."""
    if isinstance(client, _FunctionTags) or not hasattr(client, "function_tags"):
        return client  # an FcClient (or a test double of its three calls)
    return _FunctionTags(cast(FunctionTagApi, client))


def owner_kind(client: object) -> str:
    """What the alias belongs to, for messages: a function (FC 3.0) or a service (FC 2.0)."""
    return "function" if isinstance(client, _FunctionTags) or hasattr(client, "function_tags") else "service"


@dataclass(frozen=True)
class Entry:
    """One release operation on one alias."""

    at: int  # unix seconds
    alias: str
    from_version: str
    to_version: str
    outcome: str  # promoted, rolled_back, aborted, undone, in_progress, paused, interrupted, error
    by: str  # the access key id that did it ("" when unknown); never the secret
    reason: str = ""
    seq: int = 0

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``fcinfra history -o json``."""
        return {"seq": self.seq, "at": self.at, "alias": self.alias, "from_version": self.from_version,
                "to_version": self.to_version, "outcome": self.outcome, "by": self.by, "reason": self.reason}


def encode(entry: Entry) -> str:
    """The tag value: fits FC's 128 characters (the reason is what gets shortened) and carries no URL."""
    head = ";".join([_FORMAT, str(entry.at), entry.alias, entry.from_version, entry.to_version, entry.outcome,
                     entry.by.replace(";", ""), ""])
    reason = re.sub(r"https?://\S*", "<url>", " ".join(entry.reason.split())).replace("://", ":")
    room = MAX_VALUE_LENGTH - len(head)
    if room < 0:
        raise FcinfraError(f"history entry for alias {entry.alias!r} does not fit FC's {MAX_VALUE_LENGTH}-character "
                           "tag value")
    if len(reason) > room:
        reason = reason[:max(room - 3, 0)] + "..."[:room]
    return head + reason


def decode(seq: int, value: str) -> Entry | None:
    """Back from a tag value; anything not written by this format is ignored (None)."""
    parts = value.split(";", 7)
    if len(parts) != 8 or parts[0] != _FORMAT or not parts[1].isdigit():
        return None
    _, at, alias, frm, to, outcome, by, reason = parts
    return Entry(int(at), alias, frm, to, outcome, by, reason, seq)


def _history_keys(tags: Mapping[str, str]) -> dict[int, str]:
    found = {}
    for key in tags:
        tail = key[len(KEY_PREFIX):]
        if key.startswith(KEY_PREFIX) and tail.isdigit():
            found[int(tail)] = key
    return found


def read(client: TagApi | FunctionTagApi, service: str, alias: str | None = None) -> list[Entry]:
    """The recorded entries on the alias's owner (service or function), oldest first (only ``alias``'s when
    given)."""
    tags = tags_of(client).service_tags(service)
    entries = [e for seq, key in sorted(_history_keys(tags).items()) if (e := decode(seq, tags[key])) is not None]
    return [e for e in entries if alias is None or e.alias == alias]


def record(client: TagApi | FunctionTagApi, service: str, entry: Entry, keep: int = HISTORY_TAGS) -> Entry | None:
    """Add ``entry`` as the newest tag, rolling the oldest off to stay within ``keep`` and FC's 20 tags.

    Returns the entry as stored (with its sequence number), or None when the owner's own tags leave no room.
    Raises FcinfraError when FC refuses; callers that must not fail (a release) use :func:`try_record`.
    """
    client = tags_of(client)
    tags = client.service_tags(service)
    history = _history_keys(tags)
    newest = decode(max(history), tags[history[max(history)]]) if history else None
    if newest is not None and _same(newest, entry):
        return newest  # told twice (`fcinfra abort` and the rollout it stopped): one entry
    room = min(keep, MAX_TAGS - (len(tags) - len(history)))
    if room < 1:
        return None
    doomed = [history[s] for s in sorted(history)][:max(len(history) - room + 1, 0)]
    if doomed:
        client.untag_service(service, doomed)
    seq = max(history, default=0) + 1
    stored = Entry(entry.at, entry.alias, entry.from_version, entry.to_version, entry.outcome, entry.by,
                   entry.reason, seq)
    value = encode(stored)
    client.tag_service(service, {f"{KEY_PREFIX}{seq}": value})
    return decode(seq, value)


def _same(a: Entry, b: Entry) -> bool:
    return (a.alias, a.from_version, a.to_version, a.outcome) == (b.alias, b.from_version, b.to_version, b.outcome) \
        and abs(a.at - b.at) < 600


def try_record(client: TagApi | FunctionTagApi, service: str, entry: Entry) -> tuple[Entry | None, str | None]:
    """:func:`record` that never raises: (entry, None) or (None, why it was not recorded)."""
    try:
        stored = record(client, service, entry)
    except FcinfraError as exc:
        return None, f"release history not recorded: {exc}"
    if stored is None:
        return None, (f"release history not recorded: the {owner_kind(client)}'s own tags leave none of FC's "
                      f"{MAX_TAGS} free")
    return stored, None


RECORDED = ("promoted", "rolled_back", "aborted")  # how a release can end; in_progress/paused are not an end


def record_result(client: TagApi | FunctionTagApi, result: Any, outcome: str | None = None,
                  by: str | None = None) -> str | None:
    """Record how a release ended: the one call the CLI, ``Rollout(record_history=True)`` and the Pulumi
    provider all use. Only an end that changed or judged something is recorded (promoted, rolled back,
    aborted, undone); ``in_progress``/``paused`` are not an end. Never raises: returns why nothing was
    recorded (safe to print) or None."""
    outcome = outcome or str(result.status)
    if outcome not in (*RECORDED, "undone") or (not result.alias_writes and outcome != "rolled_back"):
        return None
    if outcome == "rolled_back" and not result.alias_writes and result.from_version == result.to_version:
        return None  # nothing to do: nothing was judged
    entry = entry_now(result.alias, result.from_version, result.to_version, outcome, by, result.reason)
    return try_record(client, result.service, entry)[1]


def entry_now(alias: str, from_version: str, to_version: str, outcome: str, by: str | None, reason: str) -> Entry:
    return Entry(int(time.time()), alias, from_version, to_version, outcome, by or "", reason)


def refusal(entries: Iterable[Entry], alias: str, version: str) -> Entry | None:
    """The entry that makes canarying ``version`` on ``alias`` again a mistake: its latest one rolled it back
    (or aborted or undid it). A later promotion of that version clears it. Pure."""
    last = None
    for entry in entries:
        if entry.alias == alias and entry.to_version == version:
            last = entry
    return last if last is not None and last.outcome in REFUSED_OUTCOMES else None


def undo_target(entries: Iterable[Entry], alias: str, main_version: str) -> str | None:
    """The version ``undo`` goes back to: the one the latest promotion of ``main_version`` on ``alias`` replaced
    (or, after an undo to ``main_version``, the one before it). None when history does not say. Pure."""
    target = None
    for entry in entries:
        if entry.alias != alias:
            continue
        if entry.outcome == "promoted" and entry.to_version == main_version:
            target = entry.from_version
    return target if target != main_version else None
