"""Calendar feeds as a subscriber sees them: every feed of a built firm parses, holds exactly the
expected events (month ends, 29 February), no personal data or internal ids, and stays stable
across builds."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import vobject
from baodan.checks import load_firm
from baodan.core import today as todaylib
from baodan.core.today import today
from baodan.domain.schedule import Window
from baodan.models import Firm, Policy
from baodan.models.claim import Stage
from baodan.services.sitebuild import build_site
from baodan.store.firm_secret import firm_secret
from baodan.store.workspace import Workspace
from baodan.web.context import TEMPLATES, SiteContext, make_env, yuan
from baodan.web.feeds import UID_PURPOSE, client_feeds, event_uid, staff_feeds, subscribe_links

from .helpers import read_record, require_tool, tree_digest, write_record

pytestmark = pytest.mark.slow  # builds a site or drives a browser


TODAY = date(2026, 11, 27)
STAFF_WINDOW = Window(date(2026, 11, 1), date(2027, 1, 31))
SHANGHAI = todaylib.SHANGHAI
HOST = "demo.baodan.example"
SECRET = b"a test firm's feed secret"  # for feeds built here from a SiteContext
# What an event of a policy can be (the part of its UID's key after the registry number).
POLICY_EVENTS = (
    ["end", "renewal"]
    + [f"premium.{y}-{m:02d}" for y in range(2024, 2031) for m in range(1, 13)]
    + [f"contact-{days}" for days in range(366)]
)


@dataclass
class Built:
    root: Path
    firm: Firm
    ws: Workspace

    @property
    def secret(self) -> bytes:
        return firm_secret(self.ws.vault, UID_PURPOSE)

    def feed(self, token: str) -> bytes:
        return (self.root / "site/feeds" / f"{token}.ics").read_bytes()

    def policy(self, effective: date, frequency: str) -> Policy:
        return next(
            p
            for _, p in self.firm.policies()
            if p.effective == effective and p.payment.frequency == frequency
        )

    def client_of(self, policy: Policy):
        return self.firm.clients[policy.client_id].client


def build(root: Path, identity_file: Path, *, staff: bool = False) -> Workspace:
    ws = Workspace.open(root, identity_file)
    build_site(ws, staff=staff)
    return ws


@pytest.fixture(scope="module")
def built(firm_template, tmp_path_factory) -> Built:
    """The small firm, built once as the public site and once as the staff site."""
    root = tmp_path_factory.mktemp("feeds") / "firm"
    shutil.copytree(firm_template.root, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", TODAY.isoformat())
        build(root, firm_template.identity_file)
        ws = build(root, firm_template.identity_file, staff=True)
        firm, errors = load_firm(root, ws.vault, today())
    assert not errors
    return Built(root, firm, ws)


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def by_key(data: bytes, secret: bytes, keys) -> dict[str, icalendar.Event]:
    """The feed's events whose UID stands for one of ``keys`` (web/feeds.event_uid)."""
    wanted = {event_uid(secret, key, HOST): key for key in keys}
    return {wanted[str(e["UID"])]: e for e in events(data) if str(e["UID"]) in wanted}


def of_policy(data: bytes, registry_no: str, secret: bytes) -> dict[str, icalendar.Event]:
    """The policy's events by kind: end, renewal, premium.2026-11 …"""
    found = by_key(data, secret, [f"{registry_no}.{kind}" for kind in POLICY_EVENTS])
    return {key.removeprefix(registry_no + "."): e for key, e in found.items()}


def all_feeds(built: Built) -> list[Path]:
    return sorted((built.root / "site/feeds").glob("*.ics")) + sorted(
        (built.root / "site-staff/staff/feeds").glob("*.ics")
    )


