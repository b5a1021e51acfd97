"""The family's cover at a glance (家庭保障全景): who in the family is covered for what.

One row per person (the client, then the family members the client record lists) against
寿险, 重疾, 医疗, 意外; the home and car cover in a row of their own. Cover that has lapsed or
is about to, and cover that overlaps (two indemnity policies on one risk: the second pays
nothing more), are marked. The gaps are the risk rules' findings in their client wording
(domain/risk.py: the same RiskBook the staff risk page shows), and the yearly premium is what
a year's premiums of the cover in force (paid-up and single-premium cover cost nothing more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from baodan.domain import schedule
from baodan.domain.risk import Advice, RiskBook
from baodan.models import ClientFile, Policy

PEOPLE_COLUMNS = {"life": "寿险", "critical_illness": "重疾", "medical": "医疗", "accident": "意外"}
PROPERTY_COLUMNS = {"home": "家财", "auto": "车险"}
# Indemnity cover pays the loss once: two such policies on one risk overlap.
INDEMNITY = ("medical", "home", "auto")
LAPSED_SHOWN = timedelta(days=365)  # how long cover that ended stays on the map
HOUSEHOLD = "家庭财产与车辆"


def column(p: Policy) -> str | None:
    if p.category == "life":
        return "life"
    if p.category == "health" and p.subcategory in ("critical_illness", "medical"):
        return p.subcategory
    if p.category in ("accident", "home", "auto"):
        return p.category
    return None


@dataclass
class CoverItem:
    policy: Policy
    state: str  # ok / soon / lapsed
    yearly: Decimal  # premiums due in the coming twelve months
    overlaps: bool = False


@dataclass
class CoverRow:
    name: str
    relation: str
    cells: dict[str, list[CoverItem]] = field(default_factory=dict)


@dataclass
class CoverMap:
    people: list[CoverRow]
    household: CoverRow
    gaps: list[Advice]
    yearly_total: Decimal

    @property
    def cards(self) -> list[tuple[CoverRow, dict[str, str]]]:
        """The map's cards with their columns: the family's people, then the household."""
        return [(row, PEOPLE_COLUMNS) for row in self.people] + [(self.household, PROPERTY_COLUMNS)]

    @property
    def overlaps(self) -> bool:
        return any(i.overlaps for i in _all(self.people, self.household))


def cover_map(cf: ClientFile, risk: RiskBook, today: date, soon_days: int) -> CoverMap:
    """The map of one client's family; ``soon_days``: how close an end date is "about to"."""
    c = cf.client
    people = [CoverRow(c.name, "本人")] + [CoverRow(m.name, m.relation) for m in c.family]
    household = CoverRow(HOUSEHOLD, "")
    renewed = {p.renewal_of for p in cf.policies if p.renewal_of}
    for p in cf.policies:
        col = column(p)
        state = _state(p, today, soon_days, p.registry_no in renewed)
        if col is None or state is None:
            continue
        item = CoverItem(p, state, _yearly(p, today) if state != "lapsed" else Decimal(0))
        if col in PROPERTY_COLUMNS:
            household.cells.setdefault(col, []).append(item)
            continue
        for row in _rows_insured(p, c, people):
            row.cells.setdefault(col, []).append(item)
    for row in [*people, household]:
        for col, items in row.cells.items():
            _mark_overlaps(col, items)
    # A policy insuring two people is in two rows and paid once.
    yearly = {i.policy.registry_no: i.yearly for i in _all(people, household)}
    total = sum(yearly.values(), Decimal(0))
    return CoverMap(people, household, risk.client_advice(c.id), total)


def _all(people: list[CoverRow], household: CoverRow) -> list[CoverItem]:
    return [i for r in [*people, household] for cell in r.cells.values() for i in cell]


def _state(p: Policy, today: date, soon_days: int, renewed: bool) -> str | None:
    """ok / soon / lapsed, or None for cover that is off the map (long ended, renewed)."""
    ended = p.status in ("lapsed", "terminated", "cancelled") or (
        p.terminates is not None and p.terminates < today
    )
    if renewed or p.status == "renewed":
        return None
    if ended:
        last = p.terminates or p.effective
        return "lapsed" if p.status != "cancelled" and today - last <= LAPSED_SHOWN else None
    if not schedule.in_force(p):
        return None
    if p.terminates and p.terminates - today <= timedelta(days=soon_days):
        return "soon"
    return "ok"


def _yearly(p: Policy, today: date) -> Decimal:
    """A year's premiums of cover kept as it is (renewed at the same price): nothing for a
    single premium or one whose payment years are over."""
    months = schedule.INSTALMENT_MONTHS.get(p.payment.frequency)
    if months is None:
        return Decimal(0)
    if p.payment.years and schedule.add_months(p.effective, 12 * p.payment.years) <= today:
        return Decimal(0)
    return p.premium * 12 / months


def _rows_insured(p: Policy, client, people: list[CoverRow]) -> list[CoverRow]:
    """The family rows a personal policy insures: by ID number, else by name."""
    by_id = {client.id_number: people[0]} | {
        m.id_number: row for m, row in zip(client.family, people[1:]) if m.id_number
    }
    by_name = {row.name: row for row in people}
    rows = []
    for i in p.insured:
        row = by_id.get(i.id_number) if i.id_number else None
        row = row or by_name.get(i.name) or (people[0] if i.relation == "本人" else None)
        if row is not None and row not in rows:
            rows.append(row)
    return rows


def _mark_overlaps(col: str, items: list[CoverItem]) -> None:
    if col not in INDEMNITY:
        return
    groups: dict[tuple, list[CoverItem]] = {}
    for i in items:
        if i.state == "lapsed":
            continue
        p = i.policy
        thing = (
            p.vehicle.vin
            if p.vehicle
            else (p.insured_property.address if p.insured_property else "")
        )
        groups.setdefault((p.subcategory, thing), []).append(i)
    for same in groups.values():
        if len(same) > 1:
            for i in same:
                i.overlaps = True
