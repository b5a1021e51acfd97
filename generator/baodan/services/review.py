"""Records through git history, decrypted in memory, for review: `baodan diff` and `baodan log`.

Old versions are read with ``git cat-file`` and decrypted with every record key the user's
identity ever opened (records/.keys/ at any commit), so a diff across a key rotation still
reads both sides. Nothing is written to disk.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from baodan.core import yamlio
from baodan.core.errors import BaodanError
from baodan.core.layout import KEYS_DIR
from baodan.core.rules import Rules
from baodan.domain.fielddiff import Change, describe, describe_public, diff
from baodan.domain.labels import Names, record_title
from baodan.models.ids import ANY_RECORD, checked_id
from baodan.models.kinds import CLIENT_SLOTS
from baodan.store import gitrepo
from baodan.store.keyhistory import keyring, membership_at, open_blob
from baodan.store.loader import split_front_matter
from baodan.store.members import MEMBERS_PATH, fingerprint, parse_members
from baodan.store.workspace import Workspace

# What a new or deleted record is summed up by, for a reviewer.
SUMMARY_FIELDS = (
    "name",
    "kind",
    "category",
    "subcategory",
    "insurer",
    "product",
    "type",
    "policy",
    "date",
    "effective",
    "terminates",
    "title",
    "summary",
)


@dataclass
class Version:
    """One side of a record: its decrypted bytes (parsed on demand), or why there are none."""

    path: str = ""
    plain: bytes | None = None
    exists: bool = False
    problem: str = ""

    @cached_property
    def data(self):
        """The parsed record; None (with ``problem`` set) when it does not parse."""
        if self.plain is None or not self.path.endswith((".yaml", ".age", ".yml", ".md")):
            return None
        try:
            text = self.plain.decode("utf-8")
            if self.path.endswith(".md"):
                head, body = split_front_matter(text) or ("", text)
                return {**(yamlio.load(head) or {}), "body": body}
            return yamlio.load(text)
        except (UnicodeDecodeError, yamlio.YamlError, TypeError) as e:
            self.problem = f"无法解析（{e}）"
            return None

    @property
    def readable(self) -> bool:
        """Decrypted and (when there is one) parsed; parsing on first use sets ``problem``."""
        return self.data is not None or not self.problem


def read_versions(
    blobs: gitrepo.Blobs, keys: list, rev: str | None, paths: list[str]
) -> list[Version]:
    """Many files at one revision: read in one batch, decrypted in one batch."""
    raws = blobs.read_many(rev, paths)
    sealed = [
        i for i, (p, raw) in enumerate(zip(paths, raws)) if raw is not None and p.endswith(".age")
    ]
    opened = {i: open_blob(raws[i], keys) for i in sealed}
    versions = []
    for i, (path, raw) in enumerate(zip(paths, raws)):
        plain = opened.get(i, raw)
        if raw is None:
            versions.append(Version(path))
        elif isinstance(plain, str):  # why it could not be decrypted
            versions.append(Version(path, exists=True, problem=plain))
        else:
            versions.append(Version(path, plain, True))
    return versions


def read_version(blobs: gitrepo.Blobs, keys: list, rev: str | None, path: str) -> Version:
    return read_versions(blobs, keys, rev, [path])[0]


@dataclass
class RecordChange:
    """What a change does to one record file."""

    path: str
    status: str  # 新建 / 修改 / 删除 / 仅重新加密 / 无法读取
    changes: list[Change] = field(default_factory=list)
    old: Version = field(default_factory=Version)
    new: Version = field(default_factory=Version)

    @property
    def title(self) -> str:
        return record_title(self.path)


def compare(path: str, old: Version, new: Version) -> RecordChange:
    if old.problem or new.problem:
        return RecordChange(path, "无法读取", old=old, new=new)
    if old.exists and new.exists and old.plain == new.plain:
        return RecordChange(path, "仅重新加密", old=old, new=new)
    if not (old.readable and new.readable):
        return RecordChange(path, "无法读取", old=old, new=new)
    if not old.exists:
        return RecordChange(path, "新建", old=old, new=new)
    if not new.exists:
        return RecordChange(path, "删除", old=old, new=new)
    changes = diff(old.data, new.data)
    return RecordChange(path, "修改" if changes else "仅格式变动", changes, old, new)


def diff_range(ws: Workspace, spec: str | None) -> tuple[gitrepo.Range, list[RecordChange]]:
    """Every record a revision range changes, compared field by field."""
    rng = gitrepo.parse_range(ws.root, spec)
    paths = sorted(
        (p for p in gitrepo.changed_files(ws.root, rng) if not p.startswith(KEYS_DIR + "/")),
        key=_reading_order,
    )
    with gitrepo.Blobs(ws.root) as blobs:
        keys = keyring(ws, blobs)
        olds = read_versions(blobs, keys, rng.old, paths)
        news = read_versions(blobs, keys, rng.new, paths)
        result = [compare(p, o, n) for p, o, n in zip(paths, olds, news)]
    return rng, result


def _reading_order(path: str) -> tuple:
    """Client by client, each client's own record before the records under it."""
    parts = path.split("/")
    if parts[:2] == ["records", "clients"] and len(parts) > 3:
        return (0, parts[2], parts[3] != "client.yaml.age", path)
    return (1, "", False, path)


