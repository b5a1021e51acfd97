"""Commands for review and personal data: diff, log, precommit, ci, export, forget, exposure."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli import IdentityOpt, RootOpt, app, err, open_workspace, out
from .errors import render_errors
from .workspace import find_root

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


@app.command()
def precommit(
    install: Annotated[
        bool, typer.Option("--install", help="在本仓库装上 git 钩子（不用 pre-commit 框架时）")
    ] = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """提交前检查（pre-commit 钩子调用）：拒绝明文客户资料、非 age 的加密文件和检查不通过的提交。"""
    from .precommit import install_hook
    from .precommit import precommit as check_staged

    if install:
        hook = install_hook(find_root(root))
        out.print(f"[green]已安装[/] {hook}：以后每次 git commit 前都会先检查。")
        return
    ws = open_workspace(root, identity)
    count, errors = check_staged(ws)
    if errors:
        err.print(render_errors(errors), highlight=False, markup=False)
        err.print(
            f"[red]提交被拒绝[/]：共 {len(errors)} 处问题，改好后重新 git add 再提交。"
            "（个人信息一旦进入 git 历史就很难彻底清除）"
        )
        raise typer.Exit(1)
    out.print(f"[green]提交前检查通过[/]（暂存文件 {count} 个）。")


CiHost = Annotated[str, typer.Argument(help="github 或 gitlab")]


@app.command()
def ci(
    host: CiHost,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的 CI 文件")] = False,
    root: RootOpt = None,
) -> None:
    """为公司仓库写入 CI 配置：合并请求时检查并贴出改动摘要，合并后发布公开站（从不发布员工站）。"""
    from .ci import notes, write_ci

    firm_root = find_root(root)
    path = write_ci(firm_root, host, force=force)
    out.print(f"[green]已写入[/] {path.relative_to(firm_root).as_posix()}。接下来：")
    for n, line in enumerate(notes(host), 1):
        out.print(f"  {n}. {line}", markup=False)
