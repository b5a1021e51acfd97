"""Texts a firm may reword (records/rules/portal.yaml, search_words.yaml): their schemas."""

from __future__ import annotations

from typing import Literal

from baodan.models.base import Model


class Checklist(Model):
    title: str
    intro: str
    steps: list[str]


class DisputeTexts(Checklist):
    # The line on a claim's card at a stage where the client may object, instead of materials.
    notes: dict[Literal["refused", "partly_paid", "dispute"], str]


class CalendarTexts(Model):
    title: str
    intro: str
    iphone: str
    android: str
    qr: str
    wechat: str


class PortalTexts(Model):
    """data/portal.yaml: the fixed texts of a portal page, which a firm may reword."""

    lost_policy: Checklist
    claim_dispute: DisputeTexts
    calendar: CalendarTexts
    privacy: str


class SearchWords(Model):
    """data/search_words.yaml: words jieba must know for the search index."""

    words: list[str]
