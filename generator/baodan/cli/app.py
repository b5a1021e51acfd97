"""The `baodan` command line: thin; each command calls one function of the modules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from string import Template
from typing import Annotated

import typer

from baodan.cli import (
    documents,
    feeds,
    finding,
    members,
    pipl,
    policy,
    portal,
    requests,
    service,
    startup,
    team,
)
from baodan.cli import help as clihelp
from baodan.cli.common import (
    IdentityOpt,
    RootOpt,
    StaffOpt,
    TargetArg,
    err,
    fail,
    open_workspace,
    out,
)
from baodan.cli.members import KitOpt, show_kit
from baodan.cli.usage import is_usage_error, os_problem, usage_problem
from baodan.core.errors import BaodanError, render_errors
from baodan.core.today import today
from baodan.models.kinds import BY_NAME
from baodan.store.workspace import (
    Workspace,
    allocate_registry_no,
    find_root,
    new_claim_id,
    new_client_id,
    new_token,
    next_interaction_path,
    record_path,
)

clihelp.install()
startup.install()
app = typer.Typer(
    help="baodan（保单）：客户保单的加密记录、检查与网站生成。",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(asked: bool) -> None:
    if asked:
        from baodan.cli.crash import version

        out.print(f"baodan {version()}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="显示 baodan 的版本号", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """baodan（保单）：客户保单的加密记录、检查与网站生成。"""


new_app = typer.Typer(help="从模板新建记录", no_args_is_help=True)
app.add_typer(new_app, name="new")


def main() -> None:
    """Entry point: Chinese errors instead of tracebacks, and one exit code per outcome."""
    try:
        code = startup.only_what_runs(app, sys.argv[1:])(standalone_mode=False)
    except BaodanError as e:
        fail(e)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        err.print("已取消，记录没有改动。")
        sys.exit(130)
    except Exception as e:
        if type(e).__name__ == "NoArgsIsHelpError":  # `baodan` or `baodan member` alone
            out.print(e.format_message(), markup=False, highlight=False)
            sys.exit(0)
        if is_usage_error(e):
            err.print("[red]错误[/]：", end="")
            err.print(render_errors([usage_problem(e)]), markup=False, highlight=False)
            sys.exit(getattr(e, "exit_code", 2))
        if isinstance(e, OSError) and not isinstance(e, BrokenPipeError):
            fail(BaodanError(os_problem(e)))
        if isinstance(e, BrokenPipeError):  # `baodan … | head` closed the pipe: nothing to say
            sys.exit(1)
        from baodan.cli.crash import report

        fail(report(e))
    if code == 130:  # typer turns Ctrl-C into exit code 130
        err.print("已取消，记录没有改动。")
    sys.exit(code if isinstance(code, int) else 0)


@app.command()
def check(root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """检查全部记录：格式、证件号、引用、登记号唯一……有问题则全部列出并以 1 退出。"""
    from baodan.checks import load_firm, notices
    from baodan.checks.keys import key_warnings
    from baodan.services.merging import unmerged_problems

    ws = open_workspace(root, identity)
    firm, errors = load_firm(ws.root, ws.vault, today(), documents=True)
    reminders = key_warnings(ws.root)
    reported = {e.source.file for e in errors}
    errors += [e for e in unmerged_problems(ws.root) if e.source.file not in reported]
    if firm is not None:
        reminders += notices(firm, today())
    for warning in reminders:
        err.print("[yellow]提醒[/]：", end="")
        err.print(render_errors([warning]), highlight=False, markup=False)
    if errors:
        err.print(render_errors(errors), highlight=False, markup=False)
        err.print(f"[red]共 {len(errors)} 处问题[/]，请逐条修改后再运行 baodan check。")
        raise typer.Exit(1)
    n_policies = sum(len(cf.policies) for cf in firm.clients.values())
    n_claims = sum(len(cf.claims) for cf in firm.clients.values())
    n_inter = sum(len(cf.interactions) for cf in firm.clients.values())
    out.print(
        f"[green]检查通过[/]：客户 {len(firm.clients)}，保单 {n_policies}，理赔 {n_claims}，"
        f"互动记录 {n_inter}，文档 {sum(len(cf.documents) for cf in firm.clients.values())}，保险公司 {len(firm.insurers)}，员工 {len(firm.staff)}，讲座 {len(firm.lectures)}。"
    )


# `--staff` names the staff member who did something (intake, greet …); the staff site's
# switch was once `--staff` too, and still works, with a note.
OldStaffSiteOpt = Annotated[bool, typer.Option("--staff", hidden=True)]


def _renamed_staff_site(used: bool) -> bool:
    if used:
        err.print(
            "[yellow]提示[/]：员工站的开关已改名为 --staff-site（--staff 只用来写经办员工编号），"
            "这次照旧生成员工站。",
            highlight=False,
        )
    return used


@app.command()
def build(
    staff_site: Annotated[
        bool,
        typer.Option("--staff-site", help="生成员工站 site-staff/（只在本机看，绝不发布）"),
    ] = False,
    old_staff: OldStaffSiteOpt = False,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """生成网站到 site/（可发布）；失败时原来的 site/ 保持不变。"""
    from baodan.services.sitebuild import build_site

    staff_site = _renamed_staff_site(old_staff) or staff_site
    ws = open_workspace(root, identity)
    summary = build_site(ws, staff=staff_site, status=err.status)
    out.print(summary)


@app.command()
def serve(
    staff_site: Annotated[
        bool,
        typer.Option(
            "--staff-site/--public", help="预览员工站（默认）或公开站", show_default=False
        ),
    ] = True,
    old_staff: OldStaffSiteOpt = False,
    port: Annotated[
        int | None, typer.Option("--port", help="端口（默认 8000）", show_default=False)
    ] = None,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            help="让其他电脑也能打开公开站预览：地址:端口，如 0.0.0.0:8000（员工站不允许）",
            show_default=False,
        ),
    ] = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """在本机预览网站（默认员工站），修改记录后自动刷新；只有本机能打开。"""
    from baodan.services.sitebuild import serve_site

    staff_site = _renamed_staff_site(old_staff) or staff_site
    ws = open_workspace(root, identity)
    serve_site(ws, staff=staff_site, listen=listen, port=port, say=out.print)


@app.command()
def schema(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="输出目录")] = Path("schema"),
) -> None:
    """导出 JSON Schema，供编辑器（VS Code 的 YAML 插件）补全和检查字段（记录和 records/rules/ 下的规则文件）。"""
    from baodan.checks.rules import RULE_FILES
    from baodan.models.kinds import KINDS

    schemas = {f"{k.schema}.schema.json": k.model for k in KINDS if k.schema}
    schemas |= {f"rules/{name}.schema.json": model for name, (model, _) in RULE_FILES.items()}
    for name, model in schemas.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n", "utf-8"
        )
        out.print(f"已写入 {path}")


@app.command()
def edit(
    target: TargetArg,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """在编辑器里修改一条加密记录；保存时检查，不通过就带着问题说明重新打开。"""
    from baodan.services.editing import edit_record

    ws = open_workspace(root, identity)
    path = ws.locate(target)
    _editor_note()
    if edit_record(ws, path):
        out.print(f"[green]已保存[/] {ws.rel(path)}（已加密）。提交前可运行 baodan check。")
    else:
        out.print(f"没有改动：{ws.rel(path)}")


@app.command()
def show(
    target: TargetArg,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """显示一条记录的解密内容。"""
    ws = open_workspace(root, identity)
    path = ws.locate(target)
    text = ws.read(path)
    out.print(f"[dim]# {ws.rel(path)}[/]")
    if out.is_terminal:  # wrapped at the window's width; the console's soft wrap would crop
        from rich.syntax import Syntax  # pygments: only to colour it on the screen

        out.print(Syntax(text, "yaml", theme="ansi_dark", word_wrap=True), soft_wrap=False)
    else:  # into a file or another program: the record's text as it is
        out.file.write(text)


@app.command()
def textconv(file: Annotated[Path, typer.Argument(help="git 传来的文件")]) -> None:
    """供 git diff / git log -p 显示解密后的内容（.gitattributes 里 diff=baodan）。"""
    from baodan.core.filetypes import describe
    from baodan.store.documents import MAX_CONTENT_CIPHERTEXT

    data = file.read_bytes()
    try:
        ws = Workspace.open(None, None)
        plain = ws.vault.decrypt(data, MAX_CONTENT_CIPHERTEXT)
        sys.stdout.write(describe(plain) or plain.decode("utf-8"))  # a document: one line
    except (BaodanError, ValueError):
        sys.stdout.write(data.decode("utf-8", "replace"))


@app.command()
def encrypt(
    file: Annotated[Path, typer.Argument(help="误放的明文记录（.yaml）")],
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """把一份明文记录检查后加密为 .yaml.age，并删除明文。"""
    from baodan.core.files import read_text
    from baodan.services.changes import Changes

    ws = open_workspace(root, identity)
    file = record_path(ws.root, str(file))  # never a file outside the firm's client records
    target = file.with_name(file.name + ".age")
    text = read_text(file)
    changes = Changes(ws)
    changes.put_text(target, text)
    if target.exists():  # a stale copy (an export, a backup) must not replace the record
        if ws.read(target) != text:
            raise BaodanError(
                f"{ws.rel(target)} 已经存在，内容与 {file.name} 不同；没有覆盖，两个文件都没动",
                f"要修改这条记录请用 baodan edit {ws.rel(target)}；{file.name} 若是旧副本，"
                "核对后直接删除它（含个人信息，不要留着）",
            )
        file.unlink()
        out.print(f"{file.name} 与已加密的 {ws.rel(target)} 内容相同，明文已删除。")
        return
    changes.commit()
    file.unlink()
    out.print(f"[green]已加密[/] {ws.rel(target)}，明文已删除。")


def _template(kind: str, **values) -> str:
    from importlib import resources

    name = BY_NAME[kind].template
    text = resources.files("baodan").joinpath(f"data/templates/{name}.yaml").read_text("utf-8")
    return Template(text).safe_substitute(today=today().isoformat(), **values)


def _claim_types() -> str:
    """The claim types a new claim's comment lists, wrapped as a comment."""
    from baodan.models.vocab import CLAIM_TYPES

    words = [f"{code} {name}" for code, name in CLAIM_TYPES.items()]
    return "\n#   ".join(" / ".join(words[i : i + 5]) for i in range(0, len(words), 5))


