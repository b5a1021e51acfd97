"""The staff build's skeleton: today's work queues, the client list and client pages (each
policy's detail is a section of its client's page, see ``SiteContext.policy_href``) and the
policy registry. Local only (site-staff/), never published.

Other staff sections add their own builders to STAFF_BUILDERS with nav paths under
("员工工作台", …), e.g. ("员工工作台", "理赔"); ``staff_book(ctx)`` gives them the shared,
once-per-build results (renewal pipeline, risk, display status, git history).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import groupby

from baodan.core.pinyin import pinyin_key
from baodan.core.today import SHANGHAI
from baodan.domain.audit import checklist
from baodan.domain.cover import cover_map
from baodan.domain.renewals import (
    OPEN_STAGES,
    STAGES,
    Renewal,
    display_status,
    renewal_book,
    renewal_rules,
)
from baodan.domain.risk import RiskBook, assess
from baodan.domain.verification import differing_positions
from baodan.domain.worklist import Queues, queues
from baodan.models import ClientFile, Firm, Policy
from baodan.models.base import mask_id, mask_mobile
from baodan.models.claim import CLAIM_TYPES
from baodan.models.claim import STAGES as CLAIM_STAGES
from baodan.models.client import has_left
from baodan.models.interaction import CHANNELS, INTENTIONS, KINDS
from baodan.models.policy import DISCREPANCY_STATUSES, FREQUENCIES, STATUSES
from baodan.models.task import TASK_STATUSES
from baodan.models.taxonomy import taxonomy
from baodan.store.history import History
from baodan.web.client_shell import ShellPage, shell_page
from baodan.web.context import GeneratedPage, SiteContext, policy_anchor
from baodan.web.search_words import pieces

SECTION = "员工工作台"
# A client page's template and those it imports or includes.
CLIENT_TEMPLATES = ("staff_client.html.j2", "_staff.html.j2", "_cover_map.html.j2")
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class ClientChange:
    """A commit as a client's page lists it."""

    day: date  # Shanghai
    author: str
    subject: str
    files: int  # how many of the client's files it changed


def client_history(history: History, limit: int = 30) -> dict[str, list[ClientChange]]:
    """Each client's latest commits, newest first, from the build's one `git log`."""
    found: dict[str, list[ClientChange]] = {}
    for commit in history.commits:
        counts = Counter(
            path.split("/")[2] for path in commit.files if path.startswith("records/clients/")
        )
        day = commit.when.astimezone(SHANGHAI).date()
        for client_id, n in counts.items():
            changes = found.setdefault(client_id, [])
            if len(changes) < limit:
                changes.append(ClientChange(day, commit.author, commit.subject, n))
    return found


@dataclass
class StaffBook:
    """What every staff page reads, computed once per build."""

    firm: Firm
    today: date
    renewals: dict[str, Renewal]
    risk: RiskBook
    history: dict[str, list[ClientChange]]
    queues: Queues

    @cached_property
    def successors(self) -> dict[str, Policy]:
        """Each renewed policy's renewal, by the renewed policy's registry number."""
        return {p.renewal_of: p for _, p in self.firm.policies() if p.renewal_of}

    def status(self, p: Policy) -> str:
        return display_status(p, self.renewals.get(p.registry_no), self.today)

    def in_force(self, cf: ClientFile) -> list[Policy]:
        return [p for p in cf.policies if self.status(p) in ("active", "on_hold")]

    def staff_name(self, staff_id: str | None) -> str:
        s = self.firm.staff.get(staff_id or "")
        return s.name if s else (staff_id or "—")

    def manager(self, cf: ClientFile) -> str:
        return self.staff_name(cf.client.manager)

    def task_owner(self, item) -> str:
        """Who a due task is for: its owner, else the client's manager."""
        return self.staff_name(item.task.owner) if item.task.owner else self.manager(item.client)

    def owners(self) -> list[str]:
        """Everyone named in the 负责人 column of the today page, in pinyin order: the filter
        offers each of them (a task's owner need not manage any client)."""
        q = self.queues
        items = [*q.on_hold, *q.discrepancies, *q.lapsed, *q.high_risk]
        items += [r for stage in q.renewals.values() for r in stage]
        names = {self.manager(i.client) for i in items}
        names |= {self.task_owner(i) for i in q.tasks_due}
        return sorted(names, key=pinyin_key)


