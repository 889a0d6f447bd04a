"""DESIGN.md's import direction, checked over every module of fcinfra by reading its source (AST).

Why: layering is what keeps the fake honest (it must never lean on the client it is used to test), keeps the
rollout's core pure (so tests never wait in real time) and keeps ``fcinfra --help`` light. A rule only in a
document erodes; this test names the offending module and import the moment one appears.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import fcinfra

ROOT = Path(fcinfra.__file__).parent

# layer -> the other layers it may import (its own layer is always allowed). A layer is the first component
# under ``fcinfra`` (``fcinfra.fc.client`` is in layer ``fc``); ``errors`` and ``config`` are the shared base
# (config only reads settings: arguments > Pulumi config > environment). ``demo`` is the CLI's offline demo and
# ``testing`` the public test helpers: both sit on top, beside ``cli``.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_lazy": set(),  # PEP 562 lazy exports: what every package's __init__ uses (UNDER_ALL below)
    "config": {"errors"},
    "credentials": {"errors", "config"},  # Alibaba's credentials chain under fcinfra's explicit settings
    "packaging": {"errors"},
    "fc": {"errors", "config", "credentials"},
    # never fc.client, never errors: the fake mirrors FC, not our client (fc.tagging: FC's tag limits, one rule)
    "fake": {"fc.models", "fc.signing", "fc.rpc_signing", "fc.crc64", "fc3.models", "fc3.signing", "fc.tagging"},
    "lifecycle": {"fc", "errors"},
    "fc3": {"fc", "lifecycle", "errors", "config", "credentials"},  # FC 3.0 on FC 2.0's transport and rules
    # release history in the service's tags (issue 12): read and written by the CLI and the library
    "history": {"fc", "errors"},
    # rollout notifications (issue 12): an event sink sending webhooks
    "notify": {"rollout.events", "errors"},
    "rollout": {"fc", "errors"},
    # history and notify: a Pulumi rollout records its end and notifies as the CLI does (one call each);
    # fc3: FunctionVersion, FunctionAliasShift
    "providers": {"fc", "fc3", "rollout", "lifecycle", "errors", "config", "history", "notify", "gate_board"},
    # the running rollout's latest verdicts in a service tag, for `status --watch` (issue 12): an event sink
    "gate_board": {"fc", "history", "rollout.events"},
    "components": {"providers", "fc.models", "errors", "packaging", "config", "credentials"},
    "display": {"rollout", "errors"},
    # release operations (upload if changed, publish or reuse), on FC 2.0 or (Fc3Release) FC 3.0
    "release": {"fc", "fc3", "errors"},
    "cli": {"rollout", "lifecycle", "fc", "fc3", "fake", "errors", "config", "demo", "display", "packaging", "release",
            "history", "notify", "gate_board"},
    # demo never imports cli: cli runs the demo
    "demo": {"display", "rollout", "lifecycle", "fc", "fc3", "fake", "errors", "config", "packaging", "release"},
    "testing": {"fake", "fc", "errors", "config", "providers", "components", "rollout", "lifecycle"},
}
# A sub-package that may import more than its layer: the emulator's own modules may raise fcinfra.errors
# (DESIGN.md: "only the emulator's own subpackage may import errors").
SUBLAYER_EXTRA: dict[str, set[str]] = {"fcinfra.fake.emulator": {"errors"}}
# The fake's core never needs the emulator: only the self-contained worker (the one payload encoder) and the
# re-export modules that keep the historical public paths (fcinfra.fake.server ...) may reach into it.
EMULATOR = "fcinfra.fake.emulator"
EMULATOR_SHIMS = {"fcinfra.fake.server", "fcinfra.fake.runtime", "fcinfra.fake.control"}
CORE_MAY_USE_FROM_EMULATOR = {"fcinfra.fake.emulator.worker"}
# The rollout talks to FC only at its edges (the runner that applies weights, the operator commands); its
# planning and deciding core never sees the client or its models.
ROLLOUT_CORE = {"fcinfra.rollout.spec", "fcinfra.rollout.engine", "fcinfra.rollout.verdicts",
                "fcinfra.rollout.events", "fcinfra.rollout.result"}
# Pure modules: no I/O and no clock (time and sleep are injected), so they are tested without waiting.
PURE = {"fcinfra.fc.signing", "fcinfra.fc.rpc_signing", "fcinfra.fc3.signing", "fcinfra.rollout.spec",
        "fcinfra.rollout.engine"}
IMPURE_MODULES = {"time", "datetime", "requests", "socket", "os", "random", "subprocess", "threading",
                  "urllib.request", "http.client", "asyncio", "pathlib", "shutil", "tempfile"}
IMPURE_CALLS = {"open", "print", "input"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> list[str]:
    """Every module a file imports, absolute: ``from x import y`` is ``x.y`` when y is a module, else ``x``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.extend(f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names)
    return list(dict.fromkeys(found))


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _within(target: str, allowed: str) -> bool:
    full = f"fcinfra.{allowed}"
    return target == full or target.startswith(full + ".")


