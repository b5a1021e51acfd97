"""Material's search worker mended, so that a search still finds a number in a big site.

The worker builds its index with lunr, whose TokenSet keys each node of the word automaton by
its edges written one after another, each a character and the id of the node it leads to
(``"0" + "1" + "23" + "4" + "5"``). When the characters are digits, two different nodes can
get the same key ({1 → node 23, 4 → node 5} and {1 → node 2, 3 → node 45} both write
``"012345"``); lunr then merges them, and a search for a word it thereby lost throws inside
the worker, so the box shows "no results". Registry, policy and ID numbers make a firm's
staff site full of such words: at 2,000 clients a search for "2026" or any registry number
found nothing. Ending each edge's id with a space (never part of a word: spaces separate
words) makes the keys tell nodes apart. Upstream lunr is no longer maintained.
"""

from __future__ import annotations

import re
from pathlib import Path

WORKERS = "assets/javascripts/workers/search.*.min.js"
# In the minified TokenSet.prototype.toString: `key = key + label + child.id` in the loop.
EDGE_KEY = re.compile(
    r"(TokenSet\.prototype\.toString=function\(\)\{[^}]*?(\w+)=\2\+(\w+)\+(\w+)\.id)\}"
)
# The same function once mended (a dirty rebuild keeps the worker it mended before).
MENDED = re.compile(r'TokenSet\.prototype\.toString=function\(\)\{[^}]*?\.id\+" "\}')


def mend_search_worker(site_dir: Path) -> bool:
    """Mend the built site's search worker in place. False when there is a worker this could
    not mend (Material's minified code changed: searches for numbers may find nothing)."""
    workers = list(site_dir.glob(WORKERS))
    for path in workers:
        text = path.read_text("utf-8")
        if MENDED.search(text):
            continue
        fixed = EDGE_KEY.sub(r'\1+" "}', text, count=1)
        if fixed == text:
            return False
        path.write_text(fixed, "utf-8")
    return bool(workers)


def installed_worker_mends() -> bool:
    """Whether the installed Material's search worker is one this mends."""
    import material

    theme = Path(material.__file__).parent / "templates"
    return any(EDGE_KEY.search(p.read_text("utf-8")) for p in theme.glob(WORKERS))
