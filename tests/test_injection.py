"""Hostile records in a real browser: a firm whose every text field holds an injection payload
(tests/hostile.py) is built into both sites; every page of each, and the client's unlocked
portal, open in Chromium without the payload running, and show it as the text it is. The
Content-Security-Policy of every page lets the site work and stops an inline script that
escaping would have missed."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from baodan.checks import load_firm
from baodan.core.today import today
from baodan.demo import generator as demo
from baodan.models import Client
from baodan.services.sitebuild import build_site
from baodan.store.workspace import Workspace
from baodan.web import plugin
from baodan.web.context import make_env

from .conftest import FirmDir, build_public_site, make_firm
from .helpers import serve_folder
from .hostile import PAYLOAD, poison_firm

pytestmark = pytest.mark.slow  # builds sites and drives a browser
TINY = demo.FirmSize(clients=3, policies=8, claims=2, interactions=6, insurers=3)
SEGMENT = re.compile(r"⟦.*?⟧", re.S)
# Run in the page: what the payload would have made of the DOM, had it been markup.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) if (/^on/i.test(a.name)) found.push(`${el.tagName} ${a.name}`);
  }
  for (const a of document.querySelectorAll("a[href]")) {
    if (/^(javascript|data|vbscript):/i.test(a.protocol)) found.push(`link ${a.href}`);
  }
  for (const img of document.images) {
    if (new URL(img.src).origin !== location.origin || img.src.endsWith("/x")) found.push(`img ${img.src}`);
  }
  for (const s of document.scripts) if (s.text.trim() === "window.__x=1") found.push("script");
  // the portal's request forms (.bd-request) have their own text boxes; any other is a payload's
  for (const t of document.querySelectorAll("textarea")) if (!t.closest(".bd-request")) found.push("textarea");
  return found;
}"""


@dataclass
class Hostile:
    firm_dir: FirmDir
    client: Client
    lecture: str  # the hostile lecture's page
    public: Path
    staff: Path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Hostile:
    """The hostile firm, its public and its staff build (built once for the module)."""
    root = tmp_path_factory.mktemp("hostile") / "firm"
    firm_dir = make_firm(root, TINY)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", "2026-11-27")
        firm, errors = load_firm(root, firm_dir.vault(), today())
        assert errors == []
        target = max(
            (cf for cf in firm.clients.values() if cf.client.portal and not cf.client.left_on),
            key=lambda cf: (bool(cf.tasks), len(cf.claims), len(cf.policies)),
        )
        poison_firm(firm_dir, target.client.id)
        firm, errors = load_firm(root, firm_dir.vault(), today())
        assert errors == []  # every payload is a value the records accept
        client = firm.clients[target.client.id].client
        assert client.name == PAYLOAD
        public = build_public_site(firm_dir)
        build_site(Workspace.open(root, firm_dir.identity_file), staff=True)
    lecture = max((root / "records/lectures").glob("*.md")).stem
    return Hostile(firm_dir, client, f"kb/{lecture}/index.html", public, root / "site-staff")


@dataclass
class Visit:
    page: object
    requests: list[str]
    dialogs: list[str]
    console: list[str]


@pytest.fixture
def visit(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Visit(page, [], [], [])
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: seen.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.console.append(str(e)))
    yield seen
    context.close()


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith("p/")
    )


def _open_every_page(visit: Visit, site: Path) -> dict[str, str]:
    """Each page's visible text, after checking nothing of the payload ran or became markup."""
    texts = {}
    with serve_folder(site) as server:
        for path in _pages(site):
            visit.page.goto(f"{server}/{path}")
            assert visit.page.evaluate("window.__x") is None, path
            assert visit.page.evaluate(INJECTED) == [], path
            texts[path] = visit.page.inner_text("body")
        assert [u for u in visit.requests if not u.startswith(server + "/")] == []
    assert visit.dialogs == []
    assert visit.console == []  # no script error, no Content-Security-Policy violation
    return texts


def _mangled(texts: dict[str, str]) -> dict[str, list[str]]:
    """Pages showing a part of the payload other than the whole of it, as text."""
    return {
        path: bad
        for path, text in texts.items()
        if (bad := [s for s in SEGMENT.findall(text) if s != PAYLOAD])
    }


def test_public_site_shows_every_payload_as_text_and_runs_none(hostile, visit):
    texts = _open_every_page(visit, hostile.public)
    assert _mangled(texts) == {}
    for path in ("index.html", "contact/index.html", "insurers/index.html", "kb/index.html"):
        assert PAYLOAD in texts[path], path
    # Title, venue, speaker, audience and the attachment's name, each in full.
    assert texts[hostile.lecture].count(PAYLOAD) >= 5


