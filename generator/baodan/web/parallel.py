"""Run the page builders, the heaviest on the second core.

A build is CPU-bound and MkDocs uses one core. Client feeds are the costliest builder and
need nothing from the others, so on systems that can fork they run in a forked child while
this process runs the rest: the child inherits the loaded firm (nothing decrypted is written
or pickled on the way in) and sends back only the finished feed files. `mkdocs serve` keeps
threads running, where forking is unsafe, so it builds everything here.
"""

from __future__ import annotations

import multiprocessing

from ..feeds import client_feeds, staff_feeds
from .context import GeneratedPage, SiteContext

OFFLOAD = (client_feeds, staff_feeds)

_context: SiteContext | None = None  # what the forked child builds from


def _offloaded(names: tuple[str, ...]) -> dict[str, list[GeneratedPage]]:
    builders = {b.__name__: b for b in OFFLOAD}
    return {name: builders[name](_context) for name in names}


def run_builders(ctx: SiteContext, builders: list, *, parallel: bool = True) -> list[GeneratedPage]:
    """Every builder's pages, in the builders' order (so output is the same either way)."""
    global _context
    away = [b for b in builders if b in OFFLOAD]
    if not parallel or not away or "fork" not in multiprocessing.get_all_start_methods():
        return [page for builder in builders for page in builder(ctx)]
    _context = ctx
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            pending = pool.apply_async(_offloaded, (tuple(b.__name__ for b in away),))
            here = {b: b(ctx) for b in builders if b not in away}
            there = pending.get()
    finally:
        _context = None
    return [page for b in builders for page in (there[b.__name__] if b in away else here[b])]
