"""The built site in a real browser (Chromium): a client opens their portal; search in Chinese."""

from __future__ import annotations

import io

import jieba
import pytest
import zxingcpp
from baodan.web.feeds import subscribe_links
from PIL import Image

from .helpers import require_tool

pytestmark = pytest.mark.slow  # builds a site or drives a browser


@pytest.fixture(scope="module")
def chromium():
    """Launches Chromium; ``chromium(ignore_default_args=[…])`` changes Playwright's flags."""
    from playwright.sync_api import sync_playwright

    executable = require_tool("chromium")
    launched = []
    with sync_playwright() as p:

        def launch(**options):
            launched.append(
                p.chromium.launch(
                    executable_path=executable,
                    args=[
                        "--no-sandbox",
                        "--disable-background-networking",
                        "--disable-component-update",
                    ],
                    **options,
                )
            )
            return launched[-1]

        yield launch
        for b in launched:
            b.close()


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium()


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
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    shot = tmp_path / "portal-375.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert any(u.endswith(".js") or "portal.js" in u for u in requests)


# Everything a page can keep on this origin, as the page itself sees it.
_STORED = """async () => ({
  local: Object.keys(localStorage),
  session: Object.keys(sessionStorage),
  cookies: document.cookie,
  indexedDB: (await indexedDB.databases()).map((db) => db.name),
  caches: await caches.keys(),
})"""
_NOTHING_STORED = {"local": [], "session": [], "cookies": "", "indexedDB": [], "caches": []}


def _history_urls(page) -> list[str]:
    """The tab's back/forward list, as Chromium keeps it."""
    cdp = page.context.new_cdp_session(page)
    return [entry["url"] for entry in cdp.send("Page.getNavigationHistory")["entries"]]


def _code_forms(key: str) -> list[str]:
    bare = key.replace("-", "")
    return [key, bare, bare.lower()]


def _assert_locked(page, cf) -> None:
    """The locked form, and nothing of the client's in the page."""
    page.wait_for_selector("#bd-unlock", state="visible")
    assert page.is_hidden("#bd-portal")
    assert page.input_value("#bd-code") == ""
    dom = page.content()
    assert cf.client.name not in dom
    assert all(p.policy_no not in dom for p in cf.policies)
    assert all(code not in dom for code in _code_forms(cf.client.portal.key))


def test_an_opened_portal_keeps_nothing_in_storage_or_history_and_a_reload_locks_it(
    public_site, server, visit
):
    page, _, _ = visit
    cf = _client_with_policies(public_site)
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.click(".bd-jump a[href='#bd-policies']")  # an in-page jump adds a history entry
    page.click("[data-bd-action=lock]")
    page.fill("#bd-code", portal.key)  # …and the code typed in, too
    page.click("#bd-unlock button")
    page.wait_for_selector("#bd-portal:not([hidden])")

    assert page.evaluate(_STORED) == _NOTHING_STORED
    state = page.context.storage_state(indexed_db=True)
    assert state["cookies"] == [] and state["origins"] == []
    entries = _history_urls(page)
    assert len(entries) >= 2
    assert [u for u in entries if any(code in u for code in _code_forms(portal.key))] == []
    assert all(u.split("#")[1].startswith("bd-") for u in entries if "#" in u)

    page.reload()  # nothing kept anywhere: the page comes back locked
    _assert_locked(page, cf)


def test_leaving_the_portal_and_coming_back_shows_it_locked(public_site, server, visit):
    page, _, _ = visit
    cf = _client_with_policies(public_site)
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.click("header a.md-logo")  # back to the firm's site by its own link (on a computer)
    page.wait_for_url(f"{server}/")
    page.go_back()
    assert page.url == f"{server}/p/{portal.id}/"
    _assert_locked(page, cf)
    page.go_forward()
    page.go_back()
    _assert_locked(page, cf)


@pytest.fixture(scope="module")
def bfcache_browser(chromium):
    """Chromium with its back/forward cache on, as browsers have it (Playwright turns it off)."""
    return chromium(ignore_default_args=["--disable-back-forward-cache"])


