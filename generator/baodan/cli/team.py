"""Commands for working as a team through git and over the years: setup, sync, status, the
merge driver git calls, the check git's hooks run after a merge, and upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from baodan.cli.common import IdentityOpt, RootOpt, err, open_workspace, out
from baodan.core.errors import BaodanError, render_errors
from baodan.core.today import today
from baodan.store.workspace import find_root


def setup(root: RootOpt = None) -> None:
    """在这个克隆里登记 baodan：git diff 显示解密内容、合并时按字段合并加密记录、提交前检查。每个克隆运行一次。"""
    from baodan.services.gitsetup import setup_clone

    for line in setup_clone(find_root(root)):
        out.print(line, markup=False, highlight=False)


def merge_driver(
    base: Annotated[Path, typer.Argument(help="共同的旧版本（git 的 %O）")],
    ours: Annotated[Path, typer.Argument(help="当前版本，合并结果写回这里（%A）")],
    theirs: Annotated[Path, typer.Argument(help="合并进来的版本（%B）")],
    name: Annotated[str, typer.Argument(help="记录在仓库里的路径（%P）")],
) -> None:
    """（由 git 调用）按字段合并一份加密记录；冲突记在加密记录里，并以 1 退出。"""
    from baodan.store.merge import merge_files

    try:
        outcome = merge_files(base, ours, theirs, name, today())
    except BaodanError as e:
        err.print(f"baodan：{name} 没有合并，保留了当前版本：", highlight=False, markup=False)
        err.print(render_errors(e.errors), highlight=False, markup=False)
        raise typer.Exit(1) from None
    except Exception as e:  # in the middle of a merge: a message and a conflict, never a trace
        err.print(
            f"baodan：{name} 合并时出错（{type(e).__name__}），保留了当前版本，git 会把它标为冲突。"
            "请把这句话告诉维护 baodan 的同事",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(1) from None
    for line in outcome.notes:
        err.print(f"baodan：{line}", highlight=False, markup=False)
    raise typer.Exit(0 if outcome.clean else 1)


def after_merge(root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """（由 git 钩子调用）合并或变基之后检查全公司的记录，例如两边分配了同一个登记号。"""
    from baodan.checks import load_firm

    ws = open_workspace(root, identity)
    _, errors = load_firm(ws.root, ws.vault, today())
    if not errors:
        out.print("baodan：合并后检查通过。")
        return
    err.print(
        f"baodan：合并已完成，但全公司检查发现 {len(errors)} 处问题，请逐条处理后再运行 baodan check：",
        highlight=False,
        markup=False,
    )
    err.print(render_errors(errors), highlight=False, markup=False)


def sync(
    main: Annotated[
        str | None, typer.Option("--main", help="主分支的名字（默认取远程仓库的默认分支）")
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """发送你的改动：检查、提交（说明改了哪些记录和字段，不含个人信息）、合并主分支的最新改动、推送你的分支，并给出新建合并请求的链接。第一次运行时建好你自己的分支。"""
    from baodan.services.sync import sync as send

    ws = open_workspace(root, identity)
    for line in send(
        ws, say=lambda line: err.print(line, markup=False, highlight=False), main=main
    ):
        out.print(line, markup=False, highlight=False)


def status(root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """你改了什么、还没发送什么（不连网络；发送用 baodan sync）。"""
    from baodan.services.sync import status as unsent

    ws = open_workspace(root, identity)
    for line in unsent(ws):
        out.print(line, markup=False, highlight=False)


def upgrade(root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """把公司的记录升级到这个版本 baodan 的记录格式（解密、转换、重新加密，单独一次提交）。"""
    from baodan.services.upgrade import upgrade as move_up

    ws = open_workspace(root, identity)
    for line in move_up(ws):
        out.print(line, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.command()(setup)
    app.command()(sync)
    app.command()(status)
    app.command()(upgrade)
    app.command("merge-driver", hidden=True)(merge_driver)
    app.command("after-merge", hidden=True)(after_merge)