def _is_module(name: str) -> bool:
    if not name.startswith("fcinfra."):
        return False
    path = ROOT.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


# Base modules with no fcinfra imports of their own that any layer may use.
UNDER_ALL = {"_lazy"}


def _allowed(module: str) -> set[str]:
    extra = {name for prefix, names in SUBLAYER_EXTRA.items() if _within(module, prefix[len("fcinfra."):])
             for name in names}
    return ALLOWED[_layer(module)] | extra | UNDER_ALL


def _violations_of(module: str, path: Path) -> list[str]:
    bad: list[str] = []
    layer = _layer(module)
    if layer != "":  # fcinfra/__init__.py, the curated API, re-exports from every layer
        for target in _imports(path, module):
            if target != "fcinfra" and not target.startswith("fcinfra."):
                continue
            target_layer = _layer(target)
            if target_layer == layer:
                if (_within(target, "fake.emulator") and not _within(module, "fake.emulator")
                        and module not in EMULATOR_SHIMS
                        and not any(_within(target, ok[len("fcinfra."):]) for ok in CORE_MAY_USE_FROM_EMULATOR)):
                    bad.append(f"{module} -> {target} (the fake's core never needs the emulator)")
                continue
            if target == "fcinfra":
                bad.append(f"{module} imports the top-level package (import the layer itself)")
                continue
            if module in ROLLOUT_CORE and _within(target, "fc"):
                bad.append(f"{module} -> {target} (the rollout core never sees FC)")
            if not any(_within(target, allowed) for allowed in _allowed(module)):
                bad.append(f"{module} -> {target}")
    return bad


def test_every_layer_imports_only_what_design_allows() -> None:
    bad = [v for path in sorted(ROOT.rglob("*.py")) for v in _violations_of(_module_name(path), path)]
    assert sorted(set(bad)) == []


