"""The client-service pages of the staff build: built once for the module from the small
generated firm, read as HTML, and looked at in a real browser."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlparse

import pytest
from baodan.checks import load_firm
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.domain import care, claims, incidents, kpis, tasks
from baodan.models.claim import CLAIM_TYPES
from baodan.models.interaction import CHANNELS, KINDS
from baodan.services.sitebuild import build_site
from baodan.store.workspace import Workspace

from .conftest import make_firm
from .helpers import TOO_WIDE, require_tool

pytestmark = pytest.mark.slow  # builds a site or drives a browser


TODAY = date(2026, 11, 27)
PAGES = [
    "staff/claims",
    "staff/care",
    "staff/care/greetings",
    "staff/care/surveys",
    "staff/tasks",
    "staff/incidents",
    "staff/reports",
    "staff/reports/cross-sell",
    "staff/training",
    "staff/partners",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(firm folder, loaded firm): the staff site built into site-staff/, the public into site/."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", TODAY.isoformat())
        fd = make_firm(tmp_path_factory.mktemp("service") / "firm")
        mp.setenv("BAODAN_IDENTITY", str(fd.identity_file))
        ws = Workspace.open(fd.root, None)
        build_site(ws, staff=True)
        build_site(ws, staff=False)
        firm, errors = load_firm(fd.root, ws.vault, today())
        assert errors == []
        yield fd.root, firm


def test_partner_contacts_and_notes_stay_out_of_the_public_site(built):
    root, firm = built
    secrets = [c.name for i in firm.insurers.values() for c in i.partner_contacts]
    secrets += [i.partner_notes for i in firm.insurers.values() if i.partner_notes]
    secrets += [p.name for p in firm.partners.values()]
    assert secrets
    files = [p for p in (root / "site").rglob("*") if p.is_file()]
    assert len(files) > 50
    public = "".join(p.read_text("utf-8", "replace") for p in files)
    assert not [s for s in secrets if s in public]
    staff = _html(root, "staff/partners")
    assert all(s in staff for s in secrets)


def _html(root, page: str) -> str:
    return (root / "site-staff" / page / "index.html").read_text("utf-8")


def test_every_service_page_is_in_the_staff_build_only(built):
    root, _ = built
    for page in PAGES:
        assert (root / "site-staff" / page / "index.html").is_file(), page
    assert not (root / "site" / "staff").exists()
    nav = _html(root, "staff/claims")
    for label in (
        "员工工作台",
        "理赔",
        "客户关怀",
        "部门交接",
        "应急事件",
        "报表",
        "培训与讲座",
        "合作伙伴",
    ):
        assert f">{label}<" in nav or f"> {label} <" in nav or label in nav


def _section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    nxt = html.find("<h2", start + 1)
    return html[start : nxt if nxt > 0 else None]


def test_claims_page_lists_each_open_claim_in_its_queue_with_missing_items(built):
    root, firm = built
    html = _html(root, "staff/claims")
    queues = claims.claim_queues(firm, TODAY)
    assert all(queues[q] for q in claims.QUEUES), "the demo has a claim in every queue"
    for q, items in queues.items():
        section = _section(html, q)
        for o in items:
            assert o.claim.id in section and f"{o.age_days} 天" in section
            for item in o.missing if q == "client" else []:
                assert item.item in section
    closed = [c.id for cf in firm.clients.values() for c in cf.claims if c.stage == "closed"]
    assert closed and not any(cid in html for cid in closed)


def test_a_claim_number_finds_its_clients_page_in_the_staff_search(built):
    root, firm = built
    index = json.loads((root / "site-staff/search/search_index.json").read_text("utf-8"))
    cf = next(cf for cf in firm.clients.values() if any(c.insurer_claim_no for c in cf.claims))
    claim = next(c for c in cf.claims if c.insurer_claim_no)
    [entry] = [d for d in index["docs"] if d["location"] == f"staff/clients/{cf.client.id}/"]
    assert claim.id in entry["text"] and claim.insurer_claim_no in entry["text"]


def test_claims_page_names_who_handles_each_claim_and_the_stages_in_chinese(built):
    root, firm = built
    html = _html(root, "staff/claims")
    ours = _section(html, "us")
    assert "<th>负责人</th>" in ours
    for o in claims.claim_queues(firm, TODAY)["us"]:
        row = ours[ours.index(o.claim.id) :].split("</tr>")[0]
        assert firm.staff[o.claim.handler].name in row
    assert "阶段写中文：已报案、收集材料、已提交、审核中" in html and "under_review" not in html


def test_tasks_and_incidents_pages(built):
    root, firm = built
    html = _html(root, "staff/tasks")
    queues = tasks.department_queues(firm, TODAY)
    assert all(queues.values()), "the demo has tasks for every department"
    late = [q for items in queues.values() for q in items if q.overdue_days]
    assert late and all(f"逾期 {q.overdue_days} 天" in html for q in late)
    html = _html(root, "staff/incidents")
    open_, closed = incidents.incidents(firm, TODAY)
    assert {s.incident.plan for s in open_} == {"lost_policy", "claim_dispute"}
    for s in open_:
        assert f'id="{s.incident.id}"' in html
        step = s.incident.next_step
        assert f'baodan incident step {s.incident.id} "{step.title}"' in html
    assert "12378" in html
    assert all(s.incident.id in html for s in closed)


def test_reports_page_has_the_charts(built):
    root, _ = built
    html = _html(root, "staff/reports")
    svgs = re.findall(r"<svg [^>]*class=\"bd-chart.*?</svg>", html, re.DOTALL)
    assert len(svgs) == 5
    titles = []
    for svg in svgs:
        tree = ET.fromstring(svg)
        titles.append(tree.find("{http://www.w3.org/2000/svg}title").text.split("（")[0])
        labels = tree.findall(".//{http://www.w3.org/2000/svg}g[@class='bd-xlabels']/*")
        assert (
            len(labels) == 13 and labels[-1].text == "（至今）"
        )  # a month each; this one not over
    assert titles == ["续保率", "理赔时效中位数", "满意度平均分", "NPS", "新客户和新保单"]
    assert "<script" not in "".join(svgs)


def test_care_and_training_pages(built):
    root, _ = built
    care = _html(root, "staff/care")
    assert "下一个节日：元旦（2027-01-01，还有 35 天）" in care
    greetings = _html(root, "staff/care/greetings")
    assert "2026-02-17" in greetings and "2027-02-06" in greetings and "2026-09-25" in greetings
    assert "把互动类别改为回访" in care and "<code>visit</code>" not in care  # not a bare code
    training = _html(root, "staff/training")
    assert "理赔纠纷的处理步骤" in training and "客户参加讲座" in training
    assert "kind: lecture" not in training and "记为“参加讲座”" in training
    partners = _html(root, "staff/partners")
    assert "招商银行" in partners and "理赔联络人" in partners


def test_pages_in_a_real_browser(built, tmp_path):
    from playwright.sync_api import sync_playwright

    root, _ = built
    chromium = require_tool("chromium")
    site = root / "site-staff"
    seen_hosts = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: seen_hosts.add(urlparse(r.url).scheme))
        page.goto((site / "staff/reports/index.html").as_uri())
        charts = page.locator("svg.bd-chart")
        assert charts.count() == 5
        box = charts.first.bounding_box()
        assert box["width"] > 400 and box["height"] > 100  # drawn full width, not a thumbnail
        assert page.locator("svg.bd-line-chart .bd-point").count() >= 12
        page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)
        page.goto((site / "staff/claims/index.html").as_uri())
        assert page.locator("h1").inner_text().startswith("理赔队列")
        assert page.locator(".bd-tag--late").count() >= 1
        page.screenshot(path=str(tmp_path / "claims.png"), full_page=True)
        page.set_viewport_size({"width": 1024, "height": 900})
        too_wide = []
        for uri in ("claims", "care", "care/surveys", "reports/cross-sell"):
            page.goto((site / "staff" / uri / "index.html").as_uri())
            assert page.locator("article .md-typeset__table > table").count() >= 2  # styled
            too_wide += [(uri, what) for what in page.evaluate(TOO_WIDE)]
        assert too_wide == []
        browser.close()
    assert seen_hosts == {"file"}  # nothing loaded from any server


class _Links(HTMLParser):
    """The local links and the ids of one page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


