"""Issue 12 item 6: `rollout --report PATH` writes the demo's HTML report for any CLI rollout."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from fcinfra.demo.report import Recorder, Release
from fcinfra.rollout.events import Event


def test_rollout_report_shows_weights_verdicts_and_the_outcome(run: Callable[..., Result], shop,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "out" / "rollout.html"
    result = run("rollout", shop.service, "prod", "3", "--steps", "50,100", "--interval", "0.3s", "--check-every",
                 "0.1s", "--probe-function", "quote", "--samples", "5", "--payload", '{"item": "fig"}',
                 "--report", str(path), "-o", "json")

    assert result.exit_code == 3, result.output
    assert f"report: {path}" in result.stderr
    page = path.read_text()
    assert "<svg" in page and "rolled back" in page
    assert f"{shop.service}/prod: version 1 -&gt; 3" in page or f"{shop.service}/prod: version 1 -> 3" in page
    assert json.loads(result.stdout.splitlines()[-1])["reason"].split(":")[0] in page  # the verdict's words


def test_the_recorder_draws_points_from_events() -> None:
    release = Release("v", "1", "2")
    record = Recorder(release)
    verdict = {"status": "fail", "details": {"canary": {"count": 10, "error_rate": 0.4}, "main": {"count": 30}}}
    for event in (Event("weight", 1.0, "to 10%", "s", "a", "2", 10),
                  Event("check", 2.0, "checked", "s", "a", "2", 10, {"verdicts": [verdict]}),
                  Event("wait", 2.5, "bake", "s", "a", "2", 10),
                  Event("rolled_back", 3.0, "back", "s", "a", "2", 0)):
        record(event)
    assert [(p.t, p.weight, p.error_rate, p.observed) for p in release.points] == \
        [(1.0, 10, None, None), (2.0, 10, 0.4, 0.25), (3.0, 0, None, None)]