def test_a_portal_restored_from_the_back_forward_cache_is_locked(
    public_site, server, bfcache_browser
):
    cf = _client_with_policies(public_site)
    portal = cf.client.portal
    context = bfcache_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(
        "addEventListener('pageshow', (e) => { window.bdRestored = e.persisted; })"
    )
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.click("header a.md-logo")
    page.wait_for_url(f"{server}/")
    page.go_back(wait_until="commit")  # a restored page fires no load event
    page.wait_for_function("() => window.bdRestored === true")  # the cache restored it
    _assert_locked(page, cf)
    assert "离开本页" in page.inner_text("#bd-status")
    assert page.evaluate(_STORED) == _NOTHING_STORED
    context.close()


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
    # Locked out, the client can call the firm with one tap.
    phone = public_site.firm.settings.contact.phone
    assert page.locator(f".bd-help a[href^='tel:']:has-text('{phone}')").count() == 1
    dom = page.content()
    assert cf.client.name not in dom
    assert all(p.policy_no not in dom and p.product not in dom for p in cf.policies)

    page.fill("#bd-code", portal.key.lower().replace("-", " "))
    page.click("#bd-unlock button")
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert cf.policies[0].policy_no in page.inner_text("#bd-portal")
    assert page.is_hidden("#bd-error")


def test_a_code_typed_in_full_width_or_pasted_with_its_label_opens(public_site, server, visit):
    page, _, _ = visit
    cf = _client_with_policies(public_site)
    portal = cf.client.portal
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{server}/p/{portal.id}/")
    page.click("#bd-unlock button")  # nothing typed: the page says so, in Chinese
    page.wait_for_selector("#bd-error:not([hidden])")
    assert "请输入访问码" in page.inner_text("#bd-error")
    # A Chinese keyboard in full-width mode types ＡＢ１－…; a message copied whole has a label.
    full_width = portal.key.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    for typed in (full_width, f"访问码：{portal.key.replace('-', '—')}"):
        page.fill("#bd-code", typed)
        page.click("#bd-unlock button")
        page.wait_for_selector("#bd-portal:not([hidden])")
        assert cf.policies[0].policy_no in page.inner_text("#bd-portal")
        page.click("[data-bd-action=lock]")
        page.wait_for_selector("#bd-unlock", state="visible")


# Each date and phone number shown on a portal, as a text range, and how many lines it takes.
_LINES_TAKEN = """(root) => {
  const found = [];
  const walk = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const inLink = node.parentElement.closest("a[href^='tel:']");
    const pattern = inLink ? /.+/g : /\\d{4}年\\d{1,2}月\\d{1,2}日/g;
    for (const m of node.textContent.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size) found.push([m[0], tops.size]);
    }
  }
  return found;
}"""


def test_on_a_small_phone_dates_and_numbers_stay_whole_and_we_are_easy_to_call(
    public_site, server, visit
):
    page, _, _ = visit
    cf = max(
        (c for c in public_site.firm.clients.values() if c.client.portal and not c.client.left_on),
        key=lambda c: len(c.claims) * 3 + len(c.policies),
    )
    portal = cf.client.portal
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    shown = page.evaluate(_LINES_TAKEN, "#bd-portal")
    assert len({text for text, _ in shown}) > 5
    assert [text for text, lines in shown if lines > 1] == []
    # The manager's and the firm's numbers are buttons a thumb can hit (44 px high).
    calls = page.locator(".bd-person a[href^='tel:']")
    assert calls.count() >= 2
    assert all(
        box["height"] >= 44 for box in (calls.nth(i).bounding_box() for i in range(calls.count()))
    )


_TABLES_FIT = """[...document.querySelectorAll('.md-typeset__scrollwrap')]
  .every((w) => w.scrollWidth <= w.clientWidth)"""


def test_public_pages_fit_a_phone_with_phone_numbers_whole(public_site, server, visit):
    page, _, _ = visit
    page.set_viewport_size({"width": 375, "height": 812})
    lecture = public_site.firm.lectures[-1]
    for path in ("404.html", f"kb/{lecture.slug}/", "contact/", "insurers/"):
        page.goto(f"{server}/{path}")
        shown = page.evaluate(_LINES_TAKEN, "article")
        phones = [text for text, _ in shown if not text.endswith("日")]
        assert phones, path
        assert [text for text, lines in shown if lines > 1] == [], path
        assert page.evaluate(_TABLES_FIT), path  # no table to scroll sideways


