"""`baodan find` and `baodan clients`: finding a client by what staff know, listing clients."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from baodan.cli.common import IdentityOpt, RootOpt, Table, err, open_workspace, out
from baodan.core.today import today

SHOWN = 50  # rows a table shows; more means the search was too wide to read anyway


def _unreadable(errors: list) -> None:
    if errors:
        err.print(
            f"[yellow]提醒[/]：有 {len(errors)} 个记录读不出，没有查它们；运行 baodan check 看原因。"
        )


def _rows(table: Table, rows: list, total: int, what: str) -> None:
    out.print(table)
    if total > len(rows):
        out.print(f"（只列出前 {len(rows)} 条，共 {total} 条{what}；写得更具体些可以缩小范围）")


def find(
    text: Annotated[
        str,
        typer.Argument(help="姓名、手机号、证件号、保单号、登记号、车牌或家属姓名（可只写一部分）"),
    ],
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """查找客户和保单：按姓名、手机号、证件号、保险公司保单号、登记号、车牌或家属姓名，可只写一部分。"""
    from baodan.services.finding import find as look_up

    ws = open_workspace(root, identity)
    found, errors = look_up(ws, text, today())
    _unreadable(errors)
    if not found.clients and not found.policies:
        out.print(f"没有找到“{escape(text)}”。可以只写一部分，如手机号后四位或姓名中的一个字。")
        return
    if found.clients:
        table = Table(
            "客户编号", "姓名", "城市", "客户经理", "匹配", title=f"客户（{len(found.clients)}）"
        )
        for h in found.clients[:SHOWN]:
            s = h.summary
            table.add_row(
                s["id"],
                escape(s["name"]),
                escape(s["city"]),
                s["manager"],
                escape("\n".join(h.matched)),
            )
        _rows(table, found.clients[:SHOWN], len(found.clients), "客户")
    if found.policies:
        table = Table(
            "登记号",
            "保险公司保单号",
            "客户",
            "产品",
            "状态",
            "匹配",
            title=f"保单（{len(found.policies)}）",
        )
        for h in found.policies[:SHOWN]:
            s = h.summary
            client = found.names.get(s["client"], s["client"])
            table.add_row(
                s["registry_no"],
                escape(s["policy_no"]),
                escape(client),
                escape(s["product"]),
                s["status"],
                escape("\n".join(h.matched)),
            )
        _rows(table, found.policies[:SHOWN], len(found.policies), "保单")
    out.print("看详情：baodan show 客户编号或登记号")


def clients(
    manager: Annotated[
        str | None, typer.Option("--manager", help="客户经理的员工编号", show_default=False)
    ] = None,
    tier: Annotated[
        str | None, typer.Option("--tier", help="客户等级 A、B 或 C", show_default=False)
    ] = None,
    city: Annotated[
        str | None, typer.Option("--city", help="城市（可只写一部分）", show_default=False)
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="服务中 或 已终止", show_default=False),
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """列出客户（按姓名拼音排序），可按客户经理、等级、城市、状态筛选。"""
    from baodan.services.finding import CLIENT_STATUSES, list_clients

    ws = open_workspace(root, identity)
    rows, errors = list_clients(ws, today(), manager=manager, tier=tier, city=city, status=status)
    _unreadable(errors)
    if not rows:
        out.print("没有符合条件的客户。")
        return
    table = Table(
        "客户编号", "姓名", "城市", "等级", "客户经理", "状态", title=f"客户（{len(rows)}）"
    )
    for s in rows:
        state = CLIENT_STATUSES["left" if s["left"] else "active"]
        table.add_row(s["id"], escape(s["name"]), escape(s["city"]), s["tier"], s["manager"], state)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.command()(find)
    app.command()(clients)