def test_every_link_in_the_staff_build_leads_to_a_page_and_its_anchor(built):
    root, _ = built
    site = root / "site-staff"
    pages = {p: _Links(p.read_text("utf-8")) for p in site.rglob("*.html")}
    broken, checked = [], 0
    for page, links in pages.items():
        for href in links.hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith("//"):
                continue  # tel:, mailto:, https: (insurers' sites)
            path = unquote(url.path)
            base = site if path.startswith("/") else page.parent  # 404.html links from the root
            target = (base / path.lstrip("/")).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                broken.append((page.relative_to(site).as_posix(), href))
            elif url.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _Links(target.read_text()).ids
                if unquote(url.fragment) not in ids:
                    broken.append((page.relative_to(site).as_posix(), href))
    assert checked > 1000 and broken == []


def test_the_audit_command_for_an_electronic_policy_is_copied_whole(built):
    root, firm = built
    waiting = [
        (cf.client.id, p.registry_no)
        for cf in firm.clients.values()
        for p in cf.policies
        if p.audit is None and p.intake.medium == "electronic"
    ]
    assert waiting, "the small firm has an electronic policy not audited yet"
    for client_id, regno in waiting:
        html = _html(root, f"staff/clients/{client_id}")
        assert f"<code>baodan audit {regno} --pdf 保单.pdf</code>" in html