def test_every_feed_parses_with_two_parsers_and_is_well_formed(built):
    feeds = all_feeds(built)
    with_feed = [cf for cf in built.firm.clients.values() if cf.client.feed]
    # one per client with a token (the small firm's former client has none), lectures, 3 staff
    assert len(feeds) == len(with_feed) + 1 + len(built.firm.staff)
    for path in feeds:
        data = path.read_bytes()
        assert data.endswith(b"END:VCALENDAR\r\n")
        lines = data.split(b"\r\n")
        assert all(b"\n" not in line and b"\r" not in line for line in lines), path.name
        assert max(len(line) for line in lines) <= 75, path.name
        assert any(line.startswith(b" ") for line in lines), "long lines are folded"
        cal = icalendar.Calendar.from_ical(data)
        assert cal.to_ical() == data, f"{path.name}: not what icalendar writes for it"
        assert cal["X-WR-CALNAME"].startswith("诚信保单服务 · ")
        assert b"REFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in data
        assert b"X-PUBLISHED-TTL:P1D\r\n" in data
        parsed = vobject.readOne(data.decode("utf-8"))
        assert len(parsed.contents.get("vevent", [])) == len(events(data))
        for event in cal.walk("VEVENT"):
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            if not isinstance(start, datetime):  # all-day: DATE values, DTEND exclusive
                assert event["DTSTART"].params.get("VALUE") == "DATE"
                assert end == start + timedelta(days=1)


def test_monthly_policy_from_the_31st(built):
    """The first person client's medical policy, 2026-01-31 to 2027-01-30, paid monthly."""
    p = built.policy(date(2026, 1, 31), "monthly")
    feed = built.feed(built.client_of(p).feed.token)
    found = of_policy(feed, p.registry_no, built.secret)
    assert {kind: e.decoded("DTSTART") for kind, e in found.items()} == {
        "renewal": date(2026, 11, 1),  # 90 days before the end, the firm's first call
        "premium.2026-11": date(2026, 11, 30),
        "premium.2026-12": date(2026, 12, 31),
        "end": date(2027, 1, 30),
    }
    assert "（第 11 期）" in found["premium.2026-11"]["SUMMARY"]
    assert found["end"].decoded("DTEND") == date(2027, 1, 31)
    description = str(found["end"]["DESCRIPTION"])
    assert "险种：健康保险 · 医疗保险" in description
    assert f"保单号：尾号 {p.policy_no[-4:]}" in description
    assert p.policy_no not in description
    assert built.firm.settings.contact.phone in description


def test_policy_ending_on_29_february(built):
    p = next(pol for _, pol in built.firm.policies() if pol.terminates == date(2028, 2, 29))
    assert p.effective == date(2024, 3, 1) and p.payment.frequency == "annual"
    found = of_policy(built.feed(built.client_of(p).feed.token), p.registry_no, built.secret)
    # The end date shows however far off; premiums only within the 13 months.
    assert {kind: e.decoded("DTSTART") for kind, e in found.items()} == {
        "premium.2027-03": date(2027, 3, 1),
        "renewal": date(2027, 12, 1),
        "end": date(2028, 2, 29),
    }
    assert found["end"].decoded("DTEND") == date(2028, 3, 1)
    assert "（第 4 期）" in found["premium.2027-03"]["SUMMARY"]


def test_subscribing_shows_what_is_due_and_rings_at_nine(built):
    """Read the feed as a calendar app does: what a month shows, and when reminders ring."""
    p = built.policy(date(2026, 1, 31), "monthly")
    data = built.feed(built.client_of(p).feed.token)
    cal = icalendar.Calendar.from_ical(data)
    mine = recurring_ical_events.of(cal)
    uids = {str(e["UID"]): kind for kind, e in of_policy(data, p.registry_no, built.secret).items()}

    def shown(start, stop) -> list[tuple[date, str]]:
        return sorted(
            (e.start, str(e["SUMMARY"])) for e in mine.between(start, stop) if str(e["UID"]) in uids
        )

    december = shown((2026, 12, 1), (2027, 1, 1))
    assert [(d, s.split("：")[0]) for d, s in december] == [(date(2026, 12, 31), "缴费日")]
    assert shown((2027, 1, 30), (2027, 1, 31))[0][1].startswith("保单到期：")
    assert shown((2027, 1, 31), (2027, 2, 1)) == []  # the all-day end does not spill over

    def rings(kind: str) -> list[datetime]:
        event = next(e for e in cal.events if uids.get(str(e["UID"])) == kind)
        alarms = event.alarms
        alarms.set_local_timezone(SHANGHAI)
        return sorted(a.trigger for a in alarms.times)

    def at_nine(*ymd) -> datetime:
        return datetime(*ymd, 9, 0, tzinfo=SHANGHAI)

    assert rings("end") == [at_nine(2026, 12, 31), at_nine(2027, 1, 23)]  # 30 and 7 days
    assert rings("premium.2026-12") == [at_nine(2026, 12, 24)]  # 30 days is a month: only 7
    assert rings("renewal") == [at_nine(2026, 11, 1)]


