"""What a merge leaves for a person to do, in Chinese: the conflict note of a record shown in
the editor, git's unmerged files explained (a record changed on one side and deleted on the
other never reaches the merge driver), and the whole-firm check after a merge."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ruamel.yaml.comments import CommentedMap

from baodan.core import yamlio
from baodan.core.errors import RecordError, Source
from baodan.core.layout import KEYS_DIR, RECORDS
from baodan.core.yamlmerge import WHOLE_RECORD
from baodan.store import gitrepo

if TYPE_CHECKING:
    from baodan.domain.labels import Names  # the models: not before `baodan edit` opens

SIDES = (("base", "原来（两边分开前）"), ("ours", "当前版本"), ("theirs", "合并进来的版本"))


def conflict_marks(entries: list[dict], mark: str, names: Names) -> str:
    """The conflict note as comment lines above the record in the editor (as kubectl edit
    shows errors): each field (in the firm's ``names``) with the values of both sides, and
    what to do."""
    lines = [
        "合并冲突：两边对下面的字段改得不一样，记录里暂用“当前版本”的取值。",
        "请把这些字段改成正确的值，删掉这几行说明后保存；不改直接关闭，冲突就还在。",
    ]
    for n, entry in enumerate(entries, 1):
        field = str(entry.get("field") or WHOLE_RECORD)
        lines += ["", f"{n}. {field}（{field_label(field, names)}）"]
        if entry.get("problem"):
            lines.append(f"   {entry['problem']}")
        for side, name in SIDES:
            if side in entry:
                lines += _value_lines(name, entry[side])
            elif side != "base" and not entry.get("problem"):
                lines.append(f"   {name}：（没有这一项：已删除）")
    return "".join(f"{mark} {line}".rstrip() + "\n" for line in lines)


def _value_lines(name: str, value) -> list[str]:
    if isinstance(value, (dict, list)):
        shown = yamlio.dump_roundtrip(_commented(value)).rstrip("\n").splitlines()
        return [f"   {name}："] + [f"       {line}" for line in shown]
    if isinstance(value, str) and "\n" in value:
        return [f"   {name}："] + [f"       {line}" for line in value.rstrip("\n").splitlines()]
    return [f"   {name}：{'（空）' if value is None else value}"]


def _commented(value):
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_commented(v) for v in value]
    return value


def field_label(field: str, names: Names) -> str:
    """family[1].mobile → 家庭成员 › 第 2 项 › 手机号"""
    if field == WHOLE_RECORD:
        return "两个版本无法逐字段合并"
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", field)
    return " › ".join(
        f"第 {int(p[1:-1]) + 1} 项" if p.startswith("[") else names.label(p) for p in parts
    )


def unmerged(root: Path) -> dict[str, set[int]]:
    """Files git still has as conflicted, relative to the firm folder, with their stages
    (1 the common version, 2 the current one, 3 the one merged in)."""
    if not gitrepo.is_repo(root):
        return {}
    prefix = gitrepo.git(root, "rev-parse", "--show-prefix").strip()
    found: dict[str, set[int]] = {}
    for entry in gitrepo.git(root, "ls-files", "-u", "-z", "--full-name").split("\0"):
        if "\t" not in entry:
            continue
        info, path = entry.split("\t", 1)
        if path.startswith(prefix):
            found.setdefault(path.removeprefix(prefix), set()).add(int(info.split()[2]))
    return found


def unmerged_problems(root: Path) -> list[RecordError]:
    """Each file git has not finished merging, what happened to it and what to do."""
    return [_unmerged(path, stages) for path, stages in sorted(unmerged(root).items())]


def _unmerged(path: str, stages: set[int]) -> RecordError:
    record = path.startswith(f"{RECORDS}/clients/") and path.endswith(".age")
    keep_or_drop = f"要保留它：git add {path}；要删除它：git rm {path}"
    if stages == {1, 2}:
        what, hint = "合并进来的一方删除了这份记录，当前版本却修改过它", keep_or_drop
    elif stages == {1, 3}:
        what, hint = "当前版本删除了这份记录，合并进来的一方却修改过它", keep_or_drop
    elif path.startswith(KEYS_DIR + "/"):
        what = "两边都改了成员密钥（都增减了成员或换了钥）"
        hint = "请管理成员的同事处理：选一边（git checkout --ours/--theirs 文件）后重新 baodan member remove"
    elif record:
        what = "git 仍把这份记录标为冲突"
        hint = f"运行 baodan edit {path}，选定取值后保存（会自动标为已解决）"
    else:
        what = "git 合并冲突：文件里有 <<<<<<< 和 >>>>>>> 标记"
        hint = f"用编辑器打开 {path}，保留正确的内容、删掉标记后，运行 git add {path}"
    return RecordError(Source(path), "", f"未解决的合并冲突：{what}", hint)


def mark_resolved(root: Path, rel: str) -> None:
    """After the person settled a record's merge conflict: stage it (git add), which is how
    git learns that the conflict is resolved, and what the commit that ends the merge needs."""
    if gitrepo.is_repo(root):
        gitrepo.git(root, "add", "--", rel)
