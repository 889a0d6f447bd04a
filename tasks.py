"""Set up the project's virtual environment and run its main jobs, with nothing but Python 3.11 and pip.

    python3 tasks.py demo    # create .venv, install fcinfra, run `fcinfra demo`
    python3 tasks.py test    # create .venv, install fcinfra[dev], run ruff, mypy and pytest
    python3 tasks.py tools   # build the Pulumi CLI, Python language host and alicloud provider (needs Go);
                             # last line of output: the folder holding them (cached, keyed by version)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def _run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def _ensure_venv(extras: str) -> None:
    """Create .venv and install the project once per pyproject.toml content and extras set."""
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    _run(PY, "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(digest)


def demo(args: list[str]) -> None:
    _ensure_venv("")
    _run(BIN / "fcinfra", "demo", *args)


def _ensure_prometheus() -> None:
    """Issue 14: the PrometheusGate tests run a real Prometheus server (Debian's package); install it if missing."""
    if shutil.which("prometheus") or not shutil.which("apt-get") or os.geteuid() != 0:
        return  # present, or not a Debian root machine: those tests skip locally (and fail on CI) saying why
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "prometheus"]):
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def test(args: list[str]) -> None:
    _ensure_venv("dev")  # dev includes the official SDK, compared against in bench/ and the contract tests
    _ensure_prometheus()
    env = dict(os.environ)
    if shutil.which("go"):
        # With Go the end-to-end tests are part of the run: a failed build fails it, and so does a skipped e2e test.
        env["FCINFRA_TOOLS_BIN"] = str(_tools())
        env["FCINFRA_E2E_REQUIRED"] = "1"
    else:
        env.pop("FCINFRA_TOOLS_BIN", None)
        print("SKIPPING the e2e tests (real pulumi + alicloud provider): `go` is not on PATH", flush=True)
    _run(BIN / "ruff", "check", ".")
    _run(BIN / "mypy")
    # The e2e tests run after the rest, not beside it: they load the machine, and some unit tests time things.
    runs = [list(args)] if args else [["-m", "not e2e"], ["-m", "e2e", "tests/e2e"]]
    for extra in runs:
        print("+", PY, "-m pytest -n 2", *extra, flush=True)
        subprocess.run([str(PY), "-m", "pytest", "-n", "2", *extra], cwd=ROOT, check=True, env=env)


# ---------------------------------------------------------------------------------------------------------------
# tools: the real Pulumi engine and alicloud provider, built from Go modules into a cache outside the repository.

TOOLS = ROOT / "tools"
TOOL_BINARIES = ("pulumi", "pulumi-language-python", "pulumi-language-python-exec",
                 "pulumi-resource-pulumi-python", "pulumi-resource-alicloud")


class ToolsError(Exception):
    """A pinned version has no entry in tools/versions.json, or the Go build failed."""


def _pinned(package: str) -> str:
    """The exact version pyproject.toml pins for ``package`` (``"name==X"``); anything looser is refused."""
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(rf'"{re.escape(package)}==([^"\s;]+)"', text)
    if not match:
        raise ToolsError(f"pyproject.toml must pin {package} exactly (\"{package}==X.Y.Z\") for `tasks.py tools`")
    return match.group(1)


def _tool_versions() -> dict[str, dict[str, str]]:
    """The Go module versions to build for the pinned packages, from tools/versions.json."""
    table = json.loads((TOOLS / "versions.json").read_text())
    chosen: dict[str, dict[str, str]] = {}
    for package in ("pulumi", "pulumi-alicloud"):
        version = _pinned(package)
        if version not in table[package]:
            known = ", ".join(sorted(table[package])) or "none"
            raise ToolsError(f"{package}=={version} is not in tools/versions.json (known: {known}); add its Go "
                             "module versions there before building")
        chosen[package] = table[package][version]
    for package, folder in (("pulumi", "pulumi"), ("pulumi-alicloud", "alicloud")):
        gomod = (TOOLS / folder / "go.mod").read_text()
        entry = chosen[package]
        if not re.search(rf"^\s*{re.escape(entry['module'])} {re.escape(entry['version'])}\s*(//.*)?$", gomod, re.M):
            raise ToolsError(f"tools/{folder}/go.mod does not require {entry['module']} {entry['version']}, "
                             "which tools/versions.json maps the pinned version to")
    return chosen


