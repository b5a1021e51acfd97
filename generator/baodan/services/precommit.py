"""`baodan precommit`: refuse a commit that would put personal data in git unencrypted.

Looks at what is staged (``git diff --cached``; contents as ``git show :path`` would give
them), or with ``--all`` (for CI, since ``git commit --no-verify`` skips the hook) at every
file of the repository. Every file goes through FILE_CHECKS: a plaintext file among client
records, a non-age file where ciphertext belongs, a file that never belongs in git (a built
site, an export, an image or QR code, a binary file nobody can check), an ID or mobile number
in any text file. Then, for staged records, the full check on the staged records, checked out
(ciphertext and public files only) into a private temp folder.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from baodan.checks import load_firm
from baodan.checks.privacy import privacy_rules
from baodan.core import yamlio
from baodan.core.childenv import child_env
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.files import is_age
from baodan.core.filetypes import NAMES, PDF, sniff
from baodan.core.layout import DEMO_IDENTITY_FILE, KEYS_DIR, RECORDS
from baodan.core.personal_numbers import find_numbers, published_numbers
from baodan.core.privatefiles import private_folder
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.store import gitrepo
from baodan.store.workspace import Workspace

CLIENTS = f"{RECORDS}/clients/"
# Where the firm's public records name numbers published on purpose (firm.yaml's contact
# and public_numbers, staff work phones, insurers' hotlines): allowed in any file.
PUBLISHED_NUMBERS_IN = (f"{RECORDS}/firm.yaml", f"{RECORDS}/staff", f"{RECORDS}/insurers")
EXPLICIT_NUMBERS_FIELD = "public_numbers"
# The site's own pictures and fonts live here (the published docs folder and the firm's
# declared Material theme folder); images anywhere else are refused.
THEME_FOLDERS = (f"{RECORDS}/public/", "overrides/")
ASSET_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico",
    ".woff", ".woff2", ".ttf", ".otf",
}  # fmt: skip
IMAGE_SUFFIXES = ASSET_SUFFIXES - {".woff", ".woff2", ".ttf", ".otf"}
# What baodan writes that must never be committed: built sites (site/, site-staff/, the
# .site-building-*/ folders of an interrupted build) and exports, at the firm's top.
BUILT = re.compile(r"^\.?site(-[^/]*)?/")
EXPORTS = "export/"
QR_NAME = re.compile(r"(^|/)baodan-portal-[^/]*$|二维码")
# A wheel of baodan itself, for CI to install from the repository (`baodan ci --package`).
BAODAN_WHEEL = re.compile(r"(^|/)baodan-[^/]+\.whl$")


@dataclass(frozen=True)
class ScanContext:
    """What a file check may use besides the file itself."""

    allowed_numbers: frozenset[str] = frozenset()


FileCheck = Callable[[str, bytes, ScanContext], list[RecordError]]


def _refuse(path: str, message: str, hint: str) -> list[RecordError]:
    return [RecordError(Source(path), "", message, hint)]


def plaintext_document(path: str, data: bytes, ctx: ScanContext) -> list[RecordError]:
    """A PDF, JPEG or PNG by its content (whatever its name) under records/: a policy scan
    belongs in git only encrypted (`baodan attach`); the site's own pictures excepted."""
    kind = sniff(data[:16])
    if not path.startswith(f"{RECORDS}/") or kind is None:
        return []
    if kind != PDF and path.startswith(THEME_FOLDERS):
        return []
    return _refuse(
        path,
        f"这是一份未加密的文档（{NAMES[kind]}），不能提交",
        f"运行 git rm --cached {path}，删除这个明文文件；"
        "要保存的文档请用 baodan attach 登记号 文件 加密附加",
    )


def plaintext_among_clients(path: str, data: bytes, ctx: ScanContext) -> list[RecordError]:
    name = PurePosixPath(path).name
    if path.startswith(CLIENTS) and not name.endswith(".age") and name != ".gitkeep":
        return _refuse(
            path,
            "客户资料以明文暂存，不能提交",
            f"运行 git restore --staged {path}，再用 baodan encrypt {path} 加密",
        )
    return []


