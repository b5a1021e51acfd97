"""`baodan member …`, `baodan recovery …` and `baodan reencrypt`: who holds the record key,
the emergency kit in the firm's safe, and records left on a retired key."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from baodan.cli.common import IdentityOpt, RootOpt, Table, YesOpt, err, open_workspace, out
from baodan.cli.prompts import yes_no
from baodan.core.errors import BaodanError
from baodan.core.files import read_text
from baodan.store import members
from baodan.store.workspace import Workspace, find_root

member_app = typer.Typer(help="公司成员（能解密记录的人、CI 和应急包）", no_args_is_help=True)
recovery_app = typer.Typer(
    help="应急恢复密钥（打印后放进公司保险柜的应急包）", no_args_is_help=True
)

KitOpt = Annotated[
    Path | None,
    typer.Option(
        "--kit",
        help="把应急包（可打印的网页）写到这个文件，须在公司目录以外；不写则在浏览器里显示、打印后删除",
        show_default=False,
    ),
]


@member_app.command("list")
def member_list(root: RootOpt = None) -> None:
    """列出成员及其公钥。"""
    _recipients_table(members.read_members(find_root(root)))


def _recipients_table(entries: dict[str, members.Member]) -> None:
    table = Table("成员", "公钥（指纹）", "说明")
    for name, member in entries.items():
        note = "应急恢复密钥（应急包）" if member.recovery else ""
        table.add_row(name, "\n".join(members.fingerprint(k) for k in member.keys), note)
    out.print(table)


def _confirm(question: str, yes: bool) -> None:
    if not yes and not yes_no(question, out):
        raise BaodanError("已取消，没有做任何改动", "")


def _rotate_notice(after: dict[str, members.Member], yes: bool) -> None:
    """Before a rotation: every recipient of the new record key, and a question."""
    out.print(f"换钥后，新的记录密钥只交给下面 {len(after)} 位（请逐个核对公钥指纹）：")
    _recipients_table(after)
    _confirm("以上名单无误，开始换钥并重新加密全部记录？", yes)


def _progress_rotation(run) -> int:
    with err.status("正在换新密钥并重新加密记录……"):
        return run()


def _finish_if_pending(ws: Workspace) -> bool:
    """An interrupted rotation is finished before anything else is done."""
    if not ws.vault.rotating:
        return False
    out.print("[yellow]上次的换钥没有完成[/]，现在接着做完（名单以 members.yaml 为准）。")
    changed = _progress_rotation(lambda: members.finish_rotation(ws.vault))
    out.print(f"[green]换钥已完成[/]，重新加密 {changed} 份记录。请提交 records/ 的全部改动。")
    return True


@member_app.command("add")
def member_add(
    member: Annotated[str, typer.Argument(help="成员编号，如员工编号或 ci")],
    recipient: Annotated[
        str | None, typer.Option("--recipient", "-r", help="对方的公钥：age1… 或 ssh-ed25519 …")
    ] = None,
    recipient_file: Annotated[
        Path | None,
        typer.Option(
            "--recipient-file",
            "-R",
            help="公钥文件，每行一个（如从 https://github.com/用户名.keys 下载的文件）",
        ),
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """加入成员：把记录密钥加密给对方的公钥（新增一个文件，提交即可）。"""
    if (recipient is None) == (recipient_file is None):
        raise BaodanError(
            "请给出对方的公钥：--recipient 公钥 或 --recipient-file 文件（二选一）",
            "GitHub 用户的公钥可在 https://github.com/用户名.keys 下载",
        )
    keys: str | list[str] = recipient or ""
    if recipient_file is not None:
        keys, skipped = members.recipients_in_file(read_text(recipient_file), str(recipient_file))
        for line in skipped:
            err.print(f"[yellow]跳过[/] age 不支持的公钥：{line[:40]}…", highlight=False)
    ws = open_workspace(root, identity)
    path = members.member_add(ws.vault, member, keys)
    count = "" if isinstance(keys, str) else f"（{len(keys)} 个公钥，任一个都能解密）"
    out.print(
        f"[green]已加入[/] {member}{count}：{ws.rel(path)}。"
        "请提交这个文件和 records/.keys/members.yaml。"
    )


@member_app.command("remove")
def member_remove(
    member: Annotated[str, typer.Argument(help="要移除的成员编号")],
    yes: YesOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """移除成员：列出拿到新密钥的人并确认，再换新记录密钥、重新加密全部记录（中断后再运行一次即可继续）。"""
    from baodan.services.rewrite import after_member_removed
    from baodan.store.keyhistory import describe_removed

    ws = open_workspace(root, identity)
    if _finish_if_pending(ws):
        return
    _rotate_notice(members.removal_plan(ws.vault, member), yes)
    changed = _progress_rotation(lambda: members.member_remove(ws.vault, member))
    out.print(f"[green]已移除[/] {member}，记录密钥已更换，重新加密 {changed} 份记录。")
    out.print(
        "[yellow]注意[/]：换钥只保护以后的提交。" + "".join(describe_removed(ws.root, member))
    )
    for line in after_member_removed():
        out.print(line, markup=False, highlight=False)


@member_app.command("rotate")
def member_rotate(yes: YesOpt = False, root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """不移除任何人，换一把新的记录密钥（怀疑密钥文件被人改过、多给了别人时）。"""
    ws = open_workspace(root, identity)
    if _finish_if_pending(ws):
        return
    after = members.read_members(ws.root)
    _rotate_notice(after, yes)
    changed = _progress_rotation(lambda: members.rotate(ws.vault, after))
    out.print(f"[green]已换钥[/]，重新加密 {changed} 份记录。请提交 records/ 的全部改动。")


@member_app.command("trust")
def member_trust(
    names: Annotated[
        list[str] | None, typer.Argument(help="成员编号（不写：全部没有校验码的）")
    ] = None,
    yes: YesOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """为旧版 baodan 写的成员名单补上校验码：先逐个核对公钥确实是本人的。"""
    ws = open_workspace(root, identity)
    entries = members.read_members(ws.root)
    chosen = names or [n for n, m in entries.items() if m.mac is None]
    if not chosen:
        out.print("每位成员都有校验码，不需要补。")
        return
    _recipients_table({n: entries[n] for n in chosen if n in entries})
    out.print("请当面或电话向每位成员核对公钥指纹；名单之外的公钥一个都不能有。")
    _confirm("以上公钥都核对过，确认它们是本人的？", yes)
    members.trust(ws.vault, chosen)
    out.print(f"[green]已补上校验码[/]：{'、'.join(chosen)}。请提交 records/.keys/members.yaml。")


def interactive() -> bool:
    """Someone at a screen who can print the kit and say so."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def show_kit(page: str, kit: Path | None, secret: str) -> None:
    """The emergency kit: written where the user asked; else opened in the browser from a
    private temp folder and removed once printed; without a screen, the key as text."""
    from baodan.core.privatefiles import private_folder
    from baodan.services.emergency_kit import write_kit

    if kit is not None:
        path = write_kit(kit, page)
        out.print(
            f"[bold]应急包已写入 {path}[/]：现在打印，放进公司保险柜，然后删除这个文件。",
            highlight=False,
        )
        return
    if interactive():
        with private_folder("kit") as folder:
            path = write_kit(folder / "应急包.html", page)
            if webbrowser.open(path.as_uri()):
                out.print(
                    "[bold]应急包已在浏览器中打开[/]：请现在打印（只打印一份），放进公司保险柜。"
                )
                while not yes_no("打印好了吗？（回答“是”后电脑上的应急包即被删除）", out):
                    pass
                return
    out.print(
        "[bold]应急恢复密钥（只显示这一次）[/]：请抄在纸上或打印本页，放进公司保险柜；"
        "要可打印的一页（含二维码），下次用 --kit 文件。",
        highlight=False,
    )
    out.print(secret, markup=False, highlight=False)


