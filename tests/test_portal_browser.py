"""The built site in a real browser (Chromium): a client opens their portal; search in Chinese."""

from __future__ import annotations

import io

import jieba
import pytest
import zxingcpp
from baodan.feeds import subscribe_links
from PIL import Image

from .helpers import require_tool, serve_folder


@pytest.fixture(scope="module")
def server(public_site):
    """The built site on a local port, as a static host serves it."""
    with serve_folder(public_site.site) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = require_tool("chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


@pytest.fixture
def visit(browser, server):
    """A fresh page; every request and console error it makes is recorded."""
    requests: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, requests, errors
    context.close()
    assert [u for u in requests if not u.startswith(server + "/")] == []
    assert errors == []


def _client_with_policies(public_site):
    return next(
        cf
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on and len(cf.policies) >= 2
    )


def test_link_opens_the_portal_and_leaves_no_code_in_the_address_bar(
    public_site, server, visit, tmp_path
):
    page, requests, _ = visit
    cf = _client_with_policies(public_site)
    portal = cf.client.portal
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    text = page.inner_text("#bd-portal")
    assert f"{cf.client.name}，您好" in text
    for policy in cf.policies:
        assert policy.policy_no in text
    assert "#" not in page.url
    page.click(".bd-jump a[href='#bd-policies']")
    page.reload()  # same tab, code out of the address bar: the page still opens
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert cf.policies[0].policy_no in page.inner_text("#bd-portal")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    shot = tmp_path / "portal-375.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert any(u.endswith(".js") or "portal.js" in u for u in requests)


def test_wrong_code_shows_an_error_and_nothing_else_right_code_opens(public_site, server, visit):
    page, _, _ = visit
    cf = _client_with_policies(public_site)
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/")
    assert page.is_visible("#bd-unlock")
    wrong = ("0" if portal.key[0] != "0" else "1") + portal.key[1:]
    page.fill("#bd-code", wrong)
    page.click("#bd-unlock button")
    page.wait_for_selector("#bd-error:not([hidden])")
    assert "访问码不正确" in page.inner_text("#bd-error")
    dom = page.content()
    assert cf.client.name not in dom
    assert all(p.policy_no not in dom and p.product not in dom for p in cf.policies)

    page.fill("#bd-code", portal.key.lower().replace("-", " "))
    page.click("#bd-unlock button")
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert cf.policies[0].policy_no in page.inner_text("#bd-portal")
    assert page.is_hidden("#bd-error")


def test_portal_on_a_computer_shows_a_qr_code_a_phone_can_scan(public_site, server, visit):
    page, _, _ = visit  # 1280 px wide: on a phone the code is hidden (the link is right there)
    cf = next(c for c in public_site.firm.clients.values() if c.client.feed and c.client.portal)
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    figure = page.locator(".bd-qr")
    assert figure.locator("svg").is_visible()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(figure.screenshot())))
    webcal = subscribe_links(public_site.firm.settings, cf.client.feed.token, "feeds").webcal
    assert [code.text for code in found] == [webcal]


def test_chinese_search_finds_a_word_inside_a_longer_word(public_site, server, visit):
    page, _, _ = visit
    article = next(lec for lec in public_site.firm.lectures if "恶性肿瘤" in lec.body)
    # jieba keeps 恶性肿瘤 whole: without baodan's finer index 肿瘤 would find nothing.
    assert "肿瘤" not in set(jieba.cut(article.body))
    page.goto(f"{server}/")
    search = page.locator("input.md-search__input")
    search.click()  # Material starts its search worker on first focus; wait until it is ready
    page.wait_for_function(
        "document.querySelector('.md-search-result__meta').innerText.includes('键入')"
    )
    search.press_sequentially("肿瘤")
    search.press("End")  # typed CJK text sends no key events; Material searches on keyup
    page.wait_for_selector(".md-search-result__item")
    titles = page.inner_text(".md-search-result__list").replace("\u200b", "")
    assert article.title in titles


def test_no_public_page_loads_anything_from_another_host(public_site, server, visit):
    page, requests, _ = visit
    site = public_site.site
    every = sorted(p.relative_to(site).parent.as_posix() for p in site.rglob("index.html"))
    portals = [p for p in every if p.startswith("p/")]
    pages = [p for p in every if not p.startswith("p/")] + portals[:1]  # portals are all alike
    assert "kb" in pages and "insurers" in pages and portals
    for path in pages:
        page.goto(f"{server}/{'' if path == '.' else path + '/'}")
    assert len(requests) > len(pages)  # pages and their styles, scripts, images: all local
