"""Feeds are written by baodan.web.ics.Writer: its text is exactly icalendar's ``to_ical()``, also for
text that icalendar escapes and folds in awkward places."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from baodan.core.today import SHANGHAI
from baodan.web.ics import Writer
from icalendar import Alarm, Calendar, Event

AWKWARD = [
    "",
    "短",
    "a" * 73,
    "a" * 74,
    "a" * 75,
    "保单到期：" * 40,
    "x" * 60 + "逗号,分号;反斜杠\\换行\n" * 6,
    "\\" * 200,
    "^" * 150 + "中" * 30,
    "emoji 🧧🧧🧧 " * 20,
    "".join(chr(0x4E00 + i) + ("\\," if i % 7 == 0 else "") for i in range(120)),
]


@pytest.mark.parametrize("offset", range(4))
def test_writer_writes_what_icalendar_writes(offset):
    writer = Writer()
    cal = Calendar()
    cal.add("PRODID", "-//baodan//test//ZH")
    cal.add("VERSION", "2.0")
    cal.add("REFRESH-INTERVAL", timedelta(days=1), parameters={"VALUE": "DURATION"})
    writer.share(cal)
    copy = Calendar(cal)
    for n, text in enumerate(AWKWARD):
        text = "x" * offset + text
        event = Event()
        event.add("UID", f"{n}@example")
        writer.add(event, "DTSTAMP", datetime(2026, 6, 1, 8, tzinfo=SHANGHAI))
        writer.add(event, "DTSTART", date(2026, 12, 1 + n))
        writer.add(event, "SUMMARY", text)
        event.add("DESCRIPTION", text + text)
        alarm = Alarm()
        writer.add(alarm, "ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", event["SUMMARY"])
        writer.add(alarm, "TRIGGER", timedelta(hours=9) - timedelta(days=7))
        event.add_component(writer.share(alarm))
        event.add_component(alarm)  # the same reminder twice
        copy.add_component(event)
    timed = Event()
    timed.add("UID", "timed@example")
    timed.add("DTSTAMP", datetime(2026, 6, 1, tzinfo=UTC))
    timed.add("DTSTART", datetime(2026, 12, 1, 14, 30, tzinfo=SHANGHAI))
    copy.add_component(timed)
    copy.add_missing_timezones(first_date=date(2000, 1, 1), last_date=date(2100, 1, 1))
    assert writer.write(copy) == copy.to_ical()
