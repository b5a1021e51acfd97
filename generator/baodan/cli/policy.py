"""Commands for a policy's life at the firm: intake, audit, verify, renew (and the renewals
queue), renumber, risk."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

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
from baodan.core.errors import BaodanError, Problem, shown
from baodan.core.today import today
from baodan.models.vocab import CHANNELS, INTENTIONS

RegnoArg = Annotated[str, typer.Argument(help="保单登记号，如 BD-2026-7K3QX（或保单文件路径）")]


def _interactive() -> bool:
    return sys.stdin.isatty()


def intake(
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="填好的统一登记表（YAML）；不写则逐项提问"),
    ] = None,
    blank: Annotated[
        bool, typer.Option("--blank", help="打印空白登记表（另存为文件后填写）")
    ] = False,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """接收登记：按统一登记表登记一张保单，分配登记号并加密保存。"""
    from baodan.services.intake import blank_form, check_form, intake_from_file, register
    from baodan.services.policyfile import public_firm

    if blank:
        sys.stdout.write(blank_form())
        return
    ws = open_workspace(root, identity)
    firm = public_firm(ws)
    if from_file is not None:
        number, path = intake_from_file(ws, firm, from_file)
    else:
        from baodan.cli.intake_interview import RichInterviewer, interview

        def client_kind(client_id: str) -> str:
            return _client_kind(ws, client_id)

        from baodan.cli.intake_interview import summary
        from baodan.cli.prompts import yes_no

        data = interview(RichInterviewer(out, firm.rules), ws, firm, client_kind, staff, today())
        form = check_form(ws, firm, data, "", "<交互登记>")
        out.print("[bold]请核对登记内容[/]：", highlight=False)
        out.print(summary(form.data, firm), highlight=False, markup=False)
        if not yes_no("以上内容与保单一致，登记？", out, default=True):
            out.print("没有登记，记录没有改动。要重填请再运行 baodan intake。")
            return
        number, path = register(ws, firm, form)
    out.print(f"[green]已登记[/] 登记号 [bold]{number}[/]：{ws.rel(path)}（已加密）")
    out.print(
        f"下一步：初审 baodan audit {number}；核对客户资料 baodan verify {number}。"
        + ("\n登记表含客户个人信息，请删除该文件，不要提交到 git。" if from_file else "")
    )


def _client_kind(ws, client_id: str) -> str:
    from baodan.core.yamlio import load

    try:
        path = ws.client_dir(client_id) / "client.yaml.age"
    except BaodanError as e:  # the interview asks again
        raise Problem(e.errors[0].message, e.errors[0].hint) from None
    if not path.is_file():
        raise Problem(f"没有客户“{shown(client_id)}”", "客户编号形如 c-1a2b3c4d")
    doc = load(ws.read(path)) or {}
    out.print(f"客户：[bold]{doc.get('name')}[/]")
    return doc.get("kind", "person")


def _parse_anomalies(values: list[str]) -> dict[str, str]:
    found = {}
    for value in values:
        code, _, note = value.partition("=")
        found[code.strip()] = note.strip()
    return found


def audit(
    registry_no: RegnoArg,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="电子保单 PDF：检查其数字签名")] = None,
    anomaly: Annotated[
        list[str] | None,
        typer.Option("--anomaly", help="异常项：检查项=说明，如 印章=骑缝章不清晰（可写多次）"),
    ] = None,
    ok: Annotated[bool, typer.Option("--ok", help="其余检查项均无异常")] = False,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """初审：按检查清单逐项记录结果；有异常则暂缓保单并给客户经理建任务。"""
    from baodan.services.audit import run_audit
    from baodan.services.policyfile import open_policy

    ws = open_workspace(root, identity)
    op = open_policy(ws, registry_no)
    data = None
    if pdf is not None:
        try:
            data = pdf.read_bytes()
        except OSError as e:
            raise BaodanError(f"读不了 PDF 文件 {pdf}（{e.strerror}）", "检查文件路径") from None
    ask = _ask_item if _interactive() and not ok else None
    result = run_audit(op, staff, today(), _parse_anomalies(anomaly or []), ok, data, ask)
    table = Table("检查项", "结果", "说明", title=f"初审 {op.policy.registry_no}")
    for item, r in result.items:
        table.add_row(item.label, "[green]通过[/]" if r.ok else "[red]异常[/]", r.note or "")
    out.print(table)
    if result.on_hold:
        out.print(f"[yellow]保单已暂缓[/]。{_task_line(ws, result.task)}")
    elif result.released:
        closed = "、".join(result.closed_tasks)
        out.print("[green]审核通过，保单恢复有效[/]" + (f"；已完成任务 {closed}" if closed else ""))
    else:
        out.print("[green]审核通过[/]。")


def _task_line(ws, task: Path | None) -> str:
    if task is None:
        return "这张保单已有未完成的初审任务，没有重复建任务。"
    return f"已给客户经理建任务 {task.name.removesuffix('.yaml.age')}：通知客户并收集证明。"


def _ask_item(item) -> tuple[bool, str | None]:
    from baodan.cli.prompts import ask, yes_no

    if yes_no(f"{item.label}（{item.help}）无异常？", out, default=True):
        return True, None
    while not (note := ask("异常说明（必填）", out)):
        out.print("[prompt.invalid]异常项要写说明：哪里不对")
    return False, note


def verify(
    registry_no: RegnoArg,
    confirm: Annotated[int | None, typer.Option("--confirm", help="第几条差异已与客户确认")] = None,
    resolve: Annotated[int | None, typer.Option("--resolve", help="第几条差异已解决")] = None,
    note: Annotated[str | None, typer.Option("--note", help="客户怎么说、怎么处理的")] = None,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """核对信息：保单上的当事人、证件、日期、保险公司电话与客户资料逐项比对，记录差异。"""
    from baodan.domain.verification import differing_positions
    from baodan.models.policy import DISCREPANCY_STATUSES
    from baodan.services.policyfile import open_policy
    from baodan.services.verify import move_discrepancy, run_verify

    ws = open_workspace(root, identity)
    op = open_policy(ws, registry_no)
    if confirm is not None or resolve is not None:
        action, number = ("confirm", confirm) if confirm is not None else ("resolve", resolve)
        subject = move_discrepancy(op, number, action, staff, today(), note)
        word = "已与客户确认" if action == "confirm" else "已解决"
        out.print(f"[green]第 {number} 条差异{word}[/]：{subject}")
        return
    result = run_verify(op, staff, today())
    rows = [*op.policy.discrepancies]
    table = Table("#", "差异", "保单上", "客户资料", "状态", title=f"核对 {op.policy.registry_no}")
    for n, d in enumerate(rows, 1):
        table.add_row(
            str(n),
            d.subject,
            d.on_policy or "—",
            d.on_record or "—",
            DISCREPANCY_STATUSES[d.status],
        )
    for n, d in enumerate(result.new, len(rows) + 1):
        where = differing_positions(d.on_policy, d.on_record)
        hint = f"（第 {'、'.join(map(str, where))} 位不同）" if where else ""
        table.add_row(
            str(n),
            d.subject + hint,
            d.on_policy or "—",
            d.on_record or "（没有）",
            "[yellow]新发现[/]",
        )
    if not rows and not result.new:
        out.print(f"[green]核对完成[/]：{op.policy.registry_no} 与客户资料一致。")
        return
    out.print(table)
    out.print(
        f"新发现 {len(result.new)} 条，未解决 {result.open_count} 条。与客户核实后："
        f"baodan verify {op.policy.registry_no} --confirm 编号 / --resolve 编号 --note 说明"
    )


def renew(
    registry_no: RegnoArg,
    intention: Annotated[
        str | None,
        typer.Option(
            "--intention",
            help="客户意向：" + listing(INTENTIONS) + "；没联系上就不写",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="联系情况")] = None,
    channel: Annotated[
        str,
        typer.Option("--channel", help="联系方式：" + listing(CHANNELS)),
    ] = CHANNELS["phone"],
    follow_up: Annotated[
        str | None, typer.Option("--follow-up", help="约定下次联系的日期，如 2026-12-05")
    ] = None,
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """续保提醒：记录一次续保联系和客户意向。"""
    from baodan.cli.intake_interview import DATE
    from baodan.core.rules import Rules
    from baodan.domain.renewals import STAGES
    from baodan.services.policyfile import open_policy
    from baodan.services.renew import record_contact

    try:
        follow = DATE(follow_up) if follow_up else None
    except Problem as e:
        raise BaodanError(f"--follow-up：{e.message}", "写成 2026-12-05") from None
    ws = open_workspace(root, identity)
    rules = Rules(ws.root)
    if intention is not None:
        intention = pick(intention, INTENTIONS, "--intention", rules)
    channel = pick(channel, CHANNELS, "--channel", rules)
    op = open_policy(ws, registry_no)
    result = record_contact(op, staff, today(), intention, note, channel, follow)
    r = result.renewal
    due = f"；下次联系：{r.next_due}" if r.next_due else ""
    out.print(
        f"[green]已记录续保联系[/]（{ws.rel(result.path)}）。当前阶段：[bold]{STAGES[r.stage]}[/]{due}"
    )
    if r.stage == "renew":
        out.print(
            f"客户愿意续保：拿到新保单后用 baodan intake 登记，并在登记表里写 renewal_of: {registry_no}"
        )


def renewals(mine: MineOpt = False, root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """续保待办：今天应联系客户的保单（含逾期，及休息日里应联系的），按阶段分组。"""
    from baodan.core.workdays import days_off_after
    from baodan.domain.renewals import OPEN_STAGES, STAGES, renewal_book
    from baodan.models.client import has_left
    from baodan.services.actions import Session

    s = Session.open(open_workspace(root, identity))
    who = me(mine, s.firm.staff)
    day = today()
    until = days_off_after(day).last or day  # as the staff site's 今日 page counts them
    due = [
        r
        for r in renewal_book(s.firm, day).values()
        if r.is_due(until)
        and not has_left(r.client.client, day)
        and (who is None or r.client.client.manager == who)
    ]
    if not due:
        out.print("今天没有要联系的续保。")
        return
    for stage in OPEN_STAGES:
        items = sorted(
            (r for r in due if r.stage == stage),
            key=lambda r: (r.next_due, r.policy.terminates, r.policy.registry_no),
        )
        if not items:
            continue
        table = Table(
            "登记号", "客户", "产品", "到期日", "应联系", title=f"{STAGES[stage]}（{len(items)}）"
        )
        for r in items:
            table.add_row(
                r.policy.registry_no,
                escape(r.client.client.name),
                escape(r.policy.product),
                f"{r.policy.terminates}（还有 {r.days_left(day)} 天）",
                str(r.next_due),
            )
        out.print(table)
    out.print("联系后记录：baodan renew 登记号 --intention renew|decline|undecided")


def renumber(
    registry_no: Annotated[str, typer.Argument(help="要换号的保单：登记号，重号时写文件路径")],
    yes: YesOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """给保单换一个新登记号（重号或用了已注销的号时）：改文件名、更新所有引用、注销旧号。

    没有重号的登记号会先询问（脚本里用 --yes）。
    """
    from baodan.cli.prompts import confirmer
    from baodan.services.renumber import renumber as run

    ws = open_workspace(root, identity)
    result = run(ws, registry_no, today(), confirmer(yes))
    out.print(f"[green]已换号[/] {result.old} → [bold]{result.new}[/]：{ws.rel(result.path)}")
    for ref in result.references:
        out.print(f"  已更新引用：{ref}")
    if result.retired:
        out.print(f"旧号 {result.old} 已写入 records/retired.yaml，永不再用。")
    else:
        out.print(f"旧号 {result.old} 仍由另一张保单使用，没有注销。")
    out.print("请把这些改动放在同一个提交里。")


def risk(
    target: Annotated[str, typer.Argument(help="客户编号或保单登记号")],
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """风险评估：列出客户（或保单）的风险、原因和建议。"""
    from baodan.domain.risk import assess, overall
    from baodan.services.policyfile import open_client

    ws = open_workspace(root, identity)
    firm, cf, regno = open_client(ws, target)
    book = assess(firm, today())
    findings = book.by_policy.get(regno, []) if regno else book.by_client.get(cf.client.id, [])
    level = overall(findings)
    out.print(f"{cf.client.name}{'（' + regno + '）' if regno else ''} 风险等级：[bold]{level}[/]")
    for f in sorted(findings, key=lambda f: "低中高".index(f.level), reverse=True):
        out.print(
            f"[bold]{f.level}[/] {f.rule.title}{'（' + f.registry_no + '）' if f.registry_no and not regno else ''}"
        )
        out.print(f"    原因：{f.reason}\n    建议：{f.advice}")
    if not findings:
        out.print("没有发现风险。")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.command()(intake)
    app.command()(audit)
    app.command()(verify)
    app.command()(renew)
    app.command()(renewals)
    app.command()(renumber)
    app.command()(risk)
