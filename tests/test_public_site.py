"""The public build: nothing personal in plaintext, portals kept from crawlers, same bytes."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from baodan.models.insurer import Solvency
from baodan.store.portal_crypto import decrypt_portal
from baodan.web import builders

from .conftest import FirmDir, build_public_site
from .helpers import read_record, run_cli, tree_digest, write_record


def personal_identifiers(firm) -> set[str]:
    """Every name, ID number, mobile, USCC, address and policy number in the records."""
    found: set[str] = set()

    def add(*values):
        found.update(v for v in values if v)

    for cf in firm.clients.values():
        c = cf.client
        add(c.name, c.id_number, c.uscc, c.mobile, c.phone, c.address, c.legal_rep, c.email)
        for m in c.family:
            add(m.name, m.id_number, m.mobile)
        for contact in c.contacts:
            add(contact.name, contact.mobile)
        for p in cf.policies:
            add(p.policy_no, p.policyholder.name, p.policyholder.id_number, p.policyholder.uscc)
            for party in p.insured:
                add(party.name, party.id_number, party.uscc)
            for b in p.beneficiaries:
                add(b.name, b.id_number)
            if p.vehicle:
                add(p.vehicle.plate, p.vehicle.vin)
            if p.insured_property:
                add(p.insured_property.address)
        for claim in cf.claims:
            add(claim.insurer_claim_no)
    public = {s.name for s in firm.staff.values()} | {i.name for i in firm.insurers.values()}
    return {v for v in found if len(v) >= 2 and v not in public}


def site_texts(site: Path) -> Iterator[tuple[str, str]]:
    """Every file's text as a reader would see it: gzip opened, JSON \\u escapes decoded."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        yield path.relative_to(site).as_posix(), text


def portal_payload(html: str) -> dict:
    match = re.search(r'<script id="bd-payload" type="application/json">(.*?)</script>', html)
    assert match, "portal page without its encrypted payload"
    return json.loads(match.group(1))


@pytest.mark.slow
def test_no_personal_data_anywhere_in_the_public_site(public_site):
    identifiers = personal_identifiers(public_site.firm)
    assert len(identifiers) > 50  # names, IDs, mobiles, addresses, policy numbers …
    texts = dict(site_texts(public_site.site))
    # portals, feeds, pages, the search index and sitemap: a scan of an empty folder proves nothing
    assert len(texts) > 50 and "search/search_index.json" in texts and "sitemap.xml" in texts
    leaks = [(rel, value) for rel, text in texts.items() for value in identifiers if value in text]
    assert leaks == []


@pytest.mark.slow
def test_each_client_has_one_portal_holding_only_their_own_ciphertext(public_site):
    firm, site = public_site.firm, public_site.site
    left = [cf for cf in firm.clients.values() if cf.client.left_on]
    current = [cf for cf in firm.clients.values() if not cf.client.left_on]
    assert left and current
    portals = sorted(p.parent.name for p in (site / "p").glob("*/index.html"))
    assert portals == sorted(cf.client.portal.id for cf in current)
    for cf in current:
        page = (site / "p" / cf.client.portal.id / "index.html").read_text("utf-8")
        shown = decrypt_portal(cf.client.portal.key, portal_payload(page))
        assert f"{cf.client.name}，您好" in shown
        assert all(p.policy_no in shown for p in cf.policies)
        assert cf.client.name not in page


@pytest.mark.slow
def test_portals_are_kept_out_of_sitemap_search_and_crawlers(public_site):
    site = public_site.site
    ids = [cf.client.portal.id for cf in public_site.firm.clients.values() if cf.client.portal]
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    search = (site / "search" / "search_index.json").read_text("utf-8")
    assert "/kb/" in sitemap and "<loc>https://demo.baodan.example/</loc>" in sitemap
    assert [i for i in ids if i in sitemap or i in search] == []
    assert "/p/" not in sitemap and '"location":"p/' not in search
    robots = (site / "robots.txt").read_text("utf-8").splitlines()
    assert "Disallow: /p/" in robots and "Disallow: /feeds/" in robots
    assert "Sitemap: https://demo.baodan.example/sitemap.xml" in robots


