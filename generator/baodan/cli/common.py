"""What every command module shares: consoles, common options, a table that wraps Chinese,
opening the workspace, and printing problems."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich import table as rich_table
from rich.console import Console
from rich.markup import escape

from baodan.core.errors import BaodanError, render_errors, shown
from baodan.store.identity import identity_file_warning
from baodan.store.workspace import (
    DEMO_WARNING,
    Workspace,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Table(rich_table.Table):
    """A rich table whose cells wrap long text onto more lines. Rich wraps at spaces and cuts
    a longer word with "…"; Chinese has no spaces, so a task title or a note lost its end."""

    def add_column(self, *args, **kwargs) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


IdentityOpt = Annotated[
    Path | None,
    typer.Option(
        "--identity",
        "-i",
        help="你的私钥文件（age 或 SSH）；- 表示从标准输入读",
        show_default=False,
    ),
]
TargetArg = Annotated[str, typer.Argument(help="文件路径、客户编号、保单登记号或理赔编号")]
RootOpt = Annotated[
    Path | None,
    typer.Option("--root", "-C", help="公司目录（默认当前目录或其上级）", show_default=False),
]
StaffOpt = Annotated[
    str | None,
    typer.Option(
        "--staff",
        envvar="BAODAN_STAFF",
        show_envvar=False,
        help="经办员工编号（也可设环境变量 BAODAN_STAFF）",
        show_default=False,
    ),
]
MineOpt = Annotated[
    bool,
    typer.Option(
        "--mine", help="只看我负责的（我是谁：环境变量 BAODAN_STAFF）", show_default=False
    ),
]


def me(mine: bool, staff: Iterable[str]) -> str | None:
    """With --mine, the staff member BAODAN_STAFF names (one of ``staff``); else None."""
    if not mine:
        return None
    who = os.environ.get("BAODAN_STAFF", "").strip()
    if not who:
        raise BaodanError(
            "--mine 要知道你是谁，但没有设置环境变量 BAODAN_STAFF",
            "设置为你的员工编号，例如 Windows：set BAODAN_STAFF=wang-fang；"
            "macOS：export BAODAN_STAFF=wang-fang",
        )
    if who not in staff:
        raise BaodanError(
            f"BAODAN_STAFF 写的“{shown(who)}”不是本公司的员工编号",
            "可选：" + "、".join(sorted(staff)),
        )
    return who


YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="不再询问（供脚本使用）")]

QrOpt = Annotated[
    Path | None,
    typer.Option(
        "--qr",
        help="二维码另存为图片：文件名以 .png 或 .svg 结尾（不写则只显示在终端里）",
        show_default=False,
    ),
]
OverwriteOpt = Annotated[
    bool, typer.Option("--overwrite", help="--qr 的文件已存在时覆盖它（默认不覆盖）")
]


def show_qr(text: str, path: Path | None, overwrite: bool) -> None:
    """A link's QR code: saved where the user asked, or else drawn in the terminal."""
    from baodan.services.qr import print_qr, write_qr  # segno: start-up time

    if path is not None:
        out.print(f"  二维码已保存：{write_qr(text, path, overwrite=overwrite)}", highlight=False)
    elif out.is_terminal:
        out.print("  二维码（用手机扫描）：")
        print_qr(text, out.file)
    else:
        out.print("  （不在终端里，不显示二维码；要图片请加 --qr 文件名.png）")


def open_workspace(root: Path | None, identity: Path | None) -> Workspace:
    ws = Workspace.open(root, identity)
    if ws.identity.is_demo:
        err.print(f"[yellow]警告：{DEMO_WARNING}[/]")
    if warning := identity_file_warning(ws.identity):
        err.print(f"[yellow]警告：{escape(warning)}[/]", highlight=False)
    return ws


def fail(e: BaodanError) -> None:
    err.print(f"[red]错误[/]（共 {len(e.errors)} 处）：", highlight=False)
    err.print(render_errors(e.errors), highlight=False, markup=False)
    sys.exit(1)
