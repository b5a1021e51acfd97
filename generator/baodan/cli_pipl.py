"""Commands for review and personal data: diff, log, precommit, ci, export, forget, exposure."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli import IdentityOpt, RootOpt, app, open_workspace, out

FullOpt = Annotated[bool, typer.Option("--full", help="显示完整的身份证号和手机号（默认打码）")]


@app.command()
def diff(
    rev_range: Annotated[
        str | None,
        typer.Argument(help="比较的版本：不写为 HEAD 与工作区；A..B；A...B（自分叉点起）；A"),
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public", help="只列记录编号、字段名和数量，不含任何个人信息（供 CI 贴到合并请求）"
        ),
    ] = False,
    full: FullOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """逐字段说明一次改动对每份记录做了什么（解密后比较，明文不落盘）。"""
    from . import history

    ws = open_workspace(root, identity)
    rng, changes = history.diff_range(ws, rev_range)
    if public:
        out.print(
            history.render_public(rng, changes, history.key_changes(ws, rng)),
            markup=False,
            highlight=False,
        )
    else:
        out.print(history.render_review(rng, changes, full=full), markup=False, highlight=False)


@app.command()
def log(
    target: Annotated[str, typer.Argument(help="客户编号、保单登记号、理赔编号或文件路径")],
    full: FullOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """一份记录的修改历史：谁在什么时候改了哪些字段（从 git 解密读取）。"""
    from . import history

    ws = open_workspace(root, identity)
    path, entries = history.record_log(ws, target)
    out.print(history.render_log(path, entries, full=full), markup=False, highlight=False)
