"""`baodan precommit`: refuse a commit that would put personal data in git unencrypted.

Looks only at what is staged (``git diff --cached``; contents as ``git show :path`` would
give them): a plaintext file among client records, a non-age file where ciphertext belongs,
an ID or mobile number in a plain record; then runs the full check on the staged records,
checked out (ciphertext and public files only) into a private temp folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from stdnum.cn import ric

from baodan.checks import load_firm
from baodan.checks.privacy import privacy_rules
from baodan.core.childenv import child_env
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.files import is_age
from baodan.core.layout import DEMO_IDENTITY_FILE, KEYS_DIR, RECORDS
from baodan.core.privatefiles import private_folder
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.store import gitrepo
from baodan.store.workspace import Workspace

CLIENTS = f"{RECORDS}/clients/"
PUBLIC_ASSETS = f"{RECORDS}/public/"
PUBLIC_CONTACT_FILES = (f"{RECORDS}/firm.yaml", f"{RECORDS}/staff/", f"{RECORDS}/insurers/")
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<![\d])1[3-9]\d{9}(?![\d])")
KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_]+)\s*:")


def _looks_like_id(text: str) -> bool:
    value = text.upper()
    try:
        return ric.calc_check_digit(value) == value[-1]
    except Exception:
        return False


def personal_numbers(path: str, text: str) -> list[RecordError]:
    """ID numbers (with a valid check digit) and mobile numbers in a plain record's text."""
    exempt = path == PUBLIC_CONTACT_FILES[0] or path.startswith(PUBLIC_CONTACT_FILES[1:])
    public_fields = set(privacy_rules(Rules()).public_phone_fields)  # the package's
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        key = KEY.match(line)
        if exempt and key and key[1] in public_fields:
            continue
        if any(_looks_like_id(m[0]) for m in ID_LIKE.finditer(line)):
            found.append(("身份证号", n))
        elif MOBILE_LIKE.search(line):
            found.append(("手机号", n))
    return [
        RecordError(
            Source(path, n),
            "",
            f"这一行像是{what}：个人信息不能以明文提交",
            "客户资料只能放在加密记录里（baodan new / baodan edit）；"
            "先 git restore --staged 该文件，删掉这一行后再提交",
        )
        for what, n in found
    ]


def scan_staged(path: str, data: bytes) -> list[RecordError]:
    """Problems with one staged file, from its path and staged contents alone."""
    name = Path(path).name
    if path.startswith(CLIENTS) and not name.endswith(".age") and name != ".gitkeep":
        return [
            RecordError(
                Source(path),
                "",
                "客户资料以明文暂存，不能提交",
                f"运行 git restore --staged {path}，再用 baodan encrypt {path} 加密",
            )
        ]
    if path.endswith(".age") and path.startswith((CLIENTS, KEYS_DIR + "/")) and not is_age(data):
        return [
            RecordError(
                Source(path),
                "",
                "这个位置只能放 age 加密文件，但暂存的内容不是",
                "用 baodan edit / baodan new 保存记录；"
                f"误改的文件可用 git checkout HEAD -- {path} 恢复",
            )
        ]
    if (
        path.startswith(f"{RECORDS}/")
        and not path.startswith((PUBLIC_ASSETS, CLIENTS))
        and path.endswith((".yaml", ".yml"))
    ):
        return personal_numbers(path, data.decode("utf-8", "replace"))
    return []


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
        _, errors = load_firm(firm_root, staged_vault, today(), repo=ws.root)
        return errors


def precommit(ws: Workspace) -> tuple[int, list[RecordError]]:
    """(number of staged files looked at, problems). No problems: the commit may go ahead."""
    prefix, paths = staged(ws.root)
    errors: list[RecordError] = []
    with gitrepo.Blobs(ws.root) as blobs:
        for path in paths:
            data = blobs.object(f":{prefix}{path}")
            if data is not None:
                errors += scan_staged(path, data)
    if any(p.startswith(f"{RECORDS}/") or p == DEMO_IDENTITY_FILE for p in paths):
        flagged = {e.source.file for e in errors}  # said once is enough
        errors += [e for e in check_index(ws, prefix) if e.source.file not in flagged]
    return len(paths), errors


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
