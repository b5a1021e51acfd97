"""Build the files MkDocs only copies (client portals, feeds) on other cores, meanwhile.

Client portals and feeds are most of a public build's work, yet they are not pages: MkDocs
has nothing to do with them but copy them. So once MkDocs has cleaned the site folder
(``on_files``), the build forks workers that inherit the loaded firm (nothing decrypted is
written or pickled on the way in). Each builds its share of the clients and writes the
finished files straight into the site folder, while this process renders the pages;
``on_post_build`` waits for them. `mkdocs serve` keeps threads running, where forking is
unsafe, so there (and where a system cannot fork) the same builders run in this process:
the files are the same either way. The staff client pages (ClientPagesJob) start earlier,
before the other staff pages are made: their workers make the pages meanwhile and write them
once MkDocs' nav, which their page shell needs, is known (the folder is clean by then).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable

from baodan.store.decrypting import default_sigterm
from baodan.web.context import GeneratedPage, SiteContext
from baodan.web.feeds import CALENDAR_PAGE, client_feeds, staff_feeds
from baodan.web.portal_pages import PORTAL_TEMPLATES, client_portals

# Builders whose files MkDocs only copies. Those in PER_CLIENT make each client's files from
# that client's records alone, so workers can split the clients between them.
PER_CLIENT = (client_portals, client_feeds)
OFF_PAGE = (*PER_CLIENT, staff_feeds)
WORKERS = 2
# The templates each builder renders: compiled before the fork, once, instead of in each worker.
TEMPLATES = {client_portals: PORTAL_TEMPLATES, client_feeds: (CALENDAR_PAGE,)}
# How many clients' files a worker makes before writing them: holding a whole share's
# (portals are ~30 KB each) took a worker 140 MB past the firm at 2,000 clients.
PART = 200

_context: SiteContext | None = None  # what a forked worker builds from


def _fork_pool():
    """A pool of forked workers that inherit this process's ``_context``."""
    # The loaded firm lives until the build ends: keep the cycle collector off it, here
    # and in the workers, which would otherwise copy every page of memory it touches.
    gc.freeze()
    return multiprocessing.get_context("fork").Pool(WORKERS, initializer=default_sigterm)


def can_fork(parallel: bool) -> bool:
    return parallel and "fork" in multiprocessing.get_all_start_methods()


_client_job: tuple | None = None  # (make, write, given) of the ClientPagesJob a worker runs


# How much lower the client page workers' priority is than the build's main process: they
# start before it has made and rendered the other pages, which every build waits for, and
# have time to spare (3 is enough for it to keep a core of two to itself).
CLIENT_PAGES_NICENESS = 5


def _write_share(share: int) -> int:
    gc.disable()
    if hasattr(os, "nice"):  # POSIX (as is fork, which runs this)
        os.nice(CLIENT_PAGES_NICENESS)
    make, write, given = _client_job
    clients = list(_context.client_share(share, WORKERS).values())
    if clients:  # none: nothing to wait for (a firm without clients has no client page shell)
        shell = None
        for start in range(0, len(clients), PART):  # PART at a time: less memory held
            pages = [make(_context, cf) for cf in clients[start : start + PART]]
            if shell is None:  # the shell comes once, after the first part is made
                shell = given.get()
            write(pages, shell)
    return len(clients)


