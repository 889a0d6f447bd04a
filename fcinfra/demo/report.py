"""The rollout report: one self-contained HTML file with a chart of canary weight and error rate over time.

Input is plain data (:class:`Timeline`), so the report can be written from any run: the demo, or a
recording of ``fcinfra rollout -o json`` events. The chart is drawn with matplotlib's object API straight
to SVG (no pyplot, no display, no global state) and embedded inline, so the file opens anywhere offline.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


@dataclass(frozen=True)
class Point:
    """One observation during a rollout, ``t`` seconds after the run started."""

    t: float
    weight: int  # percent of traffic on the new version
    error_rate: float | None = None  # the new version's error rate in the last probe, if one ran
    label: str = ""  # what happened ("weight 25%", "probe 0/20 errors", "rolled back", ...)
    observed: float | None = None  # share of probe calls through the alias that the new version served


@dataclass
class Release:
    """One rollout: which version replaced which, how it went, and its timeline."""

    name: str  # e.g. "v2 (healthy)"
    from_version: str
    to_version: str
    outcome: str = "running"  # "promoted" | "rolled_back" | "failed" | "running"
    max_error_rate: float | None = None  # the gate's threshold, drawn as a dashed line
    points: list[Point] = field(default_factory=list)
    reason: str = ""

    def add(self, t: float, weight: int, error_rate: float | None = None, label: str = "",
            observed: float | None = None) -> None:
        self.points.append(Point(t, weight, error_rate, label, observed))

    @property
    def duration(self) -> float:
        return self.points[-1].t - self.points[0].t if self.points else 0.0

    @property
    def peak_weight(self) -> int:
        return max((p.weight for p in self.points), default=0)

    @property
    def worst_error_rate(self) -> float | None:
        rates = [p.error_rate for p in self.points if p.error_rate is not None]
        return max(rates) if rates else None


def probe_stats(data: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(the new version's error rate, its share of the probe calls) from a check event's pass/fail verdicts.

    An inconclusive check (fewer samples than needed) is skipped: its rate over a handful of calls can be
    far from the one the gate then decides on, and would show up as the release's "worst" error rate.
    """
    for verdict in data.get("verdicts") or []:
        if verdict.get("status") not in ("pass", "fail"):
            continue
        details = verdict.get("details") or {}
        if details.get("canary_requests"):  # a traffic gate (issue 14): users' requests, canary against baseline
            seen = details["canary_requests"] + (details.get("baseline_requests") or 0)
            return details["canary_failures"] / details["canary_requests"], details["canary_requests"] / seen
        canary, main = details.get("canary") or {}, details.get("main") or {}
        if canary.get("count"):
            total = canary["count"] + (main.get("count") or 0)
            return float(canary.get("error_rate", 0.0)), canary["count"] / total
    return None, None


class Recorder:
    """A rollout event sink that draws ``release`` from the events (the data behind the report's chart).

    ``clock`` gives the time of each point (default: the event's own ``at``, seconds since the run started).
    """

    def __init__(self, release: Release, clock: Callable[[], float] | None = None) -> None:
        self.release = release
        self.clock = clock

    def __call__(self, event: Any) -> None:
        data = event.to_dict()
        kind = data["kind"]
        now = self.clock() if self.clock is not None else float(data["at"])
        release = self.release
        if kind == "weight":
            release.add(now, int(data["weight"]), None, data["message"])
        elif kind == "check":
            rate, observed = probe_stats(data.get("data") or {})
            weight = release.points[-1].weight if release.points else 0
            if rate is not None:  # verdicts only: a partial sample (inconclusive) is no error rate to report
                release.add(now, weight, rate, data["message"], observed)
        elif kind == "promoted":
            release.add(now, 100, None, "promoted")
        elif kind in ("rolled_back", "aborted"):
            release.add(now, 0, None, kind.replace("_", " "))


@dataclass
class Timeline:
    title: str
    releases: list[Release] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[tuple[float, str]] = field(default_factory=list)  # (t, what happened), in order


