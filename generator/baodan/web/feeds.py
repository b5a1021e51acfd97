"""iCalendar feeds: each client's policy dates, the public lectures, each staff member's work.

Built with icalendar from the loaded Firm, never by templating text, and written by
``ics.Writer`` (icalendar's own text, faster). An event's UID stands for what it describes
(registry number + kind + period, e.g. ``BD-2026-7K3QX.premium.2027-01``), so a changed date
moves the event instead of adding a second one; but it is an HMAC of that with a secret
derived from the firm's record key (``event_uid``), so a feed names no registry number, client
or claim id, and nobody without the key can tell which policy an event belongs to.

DTSTAMP and SEQUENCE say nothing about a record's edits. A feed is published (METHOD:PUBLISH)
for subscription: calendar apps read the whole feed at every refresh and replace events by
UID, so a changed event shows because its content changed. SEQUENCE (RFC 5545: the
organizer's count of revisions, for scheduling) is left out, i.e. 0; DTSTAMP (with a METHOD,
when the calendar object was made) is the first day of the month the feed shows, the same for
every event. Both used to be the record file's commit count and last commit time, which told
a subscriber how often and when the firm edited each policy. Unchanged records still give
byte-identical feeds.

What a feed holds (``schedule.month_window``): a client's feed, events from the first of this
month through 13 calendar months on, so every yearly date shows once and the feed changes at
most once a month while records do not; a policy's end date and its renewal reminder are shown
however far off. A staff feed holds 3 calendar months: work is planned weeks ahead, the first
renewal call comes 90 days before an end, and a manager of 700 clients keeps a feed a calendar
app loads quickly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial
from typing import NamedTuple
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vDuration, vText

from baodan.core.today import SHANGHAI
from baodan.domain.schedule import (
    CLAIM_DECISION_DAYS,
    Window,
    birthdays,
    claim_decision_due,
    in_force,
    month_window,
    premium_due_dates,
    renewal_contacts,
)
from baodan.models import Policy, Settings
from baodan.models.claim import CLAIM_TYPES
from baodan.models.client import has_consent, has_left
from baodan.models.interaction import KINDS
from baodan.models.taxonomy import taxonomy
from baodan.models.texts import PortalTexts
from baodan.web.context import GeneratedPage, SiteContext
from baodan.web.csp import policy, with_policy
from baodan.web.ics import Writer

HORIZON_MONTHS = 13
STAFF_HORIZON_MONTHS = 3
REFRESH = timedelta(days=1)
ALARM_TIME = timedelta(hours=9)  # an all-day event's reminder rings at 09:00 on its day
# A lecture's reminders: the day before at the same hour, and two hours before it starts.
LECTURE_ALARMS = (timedelta(days=1), timedelta(hours=2))
DEFAULT_DIR = "feeds"
IMPORT_FILE = "import.ics"  # beside the calendar page, in the folder named by the feed token
TOKEN_MARK = "bd-feed-token-mark"  # where a client's token goes in the calendar page rendered once
# What the build derives the event UIDs' secret for (store.firm_secret).
UID_PURPOSE = "feed uid v1"


@dataclass(frozen=True)
class Entry:
    """One event before it becomes iCalendar: all-day when ``start`` is a date."""

    key: str  # what the event is (its UID is an HMAC of this: event_uid)
    start: date | datetime
    end: date | datetime
    summary: str
    description: str
    alarms: tuple[timedelta, ...] = ()  # when reminders ring, relative to the start
    location: str | None = None
    url: str | None = None


def all_day(key: str, day: date, summary: str, description: str, **kw) -> Entry:
    """An all-day event: DTEND is the next day (exclusive), as RFC 5545 wants."""
    return Entry(key, day, day + timedelta(days=1), summary, description, **kw)


def event_uid(secret: bytes, key: str, host: str) -> str:
    """An event's UID: the HMAC-SHA256 of its ``key`` with the firm's feed secret, 160 bits in
    base32, at the site's host. Stable while the key and the record key stay the same."""
    digest = hmac.new(secret, key.encode("utf-8"), hashlib.sha256).digest()[:20]
    return f"{base64.b32encode(digest).decode('ascii').lower()}@{host}"


