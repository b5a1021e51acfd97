"""Client portal pages: one page per client at p/<portal id>/, holding only ciphertext.

Each client's view is rendered once with one Jinja template, encrypted with the client's
access code (portal_crypto), and handed to the page's template context: the page's Markdown
is empty and its front matter is given as data, so no client's HTML goes through Markdown or
the search index.
The page itself (site_templates/overrides/portal.html) loads only the site's own portal.js.
"""

from __future__ import annotations

import hashlib
import json

from ..feeds import DEFAULT_DIR, subscribe_links
from ..portal_crypto import encrypt_portal
from .context import TEMPLATES, GeneratedPage, SiteContext
from .portal_view import has_portal, portal_view

ASSETS = ("portal.js", "portal.css")
# Every portal page's front matter. Nothing in it names the client: the title is the same on
# every portal, and the page stays out of the search index, the sitemap and search engines.
PORTAL_META = {
    "title": "我的保单",
    "template": "portal.html",
    "robots": "noindex,nofollow",
    "sitemap": False,
    "search": {"exclude": True},
}


def client_portals(ctx: SiteContext) -> list[GeneratedPage]:
    portal_dir = ctx.options.get("portal_dir", "p")
    calendar_dir = ctx.options.get("calendar_dir", DEFAULT_DIR)
    body = ctx.env.get_template("portal_body.html.j2")
    pages, assets = _assets()
    for cf in ctx.firm.clients.values():
        if not has_portal(cf, ctx.today):
            continue
        portal = cf.client.portal
        feed = cf.client.feed and subscribe_links(
            ctx.firm.settings, cf.client.feed.token, calendar_dir
        )
        view = portal_view(ctx.firm, cf, ctx.today, feed)
        html = body.render(view=view, settings=ctx.firm.settings)
        payload = encrypt_portal(portal.key, portal.id, html)
        pages.append(
            GeneratedPage(
                f"{portal_dir}/{portal.id}/index.md",
                "",
                meta=PORTAL_META,
                context={
                    "portal_assets": assets,
                    "portal_payload": json.dumps(payload, separators=(",", ":")),
                },
            )
        )
    return pages


def _assets() -> tuple[list[GeneratedPage], dict[str, str]]:
    """portal.js and portal.css as site files, with a content hash for their URLs so a
    browser never runs an old script against a newer page."""
    pages, urls = [], {}
    for name in ASSETS:
        data = (TEMPLATES / "assets" / name).read_bytes()
        uri = f"assets/baodan/{name}"
        pages.append(GeneratedPage(uri, data))
        urls[name.replace(".", "_")] = f"{uri}?v={hashlib.sha256(data).hexdigest()[:10]}"
    return pages, urls
