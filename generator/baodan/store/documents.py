"""Attached documents' files: records/clients/<id>/documents/<document-id>.age, each a binary
age file to the record key, beside its record <document-id>.yaml.age (models/document.py).

The loader reads only the records; a document's bytes are decrypted when a command or a
build needs them (check, the portal, export), one at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from baodan.core.errors import BaodanError, Problem
from baodan.core.filetypes import MAX_BYTES
from baodan.core.layout import RECORDS
from baodan.store.vault import Vault

SLOT = "documents"
RECORD_SUFFIX = ".yaml.age"
CONTENT_SUFFIX = ".age"
_CONTENT_NAME = re.compile(r"^d-[0-9a-f]{8}\.age$")
# age adds its header and 16 bytes a 64 KiB chunk: a document at the limit still opens.
MAX_CONTENT_CIPHERTEXT = MAX_BYTES + MAX_BYTES // 1024 + 4096


def is_content_name(name: str) -> bool:
    """A document's file (not its record) by name."""
    return bool(_CONTENT_NAME.fullmatch(name))


def content_path(record_path: Path) -> Path:
    """The file beside a document's record."""
    return record_path.with_name(record_path.name.removesuffix(RECORD_SUFFIX) + CONTENT_SUFFIX)


def record_path(client_dir: Path, document_id: str) -> Path:
    return client_dir / SLOT / f"{document_id}{RECORD_SUFFIX}"


def content_files(root: Path, client_id: str = "*") -> list[Path]:
    """Every document file of the firm, or of one client (not their records)."""
    base = Path(root) / RECORDS / "clients"
    found = base.glob(f"{client_id}/{SLOT}/*{CONTENT_SUFFIX}")
    return sorted(p for p in found if is_content_name(p.name))


def read_content(vault: Vault, path: Path) -> bytes:
    """A document's bytes; a Problem (a ValueError) when the file cannot be decrypted."""
    return vault.decrypt(path.read_bytes(), MAX_CONTENT_CIPHERTEXT)


@dataclass(frozen=True)
class DocumentReader:
    """What a build reads documents' bytes with (the portal publishes them re-encrypted)."""

    root: Path
    vault: Vault = field(repr=False)

    def content(self, record_rel: str) -> bytes:
        """The bytes of the document whose record is ``record_rel``; BaodanError when its
        file is missing or does not open (`baodan check` says the same in detail)."""
        path = content_path(self.root / record_rel)
        try:
            return read_content(self.vault, path)
        except (OSError, ValueError) as e:
            problem = Problem.of(e)
            rel = path.relative_to(self.root).as_posix()
            raise BaodanError(
                f"{rel}：{problem.message or '读不了这个文件'}",
                problem.hint or "运行 baodan check 查看",
            ) from None