def at_nine(days) -> tuple[timedelta, ...]:
    """Reminders of an all-day event at ALARM_TIME, each so many days before its day."""
    return tuple(ALARM_TIME - timedelta(days=d) for d in days)


class SubscribeLinks(NamedTuple):
    webcal: str  # opens an iPhone's (or Outlook's) calendar app to subscribe
    https: str  # the same feed, for a computer's calendar ("add calendar from URL")
    page: str  # the https page that shows each phone its own way (the QR code's address)
    file: str  # the one-time import file with its own reminders (Android phones)


def subscribe_links(
    settings: Settings, token: str, calendar_dir: str = DEFAULT_DIR
) -> SubscribeLinks | None:
    """A client's calendar addresses, or None while records/firm.yaml has no site_url.
    A QR code (``qr.qr_svg``) shows ``page``: a bare webcal:// does nothing on Android or in
    WeChat's scanner."""
    site = _site(settings)
    if site is None:
        return None
    https = f"{site}{calendar_dir}/{token}.ics"
    page = f"{site}{calendar_dir}/{token}/"
    return SubscribeLinks("webcal://" + https.split("://", 1)[1], https, page, page + IMPORT_FILE)


def is_feed(uri: str) -> bool:
    """A calendar to subscribe to (what a build counts), not an import file."""
    return uri.endswith(".ics") and not uri.endswith("/" + IMPORT_FILE)


def client_feeds(ctx: SiteContext) -> list[GeneratedPage]:
    """For each current client with a feed token (public build), beside one another under the
    same unguessable token: the feed (feeds/<token>.ics) that iPhones and computers subscribe
    to; the same events as a one-time import file, reminders included (feeds/<token>/import.ics),
    for Android phones, whose calendars keep no reminders from a subscription or cannot
    subscribe at all; and the page that shows each phone its way (feeds/<token>/index.html)."""
    firm = ctx.firm
    window = month_window(ctx.today, HORIZON_MONTHS)
    folder = ctx.options.get("calendar_dir", DEFAULT_DIR)
    firm_name = _short_name(firm.settings)
    ics = _Ics(ctx)
    name = f"{firm_name} · 我的保单"
    about = (
        f"保单到期、续保提醒和缴费日期，由{firm_name}整理，每天更新。"
        f"如有疑问请致电 {firm.settings.contact.phone}。"
    )
    once = (
        f"保单到期、续保提醒和缴费日期，由{firm_name}整理（一次性导入，不会自动更新："
        f"我们通知您时请重新导入）。如有疑问请致电 {firm.settings.contact.phone}。"
    )
    page = calendar_page(ctx)
    pages = []
    for cf in firm.clients.values():
        client = cf.client
        if client.feed is None or not has_consent(client, ctx.today):
            continue
        entries = [
            entry
            for policy in cf.policies
            if in_force(policy)
            for entry in _policy_entries(ctx, policy, window)
        ]
        feed, one_time = ics.calendars(name, about, once, entries)
        token = client.feed.token
        pages += [
            GeneratedPage(f"{folder}/{token}.ics", feed),
            GeneratedPage(f"{folder}/{token}/{IMPORT_FILE}", one_time),
        ]
        if page is not None:
            pages.append(GeneratedPage(f"{folder}/{token}/index.html", page(token)))
    return pages


@dataclass(frozen=True)
class CalendarPage:
    """What a calendar page (site_templates/pages/calendar_page.html.j2) says besides the
    firm's calendar texts (records/rules/portal.yaml): what the calendar holds, the line before
    the firm's phone number, and what an Android phone saves the import file as."""

    what: str
    closing: str
    file_name: str
    title: str | None = None  # else the firm's calendar title
    android: str | None = None  # else the firm's text for Android phones