def not_age_in_sealed_slot(path: str, data: bytes, ctx: ScanContext) -> list[RecordError]:
    if path.endswith(".age") and path.startswith((CLIENTS, KEYS_DIR + "/")) and not is_age(data):
        return _refuse(
            path,
            "这个位置只能放 age 加密文件，但暂存的内容不是",
            "用 baodan edit / baodan new 保存记录；"
            f"误改的文件可用 git checkout HEAD -- {path} 恢复",
        )
    return []


def never_committed(path: str, data: bytes, ctx: ScanContext) -> list[RecordError]:
    """Built sites, exports, QR codes, images outside the theme folders, binary files."""
    undo = f"运行 git rm --cached {path}（文件留在本机），确认 .gitignore 忽略了它"
    suffix = PurePosixPath(path).suffix.lower()
    if BUILT.match(path):
        return _refuse(path, "生成的网站不能提交：员工站是明文，公开站由 CI 生成", undo)
    if path.startswith(EXPORTS):
        return _refuse(path, "导出的客户资料（明文）不能提交", undo + "；交给客户后请删除")
    if QR_NAME.search(path):
        return _refuse(path, "二维码不能提交：客户页面和订阅的二维码里带着访问密钥", undo)
    if path.endswith(".age") and is_age(data):
        return []
    if suffix in IMAGE_SUFFIXES and not path.startswith(THEME_FOLDERS):
        return _refuse(
            path,
            "图片不能放在这里：截图、扫描件和二维码常带个人信息",
            f"网站用的图片放到 {'、'.join(THEME_FOLDERS)}；其他图片不要提交。" + undo,
        )
    if _text(data) is None and not (
        (path.startswith(THEME_FOLDERS) and suffix in ASSET_SUFFIXES) or BAODAN_WHEEL.search(path)
    ):
        return _refuse(
            path,
            "二进制文件（表格、文档、压缩包等）不能提交：其中的个人信息无法检查",
            "客户资料请录入加密记录（baodan new / baodan intake）。文本文件请存为 UTF-8。" + undo,
        )
    return []


def numbers_in_text(path: str, data: bytes, ctx: ScanContext) -> list[RecordError]:
    text = _text(data)
    if text is None or (path.endswith(".age") and is_age(data)):
        return []
    return personal_numbers(path, text, ctx.allowed_numbers)


# Each file goes through these in turn, and the first that refuses it speaks for it.
# A new rule about files is a function of this shape, added here.
FILE_CHECKS: list[FileCheck] = [
    plaintext_document,
    plaintext_among_clients,
    not_age_in_sealed_slot,
    never_committed,
    numbers_in_text,
]


def scan_file(path: str, data: bytes, ctx: ScanContext) -> list[RecordError]:
    """Problems with one file, from its path and contents alone."""
    for check in FILE_CHECKS:
        found = check(path, data, ctx)
        if found:
            return found
    return []


def _text(data: bytes) -> str | None:
    """The file as text, or None for a binary file (a NUL byte, or not UTF-8)."""
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def personal_numbers(
    path: str, text: str, allowed: frozenset[str] = frozenset()
) -> list[RecordError]:
    """ID numbers (with a valid check digit) and mobile numbers in a plain file's text."""
    return [
        RecordError(
            Source(path, found.line),
            "",
            f"这一行像是{found.kind}：个人信息不能以明文提交",
            "客户资料只能放在加密记录里（baodan new / baodan edit）；"
            "先 git restore --staged 该文件，删掉这一行后再提交。"
            f"公司公开的号码可写进 records/firm.yaml 的 {EXPLICIT_NUMBERS_FIELD}",
        )
        for found in find_numbers(text, allowed)
    ]


def allowed_numbers(texts: list[bytes]) -> frozenset[str]:
    """The numbers the firm publishes, from the texts of its public records (firm.yaml, staff,
    insurers): their phone fields (data/privacy.yaml) and firm.yaml's public_numbers."""
    documents = []
    for text in texts:
        try:
            documents.append(yamlio.load(text))
        except Exception:  # a broken record is `baodan check`'s to report, not this scan's
            continue
    fields = [*privacy_rules(Rules()).public_phone_fields, EXPLICIT_NUMBERS_FIELD]
    return frozenset(published_numbers(documents, fields))


