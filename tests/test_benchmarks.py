"""The benchmark scripts run end to end at a tiny size (timings are never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

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