def _tools_cache() -> Path:
    base = os.environ.get("FCINFRA_TOOLS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "fcinfra-tools")
    return Path(base)


def _tools_key(chosen: dict[str, dict[str, str]]) -> str:
    """Versions plus a digest of tools/ build inputs and the Go version: a change to any means a new build."""
    digest = hashlib.sha256()
    for path in sorted(TOOLS.rglob("*")):
        if path.is_file() and path.suffix != ".md":
            digest.update(str(path.relative_to(TOOLS)).encode() + b"\0" + path.read_bytes())
    go_version = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout
    digest.update(go_version.encode())
    pulumi, alicloud = chosen["pulumi"], chosen["pulumi-alicloud"]
    return f"pulumi-{pulumi['version']}-alicloud-{alicloud['plugin_version']}-{digest.hexdigest()[:12]}"


def _go(args: list[str], cwd: Path, log: Path) -> None:
    env = dict(os.environ, CGO_ENABLED="0", GOFLAGS="-mod=mod", GOTOOLCHAIN="local")
    print("+ go", " ".join(args), flush=True)
    with log.open("a") as out:
        out.write("+ go " + " ".join(args) + "\n")
        out.flush()
        done = subprocess.run(["go", *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        tail = log.read_text().splitlines()[-25:]
        raise ToolsError(f"go {' '.join(args)} failed (log: {log}):\n" + "\n".join(tail))


def _tools() -> Path:
    """Build (once per key) and return the folder with the Pulumi CLI, language host and providers."""
    if not shutil.which("go"):
        raise ToolsError("`go` is not on PATH: the Pulumi tools are built from Go modules")
    chosen = _tool_versions()
    home = _tools_cache() / _tools_key(chosen)
    bin_dir = home / "bin"
    if all((bin_dir / name).exists() for name in TOOL_BINARIES):
        return bin_dir
    started = time.monotonic()
    home.mkdir(parents=True, exist_ok=True)
    src = home / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(TOOLS, src)
    staging = home / "bin.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    log = home / "build.log"
    log.write_text("")
    pulumi, alicloud = chosen["pulumi"], chosen["pulumi-alicloud"]
    jobs = ["-p", os.environ.get("FCINFRA_TOOLS_JOBS", "2"), "-trimpath"]
    print(f"building the Pulumi tools into {bin_dir} (cold: tens of minutes; log: {log})", flush=True)
    _go(["build", *jobs, "-ldflags",
         f"-s -w -X {pulumi['sdk']}/go/common/version.Version={pulumi['version']}",
         "-o", str(staging / "pulumi"), f"{pulumi['module']}/cmd/pulumi"], src / "pulumi", log)
    _go(["build", *jobs, "-ldflags", f"-s -w -X main.version={pulumi['version'].lstrip('v')}",
         "-o", str(staging / "pulumi-language-python"), "./langhost"], src / "pulumi", log)
    _go(["build", *jobs, "-ldflags", f"-s -w -X main.version={alicloud['plugin_version']}",
         "-o", str(staging / "pulumi-resource-alicloud"), "."], src / "alicloud", log)
    # The exec script and the dynamic-provider plugin ship inside the sdk/v3 module (not built: scripts).
    sdk_dir = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", pulumi["sdk"]], cwd=src / "pulumi",
                             capture_output=True, text=True, check=True,
                             env=dict(os.environ, GOFLAGS="-mod=mod")).stdout.strip()
    for script in ("cmd/pulumi-language-python-exec", "dist/pulumi-resource-pulumi-python"):
        target = staging / Path(script).name
        shutil.copyfile(Path(sdk_dir) / "python" / script, target)
        target.chmod(0o755)
    shutil.rmtree(bin_dir, ignore_errors=True)
    staging.rename(bin_dir)
    shutil.rmtree(src, ignore_errors=True)
    print(f"built the Pulumi tools in {time.monotonic() - started:.0f} s", flush=True)
    return bin_dir


def tools(args: list[str]) -> None:
    try:
        bin_dir = _tools()
    except ToolsError as exc:
        print(f"tasks.py tools: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    print(bin_dir, flush=True)


def main() -> None:
    jobs = {"demo": demo, "test": test, "tools": tools}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        print(__doc__)
        sys.exit(2)
    try:
        jobs[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
    except ToolsError as exc:
        print(f"tasks.py: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