def staff_book(ctx: SiteContext) -> StaffBook:
    def make() -> StaffBook:
        kept = {} if ctx.per_client is None else ctx.per_client  # `baodan serve`
        renewals = renewal_book(ctx.firm, ctx.today, memo=kept.get("renewals"))
        risk = assess(ctx.firm, ctx.today, renewals, memo=kept.get("risk"))
        return StaffBook(
            ctx.firm,
            ctx.today,
            renewals,
            risk,
            client_history(ctx.history),
            queues(ctx.firm, ctx.today, renewals, risk),
        )

    return ctx.memo("staff_book", make)


# ---- template helpers ------------------------------------------------------------------------


def shown_value(field: str, value: str | None) -> str:
    """Identifiers in discrepancies masked as lists show them."""
    if not value:
        return ""
    last = field.rsplit(".", 1)[-1]
    if last in ("id_number", "uscc"):
        return mask_id(value)
    if last == "mobile":
        return mask_mobile(value)
    return value


# What the staff templates read besides the page's own values.
TEMPLATE_VALUES = {
    "STATUSES": STATUSES,
    "STAGES": STAGES,
    "OPEN_STAGES": OPEN_STAGES,
    "INTENTIONS": INTENTIONS,
    "KINDS": KINDS,
    "CHANNELS": CHANNELS,
    "FREQUENCIES": FREQUENCIES,
    "CLAIM_TYPES": CLAIM_TYPES,
    "CLAIM_STAGES": CLAIM_STAGES,
    "TASK_STATUSES": TASK_STATUSES,
    "DISCREPANCY_STATUSES": DISCREPANCY_STATUSES,
    "shown_value": shown_value,
    "differing_positions": differing_positions,
    "has_left": has_left,
    "weekday": lambda day: "星期" + WEEKDAYS[day.weekday()],
}


def _firm_values(ctx: SiteContext) -> dict:
    """What the staff templates read of the firm's rules."""
    return {"audit_label": ctx.memo("audit_label", lambda: audit_labels(ctx.firm.rules))}


def audit_labels(rules) -> Callable[[str, str], str]:
    """domain.audit.item_label for every page of a build: the labels looked up once."""
    labels: dict[tuple[str, str], str] = {}
    for medium in ("paper", "electronic"):
        for item in checklist(medium, rules):
            labels.setdefault((medium, item.code), item.label)
    return lambda medium, code: labels.get((medium, code), code)


def render(ctx: SiteContext, template: str, **values) -> str:
    return ctx.render(template, **TEMPLATE_VALUES, **_firm_values(ctx), **values)


def staff_page(ctx: SiteContext, uri: str, template: str, inputs: tuple, **values) -> GeneratedPage:
    """A staff page (``SiteContext.page``: its template may write big parts as HTML
    fragments) with the staff templates' values. ``inputs`` is all the page shows
    that a record change can change, besides what ``SiteContext.reuse`` watches itself:
    `baodan serve` renders the page again only when they changed."""

    def make() -> GeneratedPage:
        return ctx.page(uri, template, **TEMPLATE_VALUES, **_firm_values(ctx), **values)

    return ctx.reuse(uri, inputs, make)


# ---- builders --------------------------------------------------------------------------------


def staff_assets(ctx: SiteContext) -> list[GeneratedPage]:
    """The staff pages' stylesheet and script (the plugin links them in staff builds)."""
    return [
        GeneratedPage("assets/baodan/staff.css", ctx.render("staff.css.j2")),
        GeneratedPage("assets/baodan/staff.js", ctx.render("staff.js.j2")),
    ]