def test_public_search_lists_a_hostile_title_as_text(hostile, visit):
    page = visit.page
    with serve_folder(hostile.public) as server:
        page.goto(f"{server}/")
        search = page.locator("input.md-search__input")
        search.click()
        page.wait_for_function(
            "() => document.querySelector('.md-search-result__meta').innerText.includes('键入')"
        )
        search.press_sequentially("onerror")
        search.press("End")
        page.wait_for_selector(".md-search-result__item")
        results = page.inner_text(".md-search-result__list")
        assert page.evaluate("window.__x") is None
        assert page.evaluate(INJECTED) == []
    assert "<script>window.__x=1</script>" in results.replace("\u200b", "")
    assert visit.console == [] and visit.dialogs == []


def test_lecture_page_title_is_the_hostile_title_as_text(hostile, visit):
    with serve_folder(hostile.public) as server:
        visit.page.goto(f"{server}/{hostile.lecture}")
        assert visit.page.title().startswith(PAYLOAD)
        # The attachment at "javascript:…" is a file of the site, not a script.
        attachment = visit.page.locator("article a", has_text="⟦").last
        assert attachment.evaluate("a => a.href").startswith(server + "/")
    assert visit.console == []


def test_staff_site_shows_every_payload_as_text_and_runs_none(hostile, visit):
    texts = _open_every_page(visit, hostile.staff)
    assert _mangled(texts) == {}
    client_page = f"staff/clients/{hostile.client.id}/index.html"
    assert texts[client_page].count(PAYLOAD) >= 10
    for path in ("staff/index.html", "staff/clients/index.html", "staff/partners/index.html"):
        assert PAYLOAD in texts[path], path


def test_unlocked_portal_shows_the_payload_as_text_and_runs_none(hostile, visit, tmp_path):
    page = visit.page
    portal = hostile.client.portal
    page.set_viewport_size({"width": 375, "height": 812})
    with serve_folder(hostile.public) as server:
        page.goto(f"{server}/p/{portal.id}/#{portal.key}")
        page.wait_for_selector("#bd-portal:not([hidden])")
        text = page.inner_text("#bd-portal")
        assert page.evaluate("window.__x") is None
        assert page.evaluate(INJECTED) == []
        page.screenshot(path=str(tmp_path / "portal-375.png"), full_page=True)
        assert [u for u in visit.requests if not u.startswith(server + "/")] == []
    assert f"{PAYLOAD}，您好" in text
    assert text.count(PAYLOAD) >= 5
    assert _mangled({"portal": text}) == {}
    assert visit.console == [] and visit.dialogs == []


def test_every_page_of_both_sites_carries_the_policy_before_any_script(hostile):
    pages = [*hostile.public.rglob("*.html"), *hostile.staff.rglob("*.html")]
    assert any(p.parent.parent.name == "p" for p in pages)  # portals too
    for path in pages:
        page = path.read_text("utf-8")
        at = page.find('<meta http-equiv="Content-Security-Policy"')
        assert 0 < at < (page.find("<script") % len(page)), path  # before any script
        found = page[at : page.index(">", at)]
        assert "default-src 'none'" in found, path
        assert "unsafe-inline" not in found.partition("script-src")[2].partition(";")[0], path


def _unescaped_env(templates):
    """The pages' templates with escaping off: values land as they are."""
    env = make_env(templates)
    env.autoescape, env.finalize = False, None
    return env


def test_with_escaping_switched_off_the_policy_still_stops_every_payload(
    hostile, visit, tmp_path, monkeypatch
):
    """As if escaping had failed everywhere: the payloads are in the pages as markup, and the
    Content-Security-Policy (made from Material's templates, not read from the page) stops
    their scripts, handlers and external image."""
    root = tmp_path / "firm"
    shutil.copytree(hostile.firm_dir.root, root, ignore=shutil.ignore_patterns("site*"))
    firm_dir = FirmDir(root, hostile.firm_dir.identity_file, hostile.firm_dir.identity)
    monkeypatch.setattr(plugin, "make_env", _unescaped_env)
    site = build_public_site(firm_dir)
    portal = hostile.client.portal
    blocked = []
    visit.page.on("requestfailed", lambda r: blocked.append((r.url, r.failure)))
    with serve_folder(site) as server:
        for path in [*_pages(site), f"p/{portal.id}/#{portal.key}"]:
            visit.page.goto(f"{server}/{path}")
            visit.page.wait_for_load_state("load")
            assert visit.page.evaluate("window.__x") is None, path
        visit.page.wait_for_selector("#bd-portal:not([hidden])")
        assert visit.page.locator("#bd-portal img[onerror]").count() > 0  # there, and stopped
        elsewhere = {u for u in visit.requests if not u.startswith(server + "/")}
    # The external image was asked for by the page, and refused by the browser, unsent.
    assert elsewhere == {"https://evil.example/x.png"}
    assert {failure for url, failure in blocked if url in elsewhere} == {"csp"}
    assert visit.dialogs == []
    refused = [m for m in visit.console if "Content Security Policy" in m]
    assert any("inline script" in m for m in refused)
    assert any("inline event handler" in m for m in refused)
    assert any("evil.example" in m for m in refused)
