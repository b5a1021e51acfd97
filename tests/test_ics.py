"""Feeds are written by baodan.web.ics.Writer straight from content lines: its text is exactly
what icalendar's ``to_ical()`` writes for the same events built with icalendar, also for text
that icalendar escapes and folds in awkward places."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from baodan.core.today import SHANGHAI
from baodan.web.feeds import REFRESH, Entry, _Ics, event_uid
from baodan.web.ics import Writer, escape_text, text_line
from icalendar import Alarm, Calendar, Event, vDuration, vText

AWKWARD = [
    "",
    "短",
    "a" * 73,
    "a" * 74,
    "a" * 75,
    "保单到期：" * 40,
    "x" * 60 + "逗号,分号;反斜杠\\换行\n" * 6,
    "\\" * 200,
    "\\N 不是换行，\r\n是；\r也是",
    "^" * 150 + "中" * 30,
    "emoji 🧧🧧🧧 " * 20,
    "".join(chr(0x4E00 + i) + ("\\," if i % 7 == 0 else "") for i in range(120)),
]


@pytest.mark.parametrize("text", [*AWKWARD, "\\N\\n\\\\N", "，,；;\\\\", "\r\r\n\n\n\r"])
def test_text_is_escaped_as_icalendar_escapes_it(text):
    assert escape_text(text).encode() == vText(text).to_ical()
    # and read back as the text, line breaks as "\n" (what a calendar app shows)
    event = Event.from_ical(f"BEGIN:VEVENT\r\nSUMMARY:{escape_text(text)}\r\nEND:VEVENT\r\n")
    shown = text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")
    assert event["SUMMARY"] == shown


@pytest.mark.parametrize("offset", range(4))
def test_writer_writes_what_icalendar_writes(offset):
    writer = Writer()
    for n, text in enumerate(AWKWARD):
        text = "x" * offset + text
        url = "https://example.com/" + text.replace("\r", "").replace("\n", "")
        event = Event()
        event.add("UID", vText(f"{n}@example"))
        event.add("DTSTAMP", datetime(2026, 6, 1, 8, tzinfo=SHANGHAI))
        event.add("DTSTART", date(2026, 12, 1 + n))
        event.add("SUMMARY", text)
        event.add("DESCRIPTION", vText(text + text))
        event.add("LOCATION", text)
        event.add("URL", url)
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", event["SUMMARY"])
        alarm.add("TRIGGER", timedelta(hours=9) - timedelta(days=7))
        event.add_component(alarm)
        event.add_component(alarm)  # the same reminder twice
        line = writer.line
        lines = {
            "URL": line("URL", url),
            "DESCRIPTION": text_line("DESCRIPTION", text + text),
            "UID": text_line("UID", f"{n}@example"),
            "LOCATION": line("LOCATION", text),
            "SUMMARY": line("SUMMARY", text),
            "DTSTART": line("DTSTART", date(2026, 12, 1 + n)),
            "DTSTAMP": line("DTSTAMP", datetime(2026, 6, 1, 8, tzinfo=SHANGHAI)),
        }
        reminder = writer.component(
            Alarm,
            {
                "TRIGGER": line("TRIGGER", timedelta(hours=9) - timedelta(days=7)),
                "DESCRIPTION": line("DESCRIPTION", text),
                "ACTION": line("ACTION", "DISPLAY"),
            },
        )
        assert writer.component(Event, lines, [reminder, reminder]) == event.to_ical()


def _plain(name: str, description: str, entries: list[Entry], host: str, secret: bytes) -> bytes:
    """A feed as icalendar builds and writes it: what feeds._Ics must write."""
    cal = Calendar()
    cal.add("PRODID", "-//baodan//calendar feeds//ZH")
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.calendar_name = name
    cal.description = description
    cal.add("X-WR-TIMEZONE", "Asia/Shanghai")
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for entry in sorted(entries, key=lambda e: (e.start.isoformat(), e.key)):
        event = Event()
        event.add("UID", event_uid(secret, entry.key, host))
        event.add("DTSTAMP", datetime(2026, 10, 31, 16, tzinfo=UTC))
        event.add("DTSTART", entry.start)
        event.add("DTEND", entry.end)
        event.add("SUMMARY", entry.summary)
        event.add("DESCRIPTION", entry.description)
        if entry.location:
            event.add("LOCATION", entry.location)
        if entry.url:
            event.add("URL", entry.url)
        event.add("TRANSP", "OPAQUE" if isinstance(entry.start, datetime) else "TRANSPARENT")
        for trigger in entry.alarms:
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", entry.summary)
            alarm.add("TRIGGER", trigger)
            event.add_component(alarm)
        cal.add_component(event)
    cal.add_missing_timezones(first_date=date(2000, 1, 1), last_date=date(2100, 1, 1))
    return cal.to_ical()


def _entries(timed: bool) -> list[Entry]:
    entries = []
    for n, text in enumerate(AWKWARD):
        day = date(2026, 11, 1) + timedelta(days=n % 5)  # several events on a day
        start = datetime.combine(day, time(14, 30), SHANGHAI) if timed and n % 2 else day
        end = start + (timedelta(hours=2) if isinstance(start, datetime) else timedelta(days=1))
        entries.append(
            Entry(
                f"BD-2026-{n:05d}.end",
                start,
                end,
                f"保单到期：{text[:40]}",
                f"险种：健康保险 · 医疗保险\n{text}\n如有疑问请致电 0571-8888 6666。",
                alarms=tuple(timedelta(hours=9) - timedelta(days=d) for d in (0, 7, 30)[: n % 4]),
                location=(text or None) if n % 3 == 0 else None,
                url=f"https://demo.baodan.example/kb/{n}/" if n % 4 == 1 else None,
            )
        )
    return entries


@pytest.mark.parametrize("timed", [False, True])
def test_feeds_write_what_icalendar_writes_for_the_same_events(timed):
    ctx = SimpleNamespace(
        feed_secret=b"s" * 32,
        firm=SimpleNamespace(settings=SimpleNamespace(site_url="https://demo.baodan.example/")),
        today=date(2026, 11, 27),
    )
    ics = _Ics(ctx)
    entries = _entries(timed)
    name, about = "测试保险服务 · 我的保单", "保单到期、续保提醒，逗号,分号;反斜杠\\。" * 3
    expected = _plain(name, about, entries, "demo.baodan.example", ctx.feed_secret)
    assert ics.calendar(name, about, entries) == expected
    feed, once = ics.calendars(name, about, "一次性导入", entries[::-1])
    assert feed == expected
    assert Calendar.from_ical(once).to_ical() == once and b"REFRESH-INTERVAL" not in once
    assert len(Calendar.from_ical(feed).events) == len(entries)
