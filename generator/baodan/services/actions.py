"""What the client-service commands do: check the arguments against the loaded firm, then
create or change one encrypted record. The CLI (cli_service.py) only calls these and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from baodan.checks import load_firm
from baodan.core.choices import listing, pick
from baodan.core.errors import BaodanError, Problem, shown
from baodan.core.today import today
from baodan.domain import care, claims, incidents, tasks
from baodan.models import Claim, ClientFile, Firm
from baodan.models.base import Money
from baodan.models.claim import STAGES
from baodan.models.ids import checked_id
from baodan.models.interaction import CHANNELS
from baodan.models.kinds import BY_NAME
from baodan.services.changes import Changes, create_record, set_field, update_record
from baodan.services.policyfile import acting_staff, member_on_staff
from baodan.store.workspace import (
    Workspace,
    new_incident_id,
    new_task_id,
    next_interaction_path,
)

MONEY = TypeAdapter(Money)


@dataclass
class Session:
    """A workspace with its firm loaded once for the command."""

    ws: Workspace
    firm: Firm

    @classmethod
    def open(cls, ws: Workspace) -> Session:
        firm, errors = load_firm(ws.root, ws.vault, today())
        if firm is None:
            raise BaodanError(errors)
        return cls(ws, firm)

    def client(self, client_id: str) -> ClientFile:
        cf = self.firm.clients.get(checked_id(client_id, "客户编号", BY_NAME["client"].id_pattern))
        if cf is None:
            raise BaodanError(
                f"没有客户“{client_id}”", "写客户编号，如 c-1a2b3c4d（见员工站客户列表）"
            )
        return cf

    def client_dir(self, cf: ClientFile) -> Path:
        return self.ws.clients_dir / cf.client.id

    def actor(self, staff_id: str | None) -> str:
        """Who is doing this (recorded as ``by``): see policyfile.acting_staff."""
        return acting_staff(self.firm, staff_id, self.ws.vault.member)

    def staff(self, staff_id: str | None, option: str) -> str | None:
        if staff_id and staff_id not in self.firm.staff:
            raise BaodanError(
                f"{option}：没有员工“{staff_id}”", "可选：" + "、".join(sorted(self.firm.staff))
            )
        return staff_id

    def claim(self, claim_id: str):
        found = claims.find_claim(
            self.firm, checked_id(claim_id, "理赔编号", BY_NAME["claim"].id_pattern)
        )
        if found is None:
            raise BaodanError(
                f"没有理赔“{claim_id}”", "写理赔编号，如 cl-1a2b3c4d（见员工站理赔队列）"
            )
        return found

    def check_refs(self, cf: ClientFile, policy: str | None, claim: str | None) -> None:
        """The policy and the claim named in an option belong to this client."""
        if policy and policy not in {p.registry_no for p in cf.policies}:
            raise BaodanError(f"--policy：这位客户没有保单 {policy}", "写这位客户名下保单的登记号")
        if claim and claim not in {c.id for c in cf.claims}:
            raise BaodanError(f"--claim：这位客户没有理赔 {claim}", "写这位客户的理赔编号")

    def record_path(self, cf: ClientFile, slot: str, name: str) -> Path:
        return self.client_dir(cf) / slot / f"{name}.yaml.age"


def parse_day(value: str | None, option: str) -> date:
    """A date option (YYYY-MM-DD); today when not given."""
    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BaodanError(f"{option}：“{value}”不是日期", "写成 2026-03-01 这样的格式") from None


def _not_future(day: date, option: str) -> date:
    if day > today():
        raise BaodanError(f"{option}：{day} 在未来", "只记录已经发生的事")
    return day


# Asks the person at the keyboard a yes/no question (the CLI: a prompt, or yes for --yes).
Confirm = Callable[[str], bool]


def _confirmed(confirm: Confirm, question: str) -> None:
    if not confirm(question):
        raise BaodanError("已取消，记录没有改动", "")


def _money(value: str, option: str) -> int | Decimal:
    """An amount typed on the command line, as records keep it (whole yuan as an int)."""
    try:
        amount = MONEY.validate_python(value)
    except ValidationError as e:
        first = e.errors()[0]
        problem = Problem.of(first.get("ctx", {}).get("error") or ValueError(first["msg"]))
        raise BaodanError(f"{option}：{problem.message}", problem.hint) from None
    return _stored(amount)


def _stored(amount: Decimal) -> int | Decimal:
    """Money as records keep it: whole yuan as an int, else two decimals."""
    return int(amount) if amount == amount.to_integral_value() else amount.quantize(Decimal("0.01"))


# ---- claims ----------------------------------------------------------------------------------


def receive_materials(
    s: Session,
    claim_id: str,
    items: list[str],
    day: date,
    *,
    by: str | None,
    confirm: Confirm,
) -> list[str]:
    """Record materials received on ``day`` by a staff member; returns the items still missing
    after that. An item received before is recorded again only when confirmed."""
    cf, claim = s.claim(claim_id)
    _not_future(day, "--on")
    by = s.actor(by)
    known = [i.item for i in claims.checklist(claim, s.firm.rules)]
    unknown = [i for i in items if i not in known]
    if unknown:
        raise BaodanError(
            f"理赔 {claim_id} 的材料清单里没有：{'、'.join(unknown)}",
            f"清单：{'、'.join(known)}；保险公司另外要求的材料请用 baodan edit {claim_id} 加到记录的材料清单里",
        )

    before = {i.item: i.received_on for i in claims.checklist(claim, s.firm.rules)}
    again = [f"{i}（{before[i]} 已收到）" for i in dict.fromkeys(items) if before[i]]
    if again:
        _confirmed(confirm, f"这些材料之前已经收到：{'、'.join(again)}。改记为 {day} 收到？")

    def change(data: dict) -> Claim:
        materials = data.setdefault("materials", [])
        for item in dict.fromkeys(items):
            entry = next((m for m in materials if m.get("item") == item), None)
            if entry is None:
                materials.append({"item": item, "received_on": day, "received_by": by})
            else:
                set_field(entry, "received_on", day, after=("item",))
                set_field(entry, "received_by", by, after=("received_on",))
        return Claim.model_validate(data)

    saved = update_record(s.ws, s.record_path(cf, "claims", claim_id), change, s.firm)
    return [i.item for i in claims.missing_materials(saved, s.firm.rules)]


def add_stage(
    s: Session,
    claim_id: str,
    stage: str,
    day: date,
    note: str | None,
    *,
    amount: str | None = None,
    by: str | None,
    confirm: Confirm,
) -> str:
    """Append a stage (typed as its code or Chinese name) to a claim, as the rules allow
    (domain.claims.NEXT); returns its code. A payment needs its amount; submitting with
    required materials missing needs confirming."""
    cf, claim = s.claim(claim_id)
    stage = pick(stage, STAGES, "进度", s.firm.rules)
    current = claim.stage
    if not claims.may_follow(current, stage):
        if current in claims.REOPENABLE and stage in claims.REOPEN_TO:
            raise BaodanError(
                f"理赔 {claim_id} 已是“{STAGES[current]}”，不能直接改为“{STAGES[stage]}”",
                f"确需重新处理，请运行 baodan claim reopen {claim_id} --to {stage} --reason 原因"
                "（原因记入理赔进度）",
            )
        raise BaodanError(
            f"理赔 {claim_id} 的进度不能从“{STAGES[current]}”改为“{STAGES[stage]}”",
            claims.allowed_after(current),
        )
    paid = None
    if stage in claims.PAID:
        if amount is None:
            raise BaodanError(
                f"--amount：记“{STAGES[stage]}”要写赔付金额", "例如 --amount 12000.50（元）"
            )
        paid = _money(amount, "--amount")
    elif amount is not None:
        raise BaodanError(
            f"--amount：只有已赔付、部分赔付才写金额（这次是“{STAGES[stage]}”）", "去掉 --amount"
        )
    if stage == "submitted":
        missing = [i.item for i in claims.checklist(claim, s.firm.rules) if i.missing]
        if missing:
            _confirmed(
                confirm,
                f"理赔 {claim_id} 还缺 {len(missing)} 项必需材料：{'、'.join(missing)}。"
                "仍要记为已提交保险公司？",
            )
            gap = f"材料未齐即递交（缺：{'、'.join(missing)}）"  # why the queue may hear back
            note = f"{note}；{gap}" if note else gap
    return _append_stage(s, cf, claim, stage, day, by, note=note, amount=paid)


def reopen_claim(
    s: Session,
    claim_id: str,
    reason: str,
    day: date,
    *,
    to: str = "collecting",
    by: str | None,
) -> str:
    """Reopen a paid, refused or closed claim: a stage back to work, with the reason."""
    cf, claim = s.claim(claim_id)
    to = pick(to, {k: STAGES[k] for k in claims.REOPEN_TO}, "--to")
    if claim.stage not in claims.REOPENABLE:
        raise BaodanError(
            f"理赔 {claim_id} 还在进行中（{STAGES[claim.stage]}），不需要重新打开",
            f"直接记录进度：baodan claim stage {claim_id} 新进度",
        )
    if not reason.strip():
        raise BaodanError("--reason：要写重新打开的原因", "例如 --reason 客户补交了新的诊断证明")
    return _append_stage(s, cf, claim, to, day, by, reopen_reason=reason.strip())


def _append_stage(s: Session, cf, claim: Claim, stage: str, day: date, by, **fields) -> str:
    by = s.actor(by)
    _not_future(day, "--on")
    if day < claim.stages[-1].date:
        raise BaodanError(
            f"{day} 早于上一条进度的日期 {claim.stages[-1].date}", "进度按时间顺序记录"
        )
    entry = {"stage": stage, "date": day} | {k: v for k, v in fields.items() if v} | {"by": by}
    total = None
    if entry.get("amount") is not None:
        earlier = [x.amount for x in claim.stages if x.stage in claims.PAID]
        if None in earlier:  # older records kept only the claim's total
            total = (claim.amount_paid or 0) + entry["amount"]
        else:
            total = sum(earlier) + entry["amount"]

    def change(data: dict) -> None:
        data["stages"].append(entry)
        if total is not None:
            set_field(data, "amount_paid", _stored(total), after=("amount_claimed",))

    update_record(s.ws, s.record_path(cf, "claims", claim.id), change, s.firm)
    return stage


# ---- client care -------------------------------------------------------------------------------


def log_interaction(s: Session, cf: ClientFile, **fields) -> Path:
    """Write a new interaction record (``fields``: add_interaction's)."""
    changes = Changes(s.ws, s.firm)
    path = add_interaction(s, changes, cf, **fields)
    changes.commit()
    return path


def add_interaction(
    s: Session,
    changes: Changes,
    cf: ClientFile,
    *,
    day: date,
    kind: str,
    channel: str,
    staff: str | None,
    summary: str,
    **fields,
) -> Path:
    """A new interaction record as part of ``changes``, written with the rest or not at all
    (staff: as named, else the member at the keyboard when on the staff, else the client's
    manager)."""
    channel = pick(channel, CHANNELS, "--channel", s.firm.rules)
    data = {
        "date": _not_future(day, "--on"),
        "kind": kind,
        "staff": s.staff(staff, "--staff")
        or member_on_staff(s.firm, s.ws.vault.member)
        or cf.client.manager,
        "channel": channel,
        "summary": summary,
    } | fields
    path = next_interaction_path(s.client_dir(cf), day)
    changes.put(path, data)
    return path


def log_greeting(
    s: Session,
    client_id: str,
    occasion: str,
    *,
    day: date,
    channel: str,
    staff: str | None,
    message: str | None,
    confirm: Confirm,
) -> tuple[Path, str]:
    """Log a sent greeting; returns the record's path and the message logged. A greeting
    too early to count for its occasion is refused; a second one for it asks first."""
    cf = s.client(client_id)
    rules = s.firm.rules
    code = care.occasion_code(occasion, rules)
    if code is None:
        names = {c: o.name for c, o in care.care_rules(rules).occasions.items()}
        raise BaodanError(f"--occasion：没有节日“{shown(occasion)}”", f"只能是：{listing(names)}")
    when = care.occasion_date(cf.client, code, day, rules) or day
    name = care.care_rules(rules).occasions[code].name
    window = care.care_rules(rules).greeting_sent_window
    if (when - day).days > window:
        raise BaodanError(
            f"--occasion：下一个{name}是 {when}，离 {day} 还有 {(when - day).days} 天，"
            f"这时记录的问候不算这次{name}的问候",
            f"问候在{name}前 {window} 天内到节后 3 天内发送和记录；已经过去的{name}不用补记",
        )
    sent = care.sent_greeting(cf, code, when, rules)
    if sent is not None:
        _confirmed(
            confirm,
            f"{cf.client.name}的{name}（{when}）问候已经记录过：{sent.date} 由 {sent.staff} 发送。"
            "再记一次？",
        )
    text = message or care.greeting_message(s.firm, cf.client, code, when)
    if text is None:
        raise BaodanError(
            f"{care.care_rules(rules).occasions[code].name}没有给企业客户的问候语",
            "用 --message 写上要发的内容，或在 records/rules/care.yaml 里加 company 问候语",
        )
    path = log_interaction(
        s, cf, day=day, kind="greeting", channel=channel, staff=staff, summary=text, occasion=code
    )
    return path, text


def log_survey(
    s: Session,
    client_id: str,
    *,
    score: int | None,
    nps: int | None,
    comment: str | None,
    about: str | None,
    day: date,
    channel: str,
    staff: str | None,
) -> Path:
    cf = s.client(client_id)
    if about and about not in {c.id for c in cf.claims} | {i.name for i in cf.interactions}:
        raise BaodanError(
            f"--about：这位客户没有理赔或互动记录“{about}”",
            "写这位客户的理赔编号，或互动记录的文件名（如 2026-03-01-1）",
        )
    survey = {"score": score, "nps": nps, "comment": comment, "about": about}
    summary = "理赔服务满意度回访。" if about and about.startswith("cl-") else "服务满意度调查。"
    return log_interaction(
        s,
        cf,
        day=day,
        kind="survey",
        channel=channel,
        staff=staff,
        summary=summary,
        survey={k: v for k, v in survey.items() if v is not None},
    )


def log_attendance(
    s: Session, lecture: str, client_ids: list[str], staff: str | None
) -> list[Path]:
    checked_id(lecture, "讲座文件名")
    lec = next((x for x in s.firm.lectures if x.slug == lecture), None)
    if lec is None:
        raise BaodanError(f"没有讲座“{lecture}”", "写 records/lectures/ 下讲座的文件名（不含 .md）")
    _not_future(lec.date, "讲座日期")
    cfs = [s.client(c) for c in client_ids]
    s.staff(staff, "--staff")
    # One change for every client: a client the checks refuse leaves the others unwritten too,
    # so running the command again after the fix records each client once.
    changes = Changes(s.ws, s.firm)
    paths = []
    for cf in cfs:
        if any(i.lecture == lecture for i in cf.interactions):
            continue  # already recorded
        path = add_interaction(
            s,
            changes,
            cf,
            day=lec.date,
            kind="lecture",
            channel="office",
            staff=staff,
            summary=f"参加讲座“{lec.title}”。",
            lecture=lecture,
        )
        paths.append(path)
    changes.commit()
    return paths


# ---- tasks ---------------------------------------------------------------------------------------


def create_task(
    s: Session,
    client_id: str,
    *,
    title: str,
    to: str,
    from_: str | None,
    by: str | None,
    owner: str | None,
    due: date | None,
    policy: str | None,
    claim: str | None,
    kind: str,
    note: str | None,
) -> Path:
    cf = s.client(client_id)
    to_department = tasks.department(to, "--to")
    if from_:  # who handed it over is recorded when known (a client's portal request: nobody)
        by = s.staff(by, "--staff") or member_on_staff(s.firm, s.ws.vault.member)
        from_department = tasks.department(from_, "--from")
    else:
        by = s.actor(by)
        from_department = s.firm.staff[by].department
    s.check_refs(cf, policy, claim)
    task_id = new_task_id()
    data = tasks.new_task(
        task_id,
        title=title,
        from_department=from_department,
        to_department=to_department,
        created=today(),
        due=due,
        kind=kind,
        owner=s.staff(owner, "--owner"),
        policy=policy,
        claim=claim,
        notes=note,
        created_by=by,
    )
    path = s.record_path(cf, "tasks", task_id)
    create_record(s.ws, path, data, s.firm)
    return path


def finish_task(
    s: Session, task_id: str, *, note: str | None, cancel: bool, by: str | None
) -> tuple[str, str]:
    """Close a task, recording who did; returns (its title, its client id)."""
    path = s.ws.locate(task_id)
    if path.parent.name != "tasks":
        raise BaodanError(
            f"“{task_id}”不是任务编号", "任务编号形如 t-1a2b3c4d（见员工站部门交接页）"
        )
    by = s.actor(by)

    def change(data: dict) -> str:
        tasks.finish_task(data, day=today(), note=note, cancel=cancel, by=by)
        return data["title"]

    return update_record(s.ws, path, change, s.firm), path.parent.parent.name


# ---- incidents -------------------------------------------------------------------------------


def open_incident(
    s: Session,
    client_id: str,
    plan: str,
    *,
    title: str | None,
    owner: str | None,
    policy: str | None,
    claim: str | None,
) -> tuple[Path, dict]:
    cf = s.client(client_id)
    s.check_refs(cf, policy, claim)
    same = [
        i.id
        for i in cf.incidents
        if i.is_open and i.plan == plan and (i.policy, i.claim) == (policy, claim)
    ]
    if same:
        raise BaodanError(
            f"这件事已有进行中的应急事件 {same[0]}", f"用 baodan incident step {same[0]} … 记录进展"
        )
    known = incidents.plans(s.firm.rules)
    name = known[plan].name if plan in known else plan
    incident_id = new_incident_id()
    data = incidents.start_incident(
        incident_id,
        plan,
        title=title or f"{name}：{policy or claim}",
        opened=today(),
        owner=s.staff(owner, "--owner") or cf.client.manager,
        policy=policy,
        claim=claim,
        rules=s.firm.rules,
    )
    path = s.record_path(cf, "incidents", incident_id)
    create_record(s.ws, path, data, s.firm)
    return path, data


def incident_step(
    s: Session,
    incident_id: str,
    step: str,
    *,
    day: date,
    by: str | None,
    note: str | None,
    skip: bool,
) -> tuple[bool, str | None]:
    """Record a step; returns (incident now closed, the next step's title)."""
    path = _incident_path(s, incident_id)
    by = s.actor(by)
    _not_future(day, "--on")

    def change(data: dict):
        closed = incidents.finish_step(data, step, day=day, by=by, note=note, skip=skip)
        nxt = next(
            (x["title"] for x in data["steps"] if not (x.get("done_on") or x.get("skipped"))), None
        )
        return closed, nxt

    return update_record(s.ws, path, change, s.firm)


def close_incident(s: Session, incident_id: str, outcome: str, by: str | None) -> int:
    path = _incident_path(s, incident_id)
    by = s.actor(by)
    return update_record(
        s.ws,
        path,
        lambda data: incidents.close_incident(data, day=today(), outcome=outcome, by=by),
        s.firm,
    )


def _incident_path(s: Session, incident_id: str) -> Path:
    path = s.ws.locate(incident_id)
    if path.parent.name != "incidents":
        raise BaodanError(
            f"“{incident_id}”不是应急事件编号", "事件编号形如 in-1a2b3c4d（见员工站应急事件页）"
        )
    return path