CLIENT_PAGE = CalendarPage(
    what="加入后，保单到期、续保和分期缴费的日子会出现在您的日历里，并提前几天在早上 9 点提醒您。",
    closing="不论是否加入日历，保单到期前我们都会主动联系您办理续保：提醒只是多一重保险。",
    file_name="我的保单日历.ics",
)
LECTURE_PAGE = CalendarPage(
    what="加入后，公开讲座的时间和地点会出现在您的日历里，讲座前一天和开讲前两小时各提醒您一次。",
    closing="讲座免费参加，欢迎带家人一起来，请提前预约座位。",
    file_name="保险知识讲座.ics",
    title="把讲座日历加入手机",
    android=(
        "点“下载日历文件”，下载完成后点开这个文件（或在“文件管理 › 下载”里找到它），选择用“日历”"
        "打开并导入，提醒已经设好。这是一次性导入，不会自动更新：新讲座公布后，请回到本页再导入一次。"
    ),
)
LECTURES = "lectures"  # the lecture calendar's name where a client feed has its token


def calendar_page(ctx: SiteContext):
    """A function of a feed token giving that client's calendar page: rendered once per build
    (site_templates/pages/calendar_page.html.j2), the token put in per client. None while
    firm.yaml has no site_url: a phone subscribes only to a full address."""
    html = _calendar_html(ctx, TOKEN_MARK, CLIENT_PAGE)
    return None if html is None else lambda token: html.replace(TOKEN_MARK, token)


def _calendar_html(ctx: SiteContext, token: str, says: CalendarPage) -> str | None:
    folder = ctx.options.get("calendar_dir", DEFAULT_DIR)
    links = subscribe_links(ctx.firm.settings, token, folder)
    if links is None:
        return None
    texts = ctx.firm.rules.get("portal", PortalTexts).calendar.model_dump()
    texts.update((k, v) for k, v in (("title", says.title), ("android", says.android)) if v)
    depth = folder.count("/") + 2  # feeds/<token>/
    html = ctx.render(
        "calendar_page.html.j2",
        links=links,
        assets="/".join([".."] * depth) + "/assets/baodan/",
        texts=texts,
        what=says.what,
        closing=says.closing,
        file_name=says.file_name,
    )
    return with_policy(html, policy(portal=True))


def lecture_feed(ctx: SiteContext) -> list[GeneratedPage]:
    """The public lecture calendar: this month's and every later lecture."""
    firm = ctx.firm
    window = month_window(ctx.today, HORIZON_MONTHS)
    kb = ctx.options.get("kb_dir", "kb")
    site = _site(firm.settings)
    entries = []
    for lec in firm.lectures:
        if lec.date < window.start:
            continue
        url = f"{site}{kb}/{lec.slug}/" if site else None
        lines = [
            f"主讲：{lec.speaker}",
            f"适合：{lec.audience}" if lec.audience else "",
            lec.summary or "",
            f"讲稿：{url}" if url else "",
        ]
        entries.append(
            Entry(
                f"lecture.{lec.slug}",
                _at(lec.date, lec.start_time),
                _at(lec.date, lec.end_time),
                lec.title,
                "\n".join(filter(None, lines)),
                location=lec.venue,
                url=url,
                alarms=tuple(-before for before in LECTURE_ALARMS),
            )
        )
    name = _short_name(firm.settings)
    call = f"报名或咨询请致电 {firm.settings.contact.phone}。"
    feed, one_time = _Ics(ctx).calendars(
        f"{name} · 保险知识讲座",
        f"{name}的公开保险知识讲座（北京时间）。{call}",
        f"{name}的公开保险知识讲座（北京时间；一次性导入，不会自动更新：新讲座公布后请重新导入）。{call}",
        entries,
    )
    folder = ctx.options.get("calendar_dir", DEFAULT_DIR)
    pages = [
        GeneratedPage(f"{folder}/{LECTURES}.ics", feed),
        GeneratedPage(f"{folder}/{LECTURES}/{IMPORT_FILE}", one_time),
    ]
    # The page that shows each phone its way (the knowledge base links it), with the portal
    # assets it loads: the public build's; the staff build has neither.
    html = None if ctx.staff else _calendar_html(ctx, LECTURES, LECTURE_PAGE)
    if html is not None:
        pages.append(GeneratedPage(f"{folder}/{LECTURES}/index.html", html))
    return pages


