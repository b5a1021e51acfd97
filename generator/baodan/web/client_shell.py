"""Staff client pages written around one Material page shell, outside MkDocs' page pipeline.

A firm's thousands of client pages sit at the same depth (staff/clients/<id>/) and out of
the nav, so Material's page around their content is the same bytes for all but the title,
the address, the table of contents and the content. So the theme's main.html is rendered
once, for a stand-in client page carrying marks (``ClientShell``), and each client page is
that shell with its own parts put in: no Python-Markdown, no per-page template, no search
plugin reading. The page's content is HTML from its template; ``headings`` gives its
headings the ids and permalinks Python-Markdown's toc extension would.

The pages stay in MkDocs' Files as ``ShellFile``s, which MkDocs neither builds nor copies,
so Markdown links to ``staff/clients/<id>.md`` on other pages resolve as before.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown.extensions.toc import slugify, unique
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import get_relative_url

from baodan.web.context import GeneratedPage, page_url
from baodan.web.material.page_render import render_page
from baodan.web.offload import write_files

FOLDER = "staff/clients"  # where the shell pages are: all at one depth
HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
TAG = re.compile(r"<[^>]+>")
# Marks in the stand-in page, each replaced by the client page's own part.
ID, TITLE, CONTENT, TOC = "bd-shell-id", "BD-SHELL-TITLE", "BD-SHELL-CONTENT<h1>", "BD-SHELL-TOC"
MARKS = re.compile("|".join(re.escape(m) for m in (ID, TITLE, CONTENT, TOC)))


@dataclass
class ShellPage(GeneratedPage):
    """A page written around the client page shell: ``content`` is its HTML, ``toc`` its
    second-level headings as (id, title), ``sections`` the search entries of parts of it
    as (anchor, title, text). A ``pending`` page is only named here: forked workers make
    and write it (web/offload.ClientPagesJob)."""

    toc: tuple[tuple[str, str], ...] = ()
    sections: tuple[tuple[str, str, str], ...] = ()
    pending: bool = False


def shell_page(
    uri: str,
    content: str,
    *,
    title: str,
    search: str | None,
    permalink: str,
    sections: tuple = (),
) -> ShellPage:
    """The page of HTML ``content``, its headings given ids and permalinks (``permalink``:
    the links' tooltip, the toc extension's ``permalink_title``)."""
    content, toc = headings(content, permalink)
    return ShellPage(uri, content, title=title, search=search, toc=toc, sections=sections)


def headings(content: str, permalink: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The HTML with each heading's id and permalink as the toc extension (permalink: true)
    makes them, and the (id, title) of its second-level headings."""
    used: set[str] = set()
    toc: list[tuple[str, str]] = []

    def anchor(m: re.Match) -> str:
        level, inner = m.group(1), m.group(2)
        title = TAG.sub("", inner).strip()
        slug = unique(slugify(html.unescape(title), "-"), used)
        if level == "2":
            toc.append((slug, title))
        link = f'<a class="headerlink" href="#{slug}" title="{html.escape(permalink)}">&para;</a>'
        return f'<h{level} id="{slug}">{inner}{link}</h{level}>'

    return HEADING.sub(anchor, content), tuple(toc)


class ShellFile(File):
    """A shell page in MkDocs' Files: links to it resolve, but MkDocs leaves it alone."""

    def is_documentation_page(self) -> bool:
        return False

    def copy_file(self, dirty: bool = False) -> None:
        pass  # written by ClientShell.write


def shell_file(config, uri: str) -> ShellFile:
    f = ShellFile.generated(config, uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
    f.url = page_url(uri, config.use_directory_urls)
    f.dest_uri = shell_dest(uri, config.use_directory_urls)
    return f


def shell_dest(uri: str, directory_urls: bool) -> str:
    """Where a shell page is written in the site folder: staff/clients/c-1/index.html."""
    url = page_url(uri, directory_urls)
    return url + "index.html" if url.endswith("/") else url


class ClientShell:
    """Material's page for a client page, rendered once: ``html(page)`` fills it in.
    ``finish(html, name, base_url)`` is what the plugin does to every page after rendering
    it (its Content-Security-Policy). It holds only text, so it pickles: the workers that
    make the client pages receive it (web/offload.ClientPagesJob.give)."""

    def __init__(self, config, nav, files, env, finish=lambda html, name, base_url: html):
        stand_in = Page(TITLE, shell_file(config, f"{FOLDER}/{ID}.md"), config)
        stand_in.meta = {"title": TITLE}
        stand_in.content = CONTENT
        items = [AnchorLink(f"{TOC}{k}", f"{TOC}{k}", 2) for k in (1, 2)]
        top = AnchorLink(TITLE, "_1", 1)
        top.children = items
        stand_in.toc = TableOfContents([top])
        item = env.get_template("partials/toc-item.html")
        first, second = (item.render(toc_item=i) for i in items)
        stand_in.active = True
        page = render_page(env, "main.html", nav, files, config, stand_in)
        # As the plugin does to every page (its CSP); base_url as MkDocs' get_context has it.
        page = finish(page, FOLDER, get_relative_url(".", stand_in.url))
        start = page.index(first)
        end = page.index(second, start) + len(second)
        self.toc_separator = page[start + len(first) : end - len(second)]
        self.toc_item = first.replace(f"{TOC}1", TOC)
        self.parts = MARKS.split(page[:start] + TOC + page[end:])
        self.slots = MARKS.findall(page[:start] + TOC + page[end:])
        self.directory_urls = config.use_directory_urls

    def html(self, page: ShellPage) -> str:
        client_id = page.uri.rsplit("/", 1)[-1].removesuffix(".md")
        toc = self.toc_separator.join(
            self.toc_item.replace(f"#{TOC}", f"#{slug}").replace(TOC, title)
            for slug, title in page.toc
        )
        title = html.escape(page.title)
        values = {ID: client_id, TITLE: title, CONTENT: page.content, TOC: toc}
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            out += (values[slot], part)
        return "".join(out)

    def write(self, pages: list[ShellPage], site_dir: str) -> None:
        """Write the pages into the site folder (as a generator: one page's HTML at a time)."""
        write_files(
            site_dir,
            (GeneratedPage(shell_dest(p.uri, self.directory_urls), self.html(p)) for p in pages),
        )