def render_chart_svg(timeline: Timeline) -> str:
    """Two stacked panels sharing the time axis: canary weight (steps) and the canary's error rate."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.5, 5.6), layout="constrained")
    ax_w, ax_e = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    for index, release in enumerate(timeline.releases):
        if not release.points:
            continue
        color = _COLORS[index % len(_COLORS)]
        times = [p.t for p in release.points]
        weights = [p.weight for p in release.points]
        ax_w.step(times, weights, where="post", color=color, linewidth=2.2,
                  label=f"{release.name}: version {release.from_version} -> {release.to_version}, "
                        f"{release.outcome.replace('_', ' ')}")
        ax_w.plot(times[-1:], weights[-1:], marker="o" if release.outcome == "promoted" else "X",
                  color=color, markersize=9)
        if release.outcome in ("promoted", "rolled_back"):
            peak = release.peak_weight
            text = "promoted" if release.outcome == "promoted" else f"rolled back from {peak}%"
            ax_w.annotate(text, (times[-1], weights[-1]), xytext=(6, 8 if weights[-1] < 50 else -14),
                          textcoords="offset points", color=color, fontsize=8, fontweight="bold")
        seen = [(p.t, p.observed * 100) for p in release.points if p.observed is not None]
        if seen:
            ax_w.scatter([t for t, _ in seen], [v for _, v in seen], s=14, color=color, alpha=0.55, zorder=3,
                         label=f"{release.name}: share of probe calls it served")
        rated = [(p.t, p.error_rate * 100) for p in release.points if p.error_rate is not None]
        if rated:
            ax_e.plot([t for t, _ in rated], [r for _, r in rated], marker="o", color=color, linewidth=1.6,
                      label=f"{release.name} error rate")
    for threshold in sorted({r.max_error_rate for r in timeline.releases if r.max_error_rate is not None}):
        ax_e.axhline(threshold * 100, color="#555555", linestyle="--", linewidth=1,
                     label=f"gate: roll back above {threshold:.0%}")
    ax_w.set_ylabel("traffic on new version (%)")
    ax_w.set_ylim(-3, 105)
    ax_w.set_yticks([0, 10, 25, 50, 75, 100])
    ax_w.grid(True, alpha=0.3)
    ax_w.legend(loc="upper left", fontsize=8)
    ax_e.set_ylabel("new version error rate (%)")
    ax_e.set_xlabel("seconds since start")
    ax_e.set_ylim(bottom=-2)
    ax_e.grid(True, alpha=0.3)
    if ax_e.get_legend_handles_labels()[0]:
        ax_e.legend(loc="upper left", fontsize=8)
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "fcinfra"}):  # same data, same bytes
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prolog so the SVG can sit inside HTML


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"  # the precision the gate's own message uses


def render_html(timeline: Timeline) -> str:
    esc = html.escape
    rows = "".join(
        "<tr>"
        f"<td>{esc(r.name)}</td><td>{esc(r.from_version)} &rarr; {esc(r.to_version)}</td>"
        f"<td class='{esc(r.outcome)}'>{esc(r.outcome.replace('_', ' '))}</td>"
        f"<td>{r.peak_weight}%</td><td>{_pct(r.worst_error_rate)}</td><td>{r.duration:.1f}s</td>"
        f"<td>{esc(r.reason)}</td></tr>"
        for r in timeline.releases
    )
    events = "".join(
        f"<tr><td>{p.t:.2f}</td><td>{esc(r.name)}</td><td>{p.weight}%</td><td>{_pct(p.error_rate)}</td>"
        f"<td>{esc(p.label)}</td></tr>"
        for r in timeline.releases
        for p in r.points
    )
    notes = "".join(f"<li>{esc(n)}</li>" for n in timeline.notes)
    steps = "".join(f"<tr><td>{t:.2f}</td><td>{esc(text)}</td></tr>" for t, text in timeline.steps)
    steps_section = (f"<h2>What happened</h2><table><tr><th>t (s)</th><th>step</th></tr>{steps}</table>"
                     if steps else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(timeline.title)}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1000px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}} td,th{{border:1px solid #ccc;padding:4px 10px;text-align:left}}
th{{background:#f4f4f4}} .promoted{{color:#2a7d2a;font-weight:bold}} .rolled_back{{color:#c0392b;font-weight:bold}}
.failed{{color:#c0392b}} svg{{max-width:100%;height:auto}}
</style></head><body>
<h1>{esc(timeline.title)}</h1>
<h2>Releases</h2>
<table><tr><th>release</th><th>versions</th><th>outcome</th><th>peak weight</th><th>worst error rate</th>
<th>duration</th><th>why</th></tr>{rows}</table>
<h2>Weight and error rate over time</h2>
{render_chart_svg(timeline)}
<ul>{notes}</ul>
{steps_section}
<h2>Rollout events</h2>
<table><tr><th>t (s)</th><th>release</th><th>weight</th><th>error rate</th><th>event</th></tr>{events}</table>
</body></html>
"""


def write_report(timeline: Timeline, path: Path) -> Path:
    """Write the HTML report and return its absolute path."""
    path = path.expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(timeline), encoding="utf-8")
    return path