def test_a_clients_feed_holds_no_personal_data(built):
    scanned = secrets = 0
    for cf in built.firm.clients.values():
        if cf.client.feed is None:
            continue
        text = built.feed(cf.client.feed.token).decode("utf-8")
        text = text.replace("\r\n ", "")  # unfold
        client = cf.client
        secret = [client.name, client.id_number, client.uscc, client.mobile, client.address]
        secret += [m.id_number for m in client.family] + [m.mobile for m in client.family]
        secret += [c.mobile for c in client.contacts]
        for p in cf.policies:
            parties = [p.policyholder, *p.insured]
            secret += [p.policy_no] + [x.id_number for x in parties] + [x.uscc for x in parties]
            secret += [b.name for b in p.beneficiaries] + [b.id_number for b in p.beneficiaries]
            sums = [p.sum_insured, p.premium] + [r.sum_insured for r in p.riders]
            if p.insured_property:
                secret.append(p.insured_property.address)
                sums.append(p.insured_property.declared_value)
            if p.vehicle:
                secret += [p.vehicle.plate, p.vehicle.vin]
            secret += [f"{s}" for s in sums] + [yuan(s) for s in sums]
        leaked = [s for s in secret if s and s in text]
        assert leaked == [], f"{client.id}: {leaked}"
        scanned += 1
        secrets += len([s for s in secret if s])
    assert scanned >= 5 and secrets > 50


def context(firm: Firm, today: date = TODAY, staff: bool = False) -> SiteContext:
    return SiteContext(firm, today, staff, make_env(TEMPLATES), options={}, feed_secret=SECRET)


def test_former_clients_and_ended_policies_have_no_events(built):
    firm = copy.deepcopy(built.firm)
    p = built.policy(date(2026, 1, 31), "monthly")
    client = firm.clients[p.client_id]
    mine = next(x for x in client.policies if x.registry_no == p.registry_no)
    uri = f"feeds/{client.client.feed.token}.ics"

    def feed() -> bytes | None:
        return next((g.content for g in client_feeds(context(firm)) if g.uri == uri), None)

    assert of_policy(feed(), p.registry_no, SECRET)
    for status in ("lapsed", "cancelled", "terminated", "renewed"):
        mine.status = status
        assert of_policy(feed(), p.registry_no, SECRET) == {}, status
    mine.status = "on_hold"
    assert of_policy(feed(), p.registry_no, SECRET)
    client.client.left_on = TODAY
    assert feed() is None


def test_staff_feeds_are_in_the_staff_build_only(built):
    assert not (built.root / "site/staff").exists()
    staff_dir = built.root / "site-staff/staff/feeds"
    assert sorted(f.stem for f in staff_dir.glob("*.ics")) == sorted(built.firm.staff)
    p = built.policy(date(2026, 1, 31), "monthly")
    client = built.client_of(p)
    feed = (staff_dir / f"{client.manager}.ics").read_bytes()
    found = of_policy(feed, p.registry_no, built.secret)
    assert {kind: e.decoded("DTSTART") for kind, e in found.items()} == {
        "contact-90": date(2026, 11, 1),
        "contact-60": date(2026, 12, 1),
        "contact-30": date(2026, 12, 31),
        "contact-7": date(2027, 1, 23),
    }
    assert client.name in str(found["contact-30"]["SUMMARY"])  # staff feeds name the client
    # A staff feed holds three months (November to January): each birthday in it, once.
    born = {cf.client.id: cf.client.birthday for cf in built.firm.clients.values()}
    expected = {
        (cid, day.replace(year=year))
        for cid, day in born.items()
        if day and built.firm.clients[cid].client.manager == client.manager
        for year in (2026, 2027)
        if STAFF_WINDOW.start <= day.replace(year=year) <= STAFF_WINDOW.end
    }
    birthdays = [f"{cid}.birthday.{year}" for cid in born for year in (2026, 2027)]
    shown = {
        (key.split(".birthday")[0], e.decoded("DTSTART"))
        for key, e in by_key(feed, built.secret, birthdays).items()
    }
    assert shown == expected and expected


