"""Reminders that fire on every phone: an iPhone subscribes, an Android phone imports a file
that carries its own reminders, a computer subscribes by address; the portal's QR code and
button open an https page that shows each phone its way (never a bare webcal://), and in
WeChat says first to open the page in the browser."""

from __future__ import annotations

import io
from datetime import date

import icalendar
import pytest
import vobject
import zxingcpp
from baodan.web.feeds import IMPORT_FILE, LECTURES, subscribe_links
from PIL import Image

from .test_portal_a11y import _shoot

pytestmark = pytest.mark.slow  # builds a site or drives a browser

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
HUAWEI = (
    "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.13.0.302) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.6.300 "
    "Mobile Safari/537.36"
)
XIAOMI = (
    "Mozilla/5.0 (Linux; U; Android 14; zh-cn; 23127PN0CC Build/UKQ1.230804.001) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.118 Mobile "
    "Safari/537.36 XiaoMi/MiuiBrowser/18.4.30"
)
WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN"
)
WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2055A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MicroMessenger/8.0.47.2560(0x28002F35)"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def _client(public_site):
    return next(
        cf
        for cf in public_site.firm.clients.values()
        if cf.client.feed and cf.client.portal and cf.policies
    )


def _links(public_site, cf):
    return subscribe_links(public_site.firm.settings, cf.client.feed.token, "feeds")


def test_the_import_file_carries_its_own_reminders_and_the_feeds_events(public_site):
    cf = _client(public_site)
    token = cf.client.feed.token
    feed = (public_site.site / "feeds" / f"{token}.ics").read_bytes()
    once = (public_site.site / "feeds" / token / IMPORT_FILE).read_bytes()
    cal = icalendar.Calendar.from_ical(once)
    assert cal.to_ical() == once
    events = list(cal.walk("VEVENT"))
    assert events and [str(e["UID"]) for e in events] == [
        str(e["UID"]) for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")
    ]
    assert all(e.walk("VALARM") for e in events if "到期" in str(e["SUMMARY"]))
    assert sum(len(e.walk("VALARM")) for e in events) >= len(events)
    # vobject (another parser) reads the same events and alarms
    parsed = vobject.readOne(once.decode("utf-8"))
    assert len(parsed.vevent_list) == len(events)
    assert sum(len(e.contents.get("valarm", [])) for e in parsed.vevent_list) == sum(
        len(e.walk("VALARM")) for e in events
    )
    # an import is no subscription; it says it does not update itself
    assert b"REFRESH-INTERVAL" not in once and b"X-PUBLISHED-TTL" not in once
    assert "重新导入" in str(cal["X-WR-CALDESC"])
    assert b"REFRESH-INTERVAL" in feed


def _page(browser, server, links, user_agent, width=375):
    context = browser.new_context(viewport={"width": width, "height": 812}, user_agent=user_agent)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/" + links.page.split("/", 3)[3])
    _shoot(page, f"calendar-{user_agent.split('(')[1][:12]}-{width}")
    return context, page, errors


def _open_ways(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-bd-way]", "ds => ds.map(d => d.getAttribute('data-bd-way') + (d.open ? '+' : ''))"
    )


@pytest.mark.parametrize(
    ("user_agent", "first", "button"),
    [
        (IPHONE, "ios", "webcal://"),
        (HUAWEI, "android", IMPORT_FILE),
        (XIAOMI, "android", IMPORT_FILE),
        (DESKTOP, "desktop", None),
    ],
)
def test_the_calendar_page_opens_this_phones_way_first(
    public_site, server, browser, user_agent, first, button
):
    links = _links(public_site, _client(public_site))
    context, page, errors = _page(browser, server, links, user_agent)
    ways = _open_ways(page)
    assert ways[0] == first + "+" and all(not w.endswith("+") for w in ways[1:])
    assert page.is_hidden("[data-bd-wechat]")
    if button:
        link = page.locator(f"[data-bd-way={first}] a.bd-button")
        assert link.is_visible() and link.get_attribute("href").endswith(
            button if button != "webcal://" else ".ics"
        )
        assert link.get_attribute("href").startswith("webcal://" if first == "ios" else "https://")
    else:
        assert links.https in page.inner_text("[data-bd-way=desktop]")
    text = page.inner_text("main")
    assert "主动联系您办理续保" in text  # the firm's own queue, whatever the phone does
    if first == "ios":
        assert "移除提醒" in text  # how to keep the reminders of a subscription
    if first == "android":
        assert "再导入一次" in text
    context.close()
    assert errors == []


