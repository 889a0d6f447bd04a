"""The rollout progress display (rich) and the ``status`` view.

``RolloutDisplay.handle`` receives the engine's events. In text mode it keeps a live bar of the new
version's share of traffic and prints one line per meaningful event above it; in JSON mode it writes each
event as one JSON line on stdout (the same stream a CI job can parse).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fcinfra.display.output import Output, to_jsonable
from fcinfra.rollout.spec import format_duration

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from fcinfra.rollout.spec import Strategy


_LONG_FLOAT = re.compile(r"\d+\.\d{3,}(?:e-?\d+)?")


def event_dict(event: Any) -> dict[str, Any]:
    """An engine event as a plain dict (events may be dicts, dataclasses or have ``to_dict``)."""
    if isinstance(event, dict):
        return dict(event)
    if hasattr(event, "to_dict"):
        return dict(event.to_dict())
    data = to_jsonable(event)
    return data if isinstance(data, dict) else {"event": str(event)}


def _kind(event: dict[str, Any]) -> str:
    return str(event.get("event") or event.get("type") or event.get("kind") or "")


class RolloutDisplay:
    """Shows one rollout as it runs. Use as a context manager around ``Rollout.run()``."""

    def __init__(self, out: Output, service: str, alias: str, version: str, strategy: Strategy) -> None:
        self.out = out
        self.service = service
        self.alias = alias
        self.version = version
        self.strategy = strategy
        self.events: list[dict[str, Any]] = []
        self.weight = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._pending = ""
        self._started = False

    # ------------------------------------------------------------------------------------ lifecycle

    def __enter__(self) -> RolloutDisplay:
        return self

    def _start(self) -> None:
        """Header and live bar, on the first event: a rollout refused at once (no such alias) shows its error alone."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        schedule = " -> ".join(f"{w}%" for w in self.strategy.schedule)
        self.out.console.print(
            f"Rolling out version [bold]{self.version}[/] to alias [bold]{self.alias}[/] of {self.service}: "
            f"{schedule} (about {format_duration(self.strategy.total_duration)})"
        )
        self._progress = Progress(
            TextColumn("  [bold]v{task.fields[version]}[/]"),
            BarColumn(bar_width=30),
            TextColumn("{task.completed:>3.0f}% of traffic"),
            TextColumn("[dim]{task.fields[activity]}[/]"),
            TimeElapsedColumn(),
            console=self.out.console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("rollout", total=100, completed=0, version=self.version,
                                             activity="starting")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    # --------------------------------------------------------------------------------------- events

    def handle(self, event: Any) -> None:
        data = event_dict(event)
        self.events.append(data)
        weight = data.get("weight")
        if isinstance(weight, int | float):
            self.weight = int(weight)
        kind = _kind(data)
        if kind == "promoted":
            self.weight = 100
        elif kind == "rolled_back":
            self.weight = 0
        if self.out.json:
            data.setdefault("data", {})  # every event line has the same keys
            self.out.emit(data)
            return
        if not self._started:
            self._started = True
            if not (data.get("data") or {}).get("nothing_to_do"):  # no header or bar for a rollout that won't run
                self._start()
        line, activity = describe_event(data)
        if kind == "check" and line and "fail" not in activity:
            self._pending = line  # passing checks repeat while baking: show the stage's last one only
        elif line or kind not in {"wait", "check"}:
            if self._pending:
                self._print(self._pending)
                self._pending = ""
            if line:
                self._print(line)
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self.weight, activity=activity or "")

    def _print(self, line: str) -> None:
        console = self._progress.console if self._progress is not None else self.out.console
        console.print(line, highlight=False)

    def finish(self, result: Any) -> None:
        """The final line (text) or a final ``result`` JSON line."""
        status = str(getattr(result, "status", result))
        reason = str(getattr(result, "reason", "") or "")
        if self.out.json:
            doc = result.to_dict() if hasattr(result, "to_dict") else {"status": status, "reason": reason}
            self.out.emit({"kind": "result", **doc})
            return
        style, mark = {"promoted": ("green", "✔"), "rolled_back": ("red", "✖")}.get(status, ("yellow", "!"))
        self.out.console.print(f"[{style} bold]{mark} {status.replace('_', ' ')}[/]"
                               + (f": {reason}" if reason else ""))
        history = getattr(result, "history", None)
        if history:
            steps = " -> ".join(f"{w}%" for w in history)
            self.out.console.print(f"  [dim]weights applied: {steps}; {getattr(result, 'alias_writes', '?')} alias "
                                   f"write(s); {getattr(result, 'duration', 0.0):.1f}s[/]")
        elif history is not None and getattr(result, "alias_writes", None) == 0:
            why = (f"alias {self.alias} already served version {self.version} alone" if status == "promoted"
                   else f"traffic never moved to version {self.version}")
            self.out.console.print(f"  [dim]no alias write: {why}[/]")


