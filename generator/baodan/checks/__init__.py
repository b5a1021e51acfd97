"""Checks over the whole loaded firm. Each is a pure function (firm, today) -> list[RecordError]."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from baodan.checks.integrity import INTEGRITY_CHECKS
from baodan.checks.keys import key_checks
from baodan.checks.lectures import check_lecture_markup, review_reminders
from baodan.checks.lifecycle import check_policy_life
from baodan.checks.privacy import PRIVACY_CHECKS, missing_consent
from baodan.checks.rules import check_rule_files
from baodan.checks.service import SERVICE_CHECKS
from baodan.core.errors import RecordError
from baodan.models import Firm
from baodan.store.loader import RecordCache, read_firm

if TYPE_CHECKING:
    from baodan.store.vault import Vault

VALIDATIONS = [
    *INTEGRITY_CHECKS,
    *SERVICE_CHECKS,
    *PRIVACY_CHECKS,
    check_policy_life,
    check_lecture_markup,
]


def check_firm(firm: Firm, today: date) -> list[RecordError]:
    """Every whole-firm check as of ``today``: references, uniqueness, privacy, service, a
    policy's life, what a lecture article may publish."""
    return [e for validate in VALIDATIONS for e in validate(firm, today)]


# What `baodan check` reminds of without failing: nothing wrong, something still to do.
NOTICES = [missing_consent, review_reminders]


def notices(firm: Firm, today: date) -> list[RecordError]:
    return [e for notice in NOTICES for e in notice(firm, today)]


def load_firm(
    root: Path,
    vault: Vault | None,
    today: date,
    cache: RecordCache | None = None,
    slots: Collection[str] | None = None,
    repo: Path | None = None,
) -> tuple[Firm | None, list[RecordError]]:
    """Read the firm (``store.loader.read_firm``) and run every whole-firm check on it, as of
    ``today``; with a vault, also the checks of its keys (``checks.keys``; ``repo``: see there)."""
    firm, errors = read_firm(root, vault, today, cache, slots)
    if vault is not None:
        errors.extend(key_checks(root, vault, repo))
    if firm is not None:
        # The checks read the firm's rules: a broken rule file is the one problem reported.
        rule_errors = check_rule_files(firm.rules)
        errors.extend(rule_errors or check_firm(firm, today))
    return firm, errors