@pytest.mark.parametrize("user_agent", [WECHAT_IPHONE, WECHAT_ANDROID])
def test_in_wechat_the_page_says_first_to_open_the_browser_and_shows_no_dead_button(
    public_site, server, browser, user_agent
):
    links = _links(public_site, _client(public_site))
    context, page, errors = _page(browser, server, links, user_agent)
    note = page.locator("[data-bd-wechat]")
    assert note.is_visible() and "在浏览器打开" in note.inner_text()
    # the note comes before any way
    assert page.evaluate(
        "document.querySelector('[data-bd-wechat]').compareDocumentPosition("
        "document.querySelector('[data-bd-way]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert [b for b in page.locator("a.bd-button").all() if b.is_visible()] == []
    for way in ("ios", "android"):  # the closed ones show no button either once opened
        page.locator(f"[data-bd-way={way}] summary").click()
    assert [b for b in page.locator("a.bd-button").all() if b.is_visible()] == []
    context.close()
    assert errors == []


def test_without_javascript_every_way_shows(public_site, browser, server):
    links = _links(public_site, _client(public_site))
    context = browser.new_context(java_script_enabled=False, user_agent=IPHONE)
    page = context.new_page()
    page.goto(server + "/" + links.page.split("/", 3)[3])
    assert _open_ways(page) == ["ios+", "android+", "desktop+"]
    context.close()


def test_the_portals_qr_code_opens_the_https_page_and_its_script_loads_when_opened(
    public_site, server, browser
):
    cf = _client(public_site)
    links = _links(public_site, cf)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert not any("qrcode.js" in url for url in requests)  # weight: not before it is needed
    page.click("#bd-calendar summary")
    figure = page.locator(".bd-qr")
    figure.locator("svg").wait_for()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(figure.screenshot())))
    assert [code.text for code in found] == [links.page]
    assert links.page.startswith("https://")
    button = page.locator("#bd-calendar a.md-button--primary")
    assert button.get_attribute("href") == links.page
    assert "webcal://" not in page.inner_html("#bd-portal")
    context.close()


def test_on_a_phone_the_qr_script_never_loads(public_site, server, browser):
    cf = _client(public_site)
    context = browser.new_context(viewport={"width": 375, "height": 812}, user_agent=HUAWEI)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.click("a[href='#bd-calendar']")  # the jump link opens the section
    assert page.locator("#bd-calendar details").evaluate("d => d.open")
    assert page.locator("#bd-calendar a.md-button--primary").is_visible()
    assert not any("qrcode.js" in url for url in requests)
    context.close()


def test_the_build_counts_feeds_not_import_files(firm, monkeypatch):
    from baodan.checks import load_firm
    from baodan.core.today import today
    from baodan.services.sitebuild import build_site
    from baodan.store.workspace import Workspace

    monkeypatch.setenv("BAODAN_TODAY", "2026-11-27")
    ws = Workspace.open(firm.root, firm.identity_file)
    said = build_site(ws)
    loaded, _ = load_firm(firm.root, ws.vault, today())
    feeds = (
        sum(1 for cf in loaded.clients.values() if cf.client.feed and not cf.client.left_on) + 1
    )  # and the lectures'
    assert f"日历订阅 {feeds}" in said
    # every feed, the lectures' included, has its import file beside its page
    assert len(list((firm.root / "site/feeds").glob(f"*/{IMPORT_FILE}"))) == feeds


def _lecture_links(public_site):
    return subscribe_links(public_site.firm.settings, LECTURES, "feeds")


def test_the_knowledge_base_links_the_lecture_calendar_page_never_a_bare_webcal(public_site):
    kb = (public_site.site / "kb/index.html").read_text("utf-8")
    links = _lecture_links(public_site)
    assert f'href="{links.page}"' in kb
    assert "webcal://" not in kb
    once = (public_site.site / "feeds/lectures" / IMPORT_FILE).read_bytes()
    feed = (public_site.site / "feeds/lectures.ics").read_bytes()
    events = list(icalendar.Calendar.from_ical(once).walk("VEVENT"))
    titles = [lec.title for lec in public_site.firm.lectures if lec.date >= date(2026, 11, 1)]
    assert [str(e["SUMMARY"]) for e in events] == titles and titles
    assert all(len(e.walk("VALARM")) == 2 for e in events)  # the day before, two hours before
    assert b"REFRESH-INTERVAL" not in once and b"REFRESH-INTERVAL" in feed
    assert "重新导入" in str(icalendar.Calendar.from_ical(once)["X-WR-CALDESC"])


@pytest.mark.parametrize(("user_agent", "first"), [(IPHONE, "ios"), (HUAWEI, "android")])
def test_the_lecture_calendar_page_speaks_of_lectures_and_opens_this_phones_way(
    public_site, server, browser, user_agent, first
):
    links = _lecture_links(public_site)
    context, page, errors = _page(browser, server, links, user_agent)
    assert _open_ways(page)[0] == first + "+"
    text = page.inner_text("main")
    assert "讲座" in page.inner_text("h1") and "讲座前一天" in text
    assert "保单" not in text and "续保" not in text  # not the clients' page
    if first == "android":
        button = page.locator("[data-bd-way=android] a.bd-button")
        assert button.get_attribute("href") == links.file
        assert button.get_attribute("download") == "保险知识讲座.ics"
        assert "新讲座公布后" in text
    else:
        href = page.locator("[data-bd-way=ios] a.bd-button").get_attribute("href")
        assert href == links.webcal and href.endswith("/feeds/lectures.ics")
    context.close()
    assert errors == []
