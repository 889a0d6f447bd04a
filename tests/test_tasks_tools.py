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


def test_the_built_alicloud_provider_maps_every_resource_fcinfra_declares() -> None:
    """Each ``alicloud.<module>.<Resource>(`` in fcinfra and the examples is bridged by ``tools/alicloud`` under the
    token pulumi_alicloud's Python SDK registers for it (else the real engine fails with "unknown resource type")."""
    import inspect

    import pulumi_alicloud

    go = (ROOT / "tools" / "alicloud" / "provider.go").read_text()
    table = re.search(r"var fcResources = map\[string\]string\{(.*?)\n\}", go, re.S)
    assert table is not None
    names = re.findall(r'"alicloud_fc\w*":\s*"(\w+)"', table.group(1))
    mapped = {f"alicloud:fc/{n[0].lower()}{n[1:]}:{n}" for n in names}  # provider.go's fcResourceToken

    sources = [*(ROOT / "fcinfra").rglob("*.py"), *(ROOT / "examples").rglob("*.py")]
    used = {m for path in sources for m in re.findall(r"\balicloud\.(\w+)\.([A-Z]\w*)\(", path.read_text())}
    assert ("fc", "V3Function") in used and ("fc", "Service") in used  # the scan sees both FC versions
    for module, name in sorted(used):
        cls = getattr(getattr(pulumi_alicloud, module), name)
        token = re.search(r"'(alicloud:[\w/]+:\w+)'", inspect.getsource(cls))
        assert token is not None, f"no type token in pulumi_alicloud.{module}.{name}"
        assert token.group(1) in mapped, f"alicloud.{module}.{name} ({token.group(1)}) is not mapped in tools/alicloud"
