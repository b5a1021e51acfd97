"""MkDocs hook for tests/test_client_shell.py: adds a twin of the first client's page as an
ordinary Markdown page (staff/clients/twin.md), which MkDocs renders the usual way."""

import re

from baodan.web.client_shell import ShellPage
from baodan.web.staff_pages import staff_client_page
from mkdocs.structure.files import File, InclusionLevel

HEADING = re.compile(r'<h([1-6]) id="[^"]*">(.*?)<a class="headerlink"[^>]*>&para;</a></h\1>')


def on_files(files, config):
    plugin = config.plugins["baodan"]
    first = next(p for p in plugin.pages if isinstance(p, ShellPage))
    client_id = first.uri.removeprefix("staff/clients/").removesuffix(".md")
    page = staff_client_page(plugin.ctx, plugin.firm.clients[client_id])
    body = HEADING.sub(lambda m: f"\n\n{'#' * int(m[1])} {m[2]}\n\n", page.content)
    markdown = f"---\ntitle: {page.title}\n---\n\n{body}"
    twin = File.generated(
        config, "staff/clients/twin.md", content=markdown, inclusion=InclusionLevel.NOT_IN_NAV
    )
    files.append(twin)
    config.extra["bd_twin_of"] = page.uri
    return files
