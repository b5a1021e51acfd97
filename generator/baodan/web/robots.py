"""robots.txt: crawlers keep out of client portals and calendar feeds, and find the sitemap."""

from __future__ import annotations

from urllib.parse import urlsplit

from baodan.web.context import GeneratedPage, SiteContext


def robots_txt(ctx: SiteContext) -> list[GeneratedPage]:
    site_url = ctx.firm.settings.site_url
    # A site published under a path (https://host/firm/) still has its robots.txt read at the
    # host's root; the rules name the full path either way.
    prefix = urlsplit(str(site_url)).path.rstrip("/") if site_url else ""
    lines = [
        "# Client portals (p/) and calendar feeds (feeds/) are private links: not for indexing.",
        "User-agent: *",
        f"Disallow: {prefix}/{ctx.options.get('portal_dir', 'p')}/",
        f"Disallow: {prefix}/{ctx.options.get('calendar_dir', 'feeds')}/",
    ]
    if site_url:
        lines += ["", f"Sitemap: {str(site_url).rstrip('/')}/sitemap.xml"]
    return [GeneratedPage("robots.txt", "\n".join(lines) + "\n")]