def key_changes(ws: Workspace, rng: gitrepo.Range) -> list[str]:
    """Changes to records/.keys/ a reviewer must see: member key files added, removed or
    rewritten (a rotation rewrites them all), public keys added to or taken from the member
    list, and, when anything there changed, what the membership check finds afterwards
    (a key no member added, a key file to more people than the list says)."""
    paths = gitrepo.changed_files(ws.root, rng, KEYS_DIR)
    if not paths:
        return []
    found = []
    with gitrepo.Blobs(ws.root) as blobs:
        for path in paths:
            if not path.endswith(".age"):
                continue
            before = blobs.read(rng.old, path) is not None
            after = blobs.read(rng.new, path) is not None
            verb = "更新" if before and after else "新增" if after else "移除"
            found.append(f"{verb} {Path(path).stem}")
        found += _member_list_changes(blobs, rng)
        found += [f"⚠ {e.message}" for e in membership_at(ws, blobs, rng.new)]
    return found


def _member_list_changes(blobs: gitrepo.Blobs, rng: gitrepo.Range) -> list[str]:
    """Each member whose public keys the range changes, with the keys' fingerprints."""
    try:
        old, new = (
            parse_members(text) if (text := blobs.read(rev, MEMBERS_PATH)) else {}
            for rev in (rng.old, rng.new)
        )
    except BaodanError:
        return []  # membership_at reports the file
    lines = []
    for name in sorted(old.keys() | new.keys()):
        before = set(old[name].keys) if name in old else set()
        after = set(new[name].keys) if name in new else set()
        if name in old and name in new and before == after:
            continue
        added = "、".join(fingerprint(k) for k in sorted(after - before))
        taken = "、".join(fingerprint(k) for k in sorted(before - after))
        change = "；".join(
            part
            for part in (f"加入公钥 {added}" if added else "", f"去掉公钥 {taken}" if taken else "")
            if part
        )
        lines.append(f"成员名单 {name}：{change}")
    return lines


# Files that are not records but decide what a build runs and publishes, what CI does with
# its secret, and who can decrypt: `baodan diff --public` puts a line for each at the top.
WATCHED = (
    (re.compile(r"^mkdocs[^/]*\.ya?ml$"), "网站配置改动"),
    (re.compile(r"^overrides/"), "网站模板改动"),
    (re.compile(r"^\.github/workflows/|^\.gitlab-ci\.yml$"), "CI 配置改动"),
    (re.compile(r"^\.pre-commit-(config|hooks)\.yaml$|^\.gitignore$"), "提交检查配置改动"),
    (re.compile(rf"^{re.escape(KEYS_DIR)}/"), "密钥文件改动"),
)


def watched_changes(ws: Workspace, rng: gitrepo.Range) -> list[str]:
    """A line for each changed file of WATCHED (paths in the firm folder, or at the top of
    the repository for CI files)."""
    prefix = gitrepo.git(ws.root, "rev-parse", "--show-prefix").strip()
    found = []
    for path in gitrepo.changed_files(ws.root, rng, ":/"):
        rel = path.removeprefix(prefix)
        what = next((what for pattern, what in WATCHED if pattern.search(rel)), None)
        if what:
            found.append(f"⚠ {what}：{rel}")
    return found


def names_of(ws: Workspace) -> Names:
    """The names the firm in ``ws`` gives fields and values (its rules)."""
    return Names.of(Rules(ws.root))


def _summary(version: Version, names: Names, *, full: bool) -> str:
    data = version.data if isinstance(version.data, dict) else {}
    return "；".join(
        f"{names.label(k)} {names.show((k,), data[k], full=full)}"
        for k in SUMMARY_FIELDS
        if k in data
    )


def review_lines(rc: RecordChange, names: Names, *, full: bool = False) -> list[str]:
    """The reviewer's view of one record, in the firm's ``names``: values shown, ID and mobile
    numbers masked."""
    if rc.status == "无法读取":
        return [f"无法读取：{rc.old.problem or rc.new.problem}"]
    if rc.status in ("新建", "删除"):
        side = rc.new if rc.status == "新建" else rc.old
        detail = _summary(side, names, full=full)
        return [f"{rc.status}" + (f"：{detail}" if detail else "")]
    if rc.status in ("仅重新加密", "仅格式变动"):
        return [f"{rc.status}（内容不变）"]
    return [_truncate(line) for line in describe(rc.changes, names, full=full)]


