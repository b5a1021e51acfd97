"""The staff build on a crafted firm, for a fixed "today": the work queues list exactly what is
due, client and policy pages show what staff need, lists mask identifiers, and the public build
holds none of it. One build per module; one look in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from baodan.services.sitebuild import build_site
from baodan.store.workspace import Workspace

from . import factories as c
from .conftest import FirmDir
from .helpers import BROKEN_WORDS, TOO_WIDE, require_tool, serve_folder

pytestmark = pytest.mark.slow  # builds a site or drives a browser


TODAY = "2026-11-27"


def _hold() -> dict:
    return c.policy(
        "BD-2026-HXD01",
        status="on_hold",
        hold_reason="初审异常：印章——骑缝章不清晰",
        audit={
            "date": date(2026, 11, 20),
            "staff": "wang-fang",
            "items": [
                {"item": "format_complete", "ok": True},
                {"item": "seals", "ok": False, "note": "骑缝章不清晰"},
                {"item": "no_alteration", "ok": True},
                {"item": "no_forgery", "ok": True},
            ],
        },
    )


def _discrepancies() -> dict:
    base = {"found_on": date(2026, 10, 2), "found_by": "wang-fang"}
    return c.policy(
        "BD-2026-DSC01",
        discrepancies=[
            {
                **base,
                "field": "policyholder.mobile",
                "subject": "投保人 张伟 的手机号",
                "on_policy": "13900000000",
                "on_record": "13912345678",
            },
            {
                **base,
                "field": "insured[0].id_number",
                "subject": "被保险人 张伟 的身份证号",
                "on_policy": c.resident_id("19800101", 13),
                "on_record": c.ME,
                "status": "confirmed",
                "confirmed_on": date(2026, 10, 5),
            },
            {
                **base,
                "field": "policyholder.address",
                "subject": "投保人地址",
                "on_policy": "甲",
                "on_record": "乙",
                "status": "resolved",
                "confirmed_on": date(2026, 10, 5),
                "resolved_on": date(2026, 10, 6),
                "resolved_by": "wang-fang",
            },
        ],
    )


def _crafted(firm: FirmDir) -> None:
    c.reset_clients(firm)
    c.write_client(
        firm,
        c.person(),
        [
            _hold(),
            _discrepancies(),
            c.policy("BD-2026-VPC01", effective=date(2025, 12, 21)),  # ends 12-20, never called
            c.policy("BD-2026-RNW01", effective=date(2025, 12, 11)),  # called 11-20: next 12-03
            c.policy("BD-2026-VND01", effective=date(2025, 12, 6)),  # undecided 10-01: due 10-06
            c.policy("BD-2025-XPS01", effective=date(2025, 11, 11)),  # ended 11-10: lapsed lately
            c.policy("BD-2025-XPS02", effective=date(2025, 9, 2)),  # ended 09-01: long ago
        ],
        [
            c.contact("BD-2026-RNW01", date(2026, 11, 20), "renew"),
            c.contact("BD-2026-VND01", date(2026, 10, 1), "undecided"),
        ],
        [
            c.task("t-00000001", date(2026, 11, 20), title="补交身份证复印件"),
            c.task("t-00000002", date(2026, 11, 30), title="还没到期的任务"),  # Monday
            c.task("t-00000004", date(2026, 11, 29), title="周日到期的任务"),
            # for 李强, who manages no client
            c.task("t-00000005", date(2026, 11, 27), title="今天到期的任务", owner="li-qiang"),
            c.task(
                "t-00000003",
                date(2026, 11, 1),
                title="已完成的任务",
                status="done",
                closed_on=date(2026, 11, 1),
            ),
        ],
    )
    car = c.policy(
        "BD-2026-CAR01",
        category="auto",
        subcategory="commercial",
        effective=date(2026, 6, 1),
        policyholder={
            "name": "杭州示例贸易有限公司",
            "relation": "本人",
            "uscc": "91350100M000100Y43",
        },
        insured=[],
        vehicle={"plate": "浙A88888", "vin": "LSVAM4187C2184357"},
    )
    access = {"id": "portal-id-0000000002", "key": "7K3QX-M2P9D-4HT8W-ZC6NR"}
    feed = {"token": "feed-token-00000002"}
    c.write_client(firm, c.company(portal=access, feed=feed), [car])
    # 张小: the start of the name of 张伟's son, 张小明
    son = {"name": "张小", "relation": "子女"}
    gone = c.person("c-00000003", name="离开的客户", left_on=date(2025, 1, 1), family=[son])
    c.write_client(
        firm,
        gone,
        [
            c.policy(
                "BD-2024-XFT01", status="on_hold", hold_reason="x", effective=date(2024, 3, 1)
            ),
            c.policy("BD-2026-GNX01", effective=date(2025, 12, 21)),  # ends 12-20: not called
        ],
    )


@pytest.fixture(scope="module")
def site(firm_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("staffsite") / "firm"
    shutil.copytree(firm_template.root, root)
    firm = FirmDir(root, firm_template.identity_file, firm_template.identity)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", TODAY)
        _crafted(firm)
        git = ["git", "-C", str(root), "-c", "user.name=王芳", "-c", "user.email=wf@example.com"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "登记张伟的保单"], check=True)
        ws = Workspace.open(root, firm.identity_file)
        build_site(ws, staff=True)
        build_site(ws, staff=False)
    return root


def page(site, uri: str) -> str:
    return (site / "site-staff" / uri).read_text("utf-8")


def section(html: str, anchor: str) -> str:
    """The HTML from the heading with this id to the next heading of any level."""
    start = html.index(f'id="{anchor}"')
    end = re.compile(r"<h[23] ").search(html, start + 1)
    return html[start : end.start() if end else len(html)]


def regnos(html: str) -> set[str]:
    return set(re.findall(r">(BD-\d{4}-[0-9A-Z]{5})</a>", html))


def test_today_lists_exactly_what_is_due(site):
    html = page(site, "staff/index.html")
    assert "2026年11月27日 星期五" in html
    assert regnos(section(html, "on-hold")) == {"BD-2026-HXD01"}
    disc = section(html, "discrepancies")
    assert disc.count("baodan verify BD-2026-DSC01") == 2
    assert "--confirm 1" in disc and "--resolve 2" in disc and "投保人地址" not in disc
    assert "139****0000" in disc and "13900000000" not in disc  # lists mask phone numbers
    assert regnos(section(html, "renewals-upcoming")) == {"BD-2026-VPC01"}
    assert regnos(section(html, "renewals-contacted")) == set()
    assert regnos(section(html, "renewals-renew")) == set()
    assert regnos(section(html, "renewals-undecided")) == {"BD-2026-VND01"}
    assert "逾期 52 天" in section(html, "renewals-undecided")
    assert regnos(section(html, "renewals-lapsed")) == {"BD-2025-XPS01"}
    risky = section(html, "high-risk")
    assert "杭州示例贸易有限公司" in risky and "浙A88888" in risky and "张伟" not in risky
    # Friday: what falls due over the weekend is on today's list, marked as such
    assert "接下来是休息日（11月28日至11月29日，共 2 天）" in html
    tasks = section(html, "tasks-due")
    assert re.search(
        r"补交身份证复印件.*逾期 7 天.*今天到期的任务.*今天到期.*周日到期的任务.*"
        r"星期日，休息日",
        tasks,
        re.S,
    )
    assert "还没到期" not in tasks and "已完成" not in tasks
    assert "离开的客户" not in html and "BD-2024-XFT01" not in html
    cards = re.findall(r"<b[^>]*>(\d+)</b>([^<]+)</a>", html)
    assert cards == [
        ("1", "暂缓保单"),
        ("2", "待核对差异"),
        ("2", "续保待联系"),
        ("1", "高风险客户"),
        ("3", "到期任务"),
    ]
    # every item links to its client and policy page, and names its command
    assert 'href="clients/c-00000001/"' in html
    assert 'href="clients/c-00000001/#bd-2026-hxd01"' in html
    assert "baodan audit BD-2026-HXD01" in html and "baodan renew BD-2026-VPC01" in html
    assert "baodan task done t-00000001" in html and "baodan risk c-00000002" in html
    # what to put in place of the … in `baodan renew … --intention …`
    renewals = section(html, "renewals")
    for name in ("愿意续保", "不再续保", "尚未决定"):
        assert f"<code>{name}</code>" in renewals
    assert "<code>renew</code>" not in renewals


def test_client_page(site):
    html = page(site, "staff/clients/c-00000001/index.html")
    assert "<h1" in html and "张伟" in html
    assert "110***********" in html  # family IDs masked
    assert "13912345678" in html  # the client's own page: the number to call
    for regno in ("BD-2026-HXD01", "BD-2026-VPC01", "BD-2025-XPS02"):
        assert f'href="./#{regno.lower()}"' in html or f'href="#{regno.lower()}"' in html
    assert "已失效" in html and "暂缓（审核异常）" in html
    assert "补交身份证复印件" in html and "愿意续保" in html
    assert "登记张伟的保单" in html and "王芳" in html  # history from git


def test_client_page_says_how_to_send_the_portal_and_stops_reminders_once_the_client_left(site):
    html = page(site, "staff/clients/c-00000002/index.html")
    assert "baodan portal link c-00000002" in html and "baodan feed link c-00000002" in html
    assert "7K3QX" not in html  # the access code only through the command
    html = page(site, "staff/clients/c-00000001/index.html")
    assert "baodan portal rotate c-00000001" in html and "baodan feed rotate c-00000001" in html
    assert "baodan log c-00000001" in html  # field by field, not git's ciphertext
    gone = page(site, "staff/clients/c-00000003/index.html")
    assert "已停用（客户已终止服务或撤回同意）" in gone and "baodan portal link" not in gone
    renewal = policy_section(site, "BD-2026-GNX01")
    assert "不再联系续保" in renewal
    assert (
        "待联系" not in gone
        and "今天应联系" not in gone
        and "baodan renew BD-2026-GNX01 --" not in gone
    )


def policy_section(site, regno: str) -> str:
    """A policy's section on its client's staff page, from its heading to the next one."""
    anchor = f'id="{regno.lower()}"'
    for path in sorted((site / "site-staff/staff/clients").glob("c-*/index.html")):
        html = path.read_text("utf-8")
        if anchor in html:
            rest = html[html.index(anchor) :]
            return re.split(r"<h[23]", rest, maxsplit=1)[0]
    raise AssertionError(f"no client page has a section for {regno}")


def test_policy_sections_on_the_client_page(site):
    html = policy_section(site, "BD-2026-HXD01")
    assert "初审异常：印章——骑缝章不清晰" in html and "✗ 异常" in html
    html = policy_section(site, "BD-2026-DSC01")
    assert "已与客户确认" in html and "已解决" in html and "第 17、18 位不同" in html
    html = policy_section(site, "BD-2026-VND01")
    assert "尚未决定" in html and "下次联系" in html
    assert not (site / "site-staff/staff/policies/BD-2026-HXD01").exists()  # no page per policy


def test_registry_in_time_order_and_lists_mask_identifiers(site):
    html = page(site, "staff/policies/2026/index.html")
    order = [n for n in re.findall(r">(BD-\d{4}-[0-9A-Z]{5})</a>", html) if n.startswith("BD-2026")]
    # newest registration first: the car (received 2026-06-01) before the 2026-03-01 ones
    assert order.index("BD-2026-CAR01") < order.index("BD-2026-HXD01")
    assert "BD-2026-VPC01" not in order  # received 2025-12-21: on the 2025 page
    assert "BD-2026-VPC01" in page(site, "staff/policies/2025/index.html")
    clients = page(site, "staff/clients/index.html")
    assert c.ME not in clients and "110***********" in clients and "139****5678" in clients


def test_search_indexes_names_and_phones_not_id_numbers_and_public_site_has_no_staff_pages(site):
    index = json.loads(page(site, "search/search_index.json"))
    text = json.dumps(index, ensure_ascii=False)
    assert "张伟" in text and "BD-2026-HXD01" in text  # the client page lists its policies
    policy_no = c.policy("BD-2026-HXD01")["policy_no"]
    assert policy_no in text
    assert "13912345678" in text  # staff find a client by the number that calls
    assert c.ME not in text and c.SPOUSE not in text
    # a policy's entry: its numbers, product and insurer, and no detail of the policy
    [entry] = [d for d in index["docs"] if d["location"].endswith("#bd-2026-hxd01")]
    assert entry["title"].startswith("BD-2026-HXD01 · ") and policy_no in entry["text"]
    assert "骑缝章" not in text and "档案柜" not in text
    assert not (site / "site" / "staff").exists()
    public = (site / "site" / "sitemap.xml").read_text("utf-8") + (
        site / "site" / "search" / "search_index.json"
    ).read_text("utf-8")
    assert "张伟" not in public and "staff/" not in public


def test_the_owner_filter_offers_everyone_with_an_item_on_the_page(site):
    html = page(site, "staff/index.html")
    select = html[html.index("data-bd-filter") : html.index("</select>")]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options[1:] == ["陈静", "李强", "王芳"]  # in pinyin order, after 全部
    assert "李强" in section(html, "tasks-due")


def test_client_list_is_in_pinyin_order(site):
    html = page(site, "staff/clients/index.html")
    # hang before zhang (杭 U+676D comes after 张 U+5F20); those who left last
    assert html.index("杭州示例贸易有限公司") < html.index("张伟") < html.index("离开的客户")


def test_today_page_in_a_browser(site, tmp_path):
    from playwright.sync_api import sync_playwright

    chromium = require_tool("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        tab.goto((site / "site-staff/staff/index.html").as_uri())
        assert tab.locator("h1").inner_text().startswith("今日工作台")
        hold = tab.get_by_text("baodan audit BD-2026-HXD01")
        car = tab.get_by_text("baodan risk c-00000002")
        assert hold.is_visible() and car.is_visible()
        tab.select_option("select[data-bd-filter]", "陈静")  # only 陈静's clients
        assert not hold.is_visible() and car.is_visible()
        # the counts follow the filter, and a queue left empty says so
        assert tab.locator(".bd-card b").all_inner_texts() == ["0", "0", "0", "1", "0"]
        assert tab.locator("#renewals-undecided").inner_text().startswith("尚未决定（0）")
        empty = tab.locator("#on-hold ~ .bd-filter-empty").first
        assert empty.is_visible() and empty.inner_text() == "✓ 没有陈静负责的。"
        assert not tab.locator("table[data-bd-queue=on-hold]").is_visible()
        tab.screenshot(path=str(tmp_path / "today.png"), full_page=True)
        tab.reload()  # the choice is remembered on this computer
        assert tab.locator("select[data-bd-filter]").input_value() == "陈静"
        assert not tab.get_by_text("baodan audit BD-2026-HXD01").is_visible()
        tab.select_option("select[data-bd-filter]", "")  # everyone's again
        assert tab.locator(".bd-card b").all_inner_texts() == ["1", "2", "2", "1", "3"]
        assert not tab.locator(".bd-filter-empty").first.is_visible()
        browser.close()


def _staff_pages(site) -> list[str]:
    folder = site / "site-staff"
    return sorted(p.relative_to(folder).as_posix() for p in (folder / "staff").rglob("index.html"))


def test_tables_fit_the_page_and_break_no_word(site, tmp_path):
    """At 1280 px (an office screen) every staff table fits, with its commands, and no cell
    breaks a date, number or code, or a short cell such as a name; at 1024 and 1400 they fit.
    Screenshots of every page at 1280 px are left in the test's folder to look at."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=require_tool("chromium"),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        tab = browser.new_page()
        problems = []
        for width in (1024, 1280, 1400):
            tab.set_viewport_size({"width": width, "height": 900})
            for uri in _staff_pages(site):
                tab.goto((site / "site-staff" / uri).as_uri())
                problems += [(uri, width, "too wide", what) for what in tab.evaluate(TOO_WIDE)]
                if width == 1280:
                    broken = tab.evaluate(BROKEN_WORDS)
                    problems += [(uri, width, "broken", what) for what in broken]
                    shot = tmp_path / (uri.replace("/", "_") + ".png")
                    tab.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert problems == []


