"""Cross-checks of what the policy's life adds to its record: the audit and the discrepancies
name real staff and real checklist items; a renewal contact is about the client's own policy."""

from __future__ import annotations

from datetime import date

from baodan.core.errors import RecordError, Source
from baodan.domain.audit import checklist
from baodan.models import Firm
from baodan.models.staff import STAFF_HINT


def check_policy_life(firm: Firm, today: date) -> list[RecordError]:
    errors: list[RecordError] = []
    unreadable = firm.unreadable_policies()  # their files have their own errors already
    codes_of: dict[str, set[str]] = {}  # checklist item codes by medium (paper, electronic)
    for cf in firm.clients.values():
        own = {p.registry_no for p in cf.policies} | unreadable
        for p in cf.policies:
            err = _reporter(errors, p.path)
            if p.audit:
                if firm.lacks_staff(p.audit.staff):
                    err("audit.staff", f"没有员工“{p.audit.staff}”", STAFF_HINT)
                medium = p.intake.medium
                if medium not in codes_of:
                    codes_of[medium] = {i.code for i in checklist(medium, firm.rules)}
                codes = codes_of[medium]
                for n, item in enumerate(p.audit.items):
                    if item.item not in codes:
                        err(
                            f"audit.items[{n}].item",
                            f"检查清单里没有“{item.item}”",
                            "可用："
                            + "、".join(sorted(codes))
                            + "（见 data/audit_checklists.yaml）",
                        )
            for n, d in enumerate(p.discrepancies):
                for field in ("found_by", "resolved_by"):
                    who = getattr(d, field)
                    if who and firm.lacks_staff(who):
                        err(f"discrepancies[{n}].{field}", f"没有员工“{who}”", STAFF_HINT)
        for i in cf.interactions:
            if i.kind == "renewal" and i.policy not in own:
                errors.append(
                    RecordError(
                        Source(i.path),
                        "policy",
                        f"续保联系的保单 {i.policy} 不是这位客户的",
                        "续保联系记录要放在保单所属客户的文件夹里",
                    )
                )
    return errors


def _reporter(errors: list[RecordError], path: str):
    def report(field: str, message: str, hint: str) -> None:
        errors.append(RecordError(Source(path), field, message, hint))

    return report
