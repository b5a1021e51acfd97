"""An index.html that lists nothing in every folder of a built site that has none.

A host with folder listing on would otherwise show, at feeds/ or p/, every client's feed token
and portal id: each a capability link. These pages are written after everything else (so they
fill only folders nothing else does) and outside MkDocs' files, so they are in no nav,
sitemap or search index.
"""

from __future__ import annotations

import os
from pathlib import Path

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="robots" content="noindex,nofollow">
<meta name="referrer" content="no-referrer">
<title>没有可浏览的内容</title>
</head>
<body>
<p>这里没有可浏览的内容。<a href="{home}">返回首页</a></p>
</body>
</html>
"""


def fill_empty_folders(site_dir: str) -> list[str]:
    """Write PAGE into every folder under ``site_dir`` without an index.html; the folders
    written to, relative to ``site_dir``."""
    filled = []
    for folder, _, files in os.walk(site_dir):
        if "index.html" in files:
            continue
        rel = os.path.relpath(folder, site_dir).replace(os.sep, "/")
        home = "../" * rel.count("/") + "../" if rel != "." else "./"
        Path(folder, "index.html").write_bytes(PAGE.format(home=home).encode("utf-8"))
        filled.append(rel)
    return filled
