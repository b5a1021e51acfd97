"""Client portal pages: one page per client at p/<portal id>/, holding only ciphertext.

Each client's view is rendered with one Jinja template, encrypted with the client's access
code (portal_crypto) and put into the portal page (site_templates/overrides/portal.html,
which loads only the site's own portal.js). Portal pages are files MkDocs only copies, not
MkDocs pages: so they are in no nav, search index or sitemap, and they are built on other
cores while MkDocs renders the pages (web/offload.py).
"""

from __future__ import annotations

import hashlib
import json

from baodan.domain.cover import cover_map
from baodan.domain.renewals import renewal_rules
from baodan.domain.requests import REQUEST_KINDS
from baodan.domain.risk import assess
from baodan.store.portal_crypto import encrypt_portal
from baodan.web.context import TEMPLATES, GeneratedPage, SiteContext, tel
from baodan.web.csp import policy, with_policy
from baodan.web.feeds import DEFAULT_DIR, subscribe_links
from baodan.web.portal_documents import portal_documents
from baodan.web.portal_requests import HOW_IT_GOES, requests_view
from baodan.web.portal_view import has_portal, portal_view

ASSETS = (
    "portal.js",
    "portal.css",
    "qrcode.js",
    "portal_actions.js",
    "documents.js",
    "calendar.js",
    "calendar.css",
)
# Nothing on a portal page outside its ciphertext names the client: the title is the same on
# every portal, and search engines are asked to keep out.
PORTAL_META = {"title": "我的保单", "robots": "noindex,nofollow"}
PAYLOAD_MARK = "\x00payload\x00"
# The client's view (site_templates/pages) and the templates it includes.
PORTAL_TEMPLATES = ("portal_body.html.j2", "_cover_map.html.j2", "_portal_requests.html.j2")


def portal_assets(ctx: SiteContext) -> list[GeneratedPage]:
    """The scripts and stylesheets of portal pages and calendar pages."""
    return [GeneratedPage(f"assets/baodan/{name}", _asset(name)) for name in ASSETS]


def portal_shell(config, env, settings, material_css: str) -> tuple[str, str]:
    """The portal page before and after its ciphertext. Every portal sits at the same depth
    (p/<id>/), so the page around the ciphertext is the same bytes for all: it is rendered
    once with the theme's templates (``env``), not once per client by MkDocs. Its Content-Security-Policy
    (web/csp.py) allows no inline script: the decrypted content can never run code."""
    portal_dir = config.plugins["baodan"].config.portal_dir
    html = env.get_template("portal.html").render(
        config=config,
        page=None,
        base_url="/".join([".."] * (portal_dir.count("/") + 2)),
        meta=PORTAL_META,
        material_css=material_css,
        firm_settings=settings,
        firm_tel=tel(settings.contact.phone),
        portal_assets={
            name.replace(".", "_"): f"assets/baodan/{name}"
            f"?v={hashlib.sha256(_asset(name)).hexdigest()[:10]}"
            for name in ASSETS
        },
        portal_payload=PAYLOAD_MARK,
        request_kinds=REQUEST_KINDS,
        request_sentence=HOW_IT_GOES,
    )
    html = with_policy(html, policy(portal=True))
    before, _, after = html.partition(PAYLOAD_MARK)
    return before, after


def _asset(name: str) -> bytes:
    return (TEMPLATES / "assets" / name).read_bytes()


def payload_json(payload: dict) -> bytes:
    """``json.dumps(payload, separators=(",", ":"))`` as ASCII bytes, its ciphertext ("c",
    last) not scanned for characters to escape: base64 has none (a test holds the two equal)."""
    head = json.dumps({k: v for k, v in payload.items() if k != "c"}, separators=(",", ":"))
    return f'{head[:-1]},"c":"{payload["c"]}"}}'.encode("ascii")


def client_portals(ctx: SiteContext) -> list[GeneratedPage]:
    """Each client's portal page at p/<portal id>/index.html: the shell around the client's
    view, rendered once with one Jinja template and encrypted with their access code."""
    portal_dir = ctx.options.get("portal_dir", "p")
    calendar_dir = ctx.options.get("calendar_dir", DEFAULT_DIR)
    body = ctx.env.get_template(PORTAL_TEMPLATES[0])
    # As bytes: the page is written as bytes, and a page put together as text would be
    # copied twice (the shell's Chinese makes the whole page two bytes a character).
    before, after = (part.encode("utf-8") for part in ctx.portal_shell)
    pages = []
    risk = ctx.memo("risk", lambda: assess(ctx.firm, ctx.today))  # the cover maps' gaps
    soon = max(ctx.firm.settings.reminders.renewal_days, default=90)
    renewable = renewal_rules(ctx.firm.rules)
    for cf in ctx.firm.clients.values():
        if not has_portal(cf, ctx.today):
            continue
        portal = cf.client.portal
        feed = cf.client.feed and subscribe_links(
            ctx.firm.settings, cf.client.feed.token, calendar_dir
        )
        view = portal_view(ctx.firm, cf, ctx.today, feed)
        view.extra["requests"] = requests_view(cf, view.manager, renewable)
        if cf.client.kind == "person":
            view.extra["cover"] = cover_map(cf, risk, ctx.today, soon)
        view.documents, files = portal_documents(ctx, cf, portal, portal_dir)
        html = body.render(view=view, settings=ctx.firm.settings)
        payload = payload_json(encrypt_portal(portal.key, portal.id, html))
        pages.append(
            GeneratedPage(f"{portal_dir}/{portal.id}/index.html", before + payload + after)
        )
        pages += files
    return pages
