"""What a phone downloads to open a client's portal: the page and the files it links to (its
stylesheets, scripts, icon), raw and gzipped as a host would send them. The QR script loads
only when a computer opens the calendar section, so it is not counted."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urljoin

PORTAL_DIR = "p"
_LINKED = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src)="([^"#?]+)[^"]*"')


def portal_weight(site: Path) -> dict[str, int]:
    """{"files", "bytes", "gzipped"} of the first portal of a built site."""
    page = min((site / PORTAL_DIR).glob("*/index.html"))
    base = page.relative_to(site).as_posix()
    html = page.read_text("utf-8")
    paths = {base} | {urljoin(base, href) for href in _LINKED.findall(html)}
    bodies = [(site / path).read_bytes() for path in sorted(paths) if (site / path).is_file()]
    return {
        "files": len(bodies),
        "bytes": sum(map(len, bodies)),
        "gzipped": sum(len(gzip.compress(body)) for body in bodies),
    }
