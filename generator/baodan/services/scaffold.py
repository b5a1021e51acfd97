"""`baodan init`: a new firm in an empty folder."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path
from string import Template

from baodan.core.errors import BaodanError
from baodan.core.layout import RECORDS
from baodan.services.ci import CiSource, check_host, ci_source, write_ci
from baodan.services.ci import notes as ci_notes
from baodan.services.gitsetup import setup_clone
from baodan.store import identity as who
from baodan.store.identity import (
    new_identity_file,
    parse_identities,
    parse_recipient,
    public_key_of,
)
from baodan.store.keyguard import is_demo_firm
from baodan.store.members import init_keys

SKELETON = {
    "mkdocs.yml": "mkdocs.yml",
    "gitignore": ".gitignore",
    "gitattributes": ".gitattributes",
    "firm.yaml": "records/firm.yaml",
}
FOLDERS = (
    "records/insurers",
    "records/staff",
    "records/lectures",
    "records/training",
    "records/partners",
    "records/clients",
    "records/public",
)
RULES_README = """# 公司自己的规则

这里的文件替换 baodan 自带的同名规则（整份替换）。先复制一份自带的，再按需修改：

    baodan rules 名称        # 例如 baodan rules care：把自带的 care.yaml 复制到这里

改完运行 baodan check：写错了会指出文件、行号和改法。可以放在这里的文件：

"""


def _recipient_for(identity: Path | None, notes: list[str]) -> str:
    """The first member's public key: from their identity file, or a new identity."""
    if identity is not None:
        pub = identity.with_name(identity.name + ".pub")
        if pub.is_file():  # an SSH key pair
            return pub.read_text().strip()
        key = public_key_of_file(identity)
        if key:
            return key
        raise BaodanError(
            f"无法从 {identity} 得到公钥",
            f"SSH 私钥请把公钥放在 {pub}，或用 --recipient 直接给出公钥",
        )
    default = who.default_identity_path()  # looked up at call time (tests redirect it)
    if default.is_file():
        return public_key_of_file(default)
    public = new_identity_file(default)
    notes.append(f"已为你生成私钥：{default}（仅你可读）。请备份它：丢了就无法解密记录。")
    return public


def _write_skeleton(folder: Path, files: dict[str, str], name: str) -> None:
    skeleton = resources.files("baodan").joinpath("data/skeleton")
    for source, target in files.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            Template(skeleton.joinpath(source).read_text("utf-8")).safe_substitute(name=name),
            "utf-8",
        )


def rules_readme() -> str:
    from baodan.checks.rules import RULE_FILES

    lines = [f"- {name}.yaml：{about}" for name, (_, about) in RULE_FILES.items()]
    return RULES_README + "\n".join(lines) + "\n"


