"""Checks over the whole loaded firm. Each is a pure function (firm, today) -> list[RecordError]."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from baodan.checks.documents import check_document_refs, document_file_problems
from baodan.checks.integrity import (
    INTEGRITY_CHECKS,
    check_dates,
    check_insurer_refs,
    check_staff_refs,
)
from baodan.checks.keys import key_checks
from baodan.checks.lectures import check_lecture_markup, review_reminders
from baodan.checks.lifecycle import check_policy_life
from baodan.checks.privacy import (
    PRIVACY_CHECKS,
    check_sensitive_consent,
    check_withdrawn_consent,
    missing_consent,
)
from baodan.checks.rules import check_rule_files
from baodan.checks.service import (
    SERVICE_CHECKS,
    check_claim_stages,
    check_incidents,
    check_lecture_attendance,
    check_occasions,
    check_survey_about,
    check_task_refs,
)
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
    check_document_refs,
]


# The checks whose problems are each client's, client after client: each reads one client's
# records and, of the rest of the firm, only today, staff, insurers, lectures, the rules and
# which files failed to load (check_firm's ``memo`` compares those). The others compare
# clients with each other (unique numbers, a claim's policy anywhere in the firm) or read no
# client at all.
PER_CLIENT = [
    check_staff_refs,
    check_insurer_refs,
    check_dates,
    check_claim_stages,
    check_survey_about,
    check_occasions,
    check_lecture_attendance,
    check_task_refs,
    check_incidents,
    check_withdrawn_consent,
    check_sensitive_consent,
    check_policy_life,
    check_document_refs,
]


def check_firm(firm: Firm, today: date, memo=None) -> list[RecordError]:
    """Every whole-firm check as of ``today``: references, uniqueness, privacy, service, a
    policy's life, what a lecture article may publish. ``memo`` (`baodan serve`'s
    web/incremental.ClientMemo) keeps each client's problems of the PER_CLIENT checks while
    the client's records and what those checks read of the firm are unchanged."""
    if memo is None:
        return [e for validate in VALIDATIONS for e in validate(firm, today)]
    rules = firm.rules.own_files()
    shared = (today, firm.staff, firm.insurers, firm.lectures, firm.unreadable, rules)
    kept = memo.for_build(shared)
    by_client = [
        kept(cf, None, lambda cid=cid, cf=cf: _per_client(replace(firm, clients={cid: cf}), today))
        for cid, cf in firm.clients.items()
    ]
    errors = []
    for validate in VALIDATIONS:
        if validate in PER_CLIENT:
            n = PER_CLIENT.index(validate)
            errors.extend(e for found in by_client for e in found[n])
        else:
            errors.extend(validate(firm, today))
    return errors


def _per_client(firm: Firm, today: date) -> tuple[list[RecordError], ...]:
    return tuple(validate(firm, today) for validate in PER_CLIENT)


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
    documents: bool = False,
    memo=None,
) -> tuple[Firm | None, list[RecordError]]:
    """Read the firm (``store.loader.read_firm``) and run every whole-firm check on it, as of
    ``today``; with a vault, also the checks of its keys (``checks.keys``; ``repo``: see there)
    and, with ``documents`` (`baodan check`, the pre-commit check), every attached document's
    file opened and compared with its record. ``memo``: see ``check_firm``."""
    firm, errors = read_firm(root, vault, today, cache, slots)
    if vault is not None:
        errors.extend(key_checks(root, vault, repo))
        if documents and firm is not None:
            errors.extend(document_file_problems(root, vault, firm))
    if firm is not None:
        # The checks read the firm's rules: a broken rule file is the one problem reported.
        rule_errors = check_rule_files(firm.rules)
        errors.extend(rule_errors or check_firm(firm, today, memo))
    return firm, errors