@recovery_app.command("new")
def recovery_new(
    kit: KitOpt = None, yes: YesOpt = False, root: RootOpt = None, identity: IdentityOpt = None
) -> None:
    """生成新的应急包（公司没有时新建；丢了或用过时换新，旧的随换钥作废）。"""
    from baodan.core.yamlio import load
    from baodan.services.emergency_kit import check_kit_path, kit_page
    from baodan.store import recovery

    ws = open_workspace(root, identity)
    if _finish_if_pending(ws):
        out.print("上次生成的应急包有效（换钥已把新记录密钥交给它）。")
        return
    if kit is not None:
        check_kit_path(kit, ws.root)
    new = recovery.new_identity()
    replacing = recovery.recovery_members(ws.root)
    if replacing:
        after = {n: m for n, m in members.read_members(ws.root).items() if not m.recovery}
        after[members.RECOVERY] = members.Member((str(new.to_public()),), recovery=True)
        out.print(f"旧的应急包（{'、'.join(replacing)}）将作废：要换钥，旧包此后打不开新记录。")
        _rotate_notice(after, yes)
    settings = load((ws.root / "records/firm.yaml").read_text("utf-8")) or {}
    show_kit(kit_page(str(settings.get("name", "")), new), kit, str(new))
    changed = _progress_rotation(lambda: recovery.set_recovery(ws.vault, str(new.to_public())))
    done = "已加入应急恢复密钥" if changed is None else f"已换新应急包，重新加密 {changed} 份记录"
    out.print(f"[green]{done}[/]。请提交 records/.keys/ 的改动（和重新加密的记录）。")