def staff_feeds(ctx: SiteContext) -> list[GeneratedPage]:
    """The staff build's work calendars: staff/feeds/<staff-id>.ics for each active member."""
    window = month_window(ctx.today, STAFF_HORIZON_MONTHS)
    work: dict[str, list[Entry]] = {staff_id: [] for staff_id in ctx.firm.staff}
    kept = None  # `baodan serve`: a client's work kept while it reads the same (ClientMemo)
    if ctx.per_client is not None:
        shared = (ctx.today, ctx.firm.settings, ctx.firm.insurers, ctx.firm.rules.own_files())
        kept = ctx.per_client["staff_feeds"].for_build(shared)
    for cf in ctx.firm.clients.values():
        if kept is None:
            found = _client_work(ctx, cf, window)
        else:
            found = kept(cf, None, lambda cf=cf: list(_client_work(ctx, cf, window)))
        for staff_id, entry in found:
            work.setdefault(staff_id, []).append(entry)
    name = _short_name(ctx.firm.settings)

    @cache
    def ics() -> _Ics:  # made when a feed is written
        return _Ics(ctx)

    def feed(member) -> GeneratedPage:
        content = ics().calendar(
            f"{name} · {member.name}的工作日程",
            "续保联系、回访跟进、生日问候和理赔核定期限（仅限本机员工站，含客户姓名，勿外传）。",
            work[member.id],
        )
        return GeneratedPage(f"staff/feeds/{member.id}.ics", content)

    # `baodan serve` writes a feed again only when its events changed (SiteContext.reuse).
    return [
        ctx.reuse(f"staff/feeds/{member.id}.ics", work[member.id], partial(feed, member))
        for member in ctx.firm.staff.values()
        if member.active
    ]


# ---- events ---------------------------------------------------------------------------------


def _policy_entries(ctx: SiteContext, policy: Policy, window: Window) -> list[Entry]:
    """A client's events for one policy: end date, renewal reminder, premiums in the window."""
    settings = ctx.firm.settings
    reminders = settings.reminders
    product = settings.feeds.show_product
    label = _policy_label(ctx, policy, product)
    facts = _policy_facts(ctx, policy, product)
    call = f"如有疑问请致电{_short_name(settings)} {settings.contact.phone}。"
    reg = policy.registry_no
    entries = []
    if policy.terminates is not None and policy.terminates >= window.start:
        entries.append(
            all_day(
                f"{reg}.end",
                policy.terminates,
                f"保单到期：{label}",
                f"{facts}\n保险期间至 {_cn(policy.terminates)} 24 时止。{call}",
                alarms=at_nine(reminders.alarm_days),
            )
        )
    contacts = renewal_contacts(policy, reminders.renewal_days)
    if contacts and contacts[0][1] >= window.start:
        entries.append(
            all_day(
                f"{reg}.renewal",
                contacts[0][1],
                f"续保提醒：{label}将于 {_cn(policy.terminates)} 到期",
                f"{facts}\n我们会在到期前与您联系，确认是否续保。{call}",
                alarms=at_nine((0,)),
            )
        )
    for instalment in premium_due_dates(policy, window):
        # A reminder further ahead than one instalment period would ring for the one before.
        shorter = at_nine(d for d in reminders.alarm_days if d < instalment.months * 28)
        entries.append(
            all_day(
                f"{reg}.premium.{instalment.due:%Y-%m}",
                instalment.due,
                f"缴费日：{label}（第 {instalment.number} 期）",
                f"{facts}\n第 {instalment.number} 期保费在这一天缴纳；自动扣款的请留足余额。{call}",
                alarms=shorter,
            )
        )
    return entries


