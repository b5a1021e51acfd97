"""The Content-Security-Policy every page carries, as a <meta http-equiv> tag.

Scripts run only from the site's own files, plus the few inline scripts Material writes into
each page, allowed by their SHA-256 hashes computed from the page as built (they differ with
the page's depth). So an inline script or event handler (onerror=…) that got into a page by
any route does not run. Nothing loads from another origin; no <base>, no form submission, no
plugins. A portal page allows less: no inline script at all, and no requests (it has no search).

What a <meta> tag can't carry (frame-ancestors, X-Frame-Options, Referrer-Policy, nosniff), a
host adds as response headers: docs/deploy.md.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

CHARSET = '<meta charset="utf-8">'
_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script>", re.S | re.I)
_NOT_RUN_INLINE = re.compile(  # an external script, or data (type="application/json")
    r"\ssrc\s*=|\stype\s*=\s*[\"']?(?!text/javascript|module)", re.I
)
COMMON = {
    "style-src": "'self'",
    "img-src": "'self' data:",  # data: for the icons in Material's stylesheet
    "font-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "object-src": "'none'",
}
SITE = {
    **COMMON,
    "connect-src": "'self'",  # search: the index
    "worker-src": "'self'",  # search: the worker
    # Markdown's tables align columns with style attributes; styles run no code.
    "style-src-attr": "'unsafe-inline'",
}
PORTAL = {**COMMON, "connect-src": "'none'"}


def policy(page: str, *, portal: bool = False) -> str:
    """The policy for ``page`` (its HTML): its inline scripts allowed by hash."""
    hashes = [
        _hash(m.group(2))
        for m in _SCRIPT.finditer(page)
        if not _NOT_RUN_INLINE.search(m.group(1) or "")
    ]
    directives = {
        "default-src": "'none'",
        "script-src": " ".join(["'self'", *dict.fromkeys(hashes)]),
        **(PORTAL if portal else SITE),
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def with_policy(page: str, *, portal: bool = False) -> str:
    """The page with its policy as the first tag after <meta charset>, before any script."""
    at = page.find(CHARSET)
    if at < 0:
        raise ValueError("page without <meta charset>: no place for its Content-Security-Policy")
    at += len(CHARSET)
    tag = f'\n<meta http-equiv="Content-Security-Policy" content="{policy(page, portal=portal)}">'
    return page[:at] + tag + page[at:]


@lru_cache(maxsize=64)
def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
