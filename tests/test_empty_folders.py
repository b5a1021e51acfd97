"""A host that lists folders finds nothing to list: every folder of the public site has an
index.html, and those baodan adds name no portal or feed."""

from __future__ import annotations

import urllib.request

import pytest

from .helpers import serve_folder

pytestmark = pytest.mark.slow  # builds a site


EMPTY = "这里没有可浏览的内容"


def _secrets(firm) -> list[str]:
    found = []
    for cf in firm.clients.values():
        if cf.client.portal:
            found += [cf.client.portal.id, cf.client.portal.key]
        if cf.client.feed:
            found.append(cf.client.feed.token)
    return found


def test_every_folder_of_the_public_site_has_an_index_that_lists_nothing(public_site):
    site = public_site.site
    folders = [site, *(p for p in site.rglob("*") if p.is_dir())]
    assert [f for f in folders if not (f / "index.html").is_file()] == []
    added = {
        f.relative_to(site).as_posix(): (f / "index.html").read_text("utf-8")
        for f in folders
        if EMPTY in (f / "index.html").read_text("utf-8")
    }
    assert {"feeds", "p", "search", "assets/baodan"} <= set(added)
    secrets = _secrets(public_site.firm)
    assert len(secrets) > 10
    for folder, page in added.items():
        assert [s for s in secrets if s in page] == [], folder
        assert ".ics" not in page and 'name="robots" content="noindex,nofollow"' in page
    # They are no pages of the site: not in its sitemap or search index.
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    search = (site / "search/search_index.json").read_text("utf-8")
    for folder in added:
        assert f"/{folder}/" not in sitemap and f'"location":"{folder}/' not in search
    assert EMPTY not in search


def test_a_host_that_lists_folders_shows_no_feed_or_portal(public_site):
    # Python's file server lists a folder that has no index.html, as a host with listing on.
    secrets = _secrets(public_site.firm)
    with serve_folder(public_site.site) as server:
        for folder in ("feeds/", "p/", "assets/baodan/"):
            with urllib.request.urlopen(f"{server}/{folder}") as response:
                page = response.read().decode("utf-8")
            assert EMPTY in page, folder
            assert [s for s in secrets if s in page] == [], folder
