"""Edit an encrypted record in the user's editor without leaving plaintext behind.

As ``kubectl edit`` does: decrypt to a file in a private folder of this run, open
$VISUAL/$EDITOR (told to keep no copies: editors.py), validate on save, reopen with the
problems as comments at the top while invalid (the record's and the firm's: the write goes
through services/changes.py), re-encrypt only when changed, and remove the folder in every
case (Ctrl-C, `kill` and a closed terminal included). A new record given up on with problems
is kept as an encrypted draft (store/drafts.py) for the next `baodan new`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from baodan.core.childenv import child_env
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.privatefiles import private_folder
from baodan.core.yamlmerge import split_note
from baodan.services import editors
from baodan.services.changes import expected_name, validate_text
from baodan.services.merging import conflict_marks, mark_resolved
from baodan.store.workspace import Workspace

MARK = "# baodan:"


def strip_marks(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(MARK))


GAVE_UP = RecordError(
    Source(""),
    "",
    "没有保存，记录保持原样：下面的问题没有改好",
    "重新运行刚才的命令，按说明改好后再保存",
)


class GaveUp(BaodanError):
    """The editor was closed on the problems shown; ``text`` is what the person had typed."""

    def __init__(self, errors: list[RecordError], text: str):
        super().__init__(errors)
        self.text = text


def with_marks(text: str, errors: list[RecordError]) -> str:
    head = [f"{MARK} 这份记录还不能保存，请修改下面的问题后再保存；不改直接关闭则放弃本次修改。\n"]
    for e in errors:
        line = f"第 {e.source.line} 行 " if e.source.line else ""
        field = f"{e.field}：" if e.field else ""
        hint = f"（{e.hint}）" if e.hint else ""
        head.append(f"{MARK} {line}{field}{e.message}{hint}\n")
    return "".join(head) + strip_marks(text)


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
                raise GaveUp([GAVE_UP._replace(source=Source(rel)), *errors], text)
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
            "设置环境变量 EDITOR，例如 EDITOR=nano 或 EDITOR='code --wait'",
        ) from None
    except subprocess.CalledProcessError as e:
        raise BaodanError(f"编辑器异常退出（代码 {e.returncode}），记录未修改", "") from None


def edit_record(ws: Workspace, path: Path, initial: str | None = None, editor=None) -> bool:
    """Edit (or, with ``initial``, create) one record. True when something was saved. The
    record is checked as `baodan check` would, alone and in the firm (services/changes.py):
    a problem it brings reopens the editor with it. A record a merge left with a conflict
    note opens with the note as marks at the top; saving settles the conflict (in git too);
    closing it unchanged leaves it."""
    from baodan.services.changes import Changes, write_context

    rel = ws.rel(path)
    ws.refuse_unless_allowed()  # before anyone types a word the save would refuse
    note: list[dict] = []
    if initial is None:
        initial, note = split_note(ws.read(path))
        if note:
            initial = conflict_marks(note, MARK, _names(ws)) + initial
    checked = Changes(ws)

    def check(text: str) -> list[RecordError]:
        nonlocal checked
        checked = Changes(ws, checked.firm)  # the firm is loaded once, at the first save
        try:
            checked.put_text(path, text)
        except BaodanError as e:
            return e.errors
        return checked.problems()

    text = edit_loop(
        initial,
        rel,
        editor or run_editor,
        lambda: write_context(ws),
        check,
        resolving=bool(note),
    )
    if text is None:
        if note:
            raise BaodanError(
                f"{rel} 的合并冲突还没有解决（编辑器关闭时没有改动）",
                f"再运行 baodan edit {rel}，改好取值、删掉顶部的说明后保存",
            )
        return False
    checked.commit()
    if note:
        mark_resolved(ws.root, rel)
    return True


DRAFT_KEPT = RecordError(
    Source("<baodan>"),
    "",
    "刚才写的内容没有丢：已作为草稿加密保存在本机（.baodan/drafts/，不提交到 git）",
    "再运行同一条 baodan new 命令，回答“是”即可接着改",
)


def draft_key(rel: str) -> str:
    """One draft per kind of new record and client: ``client``, ``policies-c-1a2b3c4d`` …"""
    parts = rel.split("/")
    return "client" if parts[-1] == "client.yaml.age" else f"{parts[-2]}-{parts[-3]}"


def new_record(
    ws: Workspace, path: Path, template: str, resume: Callable[[str], bool], editor=None
) -> Path | None:
    """`baodan new`: create ``path`` from ``template`` in the editor; returns the file saved,
    or None. Closing the editor on problems keeps what was typed as a draft (store/drafts.py);
    the next `new` of the same kind (and client) asks ``resume(file)`` whether to go on with
    it, with its file and id, instead of a blank template with a new one."""
    from baodan.store.drafts import drop_draft, read_draft, save_draft

    draft = draft_key(ws.rel(path))
    kept = read_draft(ws, draft)
    if kept is not None and (ws.root / kept.rel).exists():
        drop_draft(ws, draft)  # its file was made since (the same id drawn again): stale
    elif kept is not None:
        if resume(kept.rel):
            path, template = ws.root / kept.rel, kept.text
        else:
            drop_draft(ws, draft)
    try:
        saved = edit_record(ws, path, initial=template, editor=editor)
    except GaveUp as e:
        save_draft(ws, draft, ws.rel(path), e.text)
        raise BaodanError([*e.errors, DRAFT_KEPT]) from None
    if saved:
        drop_draft(ws, draft)
        return path
    return None


def _names(ws: Workspace):
    from baodan.services.review import names_of  # the models: not before the editor opens

    return names_of(ws)
