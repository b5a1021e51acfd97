"""records/lectures/<date>-<slug>.md front matter: a knowledge lecture and its article."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, Field, PrivateAttr

from baodan.core.errors import Problem
from baodan.models.base import Model, Record


def _time_range(v: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", v):
        raise Problem("时间应写成 14:00-16:00", "开始和结束都用 24 小时制")
    return v


class Review(Model):
    """Who checked a published article against its sources, and when: a firm answers for what
    its site tells clients (checks/lectures.py warns when a review is missing or a year old)."""

    by: str = Field(description="审核人（姓名）")
    date: dt.date = Field(description="审核日期：文章内容截至这一天")
    sources: list[str] = Field(
        min_length=1,
        description="依据：法律条文、监管文件、条款等，每项一行，如 《保险法》第十六条",
    )


class Attachment(Model):
    title: str
    path: str = Field(
        description="相对 records/public（网站的文件夹）的文件路径，如 assets/讲义.pdf"
    )


class Lecture(Record):
    title: str
    date: dt.date
    time: Annotated[str, AfterValidator(_time_range)] = Field(description="如 14:00-16:00")
    venue: str
    speaker: str
    audience: str | None = Field(None, description="适合人群")
    tags: list[str] = Field([], description="相关险种大类编号，见 data/taxonomy.yaml")
    summary: str | None = None
    attachments: list[Attachment] = []
    review: Review | None = Field(None, description="内容审核：审核人、日期和依据")

    _body: str = PrivateAttr(default="")
    _body_line: int = PrivateAttr(default=1)  # the line of the file the body starts on

    @property
    def body(self) -> str:
        return self._body

    @property
    def body_line(self) -> int:
        return self._body_line

    @property
    def slug(self) -> str:
        """The file name without .md, e.g. 2026-03-14-critical-illness."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")

    @property
    def start_time(self) -> str:
        return self.time.split("-")[0]

    @property
    def end_time(self) -> str:
        return self.time.split("-")[1]