def _client_work(ctx: SiteContext, cf, window: Window):
    """(staff id, entry) for one client: renewal contacts and birthday for the manager,
    follow-ups for whoever logged the interaction, decision deadlines for the claim handler."""
    client = cf.client
    see = f"客户编号：{client.id}（员工站 staff/clients/{client.id}/）"
    if not has_left(client, ctx.today):
        for policy in cf.policies:
            if not in_force(policy):
                continue
            facts = f"{_policy_facts(ctx, policy)}\n登记号：{policy.registry_no}\n{see}"
            for days, day in renewal_contacts(policy, ctx.firm.settings.reminders.renewal_days):
                if day in window:
                    yield (
                        client.manager,
                        all_day(
                            f"{policy.registry_no}.contact-{days}",
                            day,
                            f"续保联系：{client.name} · {_policy_label(ctx, policy)}（{days} 天后到期）",
                            f"{facts}\n到期日：{_cn(policy.terminates)}。联系客户，记录续保意向。",
                        ),
                    )
        if client.kind == "person" and client.birthday:
            for day in birthdays(client.birthday, window):
                yield (
                    client.manager,
                    all_day(
                        f"{client.id}.birthday.{day.year}",
                        day,
                        f"生日问候：{client.name}",
                        f"{client.name} {day.year - client.birthday.year} 岁生日。\n{see}",
                    ),
                )
        for item in cf.interactions:
            if item.follow_up and item.follow_up in window:
                stem = item.path.rsplit("/", 1)[-1].removesuffix(".yaml.age")
                yield (
                    item.staff,
                    all_day(
                        f"{client.id}.{stem}.follow-up",
                        item.follow_up,
                        f"跟进：{client.name}（{KINDS[item.kind]}）",
                        f"{_cn(item.date)} {KINDS[item.kind]}：{item.summary}\n{see}",
                    ),
                )
    for claim in cf.claims:
        due = claim_decision_due(claim)
        if due and due <= window.end:  # an overdue one stays while the claim still waits
            yield (
                claim.handler,
                all_day(
                    f"{claim.id}.decision",
                    due,
                    f"理赔核定期限：{client.name} · {CLAIM_TYPES[claim.type]}（{claim.id}）",
                    f"保险公司应在收到完整材料后 {CLAIM_DECISION_DAYS} 日内作出核定（保险法第二十三条）。"
                    f"今天仍未核定请向保险公司催问，并告知客户进度。\n保单登记号：{claim.policy}\n{see}",
                ),
            )


def _policy_label(ctx: SiteContext, policy: Policy, product: bool = True) -> str:
    """The insurer's short name and the product, once: 人保财险 家庭财产综合险; without the
    product (firm.yaml feeds.show_product: false), the kind of cover: 平安产险 医疗保险."""
    insurer = _insurer_name(ctx, policy)
    if not product:
        return f"{insurer} {_subcategory(ctx, policy)}"
    return policy.product if insurer in policy.product else f"{insurer} {policy.product}"


def _subcategory(ctx: SiteContext, policy: Policy) -> str:
    return taxonomy(ctx.firm.rules).subcategory_name(policy.category, policy.subcategory)


def _insurer_name(ctx: SiteContext, policy: Policy) -> str:
    insurer = ctx.firm.insurers.get(policy.insurer)
    return insurer.short_name if insurer else policy.insurer


def _policy_facts(ctx: SiteContext, policy: Policy, product: bool = True) -> str:
    """The least a calendar needs: category, insurer, product (unless the firm hides it), the
    policy number's last four."""
    return "\n".join(
        [
            f"险种：{taxonomy(ctx.firm.rules).category_name(policy.category)} · "
            f"{_subcategory(ctx, policy)}",
            f"保险公司：{_insurer_name(ctx, policy)}",
            *([f"产品：{policy.product}"] if product else []),
            f"保单号：尾号 {policy.policy_no[-4:]}",
        ]
    )


# ---- iCalendar ------------------------------------------------------------------------------


