"""``tasks.py tools``: which Go module versions it builds for the pinned Python packages, and what it refuses."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_tasks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fcinfra_tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pinned_versions_are_in_the_map_and_match_the_go_modules() -> None:
    tasks = load_tasks()
    chosen = tasks._tool_versions()
    table = json.loads((ROOT / "tools" / "versions.json").read_text())
    assert chosen["pulumi"] == table["pulumi"][tasks._pinned("pulumi")]
    assert chosen["pulumi-alicloud"]["plugin_version"] == tasks._pinned("pulumi-alicloud")


def test_a_version_missing_from_the_map_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = load_tasks()
    real = tasks._pinned
    monkeypatch.setattr(tasks, "_pinned", lambda package: "9.9.9" if package == "pulumi" else real(package))
    with pytest.raises(tasks.ToolsError, match=r"pulumi==9\.9\.9 is not in tools/versions.json"):
        tasks._tool_versions()


def test_a_loose_pin_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = load_tasks()
    (tmp_path / "pyproject.toml").write_text('dependencies = ["pulumi>=3.231,<4", "pulumi-alicloud==4.0.0"]\n')
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    with pytest.raises(tasks.ToolsError, match="must pin pulumi exactly"):
        tasks._pinned("pulumi")


def test_go_mod_that_disagrees_with_the_map_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = load_tasks()
    tools = tmp_path / "tools"
    for sub in ("pulumi", "alicloud"):
        (tools / sub).mkdir(parents=True)
        text = (ROOT / "tools" / sub / "go.mod").read_text()
        (tools / sub / "go.mod").write_text(text.replace("v3.274.1", "v3.274.0") if sub == "pulumi" else text)
    (tools / "versions.json").write_text((ROOT / "tools" / "versions.json").read_text())
    monkeypatch.setattr(tasks, "TOOLS", tools)
    with pytest.raises(tasks.ToolsError, match=re.escape("does not require github.com/pulumi/pulumi/pkg/v3 v3.274.1")):
        tasks._tool_versions()
