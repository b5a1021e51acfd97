"""The Content-Security-Policy every page carries, as a <meta http-equiv> tag.

Scripts run only from the site's own files, plus the few inline scripts Material writes into
its pages, allowed by their SHA-256 hashes. Those are computed at build time from Material's
own script templates (``partials/javascripts/``), rendered for the page's depth (the scripts
name the site's base address), never read from the page: a script that a value smuggled into a
page past the escaping would otherwise be hashed and allowed along with them. So an inline
script or event handler (onerror=…) that got into a page by any route does not run. Nothing
loads from another origin; no <base>, no form submission, no plugins. A portal page allows
less: no inline script at all, and requests only for its documents' ciphertext.

What a <meta> tag can't carry (frame-ancestors, X-Frame-Options, Referrer-Policy, nosniff), a
host adds as response headers: docs/deploy.md.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

CHARSET = '<meta charset="utf-8">'
THEME_SCRIPTS = "partials/javascripts/"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
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
# connect-src: a portal fetches its own documents' ciphertext (documents.js), nothing else.
PORTAL = {**COMMON, "connect-src": "'self'"}


def theme_scripts(env, config, base_url: str) -> tuple[str, ...]:
    """The inline scripts Material may write into a page whose base address is ``base_url``:
    those of its script templates, rendered for that address."""
    # Not env.list_templates(): that walks Material's thousands of icons.
    names = {f"{THEME_SCRIPTS}{p.name}" for d in config.theme.dirs for p in _scripts_in(d)}
    values = {
        "config": config,
        "base_url": base_url,
        "features": config.theme.get("features") or [],
    }
    html = "".join(env.get_template(name).render(**values) for name in sorted(names))
    return tuple(m.group(1) for m in _INLINE_SCRIPT.finditer(html))


def policy(scripts: tuple[str, ...] = (), *, portal: bool = False) -> str:
    """The policy of a page that may run ``scripts`` inline (by their hashes)."""
    directives = {
        "default-src": "'none'",
        "script-src": " ".join(["'self'", *dict.fromkeys(map(_hash, scripts))]),
        **(PORTAL if portal else SITE),
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def with_policy(page: str, policy_text: str) -> str:
    """The page with ``policy_text`` as the first tag after <meta charset>, before any script."""
    at = page.find(CHARSET)
    if at < 0:
        raise ValueError("page without <meta charset>: no place for its Content-Security-Policy")
    at += len(CHARSET)
    tag = f'\n<meta http-equiv="Content-Security-Policy" content="{policy_text}">'
    return page[:at] + tag + page[at:]


def _scripts_in(folder: str) -> list[Path]:
    return list(Path(folder, THEME_SCRIPTS).glob("*.html"))


@lru_cache(maxsize=64)
def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
