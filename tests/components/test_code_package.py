"""Code packages: a folder zips to the same bytes for the same content, and only then."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from fcinfra.components.code import package_code, zip_folder
from fcinfra.errors import InvalidArgumentError


def test_same_content_same_bytes_whatever_the_timestamps(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "pkg").mkdir(parents=True)
    (app / "index.py").write_text("x = 1\n")
    (app / "pkg" / "util.py").write_text("y = 2\n")
    (app / "__pycache__").mkdir()
    (app / "__pycache__" / "index.cpython-311.pyc").write_bytes(b"junk")
    first = zip_folder(app)
    os.utime(app / "index.py", (1_000_000, 1_000_000))
    assert zip_folder(app) == first
    names = zipfile.ZipFile(__import__("io").BytesIO(first)).namelist()
    assert names == ["index.py", "pkg/util.py"]


def test_package_changes_exactly_when_code_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FCINFRA_BUILD_DIR", str(tmp_path / "build"))
    app = tmp_path / "app"
    app.mkdir()
    (app / "index.py").write_text("v = 1\n")
    one = package_code(app)
    assert package_code(app) == one and Path(one.path).is_file()
    (app / "index.py").write_text("v = 2\n")  # same size, maybe the same mtime tick: still noticed
    two = package_code(app)
    assert two.digest != one.digest and two.path != one.path
    assert Path(two.path).read_bytes() == zip_folder(app)


def test_zip_is_used_as_is_and_bad_paths_are_refused(tmp_path: Path) -> None:
    zipped = tmp_path / "code.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("index.py", "x = 1\n")
    assert package_code(zipped).path == str(zipped.resolve())
    (tmp_path / "notzip.zip").write_text("hello")
    with pytest.raises(InvalidArgumentError, match="not a zip"):
        package_code(tmp_path / "notzip.zip")
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        package_code(tmp_path / "missing")
