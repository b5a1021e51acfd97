"""The benchmark scripts run end to end at a tiny size (timings are never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from baodan.core.workdays import is_workday
from baodan.demo.tables import STAFF

from .conftest import REPO

pytestmark = pytest.mark.slow  # builds a site or drives a browser


def test_make_firm_writes_a_firm_that_passes_check(tmp_path):
    folder = tmp_path / "firm"
    subprocess.run(
        [sys.executable, REPO / "benchmarks/make_firm.py", folder, "--clients", "5"], check=True
    )
    made = json.loads((folder / "bench.json").read_text())
    assert made["size"]["clients"] == 5 and made["records"] > 5 and 0 < made["portals"] <= 5
    check = subprocess.run(
        [sys.executable, "-m", "baodan", "check", "-C", folder, "-i", made["identity_file"]],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "generator"), "BAODAN_TODAY": "2026-11-27"},
    )
    assert check.returncode == 0, check.stderr
    assert "检查通过：客户 5" in check.stdout


def _baodan(*args, identity) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator"), "BAODAN_TODAY": "2026-11-27"}
    return subprocess.run(
        [sys.executable, "-m", "baodan", *args, "-i", identity],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_make_firm_writes_years_of_history_and_a_shallow_clone_of_it_warns(tmp_path):
    folder = tmp_path / "firm"
    subprocess.run(
        [sys.executable, REPO / "benchmarks/make_firm.py", folder, "--clients", "5"]
        + ["--history", "400"],
        check=True,
    )
    made = json.loads((folder / "bench.json").read_text())
    assert made["history"] == 400

    def git(*args: str, cwd=folder) -> str:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True).stdout

    log = [line.split("|") for line in git("log", "--format=%an|%ad", "--date=short").split("\n")]
    log = [entry for entry in log if len(entry) == 2]
    assert len(log) == 400 and {author for author, _ in log} <= {s["name"] for s in STAFF}
    days = sorted(date.fromisoformat(day) for _, day in log)
    assert days[0] < date(2022, 1, 1) and date(2026, 6, 1) < days[-1] < date(2026, 11, 27)
    assert all(is_workday(day) for day in days)
    assert git("status", "--porcelain") == ""  # the last version of each file is on disk
    check = _baodan("check", "-C", folder, identity=made["identity_file"])
    assert check.returncode == 0, check.stderr

    clone = tmp_path / "clone"
    git("clone", "-q", "--depth", "1", folder.as_uri(), clone, cwd=tmp_path)
    build = _baodan("build", "-C", clone, identity=made["identity_file"])
    assert build.returncode == 0, build.stderr
    assert "已生成公开站" in build.stdout and "浅克隆" in build.stdout
    assert "git fetch --unshallow" in build.stdout and "fetch-depth: 0" in build.stdout


def test_run_times_every_task_and_writes_json(tmp_path):
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, REPO / "benchmarks/run.py", "--sizes", "5", "--repeat", "1"]
        + ["--check-records", "40", "--work", tmp_path / "work", "--out", out],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert result["main_size"] == 5 and set(result["sizes"]) == {"5"}
    for task in ("public", "baseline", "check", "staff", "serve"):
        assert result["main"][task]["wall"] > 0, task
    for task in ("public", "baseline", "check", "staff"):
        assert result["main"][task]["rss_mb"] > 0, task
    assert result["main"]["pages"]["portals"] == result["sizes"]["5"]["portals"]
    assert "| baodan check |" in run.stdout and "per added client" in run.stdout
    smaller = result["main"]["check_records"]
    assert 0 < smaller["records"] < result["sizes"]["5"]["records"] and smaller["wall"] > 0
    assert f"| baodan check ({smaller['records']:,} records) |" in run.stdout
    # the portal's weight on a phone: page, Material's and baodan's stylesheets, portal.js, icon
    weight = result["main"]["portal_weight"]
    assert weight["files"] >= 5 and 0 < weight["gzipped"] < weight["bytes"] < 250_000
    assert "A phone opening a portal downloads" in run.stdout
