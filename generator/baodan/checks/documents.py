"""Attached documents: each record's policy and claim exist, and (with the record key) each
file opens, is the type, size and SHA-256 its record says, and stays under the size limit;
no document lies anywhere under records/ unencrypted."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from baodan.core.errors import Problem, RecordError, Source
from baodan.core.filetypes import NAMES, inspect, sniff
from baodan.core.layout import RECORDS
from baodan.models import Firm
from baodan.store.documents import content_files, content_path, read_content

if TYPE_CHECKING:
    from baodan.store.vault import Vault

# The site's own pictures live here (services/precommit.THEME_FOLDERS); a PDF never does.
PUBLIC_ASSETS = f"{RECORDS}/public/"
ATTACH_HINT = "删除这个明文文件；要保存的文档请用 baodan attach 登记号 文件 加密附加"


def check_document_refs(firm: Firm, today: date) -> list[RecordError]:
    """A document belongs to a policy of its own client, and to a claim on that policy."""
    errors = []
    for cf in firm.clients.values():
        policies = {p.registry_no for p in cf.policies}
        claims = {c.id: c.policy for c in cf.claims}
        for d in cf.documents:
            folder = d.path.rpartition("/documents/")[0]
            if f"{folder}/policies/{d.policy}.yaml.age" in firm.unreadable:
                continue  # the broken policy is reported once, by the loader
            if policies and d.policy not in policies:  # no policies: a build that read none
                errors.append(
                    RecordError(
                        Source(d.path),
                        "policy",
                        f"本客户没有保单“{d.policy}”",
                        "改成本客户的保单登记号，或用 baodan attach --remove 删去这份文档",
                    )
                )
            elif d.claim and claims and claims.get(d.claim) != d.policy:
                errors.append(
                    RecordError(
                        Source(d.path),
                        "claim",
                        f"理赔“{d.claim}”不是保单 {d.policy} 的理赔",
                        "改成这张保单的理赔编号，或删去 claim",
                    )
                )
    return errors


def document_file_problems(root: Path, vault: Vault, firm: Firm) -> list[RecordError]:
    """Every document file against its record (decrypting each, one at a time), files
    without a record, and plaintext documents outside the client folders (the loader
    reports those inside them)."""
    root = Path(root)
    errors = []
    recorded = set()
    for cf in firm.clients.values():
        for d in cf.documents:
            path = content_path(root / d.path)
            recorded.add(path)
            errors += _file_problems(root, vault, d, path)
    for path in content_files(root):
        rel = path.relative_to(root).as_posix()
        if path in recorded or rel.removesuffix(".age") + ".yaml.age" in firm.unreadable:
            continue  # an unreadable record is reported once, by the loader
        errors.append(
            RecordError(
                Source(rel),
                "",
                "这个文档文件没有对应的文档记录（.yaml.age）",
                "用 baodan attach 重新附加这份文档，再删除这个文件",
            )
        )
    return errors + plaintext_documents(root)


def _file_problems(root: Path, vault: Vault, d, path: Path) -> list[RecordError]:
    rel = path.relative_to(root).as_posix()

    def problem(field: str, message: str, hint: str) -> list[RecordError]:
        """About the file, or (with ``field``) about that field of the record."""
        return [RecordError(Source(d.path if field else rel), field, message, hint)]

    if not path.is_file():
        return problem(
            "",
            "文档记录在，文档文件不见了",
            f"从 git 恢复 {rel}，或用 baodan attach --remove {d.id} 删去记录",
        )
    try:
        data = read_content(vault, path)
    except ValueError as e:
        found = Problem.of(e)
        return problem("", found.message, found.hint)
    try:
        media_type, pages = inspect(data)
    except ValueError as e:
        found = Problem.of(e)
        return problem("", found.message, found.hint)
    if media_type != d.media_type:
        return problem(
            "media_type",
            f"记录说是 {NAMES[d.media_type]}，文件内容却是 {NAMES[media_type]}",
            f"用 baodan attach --remove {d.id} 删去后重新附加",
        )
    if len(data) != d.size or hashlib.sha256(data).hexdigest() != d.sha256:
        return problem(
            "sha256",
            "文档文件与记录的大小或 SHA-256 不一致：文件被换过或损坏",
            f"从 git 恢复 {rel}；确实要换文件请 baodan attach --remove {d.id} 后重新附加",
        )
    if pages != d.pages:
        return problem("pages", f"记录写 {d.pages} 页，文件有 {pages} 页", f"把 pages 改为 {pages}")
    return []


def plaintext_documents(root: Path) -> list[RecordError]:
    """PDF, JPEG and PNG files under records/ outside the client folders (pictures of the
    site itself in records/public/ excepted): a scanned policy left in the wrong folder."""
    errors = []
    base = root / RECORDS
    for folder, dirs, files in os.walk(base):
        rel_folder = Path(folder).relative_to(root).as_posix()
        if rel_folder == f"{RECORDS}/clients":
            dirs.clear()
            continue
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            rel = f"{rel_folder}/{name}"
            with open(os.path.join(folder, name), "rb") as f:
                kind = sniff(f.read(16))
            if kind and (kind == "application/pdf" or not rel.startswith(PUBLIC_ASSETS)):
                errors.append(
                    RecordError(
                        Source(rel), "", f"这是一份未加密的文档（{NAMES[kind]}）", ATTACH_HINT
                    )
                )
    return errors
