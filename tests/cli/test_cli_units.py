"""Pure pieces of the CLI: value parsers, strategy flags, the progress display's rendering, exit codes."""

from __future__ import annotations

import io
import re

import click
import pytest
from rich.console import Console

from fcinfra.cli.commands_rollout import exit_code_for
from fcinfra.cli.parsing import parse_access_key, parse_duration, parse_weights
from fcinfra.cli.strategy import build_strategy, parse_pause, schedule_document
from fcinfra.display.output import Output
from fcinfra.display.progress import RolloutDisplay, describe_event
from fcinfra.errors import InvalidArgumentError
from fcinfra.rollout import Canary, Linear, Pause, Steps


@pytest.mark.parametrize(("text", "seconds"), [("30", 30.0), ("30s", 30.0), ("2m", 120.0), ("1.5h", 5400.0),
                                               ("250ms", 0.25), (" 5 m ", 300.0)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5s", "5 minutes", "1d"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_duration(text)


def test_small_parsers() -> None:
    assert parse_weights("10, 25%,50,100") == [10, 25, 50, 100]
    assert parse_pause("25") == (25, None) and parse_pause("25:10m") == (25, 600.0)
    assert parse_access_key("AK:S:K") == ("AK", "S:K")
    for bad in ("1.5,2", "ten"):
        with pytest.raises(click.BadParameter):
            parse_weights(bad)
    with pytest.raises(click.BadParameter):
        parse_access_key("no-secret:")


def test_strategy_flags_build_the_engine_strategies() -> None:
    assert build_strategy(None, None, None, False, 60).schedule == [10, 25, 50, 100]
    canary = build_strategy(None, "10", None, False, 300)
    assert isinstance(canary, Canary) and canary.schedule == [10, 100] and canary.total_duration == 300
    linear = build_strategy(None, None, "30", False, 60)
    assert isinstance(linear, Linear) and linear.schedule == [30, 60, 90, 100]
    held = build_strategy("10,50", None, None, False, 60, ["10:5m", "50"])
    assert isinstance(held, Steps)
    assert [s.pause for s in held.plan()] == [Pause(300.0), Pause(None), None]
    assert build_strategy(None, None, "25", False, 60, ["75"]).schedule == [25, 50, 75, 100]


def test_strategy_flags_refuse_bad_combinations_before_anything_runs() -> None:
    with pytest.raises(click.UsageError, match="choose one strategy"):
        build_strategy("10,100", "10", None, False, 60)
    with pytest.raises(click.BadParameter, match="no step at 30%"):
        build_strategy("10,100", None, None, False, 60, ["30"])
    with pytest.raises(click.BadParameter, match="no intermediate weight"):
        build_strategy(None, None, None, True, 60, ["10"])
    with pytest.raises(click.BadParameter, match="strictly increasing") as bad:  # the engine's rule, as usage
        build_strategy("50,25", None, None, False, 60)
    assert isinstance(bad.value.__cause__, InvalidArgumentError) and bad.value.param_hint == "--steps"


@pytest.mark.parametrize(("flags", "hint", "message"), [
    (("0", None, None), "--steps", "within 1..100, got 0"),
    (("101", None, None), "--steps", "within 1..100, got 101"),
    (("10.5", None, None), "--steps", "not a whole percentage"),
    (("", None, None), "--steps", "at least one weight"),  # an empty $STEPS is not the default schedule
    ((None, "100", None), "--canary", "--all-at-once"),
    ((None, "0", None), "--canary", "1..99"),
    ((None, None, "0"), "--linear", "within 1..100"),
])
def test_every_bad_schedule_is_a_usage_error_naming_its_flag(flags: tuple[str | None, ...], hint: str,
                                                              message: str) -> None:
    steps, canary, linear = flags
    with pytest.raises(click.BadParameter, match=re.escape(message)) as bad:
        build_strategy(steps, canary, linear, False, 60)
    assert bad.value.param_hint == hint


def test_pause_errors_name_pause_at() -> None:
    for pauses, message in ((["x"], "not a whole percentage"), (["100"], "100% is the promotion")):
        with pytest.raises(click.BadParameter, match=message) as bad:
            build_strategy("10,100", None, None, False, 60, pauses)
        assert bad.value.param_hint == "--pause-at"


def test_schedule_document_adds_up_bakes_and_timed_pauses() -> None:
    doc = schedule_document(build_strategy("10,50", None, None, False, 60, ["10:2m", "50"]))

    assert doc["schedule"] == [10, 50, 100]
    assert [s["starts_at"] for s in doc["stages"]] == [0.0, 180.0, 240.0]
    assert doc["total_duration"] == 240.0 and doc["manual_gates"] == 1


def test_exit_codes() -> None:
    assert [exit_code_for(s) for s in ("promoted", "rolled_back", "aborted", "in_progress", "paused")] == [
        0, 3, 1, 4, 4]


def _event(kind: str, weight: int | None, message: str = "", **data: object) -> dict[str, object]:
    return {"kind": kind, "at": 0.0, "message": message, "weight": weight, **({"data": data} if data else {})}


def test_describe_event_lines() -> None:
    passed = {"gate": "invoke:fn", "status": "pass", "reason": "20 samples"}
    failed = {"gate": "invoke:fn", "status": "fail", "reason": "error rate 40% > 5%"}
    waiting = {"gate": "invoke:fn", "status": "inconclusive", "reason": "3/20 samples"}

    assert describe_event(_event("weight", 25, "version 2 now receives 25%"))[0].endswith("receives 25%")
    assert "fail" in describe_event(_event("check", 10, verdicts=[failed]))[0]
    assert describe_event(_event("check", 10, verdicts=[waiting])) == ("", "invoke:fn: 3/20 samples")
    assert describe_event(_event("check", 10, verdicts=[passed]))[1] == "health pass"
    assert describe_event(_event("wait", 10, "bake at 10%"))[0] == ""
    assert "rolling back" in describe_event(_event("rollback", 10, "gate failed"))[0]


class _Result:
    status, reason, history, alias_writes, duration = "rolled_back", "gate failed at 10%", [10, 0], 2, 1.5


def test_progress_display_on_a_terminal_draws_a_bar_and_the_log() -> None:
    buf = io.StringIO()
    out = Output("text")
    out._console = Console(file=buf, force_terminal=True, width=100, color_system=None)
    display = RolloutDisplay(out, "svc", "prod", "2", Steps([10, 50, 100], interval=1))
    passed = {"gate": "invoke:fn", "status": "pass", "reason": "20 samples"}
    with display:
        display.handle(_event("start", 0, "rolling out"))
        display.handle(_event("weight", 10, "version 2 now receives 10%"))
        display._progress.refresh()  # type: ignore[union-attr]
        display.handle(_event("check", 10, verdicts=[passed]))
        display.handle(_event("check", 10, verdicts=[passed]))
        display.handle(_event("rollback", 10, "gate failed at 10%"))
        display.handle(_event("rolled_back", None, "gate failed at 10%"))
    display.finish(_Result())

    text = buf.getvalue()
    assert "10% of traffic" in text  # the live bar
    assert text.count("invoke:fn: pass") == 1  # repeated passing checks collapse into one line
    assert "rolling back: gate failed at 10%" in text
    assert "✖ rolled back: gate failed at 10%" in text and "weights applied: 10% -> 0%" in text
    assert display.weight == 0


def test_progress_display_json_mode_prints_only_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    display = RolloutDisplay(Output("json"), "svc", "prod", "2", Steps([100], interval=0))
    with display:
        display.handle(_event("weight", 50, "x"))
    out = capsys.readouterr().out
    assert out == '{"kind": "weight", "at": 0.0, "message": "x", "weight": 50, "data": {}}\n'  # data: always there
