"""The intake audit (初步审核): the checklist for the policy's medium, item by item.

Any anomaly puts the policy on hold with the reason and gives the client's manager a task:
notify the client and collect proof. An audit that passes lifts an audit hold and closes
the open audit tasks of that policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from baodan.core.choices import pick
from baodan.core.errors import BaodanError
from baodan.core.pdfsignature import check_pdf, is_pdf
from baodan.domain.audit import ChecklistItem, checklist, checklists, item_label
from baodan.models.policy import AuditItem
from baodan.models.task import Task
from baodan.services.changes import set_field
from baodan.services.policyfile import OpenPolicy
from baodan.store.workspace import new_task_id

# Asked for each item nobody gave a result for: returns (ok, note).
Ask = Callable[[ChecklistItem], tuple[bool, str | None]]


@dataclass
class AuditOutcome:
    items: list[tuple[ChecklistItem, AuditItem]]
    on_hold: bool
    released: bool = False
    task: Path | None = None
    closed_tasks: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def _results(
    items: list[ChecklistItem],
    anomalies: dict[str, str],
    all_ok: bool,
    pdf: bytes | None,
    ask: Ask | None,
) -> list[AuditItem]:
    checklist = {i.code: i.label for i in items}
    anomalies = {pick(code, checklist, "--anomaly 检查项"): n for code, n in anomalies.items()}
    blank = [code for code, note in anomalies.items() if not note.strip()]
    if blank:
        raise BaodanError(
            "--anomaly：异常项要写说明：" + "、".join(f"{c}（{checklist[c]}）" for c in blank),
            "写成 编号=说明，如 --anomaly seals=骑缝章不清晰（客户和同事要据此处理）",
        )
    results, missing = [], []
    for item in items:
        if item.code in anomalies:
            results.append(AuditItem(item=item.code, ok=False, note=anomalies[item.code]))
        elif item.pdf and pdf is not None:
            sig = check_pdf(pdf)
            results.append(AuditItem(item=item.code, ok=sig.ok, note=sig.note))
        elif all_ok:
            results.append(AuditItem(item=item.code, ok=True))
        elif ask is not None:
            ok, note = ask(item)
            results.append(AuditItem(item=item.code, ok=ok, note=note or None))
        else:
            missing.append(item)
    if missing:
        raise BaodanError(
            "还有检查项没有结果：" + "、".join(i.label for i in missing),
            "逐项检查后：加 --ok 表示其余各项都无异常；有异常的用 --anomaly 检查项=说明"
            f"（可写多次），如 --anomaly {missing[0].label}=看到的情况",
        )
    return results


def run_audit(
    op: OpenPolicy,
    staff: str | None,
    day: date,
    anomalies: dict[str, str],
    all_ok: bool = False,
    pdf: bytes | None = None,
    ask: Ask | None = None,
) -> AuditOutcome:
    """Record the audit on the policy; hold it and open a task, or release it. A file that
    is not a PDF is refused before anything changes: it says nothing about the policy."""
    staff = op.actor(staff)
    if pdf is not None and not is_pdf(pdf):
        raise BaodanError(
            "--pdf：这个文件不是 PDF（文件内容的开头不是 %PDF-，与文件名无关），没有做初审，保单状态未变",
            "请用保险公司发来的电子保单 PDF 原件；截图、照片或改了扩展名的文件不能检查数字签名",
        )
    medium = op.policy.intake.medium
    items = checklist(medium, op.firm.rules)
    results = _results(items, anomalies, all_ok, pdf, ask)
    doc = op.doc
    set_field(
        doc,
        "audit",
        {
            "date": day,
            "staff": staff,
            "items": [r.model_dump(exclude_none=True) for r in results],
        },
        after=("intake",),
    )
    changes = op.changes
    bad = [r for r in results if not r.ok]
    outcome = AuditOutcome(list(zip(items, results)), on_hold=bool(bad))
    if bad:
        reason = "初审异常：" + "；".join(
            item_label(medium, r.item, op.firm.rules) + (f"——{r.note}" if r.note else "未通过")
            for r in bad
        )
        set_field(doc, "status", "on_hold", after=("policy_no",))
        set_field(doc, "hold_reason", reason, after=("status",))
        if not _open_audit_tasks(op):
            task_id = new_task_id()
            outcome.task = op.client_dir / "tasks" / f"{task_id}.yaml.age"
            changes.put(outcome.task, _task(op, task_id, staff, day, reason))
    elif op.policy.status == "on_hold":
        doc["status"] = "active"
        doc.pop("hold_reason", None)
        outcome.released = True
        for task in _open_audit_tasks(op):
            path = op.ws.root / task.path
            tdoc = changes.edit(path)
            tdoc["status"] = "done"
            set_field(tdoc, "closed_on", day, after=("status",))
            changes.put(path, tdoc)
            outcome.closed_tasks.append(task.id)
    changes.put(op.path, doc)
    outcome.written = changes.commit()
    return outcome


def _open_audit_tasks(op: OpenPolicy) -> list[Task]:
    return [
        t
        for t in op.client.tasks
        if t.kind == "audit"
        and t.policy == op.policy.registry_no
        and t.status in ("open", "in_progress")
    ]


def _task(op: OpenPolicy, task_id: str, staff: str, day: date, reason: str) -> dict:
    rules = checklists(op.firm.rules)
    regno = op.policy.registry_no
    return {
        "id": task_id,
        "title": f"初审异常：通知客户并收集证明（{regno}）",
        "kind": "audit",
        "from_department": op.firm.staff[staff].department,
        "to_department": rules.task_to,
        "owner": op.client.client.manager,
        "policy": regno,
        "created": day,
        "created_by": staff,
        "due": day + timedelta(days=rules.task_due_days),
        "status": "open",
        "notes": f"{reason}\n请通知客户，收集能证明保单真实、有效的材料（原件、保险公司出具的证明、"
        f"加盖更正章的批单等），收齐后重新审核：baodan audit {regno}",
    }
