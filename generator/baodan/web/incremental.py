"""What `baodan serve` keeps between its rebuilds, so that after one record changed a rebuild
renders and writes only the pages that changed.

Each rebuild still loads the firm (records are cached, see records.RecordCache) and runs
every builder, but builders may reuse a page made from equal inputs (``SiteContext.reuse``);
a generated file equal to the one the previous build wrote is an ``UnchangedFile``, which
MkDocs' dirty build skips. Material's search plugin then indexes only the pages that were
built, so the index is completed here from the entries of the pages that were not.
"""

from __future__ import annotations

import gc
import os
from dataclasses import fields

from mkdocs.structure.files import File
from pydantic import BaseModel

from baodan.web.context import GeneratedPage


class UnchangedFile(File):
    """A generated file whose content the previous build has written already."""

    def is_modified(self) -> bool:
        return False


class ServeState:
    def __init__(self) -> None:
        self.setup: object = None  # what every page's template reads: settings, nav, config
        self.pages: dict[str, GeneratedPage] = {}  # the previous build's, by source path
        self.written: dict[str, str] = {}  # source path → output file of the previous build
        self.renders: dict = {}  # SiteContext.reuse's pages from earlier rebuilds
        self.shared: object = None  # what all reused renders read (today, insurers, staff …)
        self.search: dict[str, list[dict]] = {}  # search entries by page URL
        self.segmented: dict[str, str] = {}  # client pages' search texts, as indexed
        self.built: set[str] = set()  # URLs of the pages this build rendered
        self.env = None  # the Jinja environment, with its compiled templates
        # per-client results kept by what they are (web/incremental.ClientMemo)
        self.per_client: dict[str, ClientMemo] = {
            name: ClientMemo() for name in ("checks", "renewals", "risk", "staff_feeds")
        }
        self.builds = 0

    def settle(self) -> None:
        """Call after loading the firm. At the first rebuild, what lives on from build to build
        (the cached records, renders, templates) is moved out of the cyclic garbage
        collector's sight: otherwise each rebuild walks those millions of objects once or
        twice (about a second). Done when the first build's pages are garbage, collected
        first, so no cycle of them stays behind."""
        self.builds += 1
        if self.builds == 2:
            gc.collect()
            gc.freeze()

    def close(self) -> None:
        if self.builds >= 2:
            gc.unfreeze()

    def renders_for(self, shared: object) -> dict:
        """The reusable renders, forgotten when what they all read has changed."""
        if shared != self.shared:
            self.renders.clear()
            self.shared = shared
        return self.renders

    def unchanged(self, setup: object, pages: list[GeneratedPage]) -> set[str]:
        """The pages equal to what the previous build wrote; all of them are new when the
        setup changed. Call once per build, before its files are made."""
        same_setup = setup == self.setup
        self.setup = setup
        previous, self.pages = self.pages, {p.uri: p for p in pages}
        self.renders = {uri: v for uri, v in self.renders.items() if uri in self.pages}
        self.built = set()
        if not same_setup:
            return set()
        return {p.uri for p in pages if previous.get(p.uri) == p}

    def record(self, files) -> list[str]:
        """Note where this build writes its generated files; the output files of pages the
        previous build had and this one has not (to delete, a dirty build keeps them)."""
        written = {uri: files.src_uris[uri].abs_dest_path for uri in self.pages}  # posix uris
        stale = [path for uri, path in self.written.items() if uri not in written]
        self.written = written
        return stale

    def complete_search(self, docs: list[dict], urls: list[str]) -> list[dict]:
        """The whole site's search entries, in page order: this build's for the pages it
        built, the earlier ones for the others."""
        fresh: dict[str, list[dict]] = {url: [] for url in self.built}
        for doc in docs:
            fresh.setdefault(doc["location"].partition("#")[0], []).append(doc)
        self.search.update(fresh)
        self.search = {url: self.search[url] for url in urls if url in self.search}
        return [doc for entries in self.search.values() for doc in entries]


class ClientMemo:
    """A result worked out for each client, kept between rebuilds: made again for a client
    whose records are not the very objects they were (RecordCache gives an unchanged file's
    record again, the same object) or whose ``also`` (what else the result reads about that
    client) differs, and for every client when ``shared`` (what all results read) changed.
    Records are compared by identity, other values by equality."""

    def __init__(self) -> None:
        self._shared: object = None
        self._results: dict[str, tuple] = {}  # client id → (key, records, also, result)

    def for_build(self, shared: object):
        """``get(cf, also, make)``: ``make()``, or the result made from the same inputs. Only
        the clients asked for in this build are kept (a client removed is forgotten)."""
        before = self._results if shared == self._shared else {}
        now: dict[str, tuple] = {}
        self._results, self._shared = now, shared

        def get(cf, also, make):
            records = tuple(r for f in fields(cf) for r in _listed(getattr(cf, f.name)))
            key = (tuple(map(id, records)), _identities(also))
            found = now.get(cf.client.id) or before.get(cf.client.id)
            if found is None or found[0] != key:
                # the records and ``also`` are kept so that their ids stay theirs
                found = (key, records, also, make())
            now[cf.client.id] = found
            return found[3]

        return get


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _identities(value):
    """``value`` with each record in it replaced by its id (in tuples and lists)."""
    if isinstance(value, BaseModel):
        return id(value)
    if isinstance(value, (tuple, list)):
        return tuple(map(_identities, value))
    return value


def remove(paths: list[str]) -> None:
    for path in paths:
        if os.path.isfile(path):
            os.remove(path)
