"""`baodan attach`: a policy's or claim's documents (PDF, JPEG, PNG), encrypted beside its
records; listing and removing them.

A document is two files in the client's documents/ folder (store/documents.py): the file as
it came, encrypted, and a small record of what it is (models/document.py). The type is read
from the content, never from the name; a name that says otherwise is refused, as is a file
over the size limit. Nothing is written until everything is checked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from baodan.core import yamlio
from baodan.core.errors import BaodanError, Problem, shown
from baodan.core.filetypes import MAX_BYTES, NAMES, SUFFIXES, inspect
from baodan.core.today import today
from baodan.models.document import Document
from baodan.models.ids import checked_id
from baodan.models.kinds import BY_NAME
from baodan.models.vocab import DOCUMENT_KINDS
from baodan.services.changes import create_record
from baodan.services.policyfile import policy_path
from baodan.store.documents import SLOT, content_path, read_content, record_path
from baodan.store.loader import load_client, read_firm
from baodan.store.workspace import Workspace, inside_clients


@dataclass
class Attached:
    document: Document
    path: str  # the record, relative to the firm root
    client_id: str


def attach(
    ws: Workspace,
    policy: str,
    file: Path,
    kind: str | None = None,
    claim: str | None = None,
    note: str | None = None,
) -> Attached:
    """Attach ``file`` to the policy with registry number ``policy`` (or to its claim)."""
    data = read_file(file)
    media_type, pages = _checked_content(file, data)
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise BaodanError(
            f"文档类别“{shown(kind)}”不在可选范围内", "可选：" + "、".join(DOCUMENT_KINDS)
        )
    ws.refuse_unless_allowed()
    path = policy_path(ws, policy)
    client_dir = path.parents[1]
    registry_no = path.name.removesuffix(".yaml.age")
    if claim is not None:
        _check_claim(ws, client_dir, registry_no, claim)
    document = Document(
        id=f"d-{secrets.token_hex(4)}",
        kind=kind or _default_kind(media_type, claim),
        policy=registry_no,
        claim=claim,
        media_type=media_type,
        pages=pages,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        added_on=today(),
        added_by=ws.vault.member,
        note=note,
    )
    target = record_path(client_dir, document.id)
    # The file first: a record without its file would fail `check`, a file without its
    # record is reported as left over; neither is ever published.
    content = content_path(target)
    ws.write_bytes(content, data)
    try:
        create_record(ws, target, document.model_dump(mode="json", exclude_none=True))
    except BaseException:
        content.unlink(missing_ok=True)
        raise
    return Attached(document, ws.rel(target), client_dir.name)


def read_file(file: Path) -> bytes:
    """The file staff gave, refused before it is read in full when it is too big."""
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise BaodanError(
                f"{file.name} 有 {size / 1024 / 1024:.1f} MB，超过上限 "
                f"{MAX_BYTES // 1024 // 1024} MB，没有附加",
                "扫描件请用较低分辨率（150–200 dpi）或黑白重新扫描；PDF 可先压缩再附加",
            )
        return file.read_bytes()
    except OSError as e:
        raise BaodanError(
            f"读不了文件 {file}（{e.strerror or type(e).__name__}）", "请检查文件路径"
        ) from None


def _checked_content(file: Path, data: bytes) -> tuple[str, int]:
    try:
        media_type, pages = inspect(data)
    except ValueError as e:
        problem = Problem.of(e)
        raise BaodanError(f"{file.name}：{problem.message}，没有附加", problem.hint) from None
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES[media_type]:
        raise BaodanError(
            f"{file.name} 的内容是 {NAMES[media_type]}，但文件名后缀是“{shown(suffix)}”，没有附加",
            "请确认选对了文件；确实是这个文件的话，把后缀改成 "
            + " 或 ".join(SUFFIXES[media_type])
            + " 再附加",
        )
    return media_type, pages


def _default_kind(media_type: str, claim: str | None) -> str:
    if claim is not None:
        return "理赔决定书"
    return "电子保单" if media_type == "application/pdf" else "保单扫描件"


def _check_claim(ws: Workspace, client_dir: Path, registry_no: str, claim: str) -> None:
    checked_id(claim, "理赔编号", BY_NAME["claim"].id_pattern)
    cf, errors = load_client(ws.root, ws.vault, client_dir.name, today())
    found = next((c for c in cf.claims if c.id == claim), None) if cf else None
    if found is None:
        raise BaodanError(
            errors or f"客户 {client_dir.name} 没有理赔 {claim}", "请核对理赔编号（baodan show）"
        )
    if found.policy != registry_no:
        raise BaodanError(
            f"理赔 {claim} 属于保单 {found.policy}，不是 {registry_no}",
            f"请写 baodan attach {found.policy} … --claim {claim}",
        )


def listing(ws: Workspace, target: str | None = None) -> list[Attached]:
    """The documents of one client, policy or claim (every document when no target)."""
    firm, errors = read_firm(ws.root, ws.vault, today(), slots=(SLOT,))
    if firm is None:
        raise BaodanError(errors)
    found = []
    for cid, cf in firm.clients.items():
        for d in cf.documents:
            if target in (None, cid, d.policy, d.claim, d.id):
                found.append(Attached(d, d.path, cid))
    return found


@dataclass
class Removed:
    document_id: str
    kind: str
    policy: str


def remove(ws: Workspace, document_id: str) -> Removed:
    """Delete a document: its file and its record (git history keeps the ciphertext). The
    record is read only to say what went: a broken one can be removed too."""
    checked_id(document_id, "文档编号", BY_NAME["document"].id_pattern)
    hits = sorted(ws.clients_dir.glob(f"*/{SLOT}/{document_id}.yaml.age"))
    if not hits:
        raise BaodanError(
            f"找不到文档 {document_id}", "用 baodan attach --list 查看文档编号（形如 d-1a2b3c4d）"
        )
    path = inside_clients(ws.root, hits[0], document_id)
    try:
        data = yamlio.load(ws.read(path))
    except yamlio.YamlError:
        data = None
    data = data if isinstance(data, dict) else {}
    ws.refuse_unless_allowed()
    content_path(path).unlink(missing_ok=True)
    path.unlink()
    return Removed(document_id, str(data.get("kind", "文档")), str(data.get("policy", "？")))


def original(ws: Workspace, attached: Attached) -> bytes:
    """A document's bytes as staff attached them."""
    return decrypted(ws, content_path(ws.root / attached.path))


def decrypted(ws: Workspace, path: Path) -> bytes:
    """The bytes of the document file at ``path`` (export, the staff's own copy)."""
    try:
        return read_content(ws.vault, path)
    except (OSError, ValueError) as e:
        problem = Problem.of(e)
        raise BaodanError(f"{ws.rel(path)}：{problem.message}", problem.hint) from None