def test_follow_ups_go_to_whoever_logged_the_interaction(built):
    staff_dir = built.root / "site-staff/staff/feeds"
    expected: dict[str, set] = {s: set() for s in built.firm.staff}
    keys = []
    for cf in built.firm.clients.values():
        for i in cf.interactions:
            stem = i.path.rsplit("/", 1)[-1].removesuffix(".yaml.age")
            keys.append(f"{cf.client.id}.{stem}.follow-up")
            if i.follow_up and STAFF_WINDOW.start <= i.follow_up <= STAFF_WINDOW.end:
                expected[i.staff].add(i.follow_up)
    assert any(expected.values())
    for member, days in expected.items():
        feed = (staff_dir / f"{member}.ics").read_bytes()
        shown = {e.decoded("DTSTART") for e in by_key(feed, built.secret, keys).values()}
        assert shown == days, member


def test_claim_decision_deadline_for_the_handler(built):
    firm = copy.deepcopy(built.firm)
    cf = next(cf for cf in firm.clients.values() if cf.claims)
    claim = cf.claims[0]

    def deadline() -> icalendar.Event | None:
        pages = {g.uri: g.content for g in staff_feeds(context(firm, staff=True))}
        feed = pages[f"staff/feeds/{claim.handler}.ics"]
        return by_key(feed, SECRET, [f"{claim.id}.decision"]).get(f"{claim.id}.decision")

    claim.stages = [
        Stage(stage="reported", date=date(2026, 10, 30)),
        Stage(stage="submitted", date=date(2026, 11, 10)),
    ]
    assert deadline().decoded("DTSTART") == date(2026, 12, 10)
    assert "保险法第二十三条" in str(deadline()["DESCRIPTION"])
    claim.stages = [Stage(stage="under_review", date=date(2026, 8, 1))]
    assert deadline().decoded("DTSTART") == date(2026, 8, 31)  # overdue: still shown
    claim.stages.append(Stage(stage="paid", date=date(2026, 11, 20)))
    assert deadline() is None  # decided


def test_staff_feeds_hold_no_id_numbers(built):
    numbers = set()
    for cf in built.firm.clients.values():
        numbers |= {cf.client.id_number, cf.client.uscc}
        numbers |= {m.id_number for m in cf.client.family}
        for p in cf.policies:
            numbers |= {x.id_number for x in [p.policyholder, *p.insured, *p.beneficiaries]}
    numbers.discard(None)
    feeds = sorted((built.root / "site-staff/staff/feeds").glob("*.ics"))
    assert len(numbers) >= 10 and len(feeds) == len(built.firm.staff) > 0
    for path in feeds:
        text = path.read_text("utf-8").replace("\r\n ", "")
        assert [n for n in numbers if n in text] == [], path.name


