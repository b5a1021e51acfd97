"""What validating a record needs from outside the record, handed to the models as pydantic's
validation context: ``Model.model_validate(data, context=record_context(today))``
(core.parse.validate passes it on; the loader makes it once per firm).

- ``today``: a birth date in a resident ID number may not be after it.

A model validated without a context (a test building a record) leaves out the checks that
need it: validators never read the clock themselves.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationInfo


def record_context(today: date) -> dict:
    return {"today": today}


def today_of(info: ValidationInfo) -> date | None:
    """Today, as the validation context says; None without a context."""
    return (info.context or {}).get("today")
