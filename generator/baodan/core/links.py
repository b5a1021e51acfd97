"""Where a link or an image on a page may point: the rule the templates and the lecture check
share. Links go to web pages, e-mail, phones, calendars or the site itself; images come from the
site itself. Never ``javascript:``, ``data:`` or anything else a browser would run or render
from the address itself."""

from __future__ import annotations

import re

LINK_SCHEMES = ("http", "https", "mailto", "tel", "webcal")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# What a browser drops from an address before reading it (the WHATWG URL standard): tabs and
# newlines anywhere, control characters and spaces at either end.
_DROPPED = str.maketrans("", "", "\t\n\r")


def _as_browser_reads(url: str) -> str:
    return url.translate(_DROPPED).strip("".join(map(chr, range(0x21))))


def scheme(url: str) -> str | None:
    """The scheme a browser reads in ``url`` (lower case), or None for a relative address."""
    found = _SCHEME.match(_as_browser_reads(url))
    return found.group(1).lower() if found else None


def is_safe_link(url: str) -> bool:
    """Whether ``url`` may be a link's target: a web page, e-mail, phone, calendar or a
    relative address."""
    found = scheme(url)
    return found is None or found in LINK_SCHEMES


def is_local_source(url: str) -> bool:
    """Whether ``url`` may be an image's source: a relative address on this site, not another
    host (``//host/…``, which browsers also read from ``\\\\host`` and ``/\\host``)."""
    address = _as_browser_reads(url)
    return scheme(address) is None and not re.match(r"[/\\]{2}", address)
