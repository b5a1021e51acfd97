"""Edit an encrypted record in the user's editor without leaving plaintext behind.

As ``kubectl edit`` does: decrypt to a file in a private folder of this run, open
$VISUAL/$EDITOR (told to keep no copies: editors.py), validate on save, reopen with the
problems as comments at the top while invalid, re-encrypt only when changed, and remove the
folder in every case (Ctrl-C, `kill` and a closed terminal included).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from baodan.core import yamlio
from baodan.core.childenv import child_env
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.privatefiles import private_folder
from baodan.core.today import today
from baodan.core.yamlmerge import split_note
from baodan.models.kinds import CLIENT_SLOTS
from baodan.services import editors
from baodan.services.merging import conflict_marks, mark_resolved
from baodan.store.workspace import Workspace, model_for

MARK = "# baodan:"
T = TypeVar("T")


def strip_marks(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(MARK))


GAVE_UP = RecordError(
    Source(""),
    "",
    "没有保存，记录保持原样：下面的问题没有改好",
    "重新运行刚才的命令，按说明改好后再保存",
)


def with_marks(text: str, errors: list[RecordError]) -> str:
    head = [f"{MARK} 这份记录还不能保存，请修改下面的问题后再保存；不改直接关闭则放弃本次修改。\n"]
    for e in errors:
        line = f"第 {e.source.line} 行 " if e.source.line else ""
        field = f"{e.field}：" if e.field else ""
        hint = f"（{e.hint}）" if e.hint else ""
        head.append(f"{MARK} {line}{field}{e.message}{hint}\n")
    return "".join(head) + strip_marks(text)


def write_context(ws: Workspace) -> dict:
    """What a record this command writes in ``ws`` is validated with (models/context.py):
    today's date and the firm's taxonomy."""
    from baodan.core.rules import Rules
    from baodan.models.context import firm_context

    return firm_context(today(), Rules(ws.root))


def validate_text(
    text: str, rel: str, context: dict, expected_name: str | None = None
) -> list[RecordError]:
    # Validation imports the models: after the editor has opened, not before (start-up time).
    from baodan.core.parse import parse_record
    from baodan.models.kinds import BY_MODEL

    model = model_for(rel)
    record, errors = parse_record(model, text, rel, context)
    kind = BY_MODEL[model]
    if (
        record is not None
        and expected_name is not None
        and kind.file_name_problem(record, expected_name)
    ):
        errors.append(
            RecordError(
                Source(rel, 1),
                kind.id_field,
                f"{kind.id_field} 必须是“{expected_name}”（与文件名一致）",
                "不要改这个字段",
            )
        )
    return errors


def expected_name(rel: str) -> str | None:
    parts = rel.split("/")
    if parts[-1] == "client.yaml.age":
        return parts[-2]
    if len(parts) >= 2 and parts[-2] in CLIENT_SLOTS and CLIENT_SLOTS[parts[-2]].id_field:
        return parts[-1].removesuffix(".yaml.age")
    return None


def reference_problems(ws: Workspace, rel: str, text: str) -> list[RecordError]:
    """Staff and insurers the record names that the firm does not have (`baodan check` finds
    them too, but only later). Only this record and the public records are read."""
    from dataclasses import replace

    from baodan.checks import load_firm
    from baodan.checks.integrity import check_insurer_refs, check_staff_refs
    from baodan.core.parse import parse_record
    from baodan.models import Client, ClientFile

    context = write_context(ws)
    record, errors = parse_record(model_for(rel), text, rel, context)
    public, public_errors = load_firm(ws.root, None, context["today"])
    if record is None or errors or public is None:
        return []  # the record's own problems come first; a broken staff file is check's
    if isinstance(record, Client):
        folder = ClientFile(client=record)
    else:
        client_rel = rel.rsplit("/", 2)[0] + "/client.yaml.age"
        try:
            client, _ = parse_record(Client, ws.read(ws.root / client_rel), client_rel, context)
        except BaodanError:
            return []
        if client is None:
            return []
        folder = ClientFile(client=client, **{rel.split("/")[-2]: [record]})
    probe = replace(public, clients={folder.client.id: folder})
    return [
        e._replace(source=Source(rel, yamlio.line_of(text, tuple(e.field.split(".")))))
        for check in (check_staff_refs, check_insurer_refs)
        for e in check(probe, context["today"])
        if e.source.file == rel
    ]


def edit_loop(
    initial: str,
    rel: str,
    run_editor,
    context: Callable[[], dict],
    check=None,
    resolving: bool = False,
) -> str | None:
    """Let the user edit until the text is valid (``context()``: validate_text's, made once
    there is something to validate). Returns the new text, or None if unchanged;
    closing the editor on the problems shown (giving up) raises them, so the terminal says
    what was wrong after the editor is gone. The text is in a private folder of this run,
    removed with whatever the editor left beside it, also on a closed terminal or `kill`.
    ``resolving``: ``initial`` is a record with a merge conflict shown as marks, and any
    change the user saves (deleting the marks is one) settles it, so the text is returned
    even when the record itself is unchanged."""
    with private_folder("edit") as folder:
        fd, tmp = tempfile.mkstemp(prefix="record-", suffix=".yaml", dir=folder)
        os.close(fd)
        path = Path(tmp)
        shown, errors = initial, []
        while True:
            path.write_text(shown, encoding="utf-8")
            run_editor(path)
            saved = path.read_text(encoding="utf-8")
            text = strip_marks(saved)
            if saved == shown and errors:  # closed on the problems: gave up
                raise BaodanError([GAVE_UP._replace(source=Source(rel)), *errors])
            if saved == shown:
                return None  # closed without changes
            errors = validate_text(text, rel, context(), expected_name(rel))
            if not errors and check is not None:
                errors = check(text)
            if not errors:
                return None if text == strip_marks(initial) and not resolving else text
            shown = with_marks(text, errors)


def run_editor(path: Path) -> None:
    """The user's editor on ``path``, with no copy kept (editors.py) and no secret passed on;
    its own temp files go in the same private folder."""
    cmd = editors.editor().command + [str(path)]
    try:
        subprocess.run(cmd, check=True, env=child_env(TMPDIR=str(path.parent)))
    except FileNotFoundError:
        raise BaodanError(
            f"找不到编辑器“{cmd[0]}”",
            editors.HOW_TO_SET,
        ) from None
    except subprocess.CalledProcessError as e:
        raise BaodanError(f"编辑器异常退出（代码 {e.returncode}），记录未修改", "") from None


def edit_record(ws: Workspace, path: Path, initial: str | None = None, editor=None) -> bool:
    """Edit (or, with ``initial``, create) one record. True when something was saved. A
    record a merge left with a conflict note opens with the note as marks at the top;
    saving settles the conflict (in git too); closing it unchanged leaves it."""
    rel = ws.rel(path)
    ws.refuse_unless_allowed()  # before anyone types a word the save would refuse
    note: list[dict] = []
    if initial is None:
        initial, note = split_note(ws.read(path))
        if note:
            initial = conflict_marks(note, MARK, _names(ws)) + initial
    text = edit_loop(
        initial,
        rel,
        editor or run_editor,
        lambda: write_context(ws),
        lambda text: reference_problems(ws, rel, text),
        resolving=bool(note),
    )
    if text is None:
        if note:
            raise BaodanError(
                f"{rel} 的合并冲突还没有解决（编辑器关闭时没有改动）",
                f"再运行 baodan edit {rel}，改好取值、删掉顶部的说明后保存",
            )
        return False
    ws.write(path, text)
    if note:
        mark_resolved(ws.root, rel)
    return True


def _names(ws: Workspace):
    from baodan.services.review import names_of  # the models: not before the editor opens

    return names_of(ws)


def update_record(ws: Workspace, path: Path, change: Callable[[Any], T]) -> T:
    """Change an encrypted record from code, as a person would in the editor: ``change``
    edits the ruamel round-trip data in place, so comments, key order and quoting stay; the
    result is validated before it is encrypted and written. Returns what ``change`` returned."""
    original = ws.read(path)
    data = yamlio.load_roundtrip(original, ws.rel(path))
    result = change(data)
    _save(ws, path, yamlio.dump_roundtrip(data, like=original))
    return result


def create_record(ws: Workspace, path: Path, data: dict) -> None:
    """Write a new record from code (validated, encrypted); refuses to overwrite one."""
    if path.exists():
        raise BaodanError(f"{ws.rel(path)} 已经存在", "换一个编号，或用 baodan edit 修改它")
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(ws, path, yamlio.dump_roundtrip(data))


def _save(ws: Workspace, path: Path, text: str) -> None:
    rel = ws.rel(path)
    errors = validate_text(text, rel, write_context(ws), expected_name(rel))
    if errors:
        raise BaodanError(errors)
    ws.write(path, text)
