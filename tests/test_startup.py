"""Commands staff run all day start at once: `baodan --help`, `show`, `edit` (until the
editor opens) and `find` (once its lookup cache is written) import neither the site builder nor
the record models, nor pydantic at all (the models' validators and typer's pydantic adapters
were most of a command's start-up). Modules are read from `python -X importtime`, never timed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO

BUILD_ONLY = ("mkdocs", "material", "jieba", "icalendar", "pyhanko", "segno", "jinja2")
# typer's help imports these for help in Markdown and pretty tracebacks (cli/help.py)
HELP_UNUSED = ("markdown_it", "pygments", "rich.markdown", "rich.traceback")
VALIDATION = ("baodan.checks", "baodan.models.policy", "baodan.models.client", "baodan.core.parse")


def imported(*args: str, cwd=REPO, **env: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "baodan", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "generator"), **env},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _client() -> str:
    return min(p.name for p in (REPO / "records/clients").iterdir())


@pytest.mark.parametrize(
    "args",
    [["--help"], ["show", "CLIENT"], ["edit", "CLIENT"]],
    ids=["help", "show", "edit"],
)
def test_everyday_commands_import_no_site_builder_and_no_record_model(args):
    args = [_client() if a == "CLIENT" else a for a in args]
    modules = imported(*args, EDITOR="true", BAODAN_TODAY="2026-11-27")  # edit: no change
    assert "baodan.cli.app" in modules  # the list is real
    loaded = {m for m in modules if m.split(".")[0] in BUILD_ONLY or m in VALIDATION}
    assert loaded == set()
    assert "pydantic" not in modules  # typer's pydantic adapters too (cli/startup.py)
    assert "click" not in modules  # typer has its own copy
    if args == ["--help"]:
        assert "typer.rich_utils" in modules
        assert not {m for m in modules if m.startswith(HELP_UNUSED)}


def test_find_with_its_lookup_cache_imports_no_record_model(firm):
    imported("find", "王", cwd=firm.root)  # the first run reads the records and writes the cache
    modules = imported("find", "王", cwd=firm.root)
    assert "baodan.services.finding" in modules  # the list is real
    assert "pydantic" not in modules  # so no record model either
    assert not {m for m in modules if m.split(".")[0] in BUILD_ONLY or m in VALIDATION}