def _editor_note() -> None:
    """Said before the editor takes the terminal: when it may keep a copy of the record."""
    from baodan.services.editors import editor

    if note := editor().note:
        err.print(f"[yellow]注意[/]：{note}", highlight=False)


def _create(ws: Workspace, path: Path, text: str) -> None:
    from baodan.cli.prompts import YesNo
    from baodan.services.editing import new_record

    def resume(rel: str) -> bool:
        question = f"上次新建的记录没有保存，草稿还在（{rel}）。接着改这份草稿吗？选“否”则丢弃草稿"
        return YesNo.ask(question, default=True, console=out)

    _editor_note()
    saved = new_record(ws, path, text, resume)
    if saved is not None:
        out.print(f"[green]已新建[/] {ws.rel(saved)}（已加密）。")
    else:
        out.print("没有保存（模板未修改）。")


@new_app.command("client")
def new_client(staff: StaffOpt = None, root: RootOpt = None, identity: IdentityOpt = None) -> None:
    """新建客户（自动分配不含个人信息的客户编号和门户、订阅密钥）。"""
    from baodan.store.portal_crypto import new_access_code, new_portal_id

    ws = open_workspace(root, identity)
    cid = new_client_id()
    text = _template(
        "client",
        client_id=cid,
        staff=staff or "",
        portal_id=new_portal_id(),
        portal_key=new_access_code(),
        feed_token=new_token(16),
    )
    _create(ws, ws.clients_dir / cid / "client.yaml.age", text)


