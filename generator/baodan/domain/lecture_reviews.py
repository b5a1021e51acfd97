"""Which published lecture articles are due for review: never reviewed, or reviewed more than a
year ago. One rule for `baodan check`'s reminders and the staff site's list."""

from __future__ import annotations

from datetime import date, timedelta

from baodan.models import Firm, Lecture

REVIEW_VALID = timedelta(days=365)


def next_review(lecture: Lecture) -> date | None:
    """The day the article's review runs out (None: never reviewed)."""
    return lecture.review.date + REVIEW_VALID if lecture.review else None


def review_problem(lecture: Lecture, today: date) -> str | None:
    """Why the article needs reviewing (Chinese), or None while its review holds."""
    if lecture.review is None:
        return "文章还没有审核记录"
    if lecture.review.date > today:  # a typo would otherwise put the reminder off for years
        return f"审核日期 {lecture.review.date} 在未来"
    if today > next_review(lecture):
        return f"上次审核是 {lecture.review.date}，已超过一年"
    return None


def due_for_review(firm: Firm, today: date) -> list[tuple[Lecture, str]]:
    """(article, why) for every article due, the longest overdue first."""
    due = [(lec, why) for lec in firm.lectures if (why := review_problem(lec, today))]
    return sorted(due, key=lambda d: (d[0].review is not None, next_review(d[0]) or d[0].date))
