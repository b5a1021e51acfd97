"""Client pages written around the one-time page shell are the pages MkDocs would make of the
same content: same title, table of contents, headings, content, nav and scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from baodan.store.identity import IdentitySource
from baodan.web.plugin import request
from mkdocs.commands.build import build
from mkdocs.config import load_config

pytestmark = pytest.mark.slow  # builds a site or drives a browser


HOOK = Path(__file__).parent / "hooks" / "client_twin.py"


def test_client_page_is_the_page_mkdocs_makes_of_its_content(firm):
    (firm.root / "mkdocs.twin.yml").write_text(
        f"INHERIT: mkdocs.yml\nsite_dir: site-twin\nhooks:\n  - {HOOK}\n"
    )
    config = load_config(str(firm.root / "mkdocs.twin.yml"))
    request(config, IdentitySource([firm.identity], "test"), staff=True)
    build(config)
    site = firm.root / "site-twin"
    client_id = config.extra["bd_twin_of"].removeprefix("staff/clients/").removesuffix(".md")
    made = (site / "staff/clients" / client_id / "index.html").read_text("utf-8")
    twin = (site / "staff/clients/twin/index.html").read_text("utf-8")
    # Equal but for blank space between tags (which template branch printed it).
    assert _tags(made) == _tags(twin.replace("clients/twin/", f"clients/{client_id}/"))
    # What that page shows: its heading ids, permalinks and TOC entries.
    assert '<a class="headerlink" href="#_1" title="本节链接">&para;</a></h1>' in made
    assert re.search(r'<a href="#\w+" class="md-nav__link">\s*<span class="md-ellipsis">', made)
    assert "assets/javascripts/bundle." in made and "assets/baodan/staff.js" in made


def _tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()
