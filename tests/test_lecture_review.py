"""A firm answers for what its knowledge base tells clients: each article records who reviewed
it, when and against what, `check` reminds when that is missing or a year old, and the page
says what it is based on."""

from __future__ import annotations

import re
from datetime import date

import pytest
from baodan.core.parse import parse_record
from baodan.domain.lecture_reviews import due_for_review, review_problem
from baodan.models.lecture import Review

from .helpers import run_cli

TODAY = date(2026, 11, 27)
REVIEW = "by: 王芳\ndate: {date}\nsources:\n  - 《保险法》第十六条\n"


def _review(day: str) -> Review:
    record, errors = parse_record(Review, REVIEW.format(date=day), "r.yaml")
    assert errors == []
    return record


def test_a_review_without_sources_is_refused():
    _, errors = parse_record(Review, "by: 王芳\ndate: 2026-11-01\nsources: []\n", "r.yaml")
    assert [e.field for e in errors] == ["sources"]


def test_a_yes_no_word_as_a_field_name_is_explained_in_chinese():
    # YAML 1.1 reads `on:` as a yes/no value, not a field name
    _, errors = parse_record(Review, "by: 王芳\non: 2026-11-01\nsources: [a]\n", "r.yaml")
    assert any("字段名应为文字" in e.message and "on、off" in e.hint for e in errors)
    assert all(e.message.isascii() is False for e in errors)


def test_an_article_is_due_without_a_review_or_a_year_after_it():
    class Lec:
        def __init__(self, review):
            self.review = review

    assert review_problem(Lec(None), TODAY) == "文章还没有审核记录"
    assert review_problem(Lec(_review("2025-11-27")), TODAY) is None  # a year to the day
    assert "已超过一年" in review_problem(Lec(_review("2025-11-26")), TODAY)
    # a date in the future is a typo, which must not put the reminder off for years
    assert review_problem(Lec(_review("2062-11-26")), TODAY) == "审核日期 2062-11-26 在未来"


def test_check_reminds_of_articles_due_but_passes(firm, capsys, monkeypatch):
    monkeypatch.setenv("BAODAN_TODAY", TODAY.isoformat())
    lectures = sorted((firm.root / "records/lectures").glob("*.md"))
    text = lectures[0].read_text("utf-8")
    lectures[0].write_text(re.sub(r"review:\n(  .*\n)+", "", text, count=1), "utf-8")
    code, out, err = run_cli(capsys, "check")
    assert code == 0 and "检查通过" in out
    rel = f"records/lectures/{lectures[0].name}"
    reminded = re.findall(
        r"提醒：(records/lectures/[^:]+):1: 字段 review: (.+?)：网站上的文章", err
    )
    assert (rel, "文章还没有审核记录") in reminded
    # the demo's employer-liability article was last reviewed more than a year ago
    assert any("employer-liability" in f and "已超过一年" in why for f, why in reminded)


@pytest.mark.slow
def test_the_page_says_what_it_is_based_on_and_the_firms_disclaimer(public_site):
    firm = public_site.firm
    reviewed = next(lec for lec in firm.lectures if lec.review)
    page = (public_site.site / "kb" / reviewed.slug / "index.html").read_text("utf-8")
    basis = re.search(r'<div class="bd-lecture-basis">(.*?)</div>', page, re.S).group(1)
    assert "本文依据：" in basis and reviewed.review.sources[0] in basis
    day = reviewed.review.date
    assert f"内容截至 {day.year}年{day.month}月{day.day}日（{reviewed.review.by} 审核）" in basis
    assert firm.settings.disclaimer in basis
    unreviewed = [lec for lec, _ in due_for_review(firm, TODAY) if lec.review is None]
    for lec in unreviewed:  # no basis claimed for an article nobody reviewed
        page = (public_site.site / "kb" / lec.slug / "index.html").read_text("utf-8")
        assert "本文依据" not in page and firm.settings.disclaimer in page