def staff_today(ctx: SiteContext) -> list[GeneratedPage]:
    book = staff_book(ctx)
    owners = book.owners()
    return [
        staff_page(
            ctx,
            "staff/index.md",
            "staff_today.md.j2",
            book=book,
            q=book.queues,
            owners=owners,
            lapse_days=renewal_rules(ctx.firm.rules).recent_lapse_days,
            inputs=(book.queues, owners),
            nav=(SECTION,),
            title="今日工作台",
        )
    ]


def staff_clients(ctx: SiteContext) -> list[GeneratedPage]:
    book = staff_book(ctx)
    clients = sorted(
        ctx.firm.clients.values(),
        key=lambda cf: (cf.client.left_on is not None, pinyin_key(cf.client.name)),
    )
    pages = [
        staff_page(
            ctx,
            "staff/clients/index.md",
            "staff_clients.md.j2",
            book=book,
            clients=clients,
            inputs=tuple(
                (
                    cf.client,
                    [t.status for t in cf.tasks],
                    len(book.in_force(cf)),
                    book.risk.client_level(cf.client.id),
                )
                for cf in clients
            ),
            nav=(SECTION, "客户"),
            title="客户",
        )
    ]
    if not ctx.parallel:
        return pages + [staff_client_page(ctx, cf) for cf in ctx.firm.clients.values()]
    # Forked workers make and write the client pages (web/offload.ClientPagesJob, started by
    # the plugin): here each is only named, with its search entry.
    return pages + [
        ShellPage(
            f"staff/clients/{cf.client.id}.md",
            "",
            title=cf.client.name,
            search=client_search_text(cf),
            sections=policy_search_entries(ctx, cf),
            pending=True,
        )
        for cf in ctx.firm.clients.values()
    ]


def prepare_client_pages(ctx: SiteContext) -> None:
    """Work out what every client page reads of the whole firm: before forked workers make
    the pages (web/offload.ClientPagesJob), which would each do it again."""
    ctx.memo("policy_index", ctx.firm.policy_index)
    staff_book(ctx).successors  # noqa: B018  (a cached property: computed once, here)
    for name in CLIENT_TEMPLATES:
        ctx.env.get_template(name)  # compiled once, not in each worker


def staff_client_page(ctx: SiteContext, cf: ClientFile, *, search: bool = True) -> ShellPage:
    """One client's staff page (the policies, claims, tasks and history are its sections),
    written around the client page shell (web/client_shell.py). Without ``search``, its
    search entries are left out: what the workers that only write the page make
    (web/offload.ClientPagesJob; staff_clients made the entries)."""
    book = staff_book(ctx)
    uri = f"staff/clients/{cf.client.id}.md"

    def make() -> ShellPage:
        content = render(
            ctx,
            "staff_client.html.j2",
            here=uri,
            book=book,
            cf=cf,
            c=cf.client,
            findings=book.risk.by_client.get(cf.client.id, []),
            history=book.history.get(cf.client.id, []),
            cover=cover_map(
                cf, book.risk, ctx.today, max(ctx.firm.settings.reminders.renewal_days, default=90)
            ),
        )
        return shell_page(
            uri,
            content,
            title=cf.client.name,
            search=client_search_text(cf) if search else None,
            permalink=ctx.permalink_title,
            sections=policy_search_entries(ctx, cf) if search else (),
        )

    inputs = client_page_inputs(ctx, book, cf) if ctx.renders is not None else None
    return ctx.reuse(uri, inputs, make)


def client_search_text(cf: ClientFile) -> str:
    """What finds a client's page in the staff site's search, its words cut as the index
    keeps them (web/search_words.py; the entry is not cut again): the client's number, name
    (in pieces, so a part of it is found; the title holds it whole, so typing the whole name
    ranks the client first), family members' and contacts' names whole (a family member's
    name typed finds the client, before pages that hold its characters apart), mobile
    numbers, plates (as written and without their dot) and claims by our number and the
    insurer's (the claims queue's tables are not read by search: web/fragments.py).
    Not ID numbers."""
    c = cf.client
    people = [*(m.name for m in c.family), *(p.name for p in c.contacts)]
    mobiles = [n for n in (c.mobile, *(m.mobile for m in c.family)) if n]
    plates = [p.vehicle.plate for p in cf.policies if p.vehicle]
    plates += [plate.replace("·", "") for plate in plates if "·" in plate]
    claims = [n for cl in cf.claims for n in (cl.id, cl.insurer_claim_no) if n]
    words = [c.id, pieces(c.name), *people, *mobiles, *dict.fromkeys(plates), *claims]
    return " ".join(words)


