"""What page builders share: the loaded firm, the plugin settings, the templates, today."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.structure.files import InclusionLevel
from mkdocs.utils import get_relative_url

from baodan.models import Firm
from baodan.models.base import mask_id, mask_mobile, mask_policy_no, yuan
from baodan.models.taxonomy import taxonomy
from baodan.store.documents import DocumentReader
from baodan.store.history import History
from baodan.web import colours, escape, staff_html
from baodan.web.escape import md_text
from baodan.web.fragments import Fragments

# site_templates/ at the top of a checkout; inside the package when installed from a wheel.
TEMPLATES = next(
    folder
    for folder in (
        Path(__file__).resolve().parents[3] / "site_templates",
        Path(__file__).resolve().parents[1] / "site_templates",
    )
    if folder.is_dir()
)


@dataclass
class GeneratedPage:
    """A file the build adds: Markdown pages, and assets or feeds as bytes or text.

    ``nav`` is the nav path for pages that belong in the nav (("知识库", "2026") …);
    pages without it are kept out of the nav. ``fragments`` are HTML pieces the page's
    Markdown holds placeholders for (web/fragments.py), inserted after Markdown and search
    indexing. ``search`` is the one short search entry of a page the search
    plugin does not read (client pages, web/client_shell.py: found by name and numbers).
    """

    uri: str
    content: str | bytes
    nav: tuple[str, ...] | None = None
    title: str | None = None
    fragments: dict[str, str] | None = None
    search: str | None = None  # the page's whole search entry, instead of its indexed text

    @property
    def inclusion(self) -> InclusionLevel:
        return InclusionLevel.INCLUDED if self.nav is not None else InclusionLevel.NOT_IN_NAV


def cn_date(day: date | None) -> str:
    """2026年3月1日"""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_time(day: date) -> Markup:
    """A date in HTML as a reader and a machine read it: <time datetime="2026-03-01">2026年3月1日</time>"""
    return Markup(f'<time datetime="{day.isoformat()}">{cn_date(day)}</time>')


def cn_quarter(quarter: str) -> str:
    """2026Q3 → 2026年第3季度"""
    return f"{quarter[:4]}年第{quarter[-1]}季度"


def tel(number: str) -> str:
    """A phone number as a tel: link wants it: 0571-8888 6666 → 057188886666."""
    return re.sub(r"[^\d+]", "", str(number))


def phone_link(number, call: bool = False) -> Markup:
    """A phone number in HTML that a tap dials: <a class="bd-tel" href="tel:…">…</a>, styled
    as a call button with ``call`` (a filter, not a template macro: a portal has a dozen)."""
    css = "bd-call" if call else "bd-tel"
    return Markup(
        f'<a class="{css}" href="tel:{Markup.escape(tel(number))}">{Markup.escape(number)}</a>'
    )


def tel_link(number: str) -> Markup:
    """A phone number as a Markdown link a phone dials: [0571-8888 6666](tel:057188886666)."""
    return Markup(f"[{md_text(number)}](tel:{tel(number)})")


def percent(value) -> str:
    """A share without trailing zeros: 100 → 100%, 33.340 → 33.34%."""
    return f"{value.normalize():f}%"


def policy_anchor(registry_no: str) -> str:
    """The id of a policy's section on its client's staff page: BD-2026-7K3QX → bd-2026-7k3qx."""
    return registry_no.lower()


def make_env(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates / "pages")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Every value is escaped for where it lands: HTML or Markdown (web/escape.py).
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".md.j2")),
        finalize=escape.finalize,
    )
    env.filters.update(
        cn_date=cn_date,
        cn_quarter=cn_quarter,
        cn_time=cn_time,
        tel=tel,
        tel_link=tel_link,
        phone_link=phone_link,
        yuan=yuan,
        mask_id=mask_id,
        mask_mobile=mask_mobile,
        mask_policy_no=mask_policy_no,
        link=escape.link,
        fm=escape.front_matter,
        code=escape.code,
        anchor=escape.anchor,
        pct=percent,
        ink_on=colours.ink_on,
        text_colour=colours.text_colour,
    )
    env.globals["staff_html"] = staff_html  # _staff.html.j2's small pieces
    return env


@cache
def page_url(uri: str, directory_urls: bool) -> str:
    """The URL MkDocs gives a page: staff/clients/c-1.md → staff/clients/c-1/ (or .html)."""
    stem, _, name = uri.rpartition("/")
    folder = f"{stem}/" if stem else ""
    if name == "index.md":
        return folder if directory_urls else f"{folder}index.html"
    return f"{folder}{name[:-3]}/" if directory_urls else f"{folder}{name[:-3]}.html"


@lru_cache(maxsize=4096)
def relative_url(url: str, base: str) -> str:
    """MkDocs' get_relative_url, kept: a page links to the same few pages many times (a client
    page to its own policies' sections, to the registry's year pages)."""
    return get_relative_url(url, base)


@dataclass
class SiteContext:
    firm: Firm
    today: date
    staff: bool
    env: jinja2.Environment
    options: dict = field(default_factory=dict)
    history: History = field(default_factory=lambda: History({}))  # records' git history
    # The secret feed event UIDs are made with (web/feeds.event_uid): derived from the
    # record key (store/firm_secret.py) by the build; feeds refuse to be made without it.
    feed_secret: bytes | None = None
    directory_urls: bool = True  # MkDocs' use_directory_urls, for links written as HTML
    parallel: bool = False  # whether builders may fork workers (not in `baodan serve`)
    # The toc extension's heading-link tooltip, for headings made outside Markdown.
    permalink_title: str = "Permanent link"
    renders: dict | None = None  # `baodan serve`: pages of earlier rebuilds (see reuse)
    # `baodan serve`: per-client results of earlier rebuilds (web/incremental.ClientMemo)
    per_client: dict | None = None
    # The portal page around its ciphertext, (before, after): web/portal_pages.portal_shell.
    portal_shell: tuple[str, str] | None = None
    # Reads attached documents' bytes for the portal (store/documents.py); None: no portals.
    documents: DocumentReader | None = None
    _memo: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        tax = taxonomy(self.firm.rules)
        self.env.filters.update(category_name=tax.category_name)
        self.env.globals.update(
            subcategory_name=tax.subcategory_name,
            policy_href=self.policy_href,
            policy_anchor=policy_anchor,
            href=self.href,
            policy_url=self.policy_url,
        )

    def href(self, here: str, target: str) -> str:
        """A link in HTML (where MkDocs does not rewrite .md links) from the page ``here`` to
        the page ``target`` (both as source paths, target with an optional #anchor)."""
        uri, _, anchor = target.partition("#")
        url = relative_url(page_url(uri, self.directory_urls), page_url(here, self.directory_urls))
        return f"{url}#{anchor}" if anchor else url

    def policy_url(self, registry_no: str, here: str) -> str | None:
        """policy_href for HTML: the link from page ``here`` to the policy's section."""
        index = self.memo("policy_index", self.firm.policy_index)
        if registry_no not in index:
            return None
        client_id = index[registry_no][0].client.id
        return self.href(here, f"staff/clients/{client_id}.md#{policy_anchor(registry_no)}")

    def policy_href(self, registry_no: str, prefix: str = "") -> str | None:
        """The staff build's link to a policy: its section on its client's page. ``prefix`` is
        the path from the linking page to staff/ ("" on staff/index.md, "../" one folder
        down). None for a number the firm does not hold."""
        index = self.memo("policy_index", self.firm.policy_index)
        if registry_no not in index:
            return None
        client_id = index[registry_no][0].client.id
        return f"{prefix}clients/{client_id}.md#{policy_anchor(registry_no)}"

    def reuse(self, uri: str, inputs: object, make) -> GeneratedPage:
        """``make()``, unless an earlier rebuild of `baodan serve` made this page from equal
        ``inputs``: everything the page reads besides today, the settings, insurers, staff,
        partners and git history, which web/incremental.ServeState watches for all pages."""
        if self.renders is None:
            return make()
        found = self.renders.get(uri)
        if found is None or found[0] != inputs:
            found = self.renders[uri] = (inputs, make())
        return found[1]

    def client_share(self, share: int, shares: int) -> dict:
        """Every ``shares``-th client from the ``share``-th on: a worker's part of the
        per-client work (web/offload.py)."""
        return dict(list(self.firm.clients.items())[share::shares])

    def for_clients(self, share: int, shares: int) -> SiteContext:
        """This context narrowed to ``client_share``: for builders whose files each come from
        one client's records alone."""
        clients = self.client_share(share, shares)
        return replace(self, firm=replace(self.firm, clients=clients), _memo={})

    def memo(self, key: str, make):
        """Work several builders share (the renewal pipeline, risk, work queues), done once
        per build: ``ctx.memo("risk", lambda: assess(ctx.firm, ctx.today))``."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def render(self, template: str, **values) -> str:
        return self.env.get_template(template).render(
            firm=self.firm,
            settings=self.firm.settings,
            today=self.today,
            options=self.options,
            **values,
        )

    def page(
        self,
        uri: str,
        template: str,
        *,
        nav: tuple[str, ...] | None = None,
        title: str | None = None,
        **values,
    ) -> GeneratedPage:
        """The page ``uri`` from a template that may write big parts as HTML fragments
        (web/fragments.py, ``fragment(key, html)``); ``here`` (the page's path) is what
        their links are relative to."""
        fragments = Fragments()
        content = self.render(template, here=uri, fragment=fragments, **values)
        return GeneratedPage(uri, content, nav=nav, title=title, fragments=fragments.html or None)