def test_every_layer_is_known() -> None:
    """A new top-level module or package must be placed in the rules, not slip past them."""
    layers = {_layer(_module_name(p)) for p in ROOT.rglob("*.py")} - {""}
    assert layers <= set(ALLOWED)


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_do_no_io_and_read_no_clock(module: str) -> None:
    path = ROOT.parent / Path(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text())
    bad = [name for name in _imports(path, module)
           if any(name == m or name.startswith(m + ".") for m in IMPURE_MODULES)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in IMPURE_CALLS:
            bad.append(f"{node.func.id}() at line {node.lineno}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "time":
            bad.append(f"time.{node.attr} at line {node.lineno}")
    assert bad == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The rules above are only worth something if a forbidden import is actually reported."""
    probe = tmp_path / "probe.py"
    probe.write_text("from fcinfra.fc.client import FcClient\nfrom ..errors import FcinfraError\n"
                     "from fcinfra.fc import models\nfrom . import core\n")
    assert _violations_of("fcinfra.fake.probe", probe) == ["fcinfra.fake.probe -> fcinfra.fc.client",
                                                           "fcinfra.fake.probe -> fcinfra.errors"]
    probe.write_text("from fcinfra.errors import EmulatorError\nfrom fcinfra.fc.client import FcClient\n")
    assert _violations_of("fcinfra.fake.emulator.probe", probe) == ["fcinfra.fake.emulator.probe -> fcinfra.fc.client"]
    assert _violations_of("fcinfra.fake.emulatorish", probe) == ["fcinfra.fake.emulatorish -> fcinfra.errors",
                                                                 "fcinfra.fake.emulatorish -> fcinfra.fc.client"]
    probe.write_text("from fcinfra.fc.models import Alias\n")
    assert _violations_of("fcinfra.rollout.engine", probe) == [
        "fcinfra.rollout.engine -> fcinfra.fc.models (the rollout core never sees FC)"]
    probe.write_text("from fcinfra.errors import FcinfraError\nfrom fcinfra.fc.client import FcClient\n")
    assert _violations_of("fcinfra.fake.emulator.probe", probe) == ["fcinfra.fake.emulator.probe -> fcinfra.fc.client"]
    probe.write_text("from fcinfra.fake.emulator.server import Emulator\nfrom fcinfra.fake.emulator import worker\n")
    assert _violations_of("fcinfra.fake.probe", probe) == [
        "fcinfra.fake.probe -> fcinfra.fake.emulator.server (the fake's core never needs the emulator)"]
    assert _violations_of("fcinfra.fake.server", probe) == []


def test_no_two_layers_import_each_other() -> None:
    """A cycle between layers (cli <-> demo once) means neither can be understood or loaded alone."""
    cycles = sorted(f"{a} <-> {b}" for a, uses in ALLOWED.items() for b in uses
                    if a < b and a in ALLOWED.get(b, set()))
    assert cycles == []


def test_importing_the_fake_loads_neither_the_client_nor_the_errors() -> None:
    """The static rule holds at run time too: ``fcinfra.fc``'s package init must not drag the client in, and
    ``mock_fc()`` loads neither the errors nor the emulator's server."""
    code = ("import sys, fcinfra.fake, fcinfra.fake.mock, fcinfra.fake.fc3.api; "
            "print(sorted(m for m in ('fcinfra.fc.client', 'fcinfra.fc.transport', 'fcinfra.errors', "
            "'fcinfra.fake.emulator.server', 'fcinfra.fake.emulator.runtime') if m in sys.modules)); "
            "import fcinfra.fake.server; "
            "print(sorted(m for m in ('fcinfra.fc.client', 'fcinfra.fc.transport') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["[]", "[]"]


def test_the_historical_emulator_paths_are_the_emulator_packages_objects() -> None:
    """README, docs and users' code import ``fcinfra.fake.server.Emulator``; the move kept those paths."""
    from fcinfra.fake import control, runtime, server
    from fcinfra.fake.emulator import control as new_control
    from fcinfra.fake.emulator import runtime as new_runtime
    from fcinfra.fake.emulator import server as new_server

    assert (server.Emulator, server.run_emulator, server.EmulatorError) == (
        new_server.Emulator, new_server.run_emulator, new_server.EmulatorError)
    assert runtime.PythonCodeRunner is new_runtime.PythonCodeRunner
    assert control.ControlApi is new_control.ControlApi


def test_the_client_stays_importable_from_the_fc_package() -> None:
    from fcinfra.fc import FcClient, RetryPolicy
    from fcinfra.fc.client import FcClient as Direct

    assert FcClient is Direct and RetryPolicy.__name__ == "RetryPolicy"


@pytest.mark.parametrize("module", ["fcinfra.rollout.runner", "fcinfra.rollout.ops"])
def test_the_rollout_shell_reads_time_only_through_what_is_injected(module: str) -> None:
    """DESIGN.md: ``Rollout`` reads time only through ``clock``; the real clock is chosen in rollout/clock.py."""
    path = ROOT.parent / Path(*module.split(".")).with_suffix(".py")
    assert [name for name in _imports(path, module) if name.split(".")[0] in {"time", "datetime"}] == []
