"""The package as a firm installs it: the wheel carries the templates and data the build needs,
and its console script builds the demo firm with nothing from this checkout on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow  # builds a wheel and a site

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "generator", "site_templates")
DEMO = ("mkdocs.yml", "DEMO-IDENTITY.txt", "records")


def _copy(names, target):
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    target.mkdir()
    for name in names:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=skip)
        else:
            shutil.copy(source, target / name)


def archive_text(wheel, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name).decode("utf-8")


def test_the_wheel_installed_alone_builds_the_demo(tmp_path):
    source = tmp_path / "source"
    _copy(SOURCES, source)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", source],
        check=True,
    )
    [wheel] = (tmp_path / "dist").glob("baodan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert (
        "baodan/site_templates/assets/portal.js" in names and "baodan/data/taxonomy.yaml" in names
    )

    installed = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", installed, wheel],
        check=True,
    )
    demo = tmp_path / "demo"
    _copy(DEMO, demo)
    # Only the installed copy of baodan on the path (dependencies come from this environment).
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAODAN_IDENTITY")}
    env |= {"PYTHONPATH": str(installed), "BAODAN_TODAY": "2026-11-27"}
    where = subprocess.run(
        [sys.executable, "-c", "import baodan; print(baodan.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(installed))
    build = subprocess.run(
        [installed / "bin/baodan", "build", "-C", demo],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    assert (demo / "site/index.html").is_file() and list((demo / "site/p").glob("*/index.html"))
    assert "Traceback" not in build.stderr
