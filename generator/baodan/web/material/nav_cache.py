"""Material's navigation sidebar, rendered once for all the pages outside the nav in a folder.

Material renders the whole nav tree into every page. A page outside the nav has no active
item, and its links into the nav depend only on its folder, so such pages in one folder get
the same sidebar HTML. overrides/main.html asks this cache (``bd_nav``) before it renders the
sidebar. (Staff client pages go further: their whole page around the content is rendered
once, web/client_shell.py.)
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