def test_renewals_to_register_say_what_to_answer_in_baodan_intake(built):
    root, _ = built
    html = _html(root, "staff")
    willing = _section(html, "renewals-renew").split("<h3")[0]
    numbers = re.findall(r">(BD-\d{4}-[0-9A-Z]{5})</a>", willing)
    assert numbers, "the small firm has a client willing to renew"
    for regno in numbers:
        assert f"问到“续保自哪张保单”时填 {regno}" in willing
    assert "renewal_of" not in willing


def test_partner_contacts_show_an_email_column_only_where_someone_has_one(built):
    from baodan.models.partner import Partner
    from baodan.web.context import TEMPLATES, SiteContext, make_env
    from baodan.web.report_pages import partners_page

    root, firm = built
    html = _html(root, "staff/partners")
    assert "<th>对接人</th>" in html and "<th>邮箱</th>" not in html  # the demo has none
    partner = next(iter(firm.partners.values()))
    contacts = [c.model_dump() for c in partner.contacts]
    contacts[0]["email"] = "claims@example.com"
    with_mail = Partner.model_validate(partner.model_dump() | {"contacts": contacts})
    mailed = dataclasses.replace(firm, partners={**firm.partners, partner.code: with_mail})
    [page] = partners_page(SiteContext(mailed, TODAY, True, make_env(TEMPLATES)))
    assert page.content.count("| 邮箱 |") == 1 and "claims@example.com" in page.content


class _Tables(HTMLParser):
    """The tables of a page as a reader sees them: each (headings, rows), a row a list of
    cells, a cell (its text, where its links lead in the site). ``url`` is the page's own."""

    def __init__(self, text: str, url: str) -> None:
        super().__init__()
        self.url = url
        self.tables: list[tuple[list[str], list[list[tuple[str, list[str]]]]]] = []
        self.cell: tuple[list[str], list[str]] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr" and self.tables and self.tables[-1][0]:  # a row after the head's
            self.tables[-1][1].append([])
        elif tag in ("th", "td"):
            self.cell = ([], [])
        elif tag == "br" and self.cell:
            self.cell[0].append(" ")
        elif tag == "a" and self.cell:
            self.cell[1].append(urljoin(self.url, dict(attrs)["href"]))

    def handle_endtag(self, tag):
        if tag not in ("th", "td") or self.cell is None:
            return
        text = " ".join("".join(self.cell[0]).split())
        headings, rows = self.tables[-1]
        if tag == "th":
            headings.append(text)
        else:
            rows[-1].append((text, self.cell[1]))
        self.cell = None

    def handle_data(self, data):
        if self.cell:
            self.cell[0].append(data)


def _tables(root, page: str) -> dict[tuple[str, ...], list]:
    """The rows of each table of a built staff page, by the table's headings."""
    tables = _Tables(_html(root, page), f"/{page}/").tables
    return {tuple(headings): rows for headings, rows in tables}


def _client(cf) -> tuple[str, list[str]]:
    """A cell naming a client, linked to the client's page."""
    return (cf.client.name, [f"/staff/clients/{cf.client.id}/"])


def _text(*values) -> tuple[str, list[str]]:
    return (" ".join(str(v) for v in values if v not in (None, "")), [])


def _staff_names(firm):
    return {sid: s.name for sid, s in firm.staff.items()}.get


# The big tables below are HTML fragments (web/fragments.py), written outside Markdown: each
# test reads a page's tables as a reader does and compares every cell with the records.


