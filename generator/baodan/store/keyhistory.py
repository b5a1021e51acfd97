"""Who held the record key when, from the git history of records/.keys/ (no decryption).

A member's key file appears when they are added and disappears when they are removed, and a
removal rotates the record key in the same commit. A member who had a key can decrypt every
record version from the rotation before they joined up to the rotation that removed them,
in any clone or backup they kept: this module says which commits and dates that covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from baodan.core.errors import BaodanError
from baodan.core.layout import KEYS_DIR
from baodan.store import gitrepo
from baodan.store.members import MEMBERS_PATH, audit_members, parse_members
from baodan.store.vault import decrypt, record_keys_in

if TYPE_CHECKING:
    from baodan.store.workspace import Workspace

CLIENTS = "records/clients"


@dataclass
class Membership:
    """One stretch of membership: added in one commit, removed in another (or still a member)."""

    member: str
    added: gitrepo.Commit
    removed: gitrepo.Commit | None = None


@dataclass
class KeyHistory:
    memberships: list[Membership]
    rotations: list[gitrepo.Commit]  # commits that removed a member, oldest first
    first: gitrepo.Commit | None  # the repository's first commit
    order: dict[str, int]  # commit id → position in the key history (topological)

    def of(self, member: str) -> list[Membership]:
        return [m for m in self.memberships if m.member == member]

    def rotation_before(self, commit: gitrepo.Commit) -> gitrepo.Commit | None:
        """The last rotation before a commit: the record key a joining member is given was
        made then, so they can read everything since (or since the start)."""
        here = self.order[commit.id]
        earlier = [r for r in self.rotations if self.order[r.id] < here]
        return earlier[-1] if earlier else None


def key_history(root: Path) -> KeyHistory:
    entries = list(
        reversed(gitrepo.commits_with_files(root, "--topo-order", "--", f"{KEYS_DIR}/*.age"))
    )
    open_: dict[str, Membership] = {}
    memberships: list[Membership] = []
    rotations: list[gitrepo.Commit] = []
    for commit, files in entries:
        for status, path in files:
            member = Path(path).stem
            if status == "A":
                open_[member] = Membership(member, commit)
                memberships.append(open_[member])
            elif status == "D" and member in open_:
                open_.pop(member).removed = commit
                if not rotations or rotations[-1].id != commit.id:
                    rotations.append(commit)
    first = gitrepo.commits(root, "--max-parents=0", "--reverse", "HEAD")
    order = {commit.id: n for n, (commit, _) in enumerate(entries)}
    return KeyHistory(memberships, rotations, first[0] if first else None, order)


@dataclass
class Window:
    """Record versions encrypted to keys a member held: commits from ``start`` to ``end``."""

    start: gitrepo.Commit | None
    end: gitrepo.Commit | None  # None: up to now
    commits: int
    clients: int


def readable_window(root: Path, history: KeyHistory, membership: Membership) -> Window:
    """What a member can decrypt from history with the keys they were given."""
    start = history.rotation_before(membership.added) or history.first
    end = membership.removed
    span = f"{start.id}^..{end.id if end else 'HEAD'}" if start else "HEAD"
    if start and start.id == (history.first.id if history.first else None):
        span = end.id if end else "HEAD"  # from the very first commit
    touched = gitrepo.git(root, "log", "--format=%H", "--name-only", span, "--", CLIENTS)
    commits = {line for line in touched.splitlines() if len(line) == 40 and "/" not in line}
    clients = {
        line.split("/")[2] for line in touched.splitlines() if line.startswith(CLIENTS + "/")
    }
    return Window(start, end, len(commits), len(clients))


def describe_removed(root: Path, member: str) -> list[str]:
    """For `baodan member remove`: what the member can still read in old history, plainly."""
    if not gitrepo.is_repo(root):
        return [f"这里不是 git 仓库，无法从历史判断 {member} 读过哪些版本。"]
    if gitrepo.is_shallow(root):
        return [
            f"这是浅克隆，缺了较早的提交，无法判断 {member} 读过哪些版本：{gitrepo.SHALLOW_HINT}。"
        ]
    try:
        history = key_history(root)
    except BaodanError as e:
        return [f"无法读取 git 历史（{e.errors[0].message}），无法判断 {member} 读过哪些版本。"]
    stints = history.of(member)
    if not stints:
        return [f"{member} 的密钥文件从未提交过：历史中没有他们能解密的版本。"]
    lines = []
    for stint in stints:
        window = readable_window(root, history, stint)
        since = window.start.day if window.start else "最早的提交"
        joined = f"{stint.added.day} 加入（提交 {stint.added.short}，{stint.added.author}）"
        until = f"{stint.removed.day} 移除" if stint.removed else "本次移除"
        lines.append(
            f"{member} {joined}：能解密 {since} 至{until}之间提交的记录版本，"
            f"共 {window.commits} 个提交、涉及 {window.clients} 位客户。"
        )
    lines.append(
        "这些旧版本仍在 git 历史里；他们本机的克隆、备份中的副本无法收回。本次换钥之后提交的内容他们读不到。"
    )
    return lines


def keyring(ws: Workspace, blobs: gitrepo.Blobs, revs: tuple[str, ...] = ()) -> list:
    """The user's record keys now and in every past version of their key file (in every
    branch, and in ``revs``: commits no branch names, such as a merge's MERGE_HEAD)."""
    listing = gitrepo.git(
        ws.root, "log", "--all", *revs, "--format=", "--raw", "--no-abbrev", "--", KEYS_DIR
    )
    ids = {line.split()[3] for line in listing.splitlines() if line.startswith(":")}
    files = [data for i in sorted(ids) if (data := blobs.object(i)) is not None]
    return [*ws.vault.identities, *record_keys_in(files, ws.identity.identities)]


def open_blob(blob: bytes, keys: list) -> bytes | str:
    """The plaintext, or why it cannot be decrypted (the Chinese reason from vault.decrypt)."""
    try:
        return decrypt(blob, keys)
    except ValueError as e:
        return str(e)


def membership_at(ws: Workspace, blobs: gitrepo.Blobs, rev: str | None) -> list:
    """The membership check (``members.audit_members``) on records/.keys/ as it is at ``rev``
    (WORKTREE: on disk), with the record keys the user's identity opens there."""
    if rev is gitrepo.WORKTREE:
        names = [p.stem for p in (ws.root / KEYS_DIR).glob("*.age")]
    else:
        listing = gitrepo.git(ws.root, "ls-tree", "--name-only", "-z", rev, f"{KEYS_DIR}/")
        names = [Path(p).stem for p in listing.split("\0") if p.endswith(".age")]
    files = {n: data for n in names if (data := blobs.read(rev, f"{KEYS_DIR}/{n}.age"))}
    listed = blobs.read(rev, MEMBERS_PATH)
    try:
        members = parse_members(listed) if listed is not None else {}
    except BaodanError as e:
        return list(e.errors)
    return audit_members(
        members, files, record_keys_in(list(files.values()), ws.identity.identities)
    )