def test_portal_on_a_computer_shows_a_qr_code_a_phone_can_scan(public_site, server, visit):
    page, _, _ = visit  # 1280 px wide: on a phone the code is hidden (the link is right there)
    cf = next(c for c in public_site.firm.clients.values() if c.client.feed and c.client.portal)
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.click("#bd-calendar summary")  # the QR script loads when the section opens
    figure = page.locator(".bd-qr")
    figure.locator("svg").wait_for()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(figure.screenshot())))
    # the https calendar page, which shows the phone its way (tests/test_reminders.py)
    address = subscribe_links(public_site.firm.settings, cf.client.feed.token, "feeds").page
    assert [code.text for code in found] == [address]


WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MicroMessenger/8.0.47.2560(0x28002F35)"
)


def test_in_wechat_copying_the_feed_address_falls_back_to_selecting_it(
    public_site, server, browser
):
    cf = next(c for c in public_site.firm.clients.values() if c.client.feed and c.client.portal)
    portal = cf.client.portal
    context = browser.new_context(viewport={"width": 375, "height": 812}, user_agent=WECHAT)
    page = context.new_page()
    # An in-app browser that refuses the clipboard, as some do.
    page.add_init_script("navigator.clipboard.writeText = () => Promise.reject(new Error('no'))")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    # The copy button selects the address, for the client to copy by hand.
    page.click("#bd-calendar summary")
    page.click("[data-bd-action=copy]")
    page.wait_for_selector("[data-bd-action=copy]:has-text('长按')")
    https = subscribe_links(public_site.firm.settings, cf.client.feed.token, "feeds").https
    assert page.evaluate("getSelection().toString()") == https
    context.close()
    assert errors == []


def _search(page, server, query: str) -> str:
    """The titles Material's search lists for ``query`` typed on the home page."""
    page.goto(f"{server}/")
    search = page.locator("input.md-search__input")
    search.click()  # Material starts its search worker on first focus; wait until it is ready
    page.wait_for_function(
        # a function: an expression would be polled with eval(), which the page's CSP refuses
        "() => document.querySelector('.md-search-result__meta').innerText.includes('键入')"
    )
    search.press_sequentially(query)
    search.press("End")  # typed CJK text sends no key events; Material searches on keyup
    page.wait_for_selector(".md-search-result__item")
    return page.inner_text(".md-search-result__list").replace("\u200b", "")


def test_chinese_search_finds_a_word_inside_a_longer_word(public_site, server, visit):
    page, _, _ = visit
    article = next(lec for lec in public_site.firm.lectures if "恶性肿瘤" in lec.body)
    # jieba keeps 恶性肿瘤 whole: without baodan's finer index 肿瘤 would find nothing.
    assert "肿瘤" not in set(jieba.cut(article.body))
    assert article.title in _search(page, server, "肿瘤")


def test_search_finds_insurance_words_jieba_does_not_know(public_site, server, visit):
    page, _, _ = visit
    # The knowledge base suggests searching 免赔额; the medical lecture explains it. jieba
    # alone cuts 年度|免|赔额 there, and the search found only a lecture saying 不计免赔.
    article = next(lec for lec in public_site.firm.lectures if "年度免赔额" in lec.body)
    assert article.title in _search(page, server, "免赔额")


# A term a client types, and the article about it (its file name has this).
ABOUT = {
    "重疾": "critical-illness",
    "免赔额": "medical-insurance",
    "交强险": "auto-insurance",
    "受益人": "life-insurance",
    "理赔": "claims-howto",
    "雇主责任": "employer-liability",
    "财产险": "enterprise-property",
    "保单丢失": "policy-custody",
}


@pytest.mark.parametrize("term", ABOUT)
def test_search_lists_the_article_about_the_term_first_and_highlights_it_there(
    public_site, server, visit, term
):
    page, _, _ = visit
    _search(page, server, term)
    first = page.locator(".md-search-result__item > a").first
    title = first.inner_text()
    assert "\u200b" not in page.inner_text(".md-search-result__list")  # no hidden separators
    article = next(lec for lec in public_site.firm.lectures if ABOUT[term] in lec.slug)
    assert title.startswith(article.title)
    first.click()
    page.wait_for_url(f"**/kb/{article.slug}/**")
    page.wait_for_selector("mark[data-md-highlight]")  # Material marks the words once loaded
    marked = page.eval_on_selector_all(
        "mark[data-md-highlight]", "els => els.map(e => e.textContent)"
    )
    assert marked and all(m in term or term in m for m in marked)


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