def test_claim_queue_tables_show_every_claim_with_its_text_and_links(built):
    root, firm = built
    name = _staff_names(firm)
    queues = claims.claim_queues(firm, TODAY)
    insurer = {p.registry_no: firm.insurers[p.insurer].short_name for _, p in firm.policies()}
    common = ["理赔", "客户", "类型"]
    assert _tables(root, "staff/claims") == {
        (*common, "阶段", "已报案", "本阶段", "下一步", "负责人"): [
            [_text(o.claim.id), _client(o.cf), _text(CLAIM_TYPES[o.claim.type])]
            + [_text(o.stage_name), _text(o.age_days, "天"), _text(o.stage_days, "天")]
            + [_text(o.action), _text(name(o.claim.handler))]
            for o in queues["us"]
        ],
        (*common, "已报案", "本阶段", "还缺的材料", "负责人"): [
            [_text(o.claim.id), _client(o.cf), _text(CLAIM_TYPES[o.claim.type])]
            + [_text(o.age_days, "天"), _text(o.stage_days, "天")]
            + [_text("、".join(m.item for m in o.missing) + f"（{len(o.missing)} 项）")]
            + [_text(name(o.claim.handler))]
            for o in queues["client"]
        ],
        ("理赔", "客户", "保险公司（案号）", "阶段", "已报案", "本阶段", "负责人"): [
            [_text(o.claim.id), _client(o.cf)]
            + [_text(insurer.get(o.claim.policy), o.claim.insurer_claim_no)]
            + [_text(o.stage_name), _text(o.age_days, "天")]
            + [_text(o.stage_days, "天", "超过 30 天未出结果，请催办" if o.overdue else "")]
            + [_text(name(o.claim.handler))]
            for o in queues["insurer"]
        ],
        (*common, "已报案", "进入纠纷", "应急事件"): [
            [_text(o.claim.id), _client(o.cf), _text(CLAIM_TYPES[o.claim.type])]
            + [_text(o.age_days, "天"), _text(o.stage_days, "天前")]
            + [
                (o.incident, [f"/staff/incidents/#{o.incident}"])
                if o.incident
                else _text(
                    "未启动预案 baodan incident new",
                    o.cf.client.id,
                    f"--plan 理赔纠纷 --claim {o.claim.id}",
                )
            ]
            for o in queues["dispute"]
        ],
    }


def test_care_tables_show_every_visit_and_follow_up_with_its_text_and_links(built):
    root, firm = built
    name = _staff_names(firm)
    visits, follow_ups = care.visit_plan(firm, TODAY), care.pending_follow_ups(firm, TODAY)
    assert visits and follow_ups, "the small firm has visits due and a follow-up"
    assert _tables(root, "staff/care") == {
        ("计划日期", "客户", "等级", "上次回访", "客户经理", "状态"): [
            [_text(v.due), _client(v.cf), _text(v.cf.client.tier), _text(v.last or "—")]
            + [_text(name(v.cf.client.manager)), _text(_visit_status(v))]
            for v in visits
        ],
        ("跟进日期", "客户", "上次联系", "内容", "员工"): [
            [_text(i.follow_up, _late((TODAY - i.follow_up).days)), _client(cf)]
            + [_text(i.date, KINDS[i.kind]), _text(i.summary), _text(name(i.staff))]
            for cf, i in follow_ups
        ],
    }


def test_survey_tables_show_every_answer_with_its_text_and_links(built):
    root, firm = built
    name = _staff_names(firm)
    claim_ids = {c.id for cf in firm.clients.values() for c in cf.claims}
    surveys = sorted(
        (
            (cf, i)
            for cf in firm.clients.values()
            for i in cf.interactions
            if i.survey and (TODAY - i.date).days <= 90
        ),
        key=lambda x: (x[1].date, x[0].client.id),
        reverse=True,
    )
    low = [(cf, i) for cf, i in surveys if _unhappy(i.survey.score, i.survey.nps)]
    assert low and any(i.survey.about for _, i in surveys)
    answers = ("日期", "客户", "满意度", "推荐意愿", "客户意见")
    assert _tables(root, "staff/care/surveys") == {
        (*answers, "客户经理"): [
            [*_answers(cf, i), _text(name(cf.client.manager))] for cf, i in low
        ],
        (*answers, "针对", "调查人"): [
            [*_answers(cf, i)]
            + [_text("理赔" if i.survey.about in claim_ids else "互动", i.survey.about)]
            + [_text(name(i.staff))]
            if i.survey.about
            else [*_answers(cf, i), _text(), _text(name(i.staff))]
            for cf, i in surveys
        ],
    }


