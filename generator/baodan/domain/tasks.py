"""Hand-offs between departments: task queues per department, new tasks, closing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from baodan.core.errors import BaodanError
from baodan.models import ClientFile, Firm, Task
from baodan.models.staff import DEPARTMENTS

OPEN = ("open", "in_progress")


@dataclass
class QueuedTask:
    cf: ClientFile
    task: Task
    today: date

    @property
    def overdue_days(self) -> int:
        due = self.task.due
        return (self.today - due).days if due and due < self.today else 0

    @property
    def age_days(self) -> int:
        return (self.today - self.task.created).days


def department_queues(firm: Firm, today: date) -> dict[str, list[QueuedTask]]:
    """Open tasks by receiving department (every department listed): overdue first, then by
    due date (none last), then oldest."""
    queues: dict[str, list[QueuedTask]] = {d: [] for d in DEPARTMENTS}
    for cf in firm.clients.values():
        for t in cf.tasks:
            if t.status in OPEN:
                queues[t.to_department].append(QueuedTask(cf, t, today))
    for items in queues.values():
        items.sort(key=lambda q: (q.task.due or date.max, q.task.created, q.task.id))
    return queues


def recently_done(firm: Firm, since: date) -> list[tuple[ClientFile, Task]]:
    done = [
        (cf, t)
        for cf in firm.clients.values()
        for t in cf.tasks
        if t.status == "done" and t.closed_on and t.closed_on >= since
    ]
    done.sort(key=lambda x: (x[1].closed_on, x[1].id), reverse=True)
    return done


def department(name: str, option: str) -> str:
    """A department from what the user typed (full name, or without 部)."""
    for d in DEPARTMENTS:
        if name in (d, d.removesuffix("部")):
            return d
    raise BaodanError(f"{option}：没有部门“{name}”", "可选：" + "、".join(DEPARTMENTS))


def new_task(
    task_id: str,
    *,
    title: str,
    from_department: str,
    to_department: str,
    created: date,
    due: date | None,
    kind: str = "handoff",
    owner: str | None = None,
    policy: str | None = None,
    claim: str | None = None,
    notes: str | None = None,
    created_by: str | None = None,
) -> dict:
    """The data of a new task record."""
    data: dict = {
        "id": task_id,
        "title": title,
        "kind": kind,
        "from_department": from_department,
        "to_department": to_department,
    }
    optional = {"owner": owner, "policy": policy, "claim": claim}
    data |= {k: v for k, v in optional.items() if v}
    data["created"] = created
    if created_by:
        data["created_by"] = created_by
    if due:
        data["due"] = due
    data["status"] = "open"
    if notes:
        data["notes"] = notes
    return data


def finish_task(
    data: dict, *, day: date, note: str | None, cancel: bool = False, by: str | None = None
) -> None:
    if data.get("status") in ("done", "cancelled"):
        raise BaodanError(
            f"任务 {data['id']} 已经是“{'已完成' if data['status'] == 'done' else '已取消'}”",
            "不需要再处理；要重新打开请用 baodan edit 任务编号 把 status 改回 open",
        )
    data["status"] = "cancelled" if cancel else "done"
    data["closed_on"] = day
    if by:
        data["closed_by"] = by
    if note:
        data["notes"] = f"{data['notes']}\n{note}" if data.get("notes") else note
