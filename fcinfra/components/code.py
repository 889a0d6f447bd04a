"""Function code packages: a folder zipped deterministically (:mod:`fcinfra.packaging`), or a zip given as is.

The same folder content always yields the same bytes, so the code digest, and with it the version fingerprint, changes
exactly when the code does. Folders are written to a content-addressed zip under the build directory
(``FCINFRA_BUILD_DIR``, default ``<tmp>/fcinfra-build``), so pulumi-alicloud's ``filename`` input also
changes exactly when the code does.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fcinfra.errors import InvalidArgumentError
from fcinfra.packaging import code_files, zip_folder
from fcinfra.providers.fingerprint import code_digest

__all__ = ["CodePackage", "package_code", "zip_folder"]

@dataclass(frozen=True)
class CodePackage:
    """A zip on disk and its identity."""

    path: str
    digest: str
    size: int


def build_dir() -> Path:
    """Where code packages are built: ``FCINFRA_BUILD_DIR`` (e.g. to keep them), else a folder in the temp dir."""
    return Path(os.environ.get("FCINFRA_BUILD_DIR") or Path(tempfile.gettempdir()) / "fcinfra-build")


# One program often packages the same folder for several functions: reuse a package while the folder's
# files (names, permissions and content hashes: cheaper than zipping, and immune to coarse mtimes) are the same.
_PACKAGES: dict[tuple[str, str], tuple[tuple[tuple[str, bool, str], ...], CodePackage]] = {}


def _signature(folder: Path) -> tuple[tuple[str, bool, str], ...]:
    return tuple(
        (p.relative_to(folder).as_posix(), os.access(p, os.X_OK), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in code_files(folder)
    )


def package_code(code: str | os.PathLike[str]) -> CodePackage:
    """A folder (zipped) or a ``.zip`` file -> the zip to upload and its digest."""
    path = Path(code).expanduser()
    if path.is_dir():
        key = (str(path.resolve()), str(build_dir()))
        signature = _signature(path)
        cached = _PACKAGES.get(key)
        if cached is not None and cached[0] == signature and Path(cached[1].path).exists():
            return cached[1]
        package = _package_folder(path)
        _PACKAGES[key] = (signature, package)
        return package
    if path.is_file():
        data = path.read_bytes()
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise InvalidArgumentError(f"code {str(path)!r} is not a zip file; give a folder or a .zip")
        return CodePackage(str(path.resolve()), code_digest(data), len(data))
    raise InvalidArgumentError(f"code {str(path)!r} does not exist; give a folder or a .zip file")


def _package_folder(path: Path) -> CodePackage:
    data = zip_folder(path)
    digest = code_digest(data)
    target = build_dir() / f"{path.name}-{digest.split(':', 1)[1][:20]}.zip"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return CodePackage(str(target), digest, len(data))