def describe_event(event: dict[str, Any]) -> tuple[str, str]:
    """(a line to print, or "" for none; the live activity text) for one engine event.

    Kinds (fcinfra.rollout.events): start, resume, check, wait, weight, gate, approved, promoted,
    rollback, rolled_back, aborted, in_progress, paused, error.
    """
    kind = _kind(event)
    weight = event.get("weight")
    message = str(event.get("message") or event.get("reason") or "")
    w = f"{weight:>3}%" if isinstance(weight, int) else "    "
    if kind == "weight":
        if weight == 100:
            return f"  [green]{w}[/]  {message or 'promoted'}", "promoting"
        return f"  {w}  {message or f'{weight}% of traffic on the new version'}", f"baking at {weight}%"
    if kind == "check":
        return _describe_check(w, event, message)
    if kind == "wait":
        return "", _LONG_FLOAT.sub(lambda m: f"{float(m.group(0)):.1f}", message) or "waiting"
    if kind in {"start", "resume", "approved"}:
        return f"  {w}  {message}", message
    if kind == "gate":
        return f"  [yellow]{w}[/]  {message or 'waiting for `fcinfra promote`'}", "waiting for promote"
    if kind == "rollback":
        return f"  [red]{w}[/]  rolling back: {message}", "rolling back"
    if kind in {"promoted", "rolled_back", "aborted", "in_progress", "paused"}:
        return "", message  # the final line is printed by finish()
    if kind == "error":
        return f"  [red]{w}[/]  error: {message}", "error"
    return (f"  {w}  {kind}: {message}" if kind else ""), message


def _describe_check(w: str, event: dict[str, Any], message: str) -> tuple[str, str]:
    verdicts = (event.get("data") or {}).get("verdicts") or []
    if not verdicts:
        return (f"  {w}  {message}" if message else ""), "checking health"
    parts = []
    overall = "pass"
    for v in verdicts:
        status = str(v.get("status"))
        if status == "fail":
            overall = "fail"
        elif status == "inconclusive" and overall == "pass":
            overall = "inconclusive"
        colour = {"pass": "green", "fail": "red"}.get(status, "yellow")
        parts.append(f"{v.get('gate')}: [{colour}]{status}[/] ({v.get('reason')})")
    if overall == "inconclusive":  # waiting for samples: keep it on the live line, not in the log
        return "", "; ".join(f"{v.get('gate')}: {v.get('reason')}" for v in verdicts)
    return f"  {w}  " + "; ".join(parts), f"health {overall}"


# ------------------------------------------------------------------------------------------------ status


def status_document(service: str, statuses: Sequence[Any], versions: Sequence[Any],
                    triggers: Sequence[tuple[str, Any]] = (), aliases: Sequence[Any] | None = None) -> dict[str, Any]:
    """Aliases (``fcinfra.rollout.status`` answers), triggers (function, trigger) and versions with their users.

    ``aliases`` (every alias of the service) decides what uses a version even when ``statuses`` covers only
    the one alias asked about, so a version another alias serves never looks unused.
    """
    used: dict[str, list[str]] = {}
    if aliases is None:
        for st in statuses:
            used.setdefault(st.main_version, []).append(st.alias)
            if st.canary_version:
                used.setdefault(st.canary_version, []).append(f"{st.alias} ({st.canary_weight}%)")
    for a in aliases or ():
        used.setdefault(a.version_id, []).append(a.alias_name)
        for extra, weight in a.additional_version_weight.items():
            used.setdefault(str(extra), []).append(f"{a.alias_name} ({round(weight * 100, 2):g}%)")
    for function, trigger in triggers:
        if trigger.qualifier and trigger.qualifier.isdigit():  # bound to a fixed version, not an alias
            used.setdefault(trigger.qualifier, []).append(f"trigger {function}/{trigger.trigger_name}")
    return {
        "service": service,
        "aliases": [st.to_dict() for st in statuses],
        "triggers": [{"function": function, "trigger": t.trigger_name, "type": t.trigger_type,
                      "qualifier": t.qualifier or "LATEST"} for function, t in triggers],
        "versions": [{"version_id": v.version_id, "description": v.description, "created_time": v.created_time,
                      "used_by": used.get(v.version_id, [])} for v in versions],
    }


def render_status(console: Console, doc: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"aliases of {doc['service']}")
    for col in ("alias", "main version", "canary", "rollout"):
        table.add_column(col)
    for a in doc["aliases"]:
        canary = f"version {a['canary_version']} at {a['canary_weight']}%" if a["canary_version"] else "-"
        busy = a["state"] != "stable"
        table.add_row(a["alias"], str(a["main_version"]), canary,
                      "[yellow]rollout in progress[/]" if busy else "[green]stable[/]")
    console.print(table)
    for a in doc["aliases"]:
        if a["state"] != "stable":
            console.print(f"[yellow]{a['alias']}[/]: {a['description']}", soft_wrap=True)
    if doc.get("triggers"):
        triggers = Table(title=f"triggers of {doc['service']}")
        for col in ("function", "trigger", "type", "bound to"):
            triggers.add_column(col)
        for t in doc["triggers"]:
            where = t["qualifier"]
            note = " [yellow](unpublished code)[/]" if where == "LATEST" else ""
            triggers.add_row(t["function"], t["trigger"], t["type"], f"{where}{note}")
        console.print(triggers)
    versions = Table(title=f"versions of {doc['service']} (newest first)")
    for col in ("version", "used by", "created", "description"):
        versions.add_column(col)
    for v in doc["versions"]:
        versions.add_row(v["version_id"], ", ".join(v["used_by"]) or "-", v["created_time"] or "",
                         v["description"] or "")
    console.print(versions)
