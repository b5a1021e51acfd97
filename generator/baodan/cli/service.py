"""Client-service commands: claims, greetings, surveys, lecture attendance, tasks, incidents.

Each command opens the workspace, calls one function of actions.py (or reads a queue from
claims/care/tasks/incidents) and prints the result in Chinese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from baodan.cli.common import (
    IdentityOpt,
    MineOpt,
    RootOpt,
    StaffOpt,
    Table,
    YesOpt,
    me,
    open_workspace,
    out,
)
from baodan.core.choices import listing, pick
from baodan.core.errors import BaodanError
from baodan.core.today import today
from baodan.models.vocab import CHANNELS, CLAIM_TYPES, DEPARTMENTS, TASK_KINDS
from baodan.models.vocab import CLAIM_STAGES as STAGES

if TYPE_CHECKING:  # the commands import what they use: start-up time
    from baodan.services import actions

claim_app = typer.Typer(help="理赔协助：材料清单、收到材料、进度、队列", no_args_is_help=True)
task_app = typer.Typer(help="部门交接任务", no_args_is_help=True)
incident_app = typer.Typer(help="应急预案：保单遗失、理赔纠纷", no_args_is_help=True)


def text(flag: str, help: str):
    """An optional text option, no default shown."""
    return typer.Option(flag, help=help, show_default=False)


OnOpt = Annotated[str | None, text("--on", "日期 YYYY-MM-DD（默认今天）")]
NoteOpt = Annotated[str | None, text("--note", "备注")]
ClientArg = Annotated[str, typer.Argument(help="客户编号，如 c-1a2b3c4d")]


def _session(root, identity) -> actions.Session:
    from baodan.services import actions

    return actions.Session.open(open_workspace(root, identity))


# ---- claims -------------------------------------------------------------------------------------


@claim_app.command("materials")
def claim_materials(
    claim: Annotated[str, typer.Argument(help="理赔编号，如 cl-1a2b3c4d")],
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """理赔材料清单：哪些已收到，哪些还缺。"""
    from baodan.domain import claims

    s = _session(root, identity)
    cf, c = s.claim(claim)
    table = Table(
        "材料", "是否必需", "收到日期", "说明", title=f"{claim}（{CLAIM_TYPES[c.type]}）材料清单"
    )
    for item in claims.checklist(c, s.firm.rules):
        received = (
            str(item.received_on)
            if item.received_on
            else "[red]未收到[/]"
            if item.required
            else "未收到"
        )
        note = item.note or ("" if item.standard else "保险公司另外要求")
        table.add_row(item.item, "必需" if item.required else "视情况", received, note)
    out.print(f"客户：{cf.client.name}（{cf.client.id}），当前进度：{STAGES[c.stage]}")
    out.print(table)
    missing = [i.item for i in claims.checklist(c, s.firm.rules) if i.missing]
    if missing:
        out.print(f"[yellow]还缺 {len(missing)} 项[/]：{'、'.join(missing)}")
        out.print(f"收到后运行：baodan claim receive {claim} 材料名…")
    else:
        out.print("[green]必需材料已齐全。[/]")


@claim_app.command("receive")
def claim_receive(
    claim: Annotated[str, typer.Argument(help="理赔编号")],
    items: Annotated[list[str], typer.Argument(help="收到的材料名，可写多个")],
    on: OnOpt = None,
    staff: StaffOpt = None,
    yes: YesOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录收到理赔材料（记下收件员工）；之前已收到的材料会先询问。"""
    from baodan.cli.prompts import confirmer
    from baodan.services import actions

    s = _session(root, identity)
    missing = actions.receive_materials(
        s, claim, items, actions.parse_day(on, "--on"), by=staff, confirm=confirmer(yes)
    )
    out.print(f"[green]已记录[/] {claim} 收到：{'、'.join(items)}。")
    if missing:
        out.print(f"还缺 {len(missing)} 项：{'、'.join(missing)}")
    else:
        out.print(f"必需材料已齐全，可以递交保险公司：baodan claim stage {claim} submitted")


