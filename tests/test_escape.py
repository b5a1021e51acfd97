"""Escaping for where a value lands (web/escape.py), and where links may point (core/links.py):
a value goes through Markdown and comes out as the same text, never as markup."""

from __future__ import annotations

import base64
import hashlib
import html
from html.parser import HTMLParser

import markdown
import pytest
import yaml
from baodan.checks.lectures import EXTENSIONS as LECTURE_EXTENSIONS
from baodan.core.links import is_local_source, is_safe_link
from baodan.models.firm import Brand
from baodan.web.csp import policy, with_policy
from baodan.web.escape import code, front_matter, link, md_text
from pydantic import ValidationError

from .hostile import PAYLOAD

# The site's Markdown (mkdocs.yml): the lecture check's extensions, emoji included.
EXTENSIONS = [*LECTURE_EXTENSIONS, "pymdownx.emoji"]
VALUES = [
    PAYLOAD,
    "[a](javascript:alert(1))",
    "![i](https://evil.example/x.png)",
    "<https://evil.example>",
    "{: onclick=alert(1) }",
    "a | b | c",
    "`code` *em* **strong** _em_ __strong__ ~~del~~ ==mark== ^^ins^^",
    "- item",
    "1. item",
    "# heading",
    "> quote",
    "!!! danger",
    "??? note",
    "---",
    "+ item",
    ": definition",
    ":smile: :material-bomb:",
    "&lt; &amp; &#106;avascript",
    "\\*not em\\*",
    "lost_policy 9:00–17:30 -20 12.5 50%",
    "{{ 7*7 }} {% if x %}",
    "</textarea></title></script>",
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _render(source: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(markdown.markdown(source, extensions=EXTENSIONS))
    return "".join(parser.text).strip(), parser.tags


@pytest.mark.parametrize("value", VALUES)
def test_a_value_in_markdown_reads_as_itself_and_makes_no_markup(value):
    shown = md_text(value)
    assert _render(f"{shown}") == (value, ["p"])  # a paragraph of its own
    assert _render(f"- {shown}") == (value, ["ul", "li"])  # a list item
    assert _render(f"## {shown}") == (value, ["h2"])  # a heading
    assert _render(f"a **{shown}** b")[1] == ["p", "strong"]
    text, tags = _render(f"| h |\n| --- |\n| {shown} |")  # a table cell
    assert text.split("\n")[-1].strip() == value
    assert tags.count("td") == 1
    assert _render(f'<p title="{shown}">x</p>') == ("x", ["p"])  # an attribute


def test_a_value_on_several_lines_stays_in_its_table_cell():
    shown = md_text("one\n| two |")
    text, tags = _render(f"| h |\n| --- |\n| {shown} |")
    assert tags.count("td") == 1 and tags.count("br") == 1
    assert text.endswith("one| two |")


def test_code_shows_the_value_as_written():
    assert _render(f"{code('lost_policy `x` <b>')}") == ("lost_policy `x` <b>", ["p", "code"])


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
    ],
)
def test_a_link_never_runs_or_renders_its_address(url):
    assert not is_safe_link(url)
    assert link(url) == "#"
    assert _render(f"[x]({link(url)})")[0] == "x"


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a?b=1&c=2", "http://x.cn", "mailto:a@b.cn", "tel:95518", "../a.md#b"],
)
def test_web_mail_phone_and_relative_links_stay(url):
    assert is_safe_link(url)
    assert html.unescape(link(url)) == url


def test_a_link_target_cannot_end_the_link_or_a_table_column():
    target = link('https://example.com/a b)(c|d"e')
    assert not set(' )(|"') & set(target)
    page = markdown.markdown(f"| h |\n| --- |\n| [x]({target}) |", extensions=EXTENSIONS)
    assert page.count("<td>") == 1 and 'href="https://example.com/a%20b%29%28c%7Cd%22e"' in page
    # A character reference in a value stays text: it can't become a scheme's colon.
    page = markdown.markdown(f"[x]({link('javascript&#58;alert(1)')})")
    href = page.split('href="')[1].split('"')[0]
    assert html.unescape(href) == "javascript&#58;alert%281%29"  # what the browser reads


def test_front_matter_titles_are_escaped_html_material_can_write_as_is():
    assert yaml.safe_load(f"title: {front_matter(PAYLOAD)}") == {"title": html.escape(PAYLOAD)}


def test_images_only_from_the_site_itself():
    assert is_local_source("assets/logo.svg") and is_local_source("../img/a.png")
    for url in ("https://evil.example/x.png", "//evil.example/x.png", "/\\evil.example", "data:,"):
        assert not is_local_source(url)


def test_a_logo_from_another_host_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="徽标图片要放在本站"):
        Brand(logo="https://evil.example/logo.png")


def test_the_policy_allows_the_given_inline_scripts_by_hash_and_nothing_else():
    found = policy(("var a=1",))
    digest = base64.b64encode(hashlib.sha256(b"var a=1").digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in found
    for directive in ("default-src 'none'", "base-uri 'none'", "form-action 'none'"):
        assert directive in found
    assert "connect-src 'self'" in policy(portal=True)  # its documents' ciphertext
    assert "'unsafe-inline'" not in policy(portal=True)
    page = '<html><head><meta charset="utf-8"><script>var a=1</script></head></html>'
    made = with_policy(page, found)
    assert made.index("Content-Security-Policy") < made.index("<script")