class _PoolJob:
    """A job run by forked workers when ``parallel`` and the system can fork, else in this
    process at ``finish``; ``cancel`` stops the workers."""

    def __init__(self, *, parallel: bool):
        self.parallel = can_fork(parallel)
        self._pool = None
        self._pending: list = []

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class ClientPagesJob(_PoolJob):
    """``write([make(ctx, cf) …], given)`` for every client of the firm, started with ``start``
    and awaited with ``finish``; ``given`` is what ``give`` hands over after the start (the
    client page shell, which needs MkDocs' nav: the pages are made meanwhile). With
    ``parallel``, forked workers each make and write a share of the clients, with the whole
    firm in view (links to other clients' policies). ``make`` and ``write`` reach the workers
    by inheritance, so they may be any callables; work ``make`` shares with other pages
    (``ctx.memo``) is best done before ``start``."""

    def __init__(self, ctx: SiteContext, make, write, *, parallel: bool):
        super().__init__(parallel=parallel)
        self.ctx, self.make, self.write = ctx, make, write
        self._given = None  # the workers' inbox (a queue: its thread sends what they wait for)
        self._value = None

    def start(self) -> None:
        if not self.parallel:
            return
        global _context, _client_job
        self._given = multiprocessing.get_context("fork").Queue()
        _context, _client_job = self.ctx, (self.make, self.write, self._given)
        self._pool = _fork_pool()
        self._pending = [self._pool.apply_async(_write_share, (k,)) for k in range(WORKERS)]
        _context = _client_job = None

    def give(self, value) -> None:
        """Hand ``value`` to ``write``: to each worker, or to this process's ``finish``."""
        self._value = value
        if self._pool is not None:
            for _ in range(WORKERS):
                self._given.put(value)

    def finish(self) -> int:
        """Wait for the pages (or make them here); how many were written."""
        if self._pool is None:
            clients = self.ctx.firm.clients.values()
            if clients:
                self.write([self.make(self.ctx, cf) for cf in clients], self._value)
            return len(clients)
        try:
            return sum(pending.get() for pending in self._pending)
        finally:
            self.cancel()

    def cancel(self) -> None:
        super().cancel()
        if self._given is not None:
            self._given.cancel_join_thread()  # what no worker took must not hold up the exit
            self._given.close()
            self._given = None


def _build(site_dir: str, names: tuple[str, ...], share: tuple[int, int] | None) -> list[str]:
    gc.disable()  # a short-lived worker: the cycle collector would only rescan the firm
    # Nor can its templates change: Jinja need not look at a file at each include.
    _context.env.auto_reload = False
    builders = {b.__name__: b for b in OFF_PAGE}
    if share is None:
        contexts = [_context]
    else:  # the share in parts of about PART clients (their union is the share)
        k, shares = share
        parts = max(1, len(_context.firm.clients) // (shares * PART))
        contexts = (_context.for_clients(k + shares * j, shares * parts) for j in range(parts))
    return [
        uri
        for ctx in contexts
        for uri in write_files(site_dir, [page for name in names for page in builders[name](ctx)])
    ]


def write_files(site_dir: str, pages: Iterable[GeneratedPage]) -> list[str]:
    """Write each page's content under ``site_dir``; the URIs written."""
    made: set[str] = set()
    written = []
    for page in pages:
        path = os.path.join(site_dir, page.uri)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        data = page.content.encode("utf-8") if isinstance(page.content, str) else page.content
        with open(path, "wb") as f:
            f.write(data)
        written.append(page.uri)
    return written


class FileJob(_PoolJob):
    """The off-page builders of one build, started with ``start`` and awaited with ``finish``."""

    def __init__(self, ctx: SiteContext, builders: list, site_dir: str, *, parallel: bool):
        super().__init__(parallel=parallel)
        self.ctx = ctx
        self.builders = [b for b in builders if b in OFF_PAGE]
        self.site_dir = site_dir

    def start(self) -> None:
        if not self.parallel or not self.builders:
            return
        global _context
        _context = self.ctx
        split = tuple(b.__name__ for b in self.builders if b in PER_CLIENT)
        whole = tuple(b.__name__ for b in self.builders if b not in PER_CLIENT)
        tasks = [(split, (k, WORKERS)) for k in range(WORKERS)] if split else []
        if whole:
            tasks.append((whole, None))
        for builder in self.builders:
            for name in TEMPLATES.get(builder, ()):
                self.ctx.env.get_template(name)
        self._pool = _fork_pool()
        self._pending = [self._pool.apply_async(_build, (self.site_dir, *t)) for t in tasks]
        _context = None  # the workers have their copy; this process needs no reference

    def finish(self) -> list[str]:
        """Wait for the files (or build them here); the URIs written, sorted."""
        if self._pool is None:
            pages = [page for b in self.builders for page in b(self.ctx)]
            return sorted(write_files(self.site_dir, pages))
        try:
            return sorted(uri for pending in self._pending for uri in pending.get())
        finally:
            self.cancel()