@claim_app.command("stage")
def claim_stage(
    claim: Annotated[str, typer.Argument(help="理赔编号")],
    stage: Annotated[str, typer.Argument(help="新进度：" + listing(STAGES))],
    note: NoteOpt = None,
    amount: Annotated[
        str | None, text("--amount", "赔付金额（元），记已赔付、部分赔付时必填，如 12000.50")
    ] = None,
    on: OnOpt = None,
    staff: StaffOpt = None,
    yes: YesOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录理赔进度（报案、收集材料、已提交、审核中、赔付、拒赔、纠纷、结案）。

    进度只能按规则往前走；已赔付、拒赔、已结案的理赔要用 baodan claim reopen 重新打开。
    """
    from baodan.cli.prompts import confirmer
    from baodan.services import actions

    s = _session(root, identity)
    stage = actions.add_stage(
        s,
        claim,
        stage,
        actions.parse_day(on, "--on"),
        note,
        amount=amount,
        by=staff,
        confirm=confirmer(yes),
    )
    out.print(f"[green]已记录[/] {claim} 进度：{STAGES[stage]}。")
    if stage == "dispute":
        cf, _ = s.claim(claim)
        out.print(
            f"请按“理赔纠纷”应急预案处理：baodan incident new {cf.client.id} --plan 理赔纠纷 --claim {claim}"
        )


@claim_app.command("reopen")
def claim_reopen(
    claim: Annotated[str, typer.Argument(help="理赔编号")],
    reason: Annotated[str, typer.Option("--reason", help="为什么重新处理（记入理赔进度）")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="回到哪一步：收集材料、已提交、审核中 或 纠纷处理（默认：收集材料）",
            show_default=False,
        ),
    ] = "collecting",
    on: OnOpt = None,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """重新打开已赔付、拒赔或已结案的理赔（记下原因和经办员工）。"""
    from baodan.services import actions

    s = _session(root, identity)
    stage = actions.reopen_claim(s, claim, reason, actions.parse_day(on, "--on"), to=to, by=staff)
    out.print(f"[green]已重新打开[/] {claim}，当前进度：{STAGES[stage]}（原因已记入进度）。")


@claim_app.command("queue")
def claim_queue(mine: MineOpt = False, root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """进行中的理赔，按等谁处理分组，附已报案天数；保险公司超期未出结果的标红。"""
    from baodan.domain import claims

    s = _session(root, identity)
    who = me(mine, s.firm.staff)
    for q, items in claims.claim_queues(s.firm, today()).items():
        items = [o for o in items if who is None or o.claim.handler == who]
        table = Table(
            "理赔", "客户", "阶段", "已报案", "下一步", title=f"{claims.QUEUES[q]}（{len(items)}）"
        )
        for o in items:
            action = o.action + (
                f"：缺 {'、'.join(i.item for i in o.missing)}" if o.queue == "client" else ""
            )
            stage = o.stage_name + (f"\n[red]{o.overdue_note}[/]" if o.overdue_note else "")
            table.add_row(
                o.claim.id, escape(o.cf.client.name), stage, f"{o.age_days} 天", escape(action)
            )
        out.print(table)


# ---- client care --------------------------------------------------------------------------------


def greet(
    client: ClientArg,
    occasion: Annotated[
        str,
        typer.Option("--occasion", help="节日：春节、中秋、国庆、生日……"),
    ],
    channel: Annotated[
        str, typer.Option("--channel", help="渠道：" + listing(CHANNELS))
    ] = CHANNELS["wechat"],
    message: Annotated[str | None, text("--message", "实际发送的内容（默认用建议问候语）")] = None,
    staff: StaffOpt = None,
    on: OnOpt = None,
    yes: YesOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录已发送的节日或生日问候（记为一条“节日问候”互动）；同一节日已记录过的会先询问。"""
    from baodan.cli.prompts import confirmer
    from baodan.services import actions

    s = _session(root, identity)
    path, text = actions.log_greeting(
        s,
        client,
        occasion,
        day=actions.parse_day(on, "--on"),
        channel=channel,
        staff=staff,
        message=message,
        confirm=confirmer(yes),
    )
    out.print(f"[green]已记录问候[/] {s.ws.rel(path)}（已加密）：\n{text}")


def greetings(mine: MineOpt = False, root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """未来一周要发的节日和生日问候，附建议问候语（--mine：只看我管的客户）。"""
    from baodan.domain import care

    s = _session(root, identity)
    who = me(mine, s.firm.staff)
    queue = [
        g for g in care.greeting_queue(s.firm, today()) if who is None or g.cf.client.manager == who
    ]
    if not queue:
        days = care.care_rules(s.firm.rules).greeting_days
        whose = "你管的客户" if who else "客户"
        out.print(f"未来 {days} 天没有要给{whose}发的节日或生日问候。")
        return
    for g in queue:
        client = f"{g.cf.client.name}（{g.cf.client.id}）"
        status = f"已发送 {g.sent.date}" if g.sent else "待发送"
        out.print(f"[bold]{g.day} {g.occasion_name}[/] {client}：{status}", highlight=False)
        out.print(f"  建议问候语：{g.message}", highlight=False)
        if not g.sent:
            out.print(f"  发送后记录：baodan greet {g.cf.client.id} --occasion {g.occasion_name}")


def survey(
    client: ClientArg,
    score: Annotated[
        int | None, typer.Option("--score", min=1, max=5, help="满意度 1–5", show_default=False)
    ] = None,
    nps: Annotated[
        int | None,
        typer.Option("--nps", min=0, max=10, help="推荐意愿 0–10", show_default=False),
    ] = None,
    comment: Annotated[str | None, text("--comment", "客户意见")] = None,
    about: Annotated[str | None, text("--about", "针对的理赔编号或互动记录文件名")] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="渠道：" + listing(CHANNELS))
    ] = CHANNELS["phone"],
    staff: StaffOpt = None,
    on: OnOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录一次满意度调查（满意度 1–5 和/或推荐意愿 0–10）。"""
    from baodan.services import actions

    if score is None and nps is None:
        raise BaodanError("至少写 --score 或 --nps 其中一个", "例如 --score 5 --nps 9")
    s = _session(root, identity)
    path = actions.log_survey(
        s,
        client,
        score=score,
        nps=nps,
        comment=comment,
        about=about,
        day=actions.parse_day(on, "--on"),
        channel=channel,
        staff=staff,
    )
    out.print(f"[green]已记录满意度调查[/] {s.ws.rel(path)}（已加密）。")


def attend(
    lecture: Annotated[
        str, typer.Argument(help="讲座文件名（不含 .md），如 2026-03-21-claims-howto")
    ],
    clients: Annotated[list[str], typer.Argument(help="出席的客户编号，可写多个")],
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录客户参加了讲座（每位客户记一条互动，加密保存）。"""
    from baodan.services import actions

    s = _session(root, identity)
    paths = actions.log_attendance(s, lecture, clients, staff)
    skipped = len(clients) - len(paths)
    out.print(
        f"[green]已记录[/] {len(paths)} 位客户出席。"
        + (f"{skipped} 位之前已记录，跳过。" if skipped else "")
    )


# ---- tasks ----------------------------------------------------------------------------------------


@task_app.command("new")
def task_new(
    client: ClientArg,
    title: Annotated[str, typer.Option("--title", help="要做什么")],
    to: Annotated[str, typer.Option("--to", help="接手部门：" + "、".join(DEPARTMENTS))],
    from_: Annotated[str | None, text("--from", "交出部门（默认 --staff 所在部门）")] = None,
    owner: Annotated[str | None, text("--owner", "负责员工编号")] = None,
    due: Annotated[str | None, text("--due", "期限 YYYY-MM-DD")] = None,
    policy: Annotated[str | None, text("--policy", "相关保单登记号")] = None,
    claim: Annotated[str | None, text("--claim", "相关理赔编号")] = None,
    kind: Annotated[str, typer.Option("--kind", help="类别：" + listing(TASK_KINDS))] = TASK_KINDS[
        "handoff"
    ],
    note: NoteOpt = None,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """新建交接任务，交给另一个部门。"""
    from baodan.services import actions

    s = _session(root, identity)
    path = actions.create_task(
        s,
        client,
        title=title,
        to=to,
        from_=from_,
        by=staff,
        owner=owner,
        due=actions.parse_day(due, "--due") if due else None,
        policy=policy,
        claim=claim,
        kind=pick(kind, TASK_KINDS, "--kind", s.firm.rules),
        note=note,
    )
    task_id = path.name.removesuffix(".yaml.age")
    out.print(
        f"[green]已新建任务[/] {task_id}（{s.ws.rel(path)}，已加密）。完成后运行：baodan task done {task_id}"
    )


@task_app.command("done")
def task_done(
    task: Annotated[str, typer.Argument(help="任务编号，如 t-1a2b3c4d")],
    note: NoteOpt = None,
    cancel: Annotated[bool, typer.Option("--cancel", help="取消而不是完成")] = False,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """把任务标为已完成（或用 --cancel 取消），记下经办员工。"""
    from baodan.services import actions

    s = _session(root, identity)
    title, client_id = actions.finish_task(s, task, note=note, cancel=cancel, by=staff)
    out.print(
        f"[green]任务 {task} 已{'取消' if cancel else '完成'}[/]：{title}（客户 {client_id}）。"
    )


@task_app.command("list")
def task_list(
    department: Annotated[
        str | None, typer.Option("--department", "-d", help="只看一个部门", show_default=False)
    ] = None,
    mine: MineOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """各部门待处理的任务，逾期的标红（--mine：只看交给我的，和我管的客户未指定负责人的）。"""
    from baodan.domain import tasks

    s = _session(root, identity)
    wanted = tasks.department(department, "--department") if department else None
    who = me(mine, s.firm.staff)
    for dept, items in tasks.department_queues(s.firm, today()).items():
        if wanted and dept != wanted:
            continue
        if who is not None:
            items = [q for q in items if (q.task.owner or q.cf.client.manager) == who]
        table = Table("任务", "客户", "来自", "期限", "内容", title=f"{dept}（{len(items)}）")
        for q in items:
            due = str(q.task.due or "—") + (
                f" [red]逾期 {q.overdue_days} 天[/]" if q.overdue_days else ""
            )
            table.add_row(q.task.id, q.cf.client.name, q.task.from_department, due, q.task.title)
        out.print(table)


# ---- incidents -------------------------------------------------------------------------------------


@incident_app.command("new")
def incident_new(
    client: ClientArg,
    plan: Annotated[str, typer.Option("--plan", help="应急预案：保单遗失 或 理赔纠纷")],
    policy: Annotated[str | None, text("--policy", "保单登记号（保单遗失）")] = None,
    claim: Annotated[str | None, text("--claim", "理赔编号（理赔纠纷）")] = None,
    title: Annotated[str | None, text("--title", "一句话说明")] = None,
    owner: Annotated[str | None, text("--owner", "负责员工（默认客户经理）")] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """启动应急预案：按预案的步骤建一个应急事件。"""
    from baodan.domain import incidents
    from baodan.services import actions

    s = _session(root, identity)
    path, data = actions.open_incident(
        s, client, plan, title=title, owner=owner, policy=policy, claim=claim
    )
    out.print(
        f"[green]已启动[/]“{incidents.plans(s.firm.rules)[data['plan']].name}”预案：{data['id']}（{s.ws.rel(path)}，已加密）。步骤："
    )
    for n, step in enumerate(data["steps"], 1):
        due = f"（{step['due']} 前）" if step.get("due") else ""
        out.print(f"  {n}. {step['step']}：{step['title']}{due}")
    out.print(f'完成一步后运行：baodan incident step {data["id"]} 步骤编号 --note "结果"')


@incident_app.command("step")
def incident_step(
    incident: Annotated[str, typer.Argument(help="事件编号，如 in-1a2b3c4d")],
    step: Annotated[
        str, typer.Argument(help="步骤：写步骤名称，如 向保险公司报失（baodan incident list 里有）")
    ],
    note: NoteOpt = None,
    skip: Annotated[bool, typer.Option("--skip", help="这一步不需要做")] = False,
    staff: StaffOpt = None,
    on: OnOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录应急事件的一个步骤已完成（或不需要）。"""
    from baodan.services import actions

    s = _session(root, identity)
    closed, nxt = actions.incident_step(
        s, incident, step, day=actions.parse_day(on, "--on"), by=staff, note=note, skip=skip
    )
    out.print(f"[green]已记录[/] {incident} 步骤 {step}{'（不需要）' if skip else ''}。")
    if closed:
        out.print("全部步骤已完成，事件已结束。")
    elif nxt:
        out.print(f"下一步：{nxt}")


@incident_app.command("close")
def incident_close(
    incident: Annotated[str, typer.Argument(help="事件编号")],
    outcome: Annotated[str, typer.Option("--outcome", help="处理结果")],
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """提前结束应急事件（如复核后已赔付）：未做的步骤记为不需要，记下经办员工。"""
    from baodan.services import actions

    s = _session(root, identity)
    skipped = actions.close_incident(s, incident, outcome, staff)
    out.print(f"[green]事件 {incident} 已结束[/]，{skipped} 个未做的步骤记为不需要。")


@incident_app.command("list")
def incident_list(root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """进行中的应急事件和各自的下一步。"""
    from baodan.domain import incidents

    s = _session(root, identity)
    open_, _ = incidents.incidents(s.firm, today())
    table = Table(
        "事件", "预案", "客户", "启动", "进度", "下一步", title=f"进行中的应急事件（{len(open_)}）"
    )
    for st in open_:
        nxt = st.incident.next_step
        late = f" [red]{len(st.overdue)} 步逾期[/]" if st.overdue else ""
        table.add_row(
            st.incident.id,
            st.plan_name,
            st.cf.client.name,
            str(st.incident.opened),
            f"{st.done}/{st.total}{late}",
            f"{nxt.step}：{nxt.title}" if nxt else "",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.command()(greet)
    app.command()(greetings)
    app.command()(survey)
    app.command()(attend)
    app.add_typer(claim_app, name="claim")
    app.add_typer(task_app, name="task")
    app.add_typer(incident_app, name="incident")