def staged(root: Path) -> tuple[str, list[str]]:
    """The firm folder's prefix within the repository, and staged paths relative to the firm."""
    prefix = gitrepo.git(root, "rev-parse", "--show-prefix").strip()
    out = gitrepo.git(root, "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z")
    paths = [p.removeprefix(prefix) for p in out.split("\0") if p.startswith(prefix) and p]
    return prefix, paths


def check_index(ws: Workspace, prefix: str) -> list[RecordError]:
    """`baodan check` on the staged records: the index's records/ in a private temp folder."""
    with private_folder("precommit") as tmp:
        top = gitrepo.git(ws.root, "rev-parse", "--show-toplevel").strip()
        # The demo identity too: a real firm that commits it is refused (store/keyguard.py).
        listing = gitrepo.git(
            ws.root, "ls-files", "-z", "--full-name", "--", RECORDS, DEMO_IDENTITY_FILE
        )
        subprocess.run(
            ["git", "-C", top, "checkout-index", "-z", "--stdin", f"--prefix={tmp}/"],
            input=listing.encode("utf-8"),
            check=True,
            capture_output=True,
            env=child_env(),
        )
        firm_root = tmp / prefix
        if not (firm_root / RECORDS / "firm.yaml").is_file():
            return [RecordError(Source(f"{RECORDS}/firm.yaml"), "", "暂存区里没有公司设置文件", "")]
        staged_vault = Workspace.at(firm_root, ws.identity).vault
        _, errors = load_firm(firm_root, staged_vault, today(), repo=ws.root, documents=True)
        return errors


def tracked(root: Path) -> tuple[str, list[str]]:
    """The firm folder's prefix within the repository, and every file in the index."""
    prefix = gitrepo.git(root, "rev-parse", "--show-prefix").strip()
    out = gitrepo.git(root, "ls-files", "-z", "--full-name")
    paths = [p.removeprefix(prefix) for p in out.split("\0") if p.startswith(prefix) and p]
    return prefix, paths


def scan_files(root: Path, prefix: str, paths: list[str]) -> list[RecordError]:
    """FILE_CHECKS over files as they are in the index (staged, or committed when clean)."""
    _, everything = tracked(root)
    published = [p for p in everything if p.startswith(PUBLISHED_NUMBERS_IN)]
    with gitrepo.Blobs(root) as blobs:
        texts = [t for t in blobs.read_many("", [prefix + p for p in published]) if t]
        ctx = ScanContext(allowed_numbers(texts))
        contents = blobs.read_many("", [prefix + p for p in paths])
    errors: list[RecordError] = []
    for path, data in zip(paths, contents):
        if data is not None:
            errors += scan_file(path, data, ctx)
    return errors


def precommit(ws: Workspace) -> tuple[int, list[RecordError]]:
    """(number of staged files looked at, problems). No problems: the commit may go ahead."""
    prefix, paths = staged(ws.root)
    errors = scan_files(ws.root, prefix, paths)
    if any(p.startswith(f"{RECORDS}/") or p == DEMO_IDENTITY_FILE for p in paths):
        flagged = {e.source.file for e in errors}  # said once is enough
        errors += [e for e in check_index(ws, prefix) if e.source.file not in flagged]
    return len(paths), errors


def scan_repository(root: Path) -> tuple[int, list[RecordError]]:
    """(number of files, problems) for every file of the repository, as CI checks it: the
    same rules as the hook, which `git commit --no-verify` skips. Nothing is decrypted."""
    prefix, paths = tracked(root)
    return len(paths), scan_files(root, prefix, paths)


HOOK = """#!/bin/sh
# Installed by `baodan precommit --install`: refuse plaintext client data and failing records.
exec baodan precommit
"""


def install_hook(root: Path) -> Path:
    """A plain git pre-commit hook, for firms that do not use the pre-commit framework."""
    hooks = Path(gitrepo.git(root, "rev-parse", "--git-path", "hooks").strip())
    hook = (root / hooks if not hooks.is_absolute() else hooks) / "pre-commit"
    if hook.exists() and "baodan precommit" not in hook.read_text("utf-8", "replace"):
        raise BaodanError(
            f"{hook} 已存在（别的钩子）", "请在其中加一行 baodan precommit，或改用 pre-commit 框架"
        )
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(HOOK, "utf-8")
    hook.chmod(0o755)
    return hook
