"""Portal fixes seen on phones, read from the rendered portal: a claim's status agrees with the
staff queue at every stage, a policy under forgery check isn't counted as in force, two cars on
one product are told apart by their plates."""

from __future__ import annotations

import dataclasses
import gzip
from datetime import date

import pytest
from baodan.domain.claims import checklist, claim_status, missing_materials, open_claim
from baodan.models.claim import STAGES, Material, Stage
from baodan.web.context import TEMPLATES, make_env
from baodan.web.portal_view import portal_view

pytestmark = pytest.mark.slow  # reads the small firm's built site

TODAY = date(2026, 11, 27)


def _render(public_site, cf) -> str:
    view = portal_view(public_site.firm, cf, TODAY, None)
    env = make_env(TEMPLATES)
    return env.get_template("portal_body.html.j2").render(
        view=view, settings=public_site.firm.settings
    )


def _cards(html: str) -> list[str]:
    return [
        part.split("</article>")[0] for part in html.split('<article class="bd-card bd-claim">')[1:]
    ]


def _claim_client(public_site):
    return next(
        (cf, claim)
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on
        for claim in cf.claims
    )


CASES = [(stage, True) for stage in STAGES] + [("reported", False), ("collecting", False)]


@pytest.mark.parametrize(("stage", "complete"), CASES)
def test_a_claims_badge_text_and_staff_queue_agree_at_every_stage(public_site, stage, complete):
    cf, claim = _claim_client(public_site)
    rules = public_site.firm.rules
    items = checklist(claim, rules)
    materials = [
        Material(item=i.item, required=i.required, received_on=TODAY if complete else None)
        for i in items
    ]
    claim = claim.model_copy(
        update={
            "stages": [Stage(stage="reported", date=date(2026, 11, 1))]
            + ([Stage(stage=stage, date=date(2026, 11, 20))] if stage != "reported" else []),
            "materials": materials,
        }
    )
    cf = dataclasses.replace(cf, claims=[claim])
    status = claim_status(claim, missing_materials(claim, rules))
    staff = open_claim(cf, claim, TODAY, rules)
    assert (staff.queue if staff else None) == status.queue
    html = _render(public_site, cf)
    [card] = _cards(html)
    assert f'">{status.badge}</span>' in card  # the badge
    waits_for_insurer = "等待保险公司" in card
    assert waits_for_insurer == (status.queue == "insurer"), card
    asks_client = "还需要您提供" in card
    if stage in ("reported", "collecting") and not complete:
        assert asks_client and (stage == "reported" or status.queue == "client")
        for item in staff.missing:
            assert item.item in card
    else:
        assert not asks_client
    if stage == "collecting" and complete:
        # all materials in, not yet sent: the firm is sending it
        assert status.queue == "us" and "递交保险公司" in staff.action
        assert "我们正在替您递交保险公司" in card


def test_a_policy_under_forgery_check_isnt_counted_as_in_force(public_site):
    cf = next(
        cf
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on and len(cf.policies) >= 2
    )
    active = [p for p in cf.policies if p.status == "active" and p.terminates > TODAY]
    held = active[0].model_copy(update={"status": "on_hold", "hold_reason": "保单真伪核实中"})
    cf = dataclasses.replace(cf, policies=[held, *(p for p in cf.policies if p is not active[0])])
    html = _render(public_site, cf)
    hello = html.split("</p>")[0]
    assert f"目前有效保单 {len(active) - 1} 张" in hello or len(active) == 1
    assert "1 张正在核实" in hello


def test_two_cars_on_one_product_show_their_plates_in_the_title(public_site):
    cf, car = next(
        (cf, p)
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on
        for p in cf.policies
        if p.vehicle and p.status == "active"
    )
    other = car.model_copy(
        update={
            "registry_no": "BD-2026-ZZZZ9",
            "vehicle": car.vehicle.model_copy(update={"plate": "浙A·9Z9Z9"}),
        }
    )
    cf = dataclasses.replace(cf, policies=[*cf.policies, other])
    html = _render(public_site, cf)
    titles = [
        t.split("</h3>")[0]
        for t in html.split('<h3 class="bd-card__title">')[1:]
        if t.startswith(car.product)
    ]
    assert any(car.vehicle.plate in t for t in titles)
    assert any("浙A·9Z9Z9" in t for t in titles)


