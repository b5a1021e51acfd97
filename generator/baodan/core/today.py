""" "Today" is Shanghai's calendar date, whatever the machine's time zone (CI runs in UTC)."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(SHANGHAI)


def today() -> date:
    """Shanghai's date; BAODAN_TODAY=YYYY-MM-DD pins it (tests, and previewing a future day)."""
    if pinned := os.environ.get("BAODAN_TODAY"):
        return date.fromisoformat(pinned)
    return now().date()
