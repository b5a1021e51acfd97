"""Commands for review and personal data: diff, log, precommit, ci, export, forget, exposure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from baodan.cli.common import IdentityOpt, RootOpt, err, open_workspace, out
from baodan.cli.prompts import yes_no
from baodan.core.errors import BaodanError, render_errors
from baodan.store.workspace import find_root

FullOpt = Annotated[bool, typer.Option("--full", help="显示完整的身份证号和手机号（默认打码）")]


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
    from baodan.services import review

    ws = open_workspace(root, identity)
    rng, changes = review.diff_range(ws, rev_range)
    if public:
        out.print(
            review.render_public(
                rng,
                changes,
                review.key_changes(ws, rng),
                review.names_of(ws),
                review.watched_changes(ws, rng),
            ),
            markup=False,
            highlight=False,
        )
    else:
        text = review.render_review(rng, changes, review.names_of(ws), full=full)
        out.print(text, markup=False, highlight=False)


def log(
    target: Annotated[str, typer.Argument(help="客户编号、保单登记号、理赔编号或文件路径")],
    full: FullOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """一份记录的修改历史：谁在什么时候改了哪些字段（从 git 解密读取）。"""
    from baodan.services import review

    ws = open_workspace(root, identity)
    path, entries = review.record_log(ws, target)
    text = review.render_log(path, entries, review.names_of(ws), full=full)
    out.print(text, markup=False, highlight=False)


def precommit(
    install: Annotated[
        bool, typer.Option("--install", help="在本仓库装上 git 钩子（不用 pre-commit 框架时）")
    ] = False,
    everything: Annotated[
        bool,
        typer.Option(
            "--all",
            help="检查仓库里的全部文件，而不只是暂存的（CI 用：git commit --no-verify 会跳过钩子）；"
            "不解密，记录本身由 baodan check 检查",
        ),
    ] = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """提交前检查（pre-commit 钩子调用）：拒绝明文客户资料、身份证号和手机号、生成的网站、导出、图片和二维码，以及检查不通过的记录。"""
    from baodan.services.precommit import install_hook, scan_repository
    from baodan.services.precommit import precommit as check_staged

    if install:
        hook = install_hook(find_root(root))
        out.print(f"[green]已安装[/] {hook}：以后每次 git commit 前都会先检查。")
        return
    if everything:
        count, errors = scan_repository(find_root(root))
        refused, passed = "仓库里有不该提交的文件", f"仓库文件检查通过（文件 {count} 个）。"
    else:
        count, errors = check_staged(open_workspace(root, identity))
        refused, passed = "提交被拒绝", f"提交前检查通过（暂存文件 {count} 个）。"
    if errors:
        err.print(render_errors(errors), highlight=False, markup=False)
        err.print(
            f"[red]{refused}[/]：共 {len(errors)} 处问题，改好后重新 git add 再提交。"
            "（个人信息一旦进入 git 历史就很难彻底清除）"
        )
        raise typer.Exit(1)
    out.print(f"[green]{passed}[/]")


def publish_check(
    site: Annotated[
        Path | None, typer.Argument(help="要检查的网站文件夹（默认公司目录下的 site/）")
    ] = None,
    root: RootOpt = None,
) -> None:
    """发布前检查：网站文件夹里有员工站页面、身份证号、手机号或未加密的客户页面时拒绝发布（CI 在上传前运行）。"""
    from baodan.services.publishcheck import check_site

    firm_root = find_root(root)
    folder = site if site is not None else firm_root / "site"
    if not folder.is_dir():
        raise BaodanError(f"找不到网站文件夹 {folder}", "先运行 baodan build 生成公开站")
    errors = check_site(firm_root, folder, shown=folder.name)
    if errors:
        err.print(render_errors(errors), highlight=False, markup=False)
        err.print(f"[red]不能发布[/]：{folder} 里有 {len(errors)} 处不该公开的内容。")
        raise typer.Exit(1)
    out.print(f"[green]发布前检查通过[/]：{folder} 可以发布。", highlight=False)


CiHost = Annotated[str, typer.Argument(help="github 或 gitlab")]
CiPackage = Annotated[
    str | None,
    typer.Option(
        "--package",
        help="CI 从哪里安装 baodan，必须固定版本：baodan==0.1.0、"
        "git+https://…/baodan.git@v0.1.0（标签或提交号），或仓库里的 vendor/baodan-0.1.0-py3-none-any.whl",
    ),
]
CiIndex = Annotated[
    str | None,
    typer.Option(
        "--index-url", help="pip 用的软件源（默认 https://pypi.org/simple），如公司自己的源"
    ),
]


def ci(
    host: CiHost,
    package: CiPackage = None,
    index_url: CiIndex = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有的 CI 文件")] = False,
    root: RootOpt = None,
) -> None:
    """为公司仓库写入 CI 配置：合并请求时检查并贴出改动摘要，合并后发布公开站（从不发布员工站）。"""
    from baodan.services.ci import check_host, ci_source, notes, write_ci

    check_host(host)
    source = ci_source(package, index_url)
    firm_root = find_root(root)
    path = write_ci(firm_root, host, source, force=force)
    out.print(f"[green]已写入[/] {path.relative_to(firm_root).as_posix()}。接下来：")
    for n, line in enumerate(notes(host, source), 1):
        out.print(f"  {n}. {line}", markup=False)


ClientArg = Annotated[str, typer.Argument(help="客户编号，如 c-1a2b3c4d")]


def export(
    client: ClientArg,
    dest: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="导出到哪里（默认 export/客户编号/，已被 git 忽略）"),
    ] = None,
    as_zip: Annotated[bool, typer.Option("--zip", help="打包成一个 zip 文件")] = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """导出一位客户的全部资料（可读的 YAML + 可打印的网页），供客户查阅、复制或转移。"""
    from baodan.services.export import export_client, unignored

    ws = open_workspace(root, identity)
    path = export_client(ws, client, dest, as_zip=as_zip)
    out.print(f"[green]已导出[/] {path}（只有你能读取）。打开其中的 index.html 可打印。")
    out.print("[yellow]这是明文个人信息[/]：交给客户后请删除，不要放进共享盘、邮件草稿或 git。")
    if unignored(ws, path):
        err.print(
            f"[red]注意[/]：{path} 在仓库里且没有被 git 忽略，切勿提交；建议导出到 export/ 下。"
        )


def forget(
    client: ClientArg,
    reason: Annotated[
        str, typer.Option("--reason", help="注销原因（记入 records/retired.yaml，勿写姓名）")
    ] = "客户要求删除",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再询问，直接删除")] = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """删除一位客户的全部资料（删除权 / 保留期满）：停用其门户和订阅，登记号永不复用，并说明如何清除 git 历史。"""
    from baodan.services import erasure
    from baodan.services.precommit import personal_numbers
    from baodan.services.rewrite import erase_paths

    if personal_numbers("reason", reason):
        raise BaodanError(
            "注销原因里像是有证件号或手机号", "原因只写“客户要求删除”“保留期满”这类说明"
        )
    ws = open_workspace(root, identity)
    plan = erasure.plan(ws, client)
    blocking = erasure.references_from_others(ws, plan)
    if blocking:
        raise BaodanError(blocking)
    numbers = "、".join(plan.registry_nos) or "无"
    out.print(
        f"将删除客户 {client}（{plan.name}）的全部 {plan.files} 个文件（{plan.folder}/），"
        f"保单登记号：{numbers}。",
        highlight=False,
    )
    if plan.copies:
        out.print("以及本机上 baodan 生成的这些副本：", highlight=False)
        for path, what in plan.copies:
            out.print(f"  {_shown(ws, path)}（{what}）", highlight=False)
    if not yes and not yes_no("确定永久删除吗？", out):
        raise BaodanError("已取消，没有删除任何文件", "")
    erasure.forget(ws, plan, reason)
    out.print(f"[green]已删除[/] {plan.folder}/；登记号已记入 records/retired.yaml，永不复用。")
    out.print(
        "baodan 不知道的副本请自行删除：用 --out 导出到别处的资料、保存过的二维码图片"
        "（--qr）、发给客户或同事的文件、下载和打印件。",
        highlight=False,
    )
    out.print(
        "下一次发布后，客户门户和日历订阅即消失（用对象存储发布时，同步命令必须带 --delete）。\n"
        f"请提交：git add -A records && git commit -m '删除客户 {client}（{reason}）'",
        highlight=False,
    )
    for line in erase_paths([plan.folder]):
        out.print(line, markup=False, highlight=False)


def _shown(ws, path: Path) -> str:
    """A path relative to the firm folder when it is inside it."""
    try:
        return path.relative_to(ws.root).as_posix() + ("/" if path.is_dir() else "")
    except ValueError:
        return str(path)


def exposure(
    client: ClientArg,
    branch: Annotated[
        str | None, typer.Option("--branch", help="发布用的分支（默认 main 或 master）")
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """泄露报告用：谁能读到这位客户的资料、从何时起，哪些发布带有其门户和日历订阅。"""
    from baodan.services.exposure import exposure as find_exposure
    from baodan.services.exposure import render

    ws = open_workspace(root, identity)
    out.print(render(find_exposure(ws, client, branch)), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the baodan app."""
    app.command()(diff)
    app.command()(log)
    app.command()(precommit)
    app.command("publish-check")(publish_check)
    app.command()(ci)
    app.command()(export)
    app.command()(forget)
    app.command()(exposure)