@pytest.mark.slow
def test_portal_page_runs_only_the_sites_own_script_file(public_site):
    portal = next((public_site.site / "p").glob("*/index.html")).read_text("utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', portal).group(1)
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    assert '<meta name="robots" content="noindex,nofollow">' in portal
    assert '<meta name="referrer" content="no-referrer">' in portal
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", portal, re.DOTALL)
    assert [
        attrs for attrs, body in scripts if body.strip() and "application/json" not in attrs
    ] == []
    assert any("assets/baodan/portal.js?v=" in attrs for attrs, _ in scripts)
    assert not re.search(r"\son[a-z]+=", portal)  # no inline event handlers
    loaded = re.findall(r'<(?:link|script|img)[^>]*(?:href|src)="([^"]*)"', portal)
    assert loaded and [url for url in loaded if "//" in url or url.startswith("/")] == []


@pytest.mark.slow
def test_two_builds_give_the_same_bytes_and_a_change_touches_only_its_portal(public_site, tmp_path):
    first = tree_digest(public_site.site)
    root = tmp_path / "firm"
    shutil.copytree(public_site.firm_dir.root, root, ignore=shutil.ignore_patterns("site"))
    again = FirmDir(root, public_site.firm_dir.identity_file, public_site.firm_dir.identity)
    assert tree_digest(build_public_site(again)) == first

    cf = next(cf for cf in public_site.firm.clients.values() if cf.client.portal and cf.policies)
    rel = cf.policies[0].path
    text = read_record(root, rel, again.identities)
    write_record(
        root, rel, re.sub(r"(?m)^premium: .*$", "premium: 4321.09", text), again.identities
    )
    changed = tree_digest(build_public_site(again))
    assert {k for k in first if first[k] != changed.get(k)} == {
        f"p/{cf.client.portal.id}/index.html"
    }


@pytest.mark.slow
def test_public_build_reads_only_what_it_publishes_and_gives_the_same_files(
    public_site, tmp_path, monkeypatch, capsys
):
    """The public build skips interactions (two thirds of the records, staff work): its files
    are the same as a build from every record, so no public page or feed needs them."""
    assert any(cf.interactions for cf in public_site.firm.clients.values())
    root = tmp_path / "firm"
    shutil.copytree(public_site.firm_dir.root, root, ignore=shutil.ignore_patterns("site"))
    again = FirmDir(root, public_site.firm_dir.identity_file, public_site.firm_dir.identity)
    monkeypatch.setattr(builders, "PUBLIC_SLOTS", None)  # read every record
    assert tree_digest(build_public_site(again)) == tree_digest(public_site.site)
    monkeypatch.undo()

    # So a broken interaction does not hold up the public site; `baodan check` reports it.
    monkeypatch.chdir(root)
    monkeypatch.setenv("BAODAN_IDENTITY", str(again.identity_file))
    broken = min(root.glob("records/clients/*/interactions/*.yaml.age"))
    broken.write_bytes(broken.read_bytes()[:-40])
    assert tree_digest(build_public_site(again)) == tree_digest(public_site.site)
    code, _, err = run_cli(capsys, "check")
    assert code == 1 and broken.relative_to(root).as_posix() in err


@pytest.mark.slow
def test_lectures_are_articles_with_topics_years_and_upcoming(public_site):
    site, firm = public_site.site, public_site.firm
    past = [lec for lec in firm.lectures if lec.date < date(2026, 11, 27)]
    upcoming = [lec for lec in firm.lectures if lec.date >= date(2026, 11, 27)]
    assert past and upcoming
    topics = (site / "kb" / "topics" / "index.html").read_text("utf-8")
    for lec in firm.lectures:
        page = (site / "kb" / lec.slug / "index.html").read_text("utf-8")
        assert lec.venue in page and lec.speaker in page
        assert f'href="../{lec.slug}/"' in topics
    health = next(lec for lec in firm.lectures if "health" in lec.tags)
    page = (site / "kb" / health.slug / "index.html").read_text("utf-8")
    assert 'class="md-tag' in page and "健康保险" in page  # Material's tag, linked to topics
    assert topics.index("人寿保险") < topics.index("健康保险") < topics.index("机动车辆保险")
    index = (site / "kb" / "index.html").read_text("utf-8")
    assert index.index("2026 年") < index.index("2025 年")
    home = (site / "index.html").read_text("utf-8")
    home = home[home.index("<article") : home.index("</article>")]  # not the nav
    assert upcoming[0].title in home
    assert all(lec.title not in home for lec in past)


def test_insurer_figures_go_stale_two_quarters_after_publication():
    q2 = Solvency(quarter="2026Q2", comprehensive_ratio=Decimal(200), core_ratio=Decimal(100),
                  rating="A")  # fmt: skip
    q1 = q2.model_copy(update={"quarter": "2026Q1"})
    # Q3 figures are due by 30 October: until then Q1 is one report behind, after it two.
    assert not q1.is_stale(date(2026, 10, 15))
    assert q1.is_stale(date(2026, 11, 27))
    assert not q2.is_stale(date(2026, 12, 31))
    assert q2.is_stale(date(2027, 1, 31))


@pytest.mark.slow
def test_insurer_directory_shows_hotlines_and_marks_stale_figures(public_site):
    page = (public_site.site / "insurers" / "index.html").read_text("utf-8")
    for insurer in public_site.firm.insurers.values():
        assert (
            insurer.name in page and f'href="tel:{insurer.claims_hotline.replace("-", "")}"' in page
        )
        latest = insurer.latest_solvency
        if latest and latest.is_stale(date(2026, 11, 27)):
            quarter = f"{latest.quarter[:4]}年第{latest.quarter[-1]}季度"
            assert f'{quarter}数据</span> <span class="bd-warn">数据过期' in page
    assert "<img" not in page
    assert not re.search(r"\d{4}Q\d", page)  # quarters in words, as the reader says them


class _AroundArticles(HTMLParser):
    """What a page says besides its article's prose: the text of its header, nav and footer,
    and every tooltip, label, placeholder and image text (also those inside the article)."""

    SKIP = {"script", "style", "svg", "article"}

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.said += [
            v for k, v in attrs if k in ("title", "aria-label", "placeholder", "alt") and v
        ]
        if tag in self.SKIP:
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.said.append(data)


# Names only written in Latin letters (a client's calendar page names phones and calendar apps).
BRANDS = {"iPhone", "iPad", "OPPO", "vivo", "Outlook", "Google", "Safari"}


@pytest.mark.slow
def test_public_pages_speak_chinese_around_their_articles(public_site):
    english = {}
    for page in public_site.site.rglob("*.html"):
        if page.relative_to(public_site.site).parts[0] == "p":
            continue  # portals: tests/test_portal_browser.py
        reader = _AroundArticles()
        reader.feed(page.read_text("utf-8"))
        said = re.sub(r"\S+@\S+|https?://\S+", "", " ".join(reader.said))
        if words := set(re.findall(r"[A-Za-z]{3,}", said)) - BRANDS:
            english[page.relative_to(public_site.site).as_posix()] = words
    assert english == {}  # was: "Made with Material for MkDocs", headings' "Permanent link"


@pytest.mark.slow
def test_a_phone_reader_can_call_the_firm_wherever_its_number_is_written(public_site):
    phone = public_site.firm.settings.contact.phone
    pages = [
        p for p in public_site.site.rglob("*.html") if p.parts[len(public_site.site.parts)] != "p"
    ]
    shown = 0
    for page in pages:
        body = page.read_text("utf-8").split("<body", 1)[1]
        shown += body.count(phone)
        called = re.sub(rf'<a href="tel:[\d+-]+"[^>]*>{re.escape(phone)}</a>', "", body)
        assert phone not in called, page.relative_to(public_site.site)
    assert shown >= 8  # home, contact, insurers, the lecture pages, 404
