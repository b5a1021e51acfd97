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

And its Chinese query: the worker cuts a typed run of Han characters into words of the index,
trying every piece but the whole run (``o < t.length``) and dropping a last piece of one
character (``a < t.length - 1``). 袁慧芳 typed became 袁慧* when 袁慧 is someone's name, so
the client whose family holds 袁慧芳 ranked below others; 保险 became 保*. Letting the pieces
reach the end of the run searches what was typed.
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
# In the query's segmentation: `for (o = s + 1; o < t.length; o++) if (t.slice(s, o) in index)`
# and `if (n[a] && a < t.length - 1) stack.push(a)`.
PIECES = re.compile(r"(for\(let (\w+)=(\w+)\+1;\2)<(\w+\.length;\2\+\+\)\w+\.slice\(\3,\2\)in )")
LAST = re.compile(r"(\w+\[(\w+)\]&&\2<\w+\.length)-1&&")


def _mend_query(text: str) -> str | None:
    """The worker with its query segmentation reaching the end of what was typed; None when
    it is not there to mend (already mended: the patterns no longer match, and None too)."""
    fixed, pieces = PIECES.subn(r"\1<=\4", text, count=1)
    fixed, last = LAST.subn(r"\1&&", fixed, count=1)
    return fixed if pieces and last else None


def mend_search_worker(site_dir: Path) -> bool:
    """Mend the built site's search worker in place. False when there is a worker this could
    not mend (Material's minified code changed: searches for numbers may find nothing)."""
    workers = list(site_dir.glob(WORKERS))
    for path in workers:
        text = path.read_text("utf-8")
        if MENDED.search(text):
            continue
        fixed = EDGE_KEY.sub(r'\1+" "}', text, count=1)
        if fixed == text or (fixed := _mend_query(fixed)) is None:
            return False
        path.write_text(fixed, "utf-8")
    return bool(workers)


def installed_worker_mends() -> bool:
    """Whether the installed Material's search worker is one this mends."""
    import material

    theme = Path(material.__file__).parent / "templates"
    return any(
        EDGE_KEY.search(text) and _mend_query(text)
        for text in (p.read_text("utf-8") for p in theme.glob(WORKERS))
    )
