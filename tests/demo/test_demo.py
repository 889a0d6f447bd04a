"""`fcinfra demo` end to end, its report, and the example function code it deploys."""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from fcinfra.cli.main import cli
from fcinfra.demo.package import examples_dir, zip_folder
from fcinfra.demo.report import Release, Timeline, render_html, write_report

FUNCTIONS = Path(__file__).resolve().parents[2] / "examples" / "functions"


def test_demo_command_end_to_end_in_a_subprocess(tmp_path: Path) -> None:
    """What the README's first command runs: exit 0, v2 promoted, v3 rolled back, the report left behind."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fcinfra.cli.main", "demo", "--report", "report.html"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=90)
    took = time.perf_counter() - start
    print(f"fcinfra demo took {took:.1f}s")

    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "qualifier prod resolved to version 1" in out
    assert "✔ promoted: version 2" in out
    assert "✖ rolled back" in out and "gate failed at 10%" in out
    assert "alias prod now serves version 2 alone" in out
    assert "demo passed" in out
    report = tmp_path / "report.html"
    assert str(report) in out.replace("\n", "")
    html = report.read_text()
    assert "<svg" in html and "promoted" in html and "rolled back" in html
    assert took < 60


def test_demo_json_output_summarises_the_outcome(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--interval", "0.2s", "--samples", "10",
                                      "--report", str(tmp_path / "r.html"), "-o", "json"])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    summary = lines[-1]
    assert summary["kind"] == "summary"
    assert (summary["v2"], summary["v3"], summary["prod"], summary["ok"]) == ("promoted", "rolled_back", "2", True)
    assert summary["versions"] == ["3", "2", "1"]
    resolved = [e for e in lines if e.get("qualifier") == "prod" and "version_id" in e]
    assert resolved[0]["version_id"] == "1"
    results = [e for e in lines if e.get("kind") == "result"]
    assert [r["status"] for r in results] == ["promoted", "rolled_back"]
    assert results[0]["history"] == [10, 25, 50, 100]
    assert Path(summary["report"]).exists()


def test_report_has_the_chart_the_table_and_escapes_text(tmp_path: Path) -> None:
    timeline = Timeline("release <script>")
    good = Release("v2", "1", "2", max_error_rate=0.05, outcome="promoted")
    for t, w in enumerate((0, 10, 25, 50)):
        good.add(float(t), w, 0.0, f"weight {w}")
    good.add(4.0, 100, None, "promoted")
    bad = Release("v3", "2", "3", max_error_rate=0.05, outcome="rolled_back", reason="error rate 40% > 5%")
    bad.add(5.0, 10, 0.4, "probe")
    bad.add(5.2, 0, None, "rolled back")
    timeline.releases = [good, bad]

    html = render_html(timeline)
    path = write_report(timeline, tmp_path / "sub" / "r.html")

    assert "<script>" not in html and "release &lt;script&gt;" in html
    assert html.count("<svg") == 1
    assert "rolled back from 10%" in html  # the chart's annotation (SVG text)
    assert "40%" in html and "error rate 40% &gt; 5%" in html
    assert (good.peak_weight, good.duration, bad.worst_error_rate) == (100, 4.0, 0.4)
    assert path.is_absolute() and path.read_text() == html


def test_function_zip_is_reproducible_and_skips_caches(tmp_path: Path) -> None:
    (tmp_path / "index.py").write_text("def handler(e, c): return 'x'\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "index.cpython-311.pyc").write_bytes(b"junk")

    first = zip_folder(tmp_path)
    (tmp_path / "index.py").touch()
    assert zip_folder(tmp_path) == first
    assert b"__pycache__" not in first
    assert examples_dir() == FUNCTIONS.parent


def _module(version: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"quote_{version}", FUNCTIONS / version / "index.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _handler(version: str):  # type: ignore[no-untyped-def]
    return _module(version).handler


CONTEXT = SimpleNamespace(service=SimpleNamespace(version_id="7", qualifier="prod"))
ITEMS = ("apple", "pear", "fig", "plum", "kiwi", "lime")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_healthy_example_versions_answer_every_item(version: str) -> None:
    handler = _handler(version)
    for item in ITEMS:
        answer = handler(json.dumps({"item": item, "qty": 2}).encode(), CONTEXT)
        assert answer["item"] == item and answer["versionId"] == "7" and answer["total"] > 0


def test_v3_fails_on_part_of_its_inputs_only() -> None:
    handler = _handler("v3")
    failing = []
    for item in ITEMS:
        try:
            handler(json.dumps({"item": item}).encode(), CONTEXT)
        except KeyError:
            failing.append(item)
    assert failing == ["fig", "lime"]


def _call_web(version: str, query: str, body: bytes = b"") -> tuple[str, list[tuple[str, str]], Any]:
    """The example's HTTP function as a WSGI server calls it (environ per PEP 3333 plus FC's fc.context)."""
    environ = {"REQUEST_METHOD": "POST" if body else "GET", "PATH_INFO": "/", "QUERY_STRING": query,
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "fc.context": CONTEXT}
    started: list[Any] = []
    chunks = _module(version).web(environ, lambda status, headers: started.extend([status, headers]))
    return started[0], started[1], json.loads(b"".join(chunks))


def test_example_http_function_is_a_wsgi_app() -> None:
    status, headers, answer = _call_web("v2", "item=plum&qty=3")
    assert (status, headers) == ("200 OK", [("Content-Type", "application/json")])
    assert (answer["item"], answer["qty"], answer["total"], answer["versionId"]) == ("plum", 3, 1.2, "7")
    status, _, answer = _call_web("v2", "qty=12", json.dumps({"item": "pear"}).encode())
    assert (status, answer["item"], answer["qty"]) == ("200 OK", "pear", 12)
    status, _, answer = _call_web("v1", "item=durian")
    assert status == "404 Not Found" and "unknown item" in answer["error"]
    with pytest.raises(KeyError):  # v3's bug reaches the HTTP function too (FC answers 502)
        _call_web("v3", "item=lime")


def test_demo_keep_running_explains_how_to_reach_its_emulator_before_waiting(tmp_path: Path) -> None:
    from fcinfra.demo.flow import run_demo
    from fcinfra.display.output import Output
    from fcinfra.fc import FcClient

    seen: list[str] = []

    def explore() -> None:  # stands in for "wait for Ctrl-C": use the emulator as the printed lines say
        exports = dict(part.split("=", 1) for part in seen[0].split()[1:])
        with FcClient.from_env(env=exports) as client:
            seen.append(client.get_alias("demo-shop", "prod").version_id)

    out = Output("text")
    buf = io.StringIO()
    out._console = Console(file=buf, width=300)
    original = out._console.print

    def capture(*args: object, **kwargs: object) -> None:
        text = str(args[0]) if args else ""
        if text.strip().startswith("export FC_ENDPOINT="):
            seen.append(text.strip())
        original(*args, **kwargs)  # type: ignore[arg-type]

    out._console.print = capture  # type: ignore[method-assign]
    code = run_demo(interval=0.2, samples=10, report_path=tmp_path / "r.html", out=out, wait_for_exit=explore)

    assert code == 0
    assert seen[1] == "2"  # the emulator was still up, with the demo's state, while it waited
    assert "keeps running until Ctrl-C" in buf.getvalue()


def test_demo_flags_reach_the_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import fcinfra.demo.flow as flow

    calls: list[dict] = []
    monkeypatch.setattr(flow, "run_demo", lambda **kwargs: calls.append(kwargs) or 0)
    result = CliRunner().invoke(cli, ["demo", "--interval", "10s", "--samples", "5", "--report", str(tmp_path / "x")])

    assert result.exit_code == 0
    assert (calls[0]["interval"], calls[0]["samples"], calls[0]["wait_for_exit"]) == (10.0, 5, None)


def test_only_verdicts_give_error_rates_to_the_report() -> None:
    """A partial sample (inconclusive) must not become the release's "worst" error rate next to the gate's."""
    from fcinfra.demo.report import probe_stats as _probe_stats

    def check(status: str, errors: int, count: int) -> dict[str, object]:
        canary = {"count": count, "errors": errors, "error_rate": errors / count}
        return {"verdicts": [{"gate": "invoke:quote", "status": status,
                              "details": {"canary": canary, "main": {"count": 3 * count}}}]}

    assert _probe_stats(check("inconclusive", 7, 18)) == (None, None)
    assert _probe_stats(check("fail", 6, 20)) == (0.3, 0.25)
    assert _probe_stats(check("pass", 0, 20)) == (0.0, 0.25)