def copy_rules(root: Path, name: str) -> Path:
    """The package's rule file ``name`` copied into the firm's records/rules/, to edit."""
    from baodan.checks.rules import RULE_FILES
    from baodan.core.rules import RULES_DIR, default_text

    if name not in RULE_FILES:
        raise BaodanError(
            f"没有名为“{name}”的规则", "可选：" + "、".join(f"{n}.yaml" for n in RULE_FILES)
        )
    path = root / RULES_DIR / f"{name}.yaml"
    if path.exists():
        raise BaodanError(
            f"{RULES_DIR}/{name}.yaml 已经存在，没有覆盖", "直接编辑它；要从头来，先删掉它"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(default_text(name), "utf-8")
    return path


def _make_folders(folder: Path) -> None:
    for sub in FOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
        (folder / sub / ".gitkeep").touch()


def public_key_of_file(path: Path) -> str | None:
    from baodan.store.identity import IdentitySource

    return public_key_of(IdentitySource(parse_identities(path.read_text(), str(path)), str(path)))


def init_firm(
    folder: Path,
    *,
    name: str,
    member: str,
    recipient: str | None,
    identity: Path | None,
    ci: str | None = None,
    source: CiSource | None = None,
    recovery_recipient: str | None = None,
) -> list[str]:
    """A new firm in ``folder``; with ``ci`` (a host) and ``source`` (where CI gets baodan)
    its CI configuration too."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(p.name != ".git" for p in folder.iterdir()):
        raise BaodanError(
            f"{folder} 不是空目录", "baodan init 只在空目录（或只有 .git 的目录）里新建公司"
        )
    if ci is not None:
        check_host(ci)
        source = source or ci_source(None)  # none given: the error saying how to name one
    notes: list[str] = []
    recipient = recipient or _recipient_for(identity, notes)
    parse_recipient(recipient)  # a bad key stops here, before any file is written
    _write_skeleton(folder, SKELETON, name)
    _make_folders(folder)
    (folder / "records/rules").mkdir()
    (folder / "records/rules/README.md").write_text(rules_readme(), "utf-8")
    init_keys(folder, member, recipient, recovery_recipient)
    if ci is not None:
        path = write_ci(folder, ci, source)
        notes.append(f"已写入 CI 配置 {path.relative_to(folder).as_posix()}。")
        notes += [f"  {n}. {line}" for n, line in enumerate(ci_notes(ci, source), 1)]
    if (folder / ".git").is_dir():
        notes += setup_clone(folder)
    notes += [
        f"已在 {folder.resolve()} 新建公司“{name}”，成员 {member}"
        + ("，以及应急恢复密钥 recovery（应急包见下）。" if recovery_recipient else "。"),
        "下一步：编辑 records/firm.yaml，运行 baodan check，然后 git add -A && git commit。",
        "问候语、风险规则、理赔材料、检查清单等可按公司情况调整：见 records/rules/README.md"
        "（baodan rules 列出全部规则）。",
    ]
    return notes


DEMO_IDENTITY_HEADER = """\
# DEMO IDENTITY: NOT SECRET. It decrypts only the fictional demo firm committed with baodan.
# Never encrypt real client data to it; `baodan build` warns whenever it is used.
"""


def _refuse_unless_demo_target(root: Path) -> None:
    """`baodan demo` writes only into an empty folder or a demo firm, and never inside a real
    firm's folder: demo data written over a real firm's records would replace them."""
    for folder in (root, *root.parents):
        if (folder / RECORDS / "firm.yaml").is_file() and not is_demo_firm(folder):
            where = "" if folder == root else f"（{root} 在它的目录里）"
            raise BaodanError(
                f"{folder} 是一家真实公司{where}（不是用 baodan demo 生成的演示公司）："
                "演示数据会覆盖真实记录，所以什么都没有改动",
                "演示公司请放在新的空目录里：baodan demo 新目录名（在公司目录以外）",
            )
    if root.is_dir() and any(p.name != ".git" for p in root.iterdir()) and not is_demo_firm(root):
        raise BaodanError(
            f"{root} 不是空目录，也不是演示公司：什么都没有改动",
            "演示公司请放在新的空目录里：baodan demo 新目录名",
        )


def make_demo_firm(root: Path) -> list[str]:
    """(Re)generate a demo firm (``demo: true``): fictional clients encrypted to the demo
    identity, in an empty folder or over a demo firm, never anywhere else."""
    from pyrage import x25519

    from baodan.core.layout import DEMO_IDENTITY_FILE, KEYS_DIR
    from baodan.demo import generator as demo
    from baodan.store.identity import IdentitySource
    from baodan.store.workspace import Workspace

    _refuse_unless_demo_target(root)
    root.mkdir(parents=True, exist_ok=True)
    # A new folder gets the site configuration `baodan init` writes (records/firm.yaml is
    # the demo's own); a folder that has it (this repository) keeps its own.
    missing = {s: t for s, t in SKELETON.items() if t != "records/firm.yaml"}
    _write_skeleton(root, {s: t for s, t in missing.items() if not (root / t).exists()}, "")
    _make_folders(root)
    key_file = root / DEMO_IDENTITY_FILE
    if key_file.is_file():
        identity = parse_identities(key_file.read_text(), str(key_file))[0]
    else:
        identity = x25519.Identity.generate()
        key_file.write_text(f"{DEMO_IDENTITY_HEADER}{identity}\n")
    if not (root / KEYS_DIR / "demo.age").is_file():
        init_keys(root, "demo", str(identity.to_public()))
    firm_vault = Workspace.at(root, IdentitySource([identity], str(key_file), True)).vault
    # The repository's demo has lecture articles of its own; a new folder gets synthetic ones,
    # so its knowledge base and lecture calendar are not empty.
    own_lectures = any((root / "records/lectures").glob("*.md"))
    size = demo.DEMO if own_lectures else dataclasses.replace(demo.DEMO, lectures=8)
    demo.generate(root, size, firm_vault, replace=True)
    return [f"已生成演示公司（数据全部虚构），用 {DEMO_IDENTITY_FILE} 解密。"]