def test_lecture_feed(built):
    data = (built.root / "site/feeds/lectures.ics").read_bytes()
    assert b"BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n" in data
    site = str(built.firm.settings.site_url)
    expected = [lec for lec in built.firm.lectures if lec.date >= date(2026, 11, 1)]
    shown = events(data)
    assert [str(e["SUMMARY"]) for e in shown] == [lec.title for lec in expected]
    for event, lec in zip(shown, expected):
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert start == datetime.combine(
            lec.date, datetime.strptime(lec.start_time, "%H:%M").time(), SHANGHAI
        )
        assert event.decoded("DTEND").strftime("%H:%M") == lec.end_time
        assert str(event["LOCATION"]) == lec.venue
        url = f"{site}kb/{lec.slug}/"
        assert str(event["URL"]) == url
        assert url in str(event["DESCRIPTION"]) and lec.speaker in str(event["DESCRIPTION"])
        assert (built.root / f"site/kb/{lec.slug}/index.html").is_file()  # the link works
        # A subscriber is reminded the evening or afternoon before, and again two hours ahead.
        alarms = event.alarms
        assert sorted(a.trigger for a in alarms.times) == [
            start - timedelta(days=1),
            start - timedelta(hours=2),
        ]
        assert {str(a["DESCRIPTION"]) for a in event.walk("VALARM")} == {lec.title}


def test_subscribe_links(built):
    links = subscribe_links(built.firm.settings, "abcdefghijklmnop")
    assert links.https == "https://demo.baodan.example/feeds/abcdefghijklmnop.ics"
    assert links.webcal == "webcal://demo.baodan.example/feeds/abcdefghijklmnop.ics"
    # the calendar page and the import file live in a folder named by the same token
    assert links.page == "https://demo.baodan.example/feeds/abcdefghijklmnop/"
    assert links.file == "https://demo.baodan.example/feeds/abcdefghijklmnop/import.ics"
    settings = built.firm.settings.model_copy(update={"site_url": None})
    assert subscribe_links(settings, "abcdefghijklmnop") is None