# ---- in the browser -------------------------------------------------------------------------


def _portal_client(public_site):
    return next(
        cf
        for cf in public_site.firm.clients.values()
        if cf.client.portal and not cf.client.left_on and len(cf.policies) >= 2
    )


def test_the_full_link_opened_in_a_tab_already_showing_the_portal_opens_it(
    public_site, server, browser
):
    cf = _portal_client(public_site)
    portal = cf.client.portal
    address = f"{server}/p/{portal.id}/"
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(address)  # locked
    assert page.is_visible("#bd-unlock")
    page.goto(f"{address}#{portal.key}")  # same page: only the fragment changes
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert cf.client.name in page.inner_text("#bd-portal")
    assert page.url == address  # the code left the address bar
    page.click("[data-bd-action=lock]")  # 退出
    assert page.is_hidden("#bd-portal") and page.is_visible("#bd-unlock")
    page.goto(f"{address}#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert page.url == address
    context.close()


def test_without_javascript_the_form_is_hidden_and_the_page_says_what_to_do(
    public_site, server, browser
):
    portal = _portal_client(public_site).client.portal
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    assert page.is_hidden("#bd-unlock") and page.is_hidden("#bd-help")
    said = page.inner_text("#bd-locked")
    assert "开启 JavaScript" in said and "重新打开" in said
    assert public_site.firm.settings.contact.phone in said
    context.close()


# Before each frame is painted, whether the code form shows while the portal is still locked.
_WATCH_FORM = """
window.bdFormShown = false;
(function frame() {
  var form = document.getElementById('bd-unlock');
  var portal = document.getElementById('bd-portal');
  if (form && form.offsetParent !== null && portal && portal.hidden) window.bdFormShown = true;
  if (!portal || portal.hidden) requestAnimationFrame(frame);
})();
"""


def test_a_link_with_the_code_shows_no_code_form_before_the_content(public_site, server, browser):
    portal = _portal_client(public_site).client.portal
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.add_init_script(_WATCH_FORM)
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    assert page.evaluate("window.bdFormShown") is False
    # without a code in the link the form does show (the watch can see it)
    page.goto("about:blank")
    page.goto(f"{server}/p/{portal.id}/")
    page.wait_for_selector("#bd-unlock")
    page.wait_for_function("window.bdFormShown === true")
    context.close()


def test_the_portal_loads_no_search_index_and_no_qr_script_on_a_phone(public_site, server, browser):
    """Weight: what a phone downloads to open a portal, the calendar section opened too."""
    cf = _portal_client(public_site)
    portal = cf.client.portal
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    got: dict[str, bytes] = {}
    page.on(
        "requestfinished",
        lambda r: got.__setitem__(
            r.url.removeprefix(server + "/").split("?")[0], r.response().body()
        ),
    )
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-portal:not([hidden])")
    page.click("#bd-calendar summary")
    page.wait_for_load_state("networkidle")
    context.close()
    assert not any("search" in path for path in got)  # no search index, no search worker
    assert not any(path.endswith("qrcode.js") for path in got)  # a phone shows no QR code
    assert not any("assets/javascripts" in path for path in got)  # nor Material's scripts
    sizes = {path: (len(body), len(gzip.compress(body))) for path, body in got.items()}
    print("portal on a phone (bytes, gzipped):", sizes)
    print("total:", sum(s[0] for s in sizes.values()), sum(s[1] for s in sizes.values()))
    page_itself = f"p/{portal.id}/"
    # Material's stylesheet is most of it (137 kB, 23 kB gzipped)
    assert sum(raw for path, (raw, _) in sizes.items() if path != page_itself) < 200_000