def _truncate(line: str, limit: int = 160) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"


def render_review(
    rng: gitrepo.Range, changes: list[RecordChange], names: Names, *, full: bool = False
) -> str:
    if not changes:
        return f"{rng.label}：记录没有改动。"
    out = [f"{rng.label}：{_counts(changes)}", ""]
    for rc in changes:
        if rc.status == "仅重新加密":
            continue
        out.append(_heading(rc))
        out += [f"  {line}" for line in review_lines(rc, names, full=full)]
    return "\n".join(out)


def _heading(rc: RecordChange) -> str:
    name = ""
    for side in (rc.new, rc.old):
        if rc.path.endswith("client.yaml.age") and isinstance(side.data, dict):
            name = str(side.data.get("name") or "")
            break
    return rc.title + (f"：{name}" if name else "")


def _counts(changes: list[RecordChange]) -> str:
    counts: dict[str, int] = {}
    for rc in changes:
        counts[rc.status] = counts.get(rc.status, 0) + 1
    return f"共 {len(changes)} 份记录（" + "，".join(f"{k} {v}" for k, v in counts.items()) + "）"


def render_public(
    rng: gitrepo.Range,
    changes: list[RecordChange],
    keys: list[str],
    names: Names,
    watched: Sequence[str] = (),
) -> str:
    """Markdown for a pull request: record ids, field names and counts, never a value; first
    the changed files that are not records but need a careful look (WATCHED)."""
    out = ["## baodan：本次改动摘要（不含个人信息）", ""]
    if watched:
        out.append("**请仔细审查**：这些文件决定网站生成时运行什么、CI 的密钥交给谁、谁能解密。")
        out += ["", *(f"- {line}" for line in watched), ""]
    out.append(_counts(changes) + "。" if changes else "记录内容没有改动。")
    listed = [rc for rc in changes if rc.status != "仅重新加密"]
    if listed:
        out.append("")
    for rc in listed:
        detail = describe_public(rc.changes, names) if rc.status == "修改" else ""
        out.append(f"- {rc.title}：{rc.status}" + (f" {detail}" if detail else ""))
    if keys:
        out += ["", "### 密钥改动（请确认成员的增减是有意的）", ""]
        out += [f"- {line}" for line in keys]
    return "\n".join(out) + "\n"


def history_path(ws: Workspace, target: str) -> str:
    """The record file a target names, now or (for a deleted record) in git history."""
    try:
        return ws.rel(ws.locate(target))
    except BaodanError:
        pass
    if target.startswith("records/"):
        return target
    checked_id(target, "记录编号", *ANY_RECORD)
    patterns = [f"records/clients/{target}/client.yaml.age"] + [
        f"records/clients/*/{slot}/{target}.yaml.age" for slot in CLIENT_SLOTS
    ]
    found = gitrepo.git(ws.root, "log", "--all", "--format=", "--name-only", "--", *patterns)
    paths = sorted({p for p in found.splitlines() if p})
    if not paths:
        raise BaodanError(
            f"git 历史里找不到记录“{target}”",
            "可以写文件路径、客户编号、保单登记号、理赔编号或任务编号",
        )
    return paths[0]


@dataclass
class LogEntry:
    commit: gitrepo.Commit
    change: RecordChange


def record_log(ws: Workspace, target: str) -> tuple[str, list[LogEntry]]:
    """One record's history, oldest first: each commit that touched it, compared with before."""
    path = history_path(ws, target)
    entries = []
    with gitrepo.Blobs(ws.root) as blobs:
        keys = keyring(ws, blobs)
        for commit, _files in reversed(gitrepo.commits_with_files(ws.root, "--", path)):
            old = read_version(blobs, keys, f"{commit.id}^", path)
            new = read_version(blobs, keys, commit.id, path)
            entries.append(LogEntry(commit, compare(path, old, new)))
    return path, entries


def render_log(path: str, entries: list[LogEntry], names: Names, *, full: bool = False) -> str:
    if not entries:
        return f"{record_title(path)}：git 里还没有它的提交记录。"
    out = [f"{record_title(path)} 的修改历史（{len(entries)} 次提交，从早到晚）", ""]
    for e in entries:
        c = e.commit
        out.append(f"{c.date[:16].replace('T', ' ')}  {c.author}  {c.short}  {c.subject}")
        out += [f"  {line}" for line in review_lines(e.change, names, full=full)]
    return "\n".join(out)
