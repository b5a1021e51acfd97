"""The rule file of everyday words for choices (data/everyday_words.yaml): its schema, apart
from core/choices.py so that a command's start-up does not import pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EverydayWords(BaseModel):
    """data/everyday_words.yaml, or a firm's records/rules/everyday_words.yaml."""

    model_config = ConfigDict(extra="forbid")
    words: dict[str, str] = Field(description="平时的说法: 它指的正式中文名称")
