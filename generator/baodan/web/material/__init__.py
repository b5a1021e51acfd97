"""Everything baodan reads or patches inside MkDocs and Material for MkDocs, in one folder.

MkDocs 1.x is unmaintained and Material has announced its end of life, so what depends on
their internals (not on plugin events, ``File``/``Files``/``Page`` or the theme's templates)
is kept here, where a move to another engine starts:

- ``search_worker``: lunr's token-set keys mended in Material's built search worker;
- ``search_index``: Material's search plugin found, its previous index (``search_index_prev``)
  dropped for dirty rebuilds, its hashed main stylesheet found;
- ``page_render``: a page rendered with the theme outside MkDocs' loop (``_current_page``,
  ``get_context``), for the staff client page shell;
- ``live_reload``: the live-reload server's ``_watched_paths`` and observer, for file events;
- ``serve``: MkDocs' serve command, with each configuration it loads completed by the caller
  (``_serve_url`` and the live-reload server);
- ``nav_cache``: Material's nav sidebar rendered once per folder (its block copied into
  site_templates/overrides/main.html).

Each patch returns whether it applied where it runs (the plugin warns when one did not), and
``PATCHES`` asks the installed versions whether each still finds what it relies on
(tests/test_material.py fails when one does not).
"""

from __future__ import annotations

from collections.abc import Callable

from baodan.web.material.live_reload import installed_server_keeps_watched_paths
from baodan.web.material.page_render import installed_mkdocs_has_current_page
from baodan.web.material.search_index import installed_search_keeps_previous_index
from baodan.web.material.search_worker import installed_worker_mends

PATCHES: dict[str, Callable[[], bool]] = {
    "search worker: lunr token-set keys": installed_worker_mends,
    "search plugin: search_index_prev": installed_search_keeps_previous_index,
    "page rendering: config._current_page": installed_mkdocs_has_current_page,
    "live reload: _watched_paths": installed_server_keeps_watched_paths,
}