class _Ics:
    """One builder's feeds: each event an icalendar Event. The calendar header, and the dates,
    stamps, summaries and reminders many events share, are made and written once (ics.Writer)."""

    def __init__(self, ctx: SiteContext):
        if ctx.feed_secret is None:
            raise ValueError("feeds need the firm's feed secret (store.firm_secret)")
        self.writer = Writer()
        self.host = _host(ctx.firm.settings)
        self.secret = ctx.feed_secret
        # The first day of the month every feed of this build starts at (module docstring).
        first = datetime.combine(ctx.today.replace(day=1), time(), SHANGHAI)
        self.stamp = first.astimezone(UTC)
        self._headers: dict[tuple[str, str], Calendar] = {}
        self._alarms: dict[tuple[vText, timedelta], Alarm] = {}

    def calendar(self, name: str, description: str, entries: list[Entry]) -> bytes:
        """A feed to subscribe to."""
        return self._wrap(self._header(name, description), self._body(entries))

    def calendars(
        self, name: str, description: str, once: str, entries: list[Entry]
    ) -> tuple[bytes, bytes]:
        """The feed, and the same events as a file to import once (described by ``once``):
        without the refresh interval, which only a subscription has. Events are written once."""
        body = self._body(entries)
        return (
            self._wrap(self._header(name, description), body),
            self._wrap(self._header(name, once, subscribed=False), body),
        )

    def _body(self, entries: list[Entry]) -> bytes:
        cal = Calendar()
        for entry in sorted(entries, key=lambda e: (e.start.isoformat(), e.key)):
            cal.add_component(self._event(entry))
        if any(isinstance(e.start, datetime) for e in entries):
            # Timed events name Asia/Shanghai; China has kept UTC+8 without DST since 1992.
            cal.add_missing_timezones(first_date=date(2000, 1, 1), last_date=date(2100, 1, 1))
        return b"".join(self.writer.write(sub) for sub in cal.subcomponents)

    def _wrap(self, header: Calendar, body: bytes) -> bytes:
        """``header`` with ``body``'s components: what writing them as one calendar gives."""
        end = b"END:VCALENDAR\r\n"
        return self.writer.write(header).removesuffix(end) + body + end

    def _header(self, name: str, description: str, subscribed: bool = True) -> Calendar:
        """The calendar's own properties, shared by the feeds of one name."""
        if (name, description) not in self._headers:
            cal = Calendar()
            cal.add("PRODID", "-//baodan//calendar feeds//ZH")
            cal.add("VERSION", "2.0")
            cal.add("CALSCALE", "GREGORIAN")
            cal.add("METHOD", "PUBLISH")
            cal.calendar_name = name  # NAME and X-WR-CALNAME
            cal.description = description  # DESCRIPTION and X-WR-CALDESC
            cal.add("X-WR-TIMEZONE", "Asia/Shanghai")
            if subscribed:
                cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
                cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
            self._headers[name, description] = self.writer.share(cal)
        return self._headers[name, description]

    def _event(self, entry: Entry) -> Event:
        timed = isinstance(entry.start, datetime)
        shared = self.writer.add
        event = Event()
        event.add("UID", vText(event_uid(self.secret, entry.key, self.host)))
        shared(event, "DTSTAMP", self.stamp)
        shared(event, "DTSTART", entry.start)
        shared(event, "DTEND", entry.end)
        shared(event, "SUMMARY", entry.summary)
        event.add("DESCRIPTION", vText(entry.description))
        if entry.location:
            event.add("LOCATION", entry.location)
        if entry.url:
            event.add("URL", entry.url)
        # Reminders do not block the day.
        shared(event, "TRANSP", "OPAQUE" if timed else "TRANSPARENT")
        for trigger in entry.alarms:
            event.add_component(self._alarm(event["SUMMARY"], trigger))
        return event

    def _alarm(self, summary: vText, trigger: timedelta) -> Alarm:
        """A reminder at ``trigger`` from the event's start, saying the event's summary; one
        object for every event that has it."""
        if (summary, trigger) not in self._alarms:
            alarm = Alarm()
            self.writer.add(alarm, "ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", summary)
            self.writer.add(alarm, "TRIGGER", trigger)
            self._alarms[summary, trigger] = self.writer.share(alarm)
        return self._alarms[summary, trigger]


def _site(settings: Settings) -> str | None:
    """The public site's address ending in /, or None when firm.yaml does not give it."""
    return str(settings.site_url).rstrip("/") + "/" if settings.site_url else None


def _host(settings: Settings) -> str:
    return (urlsplit(str(settings.site_url)).hostname if settings.site_url else None) or "baodan"


def _short_name(settings: Settings) -> str:
    return settings.short_name or settings.name


def _at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), SHANGHAI)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