@new_app.command("policy")
def new_policy(
    client: Annotated[str, typer.Argument(help="客户编号")],
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """为客户登记新保单（自动分配登记号）。"""
    ws = open_workspace(root, identity)
    client_file = ws.locate(client)
    name = _client_name(ws, client_file)
    number = allocate_registry_no(ws.root, today().year)
    text = _template("policy", registry_no=number, client_name=name, staff=staff or "")
    _create(ws, client_file.parent / BY_NAME["policy"].folder / f"{number}.yaml.age", text)


@new_app.command("claim")
def new_claim(
    client: Annotated[str, typer.Argument(help="客户编号")],
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """为客户新建理赔记录。"""
    ws = open_workspace(root, identity)
    client_file = ws.locate(client)
    cid = new_claim_id()
    _create(
        ws,
        client_file.parent / BY_NAME["claim"].folder / f"{cid}.yaml.age",
        _template("claim", claim_id=cid, staff=staff or "", claim_types=_claim_types()),
    )


@new_app.command("interaction")
def new_interaction(
    client: Annotated[str, typer.Argument(help="客户编号")],
    staff: StaffOpt = None,
    root: RootOpt = None,
    identity: IdentityOpt = None,
) -> None:
    """记录一次咨询、回访、电话、问候或满意度调查。"""
    ws = open_workspace(root, identity)
    path = next_interaction_path(ws.locate(client).parent, today())
    _create(ws, path, _template("interaction", staff=staff or ""))


def _client_name(ws: Workspace, client_file: Path) -> str:
    from baodan.core.yamlio import load

    if client_file.name != "client.yaml.age":
        raise BaodanError(f"{client_file.name} 不是客户记录", "请写客户编号，如 c-1a2b3c4d")
    return (load(ws.read(client_file)) or {}).get("name", "")


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="新公司目录（应为空）")] = Path("."),
    name: Annotated[str, typer.Option("--name", help="公司全称")] = "我的代账公司",
    member: Annotated[str, typer.Option("--member", help="你的成员编号")] = "admin",
    recipient: Annotated[
        str | None, typer.Option("--recipient", "-r", help="你已有的公钥（age1… 或 ssh-…）")
    ] = None,
    identity: IdentityOpt = None,
    ci: Annotated[
        str | None, typer.Option("--ci", help="同时写入 CI 配置：github 或 gitlab")
    ] = None,
    package: pipl.CiPackage = None,
    index_url: pipl.CiIndex = None,
    kit: KitOpt = None,
) -> None:
    """在空目录里新建一家公司：记录密钥、你的成员密钥文件、应急包、records/ 骨架、mkdocs.yml。"""
    from baodan.services.ci import check_host, ci_source
    from baodan.services.emergency_kit import check_kit_path, kit_page
    from baodan.services.scaffold import init_firm
    from baodan.store.recovery import new_identity

    source = None
    if ci is not None:
        check_host(ci)
        source = ci_source(package, index_url)
    if kit is not None:
        check_kit_path(kit, folder)
    rescue = new_identity()
    created = init_firm(
        folder,
        name=name,
        member=member,
        recipient=recipient,
        identity=identity,
        ci=ci,
        source=source,
        recovery_recipient=str(rescue.to_public()),
    )
    for line in created:
        out.print(line)
    show_kit(kit_page(name, rescue), kit, str(rescue))