@recovery_app.command("check")
def recovery_check(
    kit: Annotated[
        Path | None, typer.Argument(help="应急包的文字（扫码或抄写的文件）；不写则从键盘输入")
    ] = None,
    root: RootOpt = None,
) -> None:
    """验证应急包仍能打开今天的记录密钥：输入（或扫码粘贴）应急包上的密钥。"""
    from baodan.store import recovery
    from baodan.store.identity import find_identity

    firm_root = find_root(root)
    if kit is None or str(kit) == "-":
        if sys.stdin.isatty():
            out.print(
                "请输入应急包上的密钥（空格、换行不用管），输完按回车，再按 Ctrl-D（Windows：Ctrl-Z 回车）："
            )
        text = sys.stdin.read()
    else:
        text = read_text(kit)
    identity = recovery.kit_identity(text)
    try:  # the checking member's own key, when there is one, to compare record keys
        yours = Workspace.at(firm_root, find_identity(firm_root)).vault
    except BaodanError:
        yours = None
    result = recovery.check_kit(firm_root, identity, yours)
    if result.matches_yours is False:
        raise BaodanError(
            f"应急包打开的是 {result.member}.age 里的记录密钥，但它和你现在用的记录密钥不同",
            "可能有换钥没有提交或没有拉取：先 git pull，再运行 baodan check",
        )
    kind = "应急恢复密钥" if result.is_recovery else "成员密钥（不是应急包）"
    out.print(
        f"[green]应急包有效[/]：它打开了 {result.member}.age（{kind}），"
        f"其中的记录密钥解开了今天全部 {result.records} 份记录。",
        highlight=False,
    )


def reencrypt(
    targets: Annotated[
        list[str] | None, typer.Argument(help="记录的路径或编号（不写：全部旧密钥加密的记录）")
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """把仍用已停用记录密钥加密的记录（成员移除前开的分支上保存的）重新加密给当前密钥。"""
    from baodan.services.reencrypt import reencrypt as run

    ws = open_workspace(root, identity)
    written = run(ws, targets or [])
    for rel in written:
        out.print(f"已重新加密 {rel}", highlight=False)
    out.print(
        f"[green]完成[/]：重新加密 {len(written)} 份记录。运行 baodan check 后提交。"
        if written
        else "所有记录都已用当前记录密钥加密，不需要重新加密。"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.add_typer(member_app, name="member")
    app.add_typer(recovery_app, name="recovery")
    app.command()(reencrypt)