def policy_search_entries(ctx: SiteContext, cf: ClientFile) -> tuple[tuple[str, str, str], ...]:
    """A search entry (anchor, title, text) for each policy's section of its client's page:
    found by its registry number, product, insurer and policy number. The registry number is
    in the title: Material splits a typed BD-2026-7K3QX into bd, 2026 and 7k3qx, and the one
    policy whose title holds all three then comes before every heading holding only 2026."""
    entries = []
    for p in reversed(cf.policies):
        insurer = ctx.firm.insurers.get(p.insurer)
        title = f"{p.registry_no} · {p.product}"
        text = f"{insurer.short_name if insurer else p.insurer} {p.policy_no}"
        entries.append((policy_anchor(p.registry_no), title, text))
    return tuple(entries)


def client_page_inputs(ctx: SiteContext, book: StaffBook, cf: ClientFile) -> tuple:
    """What a client's page shows of the firm: its own records, what the build worked out
    about them, and which client holds each policy it links to."""
    numbers = [p.registry_no for p in cf.policies]
    index = ctx.memo("policy_index", ctx.firm.policy_index)
    linked = [p.renewal_of for p in cf.policies] + [c.policy for c in cf.claims]
    linked += [t.policy for t in cf.tasks]
    return (
        cf,
        [book.renewals.get(no) for no in numbers],
        [book.successors.get(no) for no in numbers],
        book.risk.by_client.get(cf.client.id),
        [book.risk.by_policy.get(no) for no in numbers],
        book.history.get(cf.client.id),
        [index[no][0].client.id if no in index else None for no in linked],
    )


def policy_kinds(ctx: SiteContext) -> dict[str, str]:
    """Each "category/subcategory" as its names (机动车辆保险 商业险): what the register's
    filter matches a kind of cover typed as people say it against (车险, 重疾险: staff.js)."""
    tax = taxonomy(ctx.firm.rules)
    return {
        f"{code}/{sub}": f"{category.name} {name}"
        for code, category in tax.categories.items()
        for sub, name in category.subcategories.items()
    }


def staff_policies(ctx: SiteContext) -> list[GeneratedPage]:
    book = staff_book(ctx)
    registry = sorted(
        ctx.firm.policies(),
        key=lambda pair: (pair[1].intake.received_on, pair[1].registry_no),
        reverse=True,
    )
    years = [
        (year, list(items))
        for year, items in groupby(registry, key=lambda pair: pair[1].intake.received_on.year)
    ]
    shown = {p.registry_no: (cf.client, p, book.status(p)) for cf, p in registry}
    statuses = Counter(status for _, _, status in shown.values())
    recent = [pair for pair in registry if (ctx.today - pair[1].intake.received_on).days <= 30]
    counts = [(year, len(items)) for year, items in years]
    pages = [
        staff_page(
            ctx,
            "staff/policies/index.md",
            "staff_policies.md.j2",
            book=book,
            recent=recent,
            years=counts,
            inputs=(counts, statuses, [shown[p.registry_no] for _, p in recent]),
            statuses=statuses,
            total=len(registry),
            nav=(SECTION, "保单登记簿"),
            title="保单登记簿",
        )
    ]
    kinds = policy_kinds(ctx)
    for year, items in years:
        pages.append(
            staff_page(
                ctx,
                f"staff/policies/{year}.md",
                "staff_policies_year.md.j2",
                book=book,
                year=year,
                items=items,
                kinds=kinds,
                inputs=(kinds, [shown[p.registry_no] for _, p in items]),
                nav=(SECTION, "保单登记簿", f"{year} 年"),
                title=f"{year} 年登记的保单",
            )
        )
    return pages
