"""Requests in a real browser: each portal form, filled in Chromium at phone width, composes a
message that `baodan request` accepts and records; nothing leaves the page."""

from __future__ import annotations

import pytest
from baodan.domain.renewals import is_renewable, renewal_rules
from playwright.sync_api import expect

from .test_requests import KINDS, _client, _kinds, expect_record, paste

pytestmark = pytest.mark.slow  # builds a site and drives a browser


def _fill(page, kind: str, fields: dict) -> str:
    form = page.locator(f"form[data-bd-request={kind}]")
    page.click(f"details[data-bd-request-kind={kind}] > summary")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    out = page.locator(f"details[data-bd-request-kind={kind}] [data-bd-request-out]")
    out.wait_for(state="visible")
    return out.locator("textarea").input_value()


def test_every_form_round_trips_to_its_record(
    public_site, server, browser, firm, monkeypatch, capsys, tmp_path
):
    cf = _client(firm)
    portal = cf.client.portal
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.clock.set_fixed_time("2026-11-27T10:00:00+08:00")
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/p/{portal.id}/#{portal.key}")
    page.wait_for_selector("#bd-requests form", state="attached")
    assert "通过自己的微信、短信或邮件发给我们" in page.inner_text("#bd-requests")
    offered = page.eval_on_selector_all(
        "form[data-bd-request=renewal] select[name=policy] option", "os => os.map(o => o.value)"
    )
    rules = renewal_rules(public_site.firm.rules)
    current = {v for v in offered if v}
    by_no = {p.registry_no: p for p in cf.policies}
    assert current and all(is_renewable(by_no[v], rules) for v in current)

    # An empty form says what is missing and composes nothing.
    page.click("details[data-bd-request-kind=claim] > summary")
    page.click("form[data-bd-request=claim] button[type=submit]")
    assert "请填写：哪张保单" in page.inner_text("form[data-bd-request=claim] .bd-error")
    page.click("details[data-bd-request-kind=claim] > summary")

    for kind, fields in _kinds(cf, firm).items():
        before = len(requests)
        message = _fill(page, kind, fields)
        assert requests[before:] == []  # composing sends nothing anywhere
        assert message.startswith("【保单服务请求】")
        sms = page.get_attribute(
            f"details[data-bd-request-kind={kind}] [data-bd-request-action=sms]", "href"
        )
        assert sms.startswith("sms:") and "BD1." in sms
        if kind == "claim":
            page.screenshot(path=str(tmp_path / "request-claim-375.png"), full_page=True)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
            out = page.locator("details[data-bd-request-kind=claim] [data-bd-request-out]")
            assert out.locator("a.bd-call[href^='tel:']").count() == 1  # the firm, one tap away
            # No navigator.share in desktop Chromium: the message goes to the clipboard.
            out.locator("[data-bd-request-action=share]").click()
            copied = out.locator("[data-bd-request-copied]")  # written once the clipboard answers
            expect(copied).to_contain_text("已复制")
            assert page.evaluate("navigator.clipboard.readText()") == message
        code, out, err = paste(monkeypatch, capsys, message, "--staff", cf.client.manager)
        assert code == 0, err
        check = message.strip().rsplit(".", 1)[1]
        expect_record(firm, cf, kind, fields, check)
    assert set(_kinds(cf, firm)) == set(KINDS)
    assert errors == []
    context.close()


def test_the_forms_are_in_no_page_before_it_is_opened(public_site, server):
    """Outside the ciphertext the portal page carries the empty forms and no key."""
    cf = _client_for_site(public_site)
    html = (public_site.site / "p" / cf.client.portal.id / "index.html").read_text("utf-8")
    assert 'id="bd-request-forms"' in html
    assert "data-bd-requests" not in html and cf.client.portal.id not in html.split("bd-payload")[0]


def _client_for_site(public_site):
    return next(cf for cf in public_site.firm.clients.values() if cf.client.portal)