@app.command()
def rules(
    name: Annotated[str | None, typer.Argument(help="规则文件名，如 care.yaml")] = None,
    root: RootOpt = None,
) -> None:
    """列出可调整的规则；写上名称则把自带的规则复制到 records/rules/，供公司修改。"""
    from baodan.checks.rules import RULE_FILES
    from baodan.core.rules import Rules
    from baodan.services.scaffold import copy_rules

    firm_root = find_root(root)
    if name is not None:
        path = copy_rules(firm_root, name.removesuffix(".yaml"))
        out.print(f"已复制到 {path.relative_to(firm_root).as_posix()}：修改后运行 baodan check。")
        return
    own = set(Rules(firm_root).overrides())
    for rule, (_, about) in RULE_FILES.items():
        mark = "公司自己的" if rule in own else "自带"
        out.print(f"{rule}.yaml：{about}（{mark}）")


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="目录：新的空目录，或已有的演示公司")],
) -> None:
    """生成（或重新生成）演示公司：虚构客户，用 DEMO-IDENTITY.txt 加密。真实公司的目录不会被改动。"""
    from baodan.services.scaffold import make_demo_firm

    for line in make_demo_firm(folder.resolve()):
        out.print(line)


for module in (documents, feeds, finding, members, pipl, policy, portal, requests, service, team):
    module.register(app)
