"""Material's navigation sidebar, rendered once for all the pages outside the nav in a folder.

Material renders the whole nav tree into every page; on a staff site with 2,000 client pages
that is a fifth of the build. A page outside the nav has no active item, and its links into
the nav depend only on its folder, so every client page gets the same sidebar HTML.
overrides/main.html asks this cache (``bd_nav``) before it renders the sidebar.
"""

from __future__ import annotations


class NavCache:
    def __init__(self) -> None:
        self.html: dict[str, str] = {}

    def key(self, page) -> str | None:
        """The folder of a page outside the nav (what its sidebar depends on); None for a
        page in the nav, whose sidebar shows where it is."""
        if page is None or page.file is None or not page.file.inclusion.is_not_in_nav():
            return None
        return page.url.rstrip("/").rpartition("/")[0]

    def keep(self, key: str | None, html):
        if key is not None:
            self.html[key] = html
        return html