def test_the_register_filter_understands_kinds_of_cover_as_people_say_them(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=require_tool("chromium"),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto((site / "site-staff/staff/policies/2026/index.html").as_uri())

        def shown(typed: str) -> set[str]:
            tab.fill("input[data-bd-search]", typed)
            rows = tab.locator("tbody tr:not(.bd-hidden) td:nth-child(2)").all_inner_texts()
            return set(rows)

        assert shown("车险") == {"BD-2026-CAR01"}  # 机动车辆保险
        assert "BD-2026-HXD01" in shown("医疗险") and "BD-2026-CAR01" not in shown("医疗险")
        assert shown("车险 张伟") == set()  # every word must match
        browser.close()


def test_staff_pages_have_no_serious_accessibility_problem(site):
    """axe-core finds no serious or critical violation on any staff page at 1280 px: contrast
    (the header tabs), links told apart from the text around them, named dialogs, regions."""
    from playwright.sync_api import sync_playwright

    from .axe import violations

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=require_tool("chromium"),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        # axe is put into the page as a script: the pages' Content-Security-Policy would refuse it
        tab = browser.new_context(
            bypass_csp=True, viewport={"width": 1280, "height": 900}
        ).new_page()
        found = {}
        for uri in _staff_pages(site):
            tab.goto((site / "site-staff" / uri).as_uri())
            if problems := violations(tab):
                found[uri] = problems
        browser.close()
    assert found == {}


# Functions, not expressions: Playwright polls an expression with eval(), which the pages'
# Content-Security-Policy refuses.
WAITING = "() => document.querySelector('.md-search-result__meta').innerText.includes('键入')"
READY = "() => !document.querySelector('.md-search-result__meta').innerText.includes('键入')"


def _search(folder, query: str) -> tuple[str, list[str]]:
    """Type ``query`` into the search box of the staff site in ``folder`` (served as a static
    host serves it: the search fetches its index): the line counting results, and their links."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, serve_folder(folder) as address:
        browser = p.chromium.launch(
            executable_path=require_tool("chromium"),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        tab.goto(f"{address}/staff/")
        search = tab.locator("input.md-search__input")
        search.click()  # Material starts its search worker on first focus
        tab.wait_for_function(WAITING)
        search.fill(query)
        search.press("End")  # Material searches on keyup: one search, for the whole query
        tab.wait_for_function(READY)
        meta = tab.locator(".md-search-result__meta").inner_text()
        links = [a.get_attribute("href") for a in tab.locator(".md-search-result__link").all()]
        browser.close()
    return meta, links


def test_searching_a_registry_number_finds_its_client_first(site):
    # Material splits it into bd, 2026 and car01; the knowledge base has a heading "2026 年"
    _, links = _search(site / "site-staff", "BD-2026-CAR01")
    first, section = links[:2]
    assert "/staff/clients/c-00000002/" in first  # the client, and the policy on their page
    assert "/staff/clients/c-00000002/" in section and section.endswith("#bd-2026-car01")


@pytest.mark.parametrize(
    ("query", "client"),
    [
        ("张小明", "c-00000001"),  # his father's client page, before the one with 张小
        ("13912345678", "c-00000001"),  # a mobile number
        ("13812345678", "c-00000001"),  # a family member's mobile number
        ("浙A88888", "c-00000002"),  # a plate
        ("杭州示例贸易有限公司", "c-00000002"),  # an exact client name
        (c.policy("BD-2026-HXD01")["policy_no"], "c-00000001"),  # the insurer's policy number
    ],
)
def test_search_finds_a_client_by_what_staff_know_first(site, query, client):
    _, links = _search(site / "site-staff", query)
    assert links and f"/staff/clients/{client}/" in links[0]


# Numbers that make lunr's token set (in Material's search worker) give two different nodes
# the same key and merge them: 1515 and 151167 drop out of the automaton, and a search for
# them throws inside the worker. Found by building token sets of random numbers as lunr does.
COLLIDING = (
    "11556 117 118125 120022 12024 12078 122197 122804 123 124973 12582 127156 128 130 13176"
    " 1323 1334 133882 1358 13689 1374 1382 139467 1461 14639 151167 1515"
)


def test_search_finds_numbers_that_break_lunrs_token_set(site, tmp_path):
    copy = tmp_path / "site-staff"
    shutil.copytree(site / "site-staff", copy)
    index = copy / "search" / "search_index.json"
    config = json.loads(index.read_text("utf-8"))["config"]
    doc = {"location": "staff/", "title": "号码", "text": COLLIDING}
    index.write_text(json.dumps({"config": config, "docs": [doc]}), "utf-8")
    meta, _ = _search(copy, "1515")
    assert meta == "找到 1 个符合条件的结果"
