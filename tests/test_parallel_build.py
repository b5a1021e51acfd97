"""Portals and feeds built by forked workers are exactly the files a one-process build makes."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from baodan.checks import load_firm
from baodan.core.today import today
from baodan.web import offload
from baodan.web.builders import builders_for
from baodan.web.context import TEMPLATES, GeneratedPage, SiteContext, make_env
from baodan.web.offload import ClientPagesJob, FileJob, write_files
from baodan.web.staff_pages import staff_book, staff_client_page
from mkdocs.exceptions import PluginError

from .helpers import run_cli

pytestmark = pytest.mark.slow  # builds a site or drives a browser


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_workers_write_the_same_files_as_one_process(firm, tmp_path, monkeypatch):
    monkeypatch.setattr(offload, "PART", 2)  # each worker's share in parts, written in turn
    loaded, errors = load_firm(firm.root, firm.vault(), today())
    assert not errors
    for staff in (False, True):
        trees = []
        for parallel in (False, True):
            ctx = SiteContext(
                loaded, date(2026, 11, 27), staff, make_env(TEMPLATES), feed_secret=b"test"
            )
            ctx.portal_shell = ("<html>", "</html>")
            out = tmp_path / f"{staff}-{parallel}"
            job = FileJob(ctx, builders_for(staff), str(out), parallel=parallel)
            job.start()
            written = job.finish()
            assert written == sorted(_tree(out))
            trees.append(_tree(out))
        serial, parallel_tree = trees
        assert parallel_tree == serial
        assert any(uri.endswith(".ics") for uri in serial)
        assert any(uri.startswith("p/") for uri in serial) != staff


@pytest.mark.parametrize("nice", [True, False])  # False: a system without os.nice
def test_workers_make_the_same_staff_client_pages_as_one_process(firm, tmp_path, monkeypatch, nice):
    monkeypatch.setattr(offload, "PART", 2)
    loaded, errors = load_firm(firm.root, firm.vault(), today())
    assert not errors
    if not nice:
        monkeypatch.delattr(os, "nice")
    trees = []
    for parallel in (False, True):
        ctx = SiteContext(loaded, date(2026, 11, 27), True, make_env(TEMPLATES))
        staff_book(ctx)  # shared work, done before the workers fork (as staff_clients does)
        out = tmp_path / f"clients-{parallel}"
        priority = os.getpriority(os.PRIO_PROCESS, 0)

        def write(pages, given, out=out, parallel=parallel, priority=priority):
            assert given == "the shell"  # handed over after the start
            # The workers yield to the main process, which every build waits for.
            lower = os.getpriority(os.PRIO_PROCESS, 0) > priority
            assert lower == (parallel and nice)
            write_files(str(out), [GeneratedPage(p.uri, p.content) for p in pages])

        job = ClientPagesJob(ctx, staff_client_page, write, parallel=parallel)
        job.start()
        job.give("the shell")
        assert job.finish() == len(loaded.clients)
        trees.append(_tree(out))
    serial, parallel_tree = trees
    assert sorted(serial) == sorted(f"staff/clients/{cid}.md" for cid in loaded.clients)
    # Equal pages, links included: each worker links over the whole firm, not its share.
    assert parallel_tree == serial


@pytest.mark.parametrize("parallel", [True, False])
def test_a_firm_without_clients_has_no_client_pages_to_wait_for(firm, parallel):
    """No client: the workers need no page shell (there is none), so the build goes on."""
    loaded, errors = load_firm(firm.root, firm.vault(), today())
    assert not errors
    ctx = SiteContext(replace(loaded, clients={}), date(2026, 11, 27), True, make_env(TEMPLATES))
    written = []
    job = ClientPagesJob(
        ctx, staff_client_page, lambda pages, given: written.append(1), parallel=parallel
    )
    job.start()
    assert job.finish() == 0 and written == []


def test_a_staff_build_failing_after_the_client_workers_started_stops_them(
    firm, capsys, monkeypatch
):
    """The client page workers start before the other staff pages are made (web/plugin.py),
    and wait for the page shell to write: a page that fails meanwhile stops them, the error
    is the user's message, and no client page is left anywhere."""
    from baodan.web import builders, offload

    def broken(ctx):
        raise PluginError("这一页生成失败")

    monkeypatch.setattr(builders, "STAFF_BUILDERS", [*builders.STAFF_BUILDERS, broken])
    forked = []
    fork_pool = offload._fork_pool
    monkeypatch.setattr(offload, "_fork_pool", lambda: forked.append(1) or fork_pool())
    code, _, err = run_cli(capsys, "build", "--staff-site", "-C", str(firm.root))
    assert code != 0 and "这一页生成失败" in err and "Traceback" not in err
    assert forked == [1]  # the client page workers had started
    assert multiprocessing.active_children() == []
    assert not [p.name for p in firm.root.iterdir() if p.name.startswith((".site", "site"))]