def test_cross_sell_table_shows_every_client_with_the_suggestions(built):
    root, firm = built
    name = _staff_names(firm)
    suggestions = kpis.cross_sell(firm, TODAY)
    suggestions.sort(key=lambda x: (x[0].client.tier, -len(x[1]), x[0].client.id))
    per_client = _tables(root, "staff/reports/cross-sell")[
        ("客户", "类型", "等级", "客户经理", "建议补充")
    ]
    assert per_client == [
        [_client(cf), _text("个人" if cf.client.kind == "person" else "企业")]
        + [_text(cf.client.tier), _text(name(cf.client.manager))]
        + [_text("；".join(r.suggest for r in fired))]
        for cf, fired in suggestions
    ]


def test_greeting_tables_list_each_client_with_the_message_and_whether_it_was_sent(built):
    from baodan.web.context import TEMPLATES, SiteContext, make_env
    from baodan.web.service_pages import care_pages

    _, firm = built
    day = date(2026, 9, 25)  # Mid-Autumn: greetings due, some sent already
    page, log = care_pages(SiteContext(firm, day, True, make_env(TEMPLATES)))[:2]
    queue = care.greeting_queue(firm, day)
    groups = {
        key: [g for g in queue if g.key == key] for key in dict.fromkeys(g.key for g in queue)
    }
    assert len(groups) > 1 and any(g.sent for g in queue) and any(not g.sent for g in queue)
    name = _staff_names(firm)
    shown = []
    for heading, key in re.findall(
        r"^### (.*)\n+<div data-bd-fragment=\"(.*)\">", page.content, re.M
    ):
        [(headings, rows)] = _Tables(page.fragments[key], "/staff/care/").tables
        assert headings == ["客户", "客户经理", "建议问候语", "状态"]
        shown.append((heading, rows))
    assert shown == [
        (
            f"{when} {group[0].occasion_name}（{len(group)} 位客户）",
            [
                [(f"{g.cf.client.name} {g.cf.client.id}", _client(g.cf)[1])]
                + [_text(name(g.cf.client.manager)), _text(g.message)]
                + [
                    _text("已发送", g.sent.date, CHANNELS[g.sent.channel])
                    if g.sent
                    else _text("待发送")
                ]
                for g in group
            ],
        )
        for (when, _), group in groups.items()
    ]
    occasions = care.care_rules(Rules()).occasions
    sent = care.greeting_log(firm, day - timedelta(days=30))
    assert sent and re.search(
        r"^## 已发送的问候.*\n+<div data-bd-fragment=\"sent\">", log.content, re.M
    )
    [(headings, rows)] = _Tables(log.fragments["sent"], "/staff/care/greetings/").tables
    assert headings == ["日期", "客户", "节日", "渠道", "员工", "内容"]
    assert rows == [
        [_text(i.date), _client(cf), _text(occasions[i.occasion].name if i.occasion else "—")]
        + [_text(CHANNELS[i.channel]), _text(name(i.staff)), _text(i.summary)]
        for cf, i in sent
    ]


def _answers(cf, i) -> list:
    score, nps = i.survey.score, i.survey.nps
    shown = [_text(score or "—"), _text("—" if nps is None else nps), _text(i.survey.comment)]
    return [_text(i.date), _client(cf), *shown]


def _unhappy(score: int | None, nps: int | None) -> bool:
    return (score is not None and score <= 2) or (nps is not None and nps <= 6)


def _late(days: int) -> str:
    return f"逾期 {days} 天" if days > 0 else ""


def _visit_status(v) -> str:
    if not v.last and v.due <= TODAY:
        return "从未回访，请尽快安排"
    if v.overdue_days(TODAY):
        return _late(v.overdue_days(TODAY))
    return "今天" if v.due == TODAY else f"还有 {(v.due - TODAY).days} 天"


def test_the_training_page_lists_the_articles_due_for_review(built):
    root, firm = built
    page = _html(root, "staff/training")
    due = re.search(r'id="_\d*">讲稿审核.*?</table>', page, re.S) or re.search(
        r"讲稿审核.*?</table>", page, re.S
    )
    listed = due.group(0)
    overdue = [lec for lec in firm.lectures if lec.review and lec.review.date < date(2025, 11, 27)]
    assert overdue  # the demo keeps one article a year past its review
    for lec in overdue:
        assert lec.title in listed and "已超过一年" in listed
    current = [lec for lec in firm.lectures if lec not in overdue and lec.review]
    assert current and not [lec.title for lec in current if lec.title in listed]
