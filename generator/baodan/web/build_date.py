"""The date a build says it was made: the records' last commit, so rebuilds give equal bytes.

MkDocs stamps the sitemap's <lastmod> and the gzip header of sitemap.xml.gz with the build
date, which it reads from SOURCE_DATE_EPOCH when set (the reproducible-builds convention).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from baodan.store.history import History

VARIABLE = "SOURCE_DATE_EPOCH"


def records_epoch(history: History, today: date) -> int:
    """When the records last changed: their newest git commit; outside git (a fresh test
    folder), the start of today in Shanghai."""
    if history.last:
        return int(history.last.timestamp())
    return int(datetime.combine(today, time(), ZoneInfo("Asia/Shanghai")).timestamp())


class PinnedBuildDate:
    """Sets SOURCE_DATE_EPOCH for one build unless the user set it, and restores it after."""

    def __init__(self) -> None:
        self._saved: str | None = None
        self._active = False

    def pin(self, history: History, today: date) -> None:
        if self._active:
            return
        self._saved = os.environ.get(VARIABLE)
        self._active = True
        if self._saved is None:
            os.environ[VARIABLE] = str(records_epoch(history, today))

    def release(self) -> None:
        if not self._active:
            return
        self._active = False
        if self._saved is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = self._saved
