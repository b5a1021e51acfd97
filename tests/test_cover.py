"""家庭保障全景: the family's cover at a glance, worked out from hand-made records; the portal's
map and the staff client page show the same numbers and the risk page's gaps; it prints on one
A4 page."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal

import pytest
from baodan.domain.cover import cover_map
from baodan.domain.risk import assess
from baodan.store.portal_crypto import decrypt_portal

from . import factories as c
from .conftest import FirmDir, build_public_site
from .helpers import require_tool, serve_folder

TODAY = date(2026, 11, 27)
SPOUSE = {"name": "李娜", "relation": "配偶", "id_number": c.SPOUSE}
CHILD = {"name": "张小明", "relation": "子女", "id_number": c.CHILD}


def family_policies() -> list[dict]:
    return [
        # the child: two medical policies (overlap) and critical illness; the parents: none
        c.policy("BD-2026-MED01", insured=[CHILD], premium=600),
        c.policy("BD-2026-MED02", insured=[CHILD], premium=900, product="好医保"),
        c.policy(
            "BD-2026-CR1T1",
            subcategory="critical_illness",
            insured=[CHILD],
            premium=3000,
            sum_insured=500000,
            effective=date(2025, 12, 20),
            terminates=date(2026, 12, 19),  # ends within the renewal window
        ),
        # the spouse's accident cover lapsed this year
        c.policy(
            "BD-2026-ACC01",
            category="accident",
            subcategory="personal_accident",
            insured=[SPOUSE],
            status="lapsed",
            effective=date(2025, 6, 1),
            terminates=date(2026, 5, 31),
        ),
        # the client's term life, paid monthly
        c.policy(
            "BD-2026-T3RM1",
            category="life",
            subcategory="term",
            premium=100,
            payment={"frequency": "monthly", "years": 20},
            effective=date(2026, 1, 1),
            terminates=date(2046, 12, 31),
            beneficiaries=[{"name": "李娜", "relation": "配偶", "share": 100}],
        ),
    ]


def test_the_map_of_a_family():
    cf = c.client_file(c.person(earner=True), family_policies())
    firm = c.firm(cf)
    cover = cover_map(cf, assess(firm, TODAY), TODAY, 90)
    me, spouse, child = cover.people
    assert [r.name for r in cover.people] == ["张伟", "李娜", "张小明"]
    assert [i.policy.registry_no for i in me.cells["life"]] == ["BD-2026-T3RM1"]
    assert "critical_illness" not in me.cells and "medical" not in me.cells
    assert [(i.state, i.yearly) for i in spouse.cells["accident"]] == [("lapsed", 0)]
    medical = child.cells["medical"]
    assert [i.overlaps for i in medical] == [True, True]
    (ci,) = child.cells["critical_illness"]
    assert ci.state == "soon"
    # a year of the cover in force: 12 × 100 life, 600 + 900 medical, 3,000 critical illness;
    # the lapsed accident cover costs nothing
    assert cover.yearly_total == Decimal(1200 + 600 + 900 + 3000)
    gaps = [a.title for a in cover.gaps]
    assert gaps == [a.title for a in assess(firm, TODAY).client_advice(cf.client.id)]
    assert "即将到期，尚无续保意向" in gaps and "孩子有保障而父母没有" not in gaps

    # without the father's life cover, only the child is protected
    cf = c.client_file(c.person(earner=True), family_policies()[:-1])
    gaps = [a.title for a in cover_map(cf, assess(c.firm(cf), TODAY), TODAY, 90).gaps]
    assert {"孩子有保障而父母没有", "家庭经济支柱缺少寿险或重疾险"} <= set(gaps)


def test_no_cover_reads_as_a_gap_and_costs_nothing():
    cf = c.client_file(c.person(), [])
    cover = cover_map(cf, assess(c.firm(cf), TODAY), TODAY, 90)
    assert cover.yearly_total == 0
    assert all(not r.cells for r in cover.people) and not cover.household.cells


# ---- on the built sites -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites(firm_template, tmp_path_factory):
    """The small firm with one hand-made family, built as the public and the staff site."""
    from baodan.services.sitebuild import build_site
    from baodan.store.workspace import Workspace

    root = tmp_path_factory.mktemp("cover") / "firm"
    shutil.copytree(firm_template.root, root)
    firm = FirmDir(root, firm_template.identity_file, firm_template.identity)
    client = c.person(
        "c-0000c0fe",
        earner=True,
        portal={"id": "cover-map-portal-0001", "key": "7K3QX-7K3QX-7K3QX-7K3QX"},
    )
    c.reset_clients(firm)
    c.write_client(firm, client, family_policies()[:-1])  # no cover for the parents
    build_public_site(firm)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", "2026-11-27")
        build_site(Workspace.open(root, firm.identity_file), staff=True)
    return root, client


def _cover_section(html: str) -> str:
    start = html.index('id="bd-cover"')
    return html[start : html.index("</section>", start)]


def _facts(section: str) -> tuple:
    text = re.sub(r"<[^>]+>", " ", section)
    amounts = re.findall(r"[\d,.]+万?元", text)
    gaps = re.findall(r"data-bd-gap>([^<]+)<", section)
    total = re.search(r"data-bd-yearly-total>([^<]+)<", section).group(1)
    return amounts, gaps, total


def _portal_html(root, client) -> str:
    page = (root / "site/p" / client["portal"]["id"] / "index.html").read_text("utf-8")
    payload = re.search(r'<script id="bd-payload" type="application/json">(.*?)</script>', page)
    return decrypt_portal(client["portal"]["key"], json.loads(payload.group(1)))


def test_the_portal_and_the_staff_page_show_the_same_map(sites):
    root, client = sites
    portal = _facts(_cover_section(_portal_html(root, client)))
    staff_page = (root / "site-staff/staff/clients" / client["id"] / "index.html").read_text()
    staff = _facts(_cover_section(staff_page))
    assert portal == staff
    assert portal[2] == "4,500.00元"
    # each gap is a finding on the staff risk section, in the client's words
    risk = staff_page[staff_page.index("风险评估") : staff_page.index('id="bd-cover"')]
    assert "孩子有保障而父母没有" in risk
    assert any("建议先补上大人的保障" in g for g in portal[1])
    assert "只按实际损失赔一次" in _cover_section(staff_page)  # the two medical policies


def test_the_map_prints_on_one_a4_page(sites, tmp_path):
    from playwright.sync_api import sync_playwright
    from pyhanko.pdf_utils.reader import PdfFileReader

    root, client = sites
    with serve_folder(root / "site") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_tool("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 375, "height": 812})
        page.goto(f"{server}/p/{client['portal']['id']}/#{client['portal']['key']}")
        page.wait_for_selector("#bd-cover")
        page.screenshot(path=str(tmp_path / "cover-375.png"), full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        page.evaluate("window.print = () => {}")  # no print dialog in a test: page.pdf prints
        page.click("[data-bd-print-cover]")  # marks the page: only the map is printed
        page.emulate_media(media="print")
        shown = page.evaluate(_SHOWN_IN_PRINT)
        page.screenshot(path=str(tmp_path / "cover-print.png"), full_page=True)
        pdf = tmp_path / "cover.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        browser.close()
    assert shown == ["bd-cover"]
    with pdf.open("rb") as f:
        assert PdfFileReader(f).root["/Pages"]["/Count"] == 1


# The portal's sections a printout shows.
_SHOWN_IN_PRINT = """() => [...document.querySelectorAll("#bd-portal > section")]
  .filter(s => getComputedStyle(s).display !== "none").map(s => s.id)"""


def test_a_policy_card_prints_alone_with_a_qr_code_to_the_portal(sites, tmp_path):
    """保单卡片: insurer, policy number, period, claims hotline, the firm, and a QR code that
    opens the portal page but carries no access code (a lost card opens nothing)."""
    import io

    import zxingcpp
    from PIL import Image
    from playwright.sync_api import sync_playwright
    from pyhanko.pdf_utils.reader import PdfFileReader

    root, client = sites
    portal = client["portal"]
    with serve_folder(root / "site") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_tool("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 375, "height": 812})
        page.goto(f"{server}/p/{portal['id']}/#{portal['key']}")
        policy = page.locator("article.bd-policy", has_text="PCR1T10000000001")
        policy.locator("[data-bd-open-card]").click()
        card = page.locator("#bd-card-view .bd-policy-card")
        text = card.inner_text()
        found = zxingcpp.read_barcodes(
            Image.open(io.BytesIO(card.locator(".bd-card-qr").screenshot()))
        )
        page.screenshot(path=str(tmp_path / "card-375.png"), full_page=True)
        shown = page.evaluate(
            """() => [...document.querySelectorAll("#bd-portal > *")]
              .filter(s => getComputedStyle(s).display !== "none").map(s => s.id)"""
        )
        pdf = tmp_path / "card.pdf"
        page.pdf(path=str(pdf), format="A4")
        page.click("[data-bd-close-card]")
        back = page.is_visible("#bd-policies")
        browser.close()
    for expected in ("中国平安人寿保险股份有限公司", "PCR1T10000000001", "2026年12月19日", "95511"):
        assert expected in text
    assert "0571-8888 6666" in text and "保险金额" not in text
    (code,) = found
    assert code.text == f"{server}/p/{portal['id']}/"  # the page, without its access code
    assert shown == ["bd-card-view"] and back
    with pdf.open("rb") as f:
        assert PdfFileReader(f).root["/Pages"]["/Count"] == 1
