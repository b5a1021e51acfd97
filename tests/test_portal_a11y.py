"""The public pages and the unlocked portal on small phones (375 and 320 px), measured in
Chromium: axe-core finds no serious or critical violation, every phone number is a 44 px tap
target, text (chips, badges, pressed buttons too) meets WCAG AA contrast, the code field shows a
whole code, tables fit or visibly scroll. Screenshots go to $BAODAN_SCREENSHOTS when set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .axe import violations

pytestmark = pytest.mark.slow  # builds a site and drives a browser

WIDTHS = (375, 320)
TAP = 44  # px: Apple's and WCAG 2.5.5's smallest comfortable target
AA = 4.5


def _public_paths(public_site) -> list[str]:
    lecture = public_site.firm.lectures[-1]
    cf = next(c for c in public_site.firm.clients.values() if c.client.feed)
    return ["", "kb/", f"kb/{lecture.slug}/", "contact/", "insurers/", "404.html"] + [
        f"feeds/{cf.client.feed.token}/"
    ]


def _portal_client(public_site):
    """The client whose portal shows the most: policies, claims, a calendar."""
    return max(
        (
            cf
            for cf in public_site.firm.clients.values()
            if cf.client.portal and cf.client.feed and not cf.client.left_on
        ),
        key=lambda cf: (len(cf.claims) > 0, len(cf.policies)),
    )


def _shoot(page, name: str, *parts: str) -> None:
    """The whole page, and each of ``parts`` (CSS selectors) on its own, to look at."""
    folder = os.environ.get("BAODAN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        for part in parts:
            path = Path(folder) / f"{name}-{part.strip('#.')}.png"
            page.locator(part).first.screenshot(path=str(path))


def _open_portal(page, server, cf) -> None:
    portal = cf.client.portal
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.evaluate("document.querySelectorAll('#bd-portal details').forEach(d => d.open = true)")


@pytest.fixture
def phone(browser):
    pages = {}

    def at(width: int):
        context = browser.new_context(
            viewport={"width": width, "height": 740}, device_scale_factor=2, is_mobile=True
        )
        pages[width] = context
        return context.new_page()

    yield at
    for context in pages.values():
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_serious_on_the_public_pages_and_the_open_portal(
    public_site, server, phone, width
):
    page = phone(width)
    found = {}
    for path in _public_paths(public_site):
        page.goto(f"{server}/{path}")
        _shoot(page, f"{width}-{path.strip('/').replace('/', '_') or 'home'}")
        if problems := violations(page):
            found[path or "/"] = problems
    _open_portal(page, server, _portal_client(public_site))
    _shoot(page, f"{width}-portal", "#bd-calendar", ".bd-claim", ".bd-hello", "#bd-contact")
    if problems := violations(page):
        found["portal"] = problems
    page.goto(f"{server}/p/{_portal_client(public_site).client.portal.id}/")
    _shoot(page, f"{width}-portal-locked")
    if problems := violations(page):
        found["portal (locked)"] = problems
    assert found == {}


# Every tel: link's box, as (text, width, height).
_TEL_BOXES = """() => [...document.querySelectorAll("a[href^='tel:']")]
  .filter((a) => a.offsetParent !== null)
  .map((a) => { const r = a.getBoundingClientRect(); return [a.textContent, r.width, r.height]; })"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_phone_number_is_a_44_px_tap_target(public_site, server, phone, width):
    page = phone(width)
    small = {}
    counted = 0
    for path in [*_public_paths(public_site), None]:
        if path is None:
            _open_portal(page, server, _portal_client(public_site))
        else:
            page.goto(f"{server}/{path}")
        boxes = page.evaluate(_TEL_BOXES)
        counted += len(boxes)
        if bad := [b for b in boxes if b[1] < TAP or b[2] < TAP]:
            small[path if path is not None else "portal"] = bad
    assert counted > 10  # the claims hotline, managers, the firm …
    assert small == {}


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# The text colour as seen and the background behind an element, as [r, g, b]: translucent
# backgrounds (Material's greys, the brand colour at 80 %) laid over what is under them.
_COLOURS = """(el) => {
  const rgba = (s) => { const n = (s.match(/[\\d.]+/g) || []).map(Number);
                        return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  let bg = [255, 255, 255];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  return [over(rgba(getComputedStyle(el).color), bg), bg];
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_chips_badges_and_pressed_buttons_meet_aa_contrast(public_site, server, phone, width):
    page = phone(width)
    _open_portal(page, server, _portal_client(public_site))
    low = []
    for selector in (".bd-chip", ".bd-badge", ".bd-muted", ".bd-jump a", ".bd-steps", "dt"):
        for el in page.locator(f"#bd-portal {selector}").all()[:20]:
            if not el.is_visible():
                continue
            ratio = contrast(*el.evaluate(_COLOURS))
            if ratio < AA:
                low.append((selector, el.inner_text()[:20], round(ratio, 2)))
    # a button held down (:active, :hover on touch) keeps its text readable
    for el in page.locator("#bd-portal .md-button, #bd-portal .bd-call").all():
        if not el.is_visible():
            continue
        el.scroll_into_view_if_needed()
        box = el.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        el.evaluate("e => Promise.all(e.getAnimations().map((a) => a.finished))")
        ratio = contrast(*el.evaluate(_COLOURS))
        page.mouse.move(0, 0)  # let go elsewhere: no click (退出 would lock the page)
        page.mouse.up()
        if ratio < AA:
            low.append(("pressed", el.inner_text()[:20], round(ratio, 2)))
    assert low == []


_WHOLE_CODE = """(input) => input.scrollWidth <= input.clientWidth"""
_TABLES = """() => [...document.querySelectorAll('.md-typeset table')].map((t) => {
  const wrap = t.closest('.md-typeset__scrollwrap') || t.parentElement;
  return [t.getBoundingClientRect().width <= wrap.clientWidth + 1,
          getComputedStyle(wrap).overflowX,
          getComputedStyle(wrap).backgroundImage.includes('gradient')];  // edge shadows
})"""


def test_at_320_px_the_code_field_shows_a_whole_code_and_tables_fit_or_visibly_scroll(
    public_site, server, phone
):
    page = phone(320)
    page.goto(f"{server}/p/{_portal_client(public_site).client.portal.id}/")
    page.fill("#bd-code", "XXXXX-XXXXX-XXXXX-XXXXX")  # the widest code as shown on paper
    assert page.locator("#bd-code").evaluate(_WHOLE_CODE)
    _shoot(page, "320-code")
    for path in ("insurers/", "contact/"):
        page.goto(f"{server}/{path}")
        for fits, overflow, hinted in page.evaluate(_TABLES):
            assert fits or (overflow in ("auto", "scroll") and hinted), path
