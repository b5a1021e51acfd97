"""What validating a record needs from outside the record, handed to the models as pydantic's
validation context: ``Model.model_validate(data, context=record_context(today, taxonomy))``
(core.parse.validate passes it on; the loader makes it once per firm).

- ``today``: a birth date in a resident ID number may not be after it;
- ``taxonomy``: the firm's policy categories (its rules, models/taxonomy.py); or ``rules``,
  the firm's ``Rules``, to read it from (core/rules.py validates rule files with them).

A model validated without a context (a test building a record) leaves out the checks against
today and uses the package's taxonomy: validators never read the clock or a file themselves.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationInfo

    from baodan.core.rules import Rules
    from baodan.models.taxonomy import Taxonomy


def record_context(today: date, taxonomy: Taxonomy | None = None) -> dict:
    """``taxonomy``: the firm's (``models.taxonomy.taxonomy(rules)``); None: the package's."""
    return {"today": today, "taxonomy": taxonomy}


def firm_context(today: date, rules: Rules) -> dict:
    """record_context with the taxonomy of the firm whose ``rules`` these are (the package's
    while the firm's file has mistakes, which `baodan check` reports)."""
    from baodan.core.errors import BaodanError
    from baodan.models.taxonomy import taxonomy

    try:
        return record_context(today, taxonomy(rules))
    except BaodanError:
        return record_context(today)


def today_of(info: ValidationInfo) -> date | None:
    """Today, as the validation context says; None without a context."""
    return (info.context or {}).get("today")


def taxonomy_of(info: ValidationInfo) -> Taxonomy:
    """The firm's taxonomy, as the validation context says; the package's without one, or
    when the firm's file has mistakes (`baodan check` reports those)."""
    from baodan.core.errors import BaodanError
    from baodan.core.rules import Rules
    from baodan.models.taxonomy import taxonomy

    context = info.context or {}
    if (found := context.get("taxonomy")) is not None:
        return found
    try:
        return taxonomy(context.get("rules") or Rules())
    except BaodanError:
        return taxonomy(Rules())