# ---- history, stability, today --------------------------------------------------------------


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when or "", "GIT_COMMITTER_DATE": when or ""}
    subprocess.run(
        [require_tool("git"), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


def test_an_edit_moves_its_event_keeps_its_uid_and_tells_nothing_of_the_edits(firm):
    """DTSTAMP and SEQUENCE used to be the record's last commit and commit count."""
    p_rel, policy = next(
        (p.path, p)
        for p in _policies(firm)
        if p.effective == date(2026, 1, 31) and p.payment.frequency == "monthly"
    )
    secret = firm_secret(firm.vault(), UID_PURPOSE)
    git(firm.root, "init", "-q")
    git(firm.root, "add", "-A")
    git(firm.root, "commit", "-qm", "records", when="2026-11-01T10:00:00+08:00")
    build(firm.root, firm.identity_file)
    feed = firm.root / f"site/feeds/{_token_of(firm, policy)}.ics"
    before_bytes = feed.read_bytes()
    before = of_policy(before_bytes, policy.registry_no, secret)

    text = read_record(firm.root, p_rel, firm.identities)
    for n, day in enumerate(("2027-02-27", "2027-02-26", "2027-02-25")):  # three edits
        write_record(
            firm.root,
            p_rel,
            text.replace("terminates: 2027-01-30", f"terminates: {day}"),
            firm.identities,
        )
        git(firm.root, "commit", "-qam", "end date", when=f"2026-11-2{n}T09:30:00+08:00")
    build(firm.root, firm.identity_file)
    feeds = firm.root / "site/feeds"
    first = tree_digest(feeds)
    after_bytes = feed.read_bytes()
    after = of_policy(after_bytes, policy.registry_no, secret)
    assert after["end"]["UID"] == before["end"]["UID"]  # an update, not a second event
    assert after["end"].decoded("DTSTART") == date(2027, 2, 25)
    assert sum(kind == "end" for kind in after) == 1
    # Every event is stamped with the first of the month the feed shows (00:00 Shanghai), and
    # none counts revisions: no commit time, no commit count.
    stamps = {e.decoded("DTSTAMP") for e in events(after_bytes)}
    assert stamps == {datetime(2026, 11, 1, tzinfo=SHANGHAI)}
    assert b"SEQUENCE" not in after_bytes and b"SEQUENCE" not in before_bytes
    assert {e.decoded("DTSTAMP") for e in events(before_bytes)} == stamps
    # Only the moved end date and its renewal reminder changed.
    changed = {
        k for k in before if before[k].to_ical() != after.get(k, icalendar.Event()).to_ical()
    }
    assert changed == {"end", "renewal"}

    build(firm.root, firm.identity_file)
    assert tree_digest(feeds) == first  # unchanged records: not one byte differs


def test_client_feeds_name_no_registry_number_client_claim_portal_or_token(built):
    secret = built.secret
    feeds = [cf for cf in built.firm.clients.values() if cf.client.feed and not cf.client.left_on]
    assert feeds
    for cf in feeds:
        data = built.feed(cf.client.feed.token)
        text = data.decode("utf-8").replace("\r\n ", "")
        uids = [str(e["UID"]) for e in events(data)]
        assert uids and all(re.fullmatch(r"[a-z2-7]{32}@demo\.baodan\.example", u) for u in uids)
        ids = ["BD-", cf.client.id, cf.client.feed.token] + [c.id for c in cf.claims]
        ids += [cf.client.portal.id, cf.client.portal.key] if cf.client.portal else []
        assert [i for i in ids if i in text] == [], cf.client.id
        # The UIDs are the policies' events, made with the firm's secret, and with no other.
        mine = {u for p in cf.policies for u in map(str, _uids(data, p.registry_no, secret))}
        assert set(uids) == mine
        # …and not with a secret anyone could guess.
        assert not any(_uids(data, p.registry_no, b"") for p in cf.policies)


def _uids(data: bytes, registry_no: str, secret: bytes) -> list:
    return [e["UID"] for e in of_policy(data, registry_no, secret).values()]


def test_event_uids_are_the_same_in_every_build(built, firm_template, tmp_path):
    root = tmp_path / "firm"
    shutil.copytree(built.root, root, ignore=shutil.ignore_patterns("site", "site-staff"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BAODAN_TODAY", TODAY.isoformat())
        build(root, firm_template.identity_file)
    for path in sorted((built.root / "site/feeds").glob("*.ics")):
        again = (root / "site/feeds" / path.name).read_bytes()
        assert [e["UID"] for e in events(again)] == [e["UID"] for e in events(path.read_bytes())]
        assert again == path.read_bytes()


def test_a_firm_can_keep_product_names_out_of_client_feeds(built):
    firm = copy.deepcopy(built.firm)
    products = {p.product for cf in firm.clients.values() for p in cf.policies}

    def shown() -> set[str]:
        text = "".join(
            g.content.decode("utf-8").replace("\r\n ", "")
            for g in client_feeds(context(firm))
            if g.uri.endswith(".ics")
        )
        return {name for name in products if name in text}

    assert shown()  # by default, a feed names the product (README)
    firm.settings.feeds.show_product = False
    assert shown() == set()
    feed = next(g.content.decode("utf-8") for g in client_feeds(context(firm)))
    assert "险种：" in feed and "保险公司：" in feed  # what the event is about still shows


def test_today_is_shanghais_date(firm, monkeypatch):
    """23:30 UTC on 30 November is 07:30 on 1 December in Shanghai: the feed is December's."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 30, 23, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.delenv("BAODAN_TODAY")
    monkeypatch.setattr(todaylib, "datetime", Clock)
    assert todaylib.today() == date(2026, 12, 1)
    build(firm.root, firm.identity_file)
    policy = next(
        p
        for p in _policies(firm)
        if p.effective == date(2026, 1, 31) and p.payment.frequency == "monthly"
    )
    feed = (firm.root / f"site/feeds/{_token_of(firm, policy)}.ics").read_bytes()
    found = of_policy(feed, policy.registry_no, firm_secret(firm.vault(), UID_PURPOSE))
    assert {kind: e.decoded("DTSTART") for kind, e in found.items()} == {
        "premium.2026-12": date(2026, 12, 31),
        "end": date(2027, 1, 30),
    }


def _policies(firm) -> list[Policy]:
    loaded, _ = load_firm(firm.root, firm.vault(), today())
    return [p for _, p in loaded.policies()]


def _token_of(firm, policy: Policy) -> str:
    loaded, _ = load_firm(firm.root, firm.vault(), today())
    return loaded.clients[policy.client_id].client.feed.token
