"""Create and change encrypted records from commands, without an editor.

The record is read with ruamel round-trip (comments and key order survive), changed in memory,
validated like `baodan edit` validates, and encrypted back atomically. Plaintext never touches
the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .editing import expected_name, validate_text
from .errors import BaodanError
from .vault import write_atomic
from .workspace import Workspace
from .yamlio import dump_roundtrip, load_roundtrip

T = TypeVar("T")


def _save(ws: Workspace, path: Path, text: str) -> None:
    rel = ws.rel(path)
    errors = validate_text(text, rel, expected_name(rel))
    if errors:
        raise BaodanError(errors)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, ws.vault.encrypt(text.encode("utf-8")))


def create_record(ws: Workspace, path: Path, data: dict) -> None:
    """Write a new record; refuses to overwrite one."""
    if path.exists():
        raise BaodanError(f"{ws.rel(path)} 已经存在", "换一个编号，或用 baodan edit 修改它")
    _save(ws, path, dump_roundtrip(data))


def update_record(ws: Workspace, path: Path, change: Callable[[dict], T]) -> T:
    """Apply ``change`` to a record's data and save it; returns what ``change`` returned."""
    try:
        text = ws.vault.decrypt(path.read_bytes()).decode("utf-8")
    except ValueError as e:
        message, _, hint = str(e).partition("|")
        raise BaodanError(f"{ws.rel(path)}：{message}", hint) from None
    data = load_roundtrip(text)
    result = change(data)
    _save(ws, path, dump_roundtrip(data))
    return result
