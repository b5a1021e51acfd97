"""`baodan attach`: a policy's or claim's documents, encrypted beside its records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from baodan.cli.common import IdentityOpt, RootOpt, open_workspace, out
from baodan.core.errors import BaodanError
from baodan.models.vocab import DOCUMENT_KINDS


def attach(
    target: Annotated[
        str | None,
        typer.Argument(help="保单登记号，如 BD-2026-7K3QX（--list 时也可写客户编号）"),
    ] = None,
    file: Annotated[
        Path | None, typer.Argument(help="要附加的文件：PDF、JPEG 或 PNG", show_default=False)
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="文档类别："
            + "、".join(DOCUMENT_KINDS)
            + "（默认：PDF 为电子保单，图片为保单扫描件，理赔的为理赔决定书）",
            show_default=False,
        ),
    ] = None,
    claim: Annotated[
        str | None,
        typer.Option("--claim", help="附到这张保单的某件理赔，如 cl-1a2b3c4d", show_default=False),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注", show_default=False)] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="列出文档（可只列某客户、保单或理赔的）")
    ] = False,
    remove: Annotated[
        str | None,
        typer.Option(
            "--remove", help="删除一份文档，写文档编号，如 d-1a2b3c4d", show_default=False
        ),
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """给保单或理赔附加文档（电子保单、扫描件、批单、发票、理赔决定书），加密保存；客户可在专属页面查看。"""
    from baodan.services import documents

    ws = open_workspace(root, identity)
    if list_:
        _print_listing(documents.listing(ws, target))
    elif remove:
        gone = documents.remove(ws, remove)
        out.print(
            f"已删除文档 {gone.document_id}（{gone.kind}，保单 {gone.policy}）。"
            "提交后下次发布网站时从客户页面撤下；git 历史里仍有它的密文。",
            highlight=False,
        )
    elif target is None or file is None:
        raise BaodanError(
            "缺少保单登记号或文件", "用法：baodan attach BD-2026-7K3QX 保单.pdf [--kind 电子保单]"
        )
    else:
        done = documents.attach(ws, target, file, kind, claim, note)
        d = done.document
        out.print(
            f"已附加 {d.kind} {d.id}（{d.pages} 页，{_size(d.size)}）到保单 {d.policy}"
            + (f" 的理赔 {d.claim}" if d.claim else "")
            + f"：{done.path}。提交后下次发布网站，客户即可在专属页面查看。",
            highlight=False,
        )


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _print_listing(found) -> None:
    """One line a document (a table folds its ids in a narrow terminal)."""
    if not found:
        out.print("没有文档。")
        return
    for a in found:
        d = a.document
        of = f"保单 {d.policy}" + (f" 理赔 {d.claim}" if d.claim else "")
        out.print(
            f"{d.id}  {d.kind}  客户 {a.client_id} {of}  {d.pages} 页 {_size(d.size)}  "
            f"{d.added_on.isoformat()} {d.added_by} 添加",
            highlight=False,
        )
    out.print(f"共 {len(found)} 份。删除一份：baodan attach --remove 文档编号")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.command("attach")(attach)
