"""records/clients/<id>/interactions/<date>-<n>-<tag>.yaml.age: consultations, visits, greetings,
surveys, lecture attendance."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from baodan.models.base import FieldProblem, Model, Record
from baodan.models.vocab import CHANNELS, INTENTIONS

KINDS = {
    "consultation": "保险咨询",
    "visit": "回访",
    "call": "电话",
    "greeting": "节日问候",
    "survey": "满意度调查",
    "lecture": "参加讲座",
    "renewal": "续保联系",
}


class Survey(Model):
    score: int | None = Field(None, ge=1, le=5, description="满意度 1–5")
    nps: int | None = Field(None, ge=0, le=10, description="推荐意愿 0–10")
    comment: str | None = None
    about: str | None = Field(
        None, description="针对的理赔编号（如 cl-1a2b3c4d）或互动记录文件名（如 2026-03-01-1）"
    )

    @model_validator(mode="after")
    def _answered(self) -> Survey:
        if self.score is None and self.nps is None:
            raise FieldProblem(
                "score", "满意度调查至少要有 score（1–5）或 nps（0–10）", "按客户的回答填写"
            )
        return self


class Interaction(Record):
    date: dt.date
    kind: Literal[tuple(KINDS)]
    staff: str = Field(description="员工编号")
    channel: Literal[tuple(CHANNELS)]
    summary: str
    policy: str | None = Field(None, description="相关保单登记号")
    follow_up: dt.date | None = Field(None, description="下次跟进日期")
    intention: Literal[tuple(INTENTIONS)] | None = Field(
        None,
        description="续保意向（kind 为 renewal 时填）：renew 愿意续保 / decline 不再续保 / "
        "undecided 尚未决定；没联系上或客户没表态就不填",
    )
    survey: Survey | None = None
    occasion: str | None = Field(
        None, description="问候的节日或生日（greeting 用），见 data/care.yaml，如 spring_festival"
    )
    lecture: str | None = Field(
        None, description="参加的讲座（lecture 用）：records/lectures/ 下的文件名，不含 .md"
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> Interaction:
        if self.kind == "survey" and self.survey is None:
            raise FieldProblem(
                "survey", "满意度调查记录要填 survey", "写 score 或 nps，以及 comment、about"
            )
        if self.kind == "lecture" and not self.lecture:
            raise FieldProblem(
                "lecture",
                "参加讲座的记录要填 lecture",
                "写讲座文件名（不含 .md），如 2026-03-21-claims-howto",
            )
        if self.kind == "renewal" and not self.policy:
            raise FieldProblem(
                "policy", "续保联系要写是哪张保单 policy", "填保单登记号，如 BD-2026-7K3QX"
            )
        if self.intention and self.kind != "renewal":
            raise FieldProblem(
                "intention",
                "只有续保联系（kind: renewal）才填 intention",
                "改 kind 或删去 intention",
            )
        return self

    @property
    def name(self) -> str:
        """The file name without .yaml.age, e.g. 2026-03-01-1: what a survey's about names."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".yaml.age")
