"""`baodan exposure CLIENT`: what a leak report needs about one client, from git alone.

Who could read the client's records and since when (members, from the history of their key
files and the key rotations), and which deploys carried the client's portal and feed (the
commits on the main branch while a portal id or feed token was in the client record). What
cannot be known offline is said plainly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from baodan.core.errors import BaodanError
from baodan.services.review import read_version
from baodan.store import gitrepo
from baodan.store.documents import SLOT as DOCUMENTS
from baodan.store.documents import is_content_name
from baodan.store.keyhistory import KeyHistory, Membership, key_history, keyring, readable_window
from baodan.store.members import read_members
from baodan.store.workspace import Workspace

UNKNOWABLE = [
    "发布是否成功、托管平台或 CDN 上的缓存保留了多久：请查看 CI 记录和托管平台；",
    "谁打开过门户链接、谁订阅过日历地址：只有托管平台的访问日志知道，请尽快调取；",
    "客户是否把门户链接或二维码转给过别人；",
    "成员本机的克隆、导出文件（baodan export）、备份和员工站（site-staff/）的副本去向；",
    "CI 密钥（BAODAN_IDENTITY_KEY）被哪些仓库管理员看过或改过：请查看托管平台的审计日志。",
]


def _when(commit: gitrepo.Commit) -> datetime:
    return datetime.fromisoformat(commit.date)


def _mask(value: str) -> str:
    return value[:4] + "…" if value else ""


@dataclass
class Reader:
    membership: Membership
    keys: str  # the kind of public key(s) now on file
    since: gitrepo.Commit | None  # the oldest version of this client they could decrypt


@dataclass
class Published:
    """A portal id or feed token, and the main-branch commits that carried it."""

    kind: str  # 门户 / 日历订阅
    value: str
    since: gitrepo.Commit
    until: gitrepo.Commit | None  # the commit that removed or replaced it; None: still there
    deploys: int


@dataclass
class Stored:
    """An attached document's file on the main branch: from when, until when."""

    name: str  # d-1a2b3c4d
    since: gitrepo.Commit
    until: gitrepo.Commit | None  # the commit that deleted it; None: still there


@dataclass
class Exposure:
    client_id: str
    branch: str
    first: gitrepo.Commit | None = None
    last: gitrepo.Commit | None = None
    deleted: bool = False
    readers: list[Reader] = field(default_factory=list)
    published: list[Published] = field(default_factory=list)
    unreadable: int = 0  # client record versions this identity cannot decrypt
    documents: list[Stored] = field(default_factory=list)


def main_branch(ws: Workspace, requested: str | None) -> str:
    if requested:
        gitrepo.resolve(ws.root, requested)
        return requested
    for name in ("main", "master"):
        if gitrepo.git(ws.root, "rev-parse", "--verify", "--quiet", name, check=False).strip():
            return name
    return "HEAD"


def _key_kind(keys: tuple[str, ...]) -> str:
    kinds = {"age" if k.startswith("age1") else k.split()[0] for k in keys}
    return "、".join(sorted(kinds))


def _readers(ws: Workspace, history: KeyHistory, exp: Exposure) -> list[Reader]:
    """Members whose keys opened any version of the client's records."""
    assert exp.first is not None
    start, end = _when(exp.first), _when(exp.last) if exp.deleted and exp.last else None
    members = read_members(ws.root)
    readers = []
    for stint in history.memberships:
        window = readable_window(ws.root, history, stint)
        opened = _when(window.start) if window.start else None
        closed = _when(stint.removed) if stint.removed else None
        if (closed is None or closed >= start) and (end is None or opened is None or opened <= end):
            since = exp.first if opened is None or opened <= start else window.start
            kind = _key_kind(members[stint.member].keys) if stint.member in members else "已移除"
            readers.append(Reader(stint, kind, since))
    return readers


def _published(ws: Workspace, exp: Exposure) -> list[Published]:
    """Portal ids and feed tokens in each version of the client record on the main branch."""
    path = f"records/clients/{exp.client_id}/client.yaml.age"
    line = gitrepo.git(ws.root, "rev-list", "--first-parent", "--reverse", exp.branch).split()
    position = {c: i for i, c in enumerate(line)}
    versions = list(reversed(gitrepo.commits(ws.root, "--first-parent", exp.branch, "--", path)))
    spans: list[Published] = []
    current: dict[str, Published] = {}
    with gitrepo.Blobs(ws.root) as blobs:
        keys = keyring(ws, blobs)
        for commit in versions:
            version = read_version(blobs, keys, commit.id, path)
            if version.problem:
                exp.unreadable += 1
                continue
            data = version.data if isinstance(version.data, dict) else {}
            seen = {
                "门户": (data.get("portal") or {}).get("id") or "",
                "日历订阅": (data.get("feed") or {}).get("token") or "",
            }
            for kind, value in seen.items():
                held = current.get(kind)
                if held and held.value != value:
                    held.until = commit
                    current.pop(kind)
                if value and kind not in current:
                    current[kind] = Published(kind, value, commit, None, 0)
                    spans.append(current[kind])
    for span in spans:
        end = position[span.until.id] if span.until else len(line)
        span.deploys = end - position.get(span.since.id, end)
    return spans


def exposure(ws: Workspace, client_id: str, branch: str | None = None) -> Exposure:
    if not gitrepo.is_repo(ws.root):
        raise BaodanError("这里不是 git 仓库：没有历史可查", "在公司仓库的克隆里运行")
    if gitrepo.is_shallow(ws.root):
        raise BaodanError(
            "这是浅克隆（git clone --depth），缺了较早的提交：谁能读到这位客户的资料无从判断",
            gitrepo.SHALLOW_HINT,
        )
    folder = f"records/clients/{client_id}"
    exp = Exposure(client_id, main_branch(ws, branch))
    found = gitrepo.commits_with_files(ws.root, "--all", "--", folder)
    if not found:
        raise BaodanError(
            f"git 历史里没有客户“{client_id}”", "请写客户编号，如 c-1a2b3c4d（文件夹名）"
        )
    exp.first, exp.last = found[-1][0], found[0][0]
    exp.deleted = not (ws.root / folder).is_dir()
    exp.readers = _readers(ws, key_history(ws.root), exp)
    exp.published = _published(ws, exp)
    exp.documents = _documents(ws, exp)
    return exp


def _documents(ws: Workspace, exp: Exposure) -> list[Stored]:
    """The client's document files on the main branch (they went out with the portal)."""
    folder = f"records/clients/{exp.client_id}/{DOCUMENTS}/"
    found: dict[str, Stored] = {}
    for commit, files in reversed(
        gitrepo.commits_with_files(ws.root, "--first-parent", exp.branch, "--", folder)
    ):
        for status, path in files:
            name = path.rpartition("/")[2]
            if not is_content_name(name):
                continue
            stem = name.removesuffix(".age")
            if status == "D" and stem in found:
                found[stem].until = commit
            elif status == "A":
                found[stem] = Stored(stem, commit, None)
    return list(found.values())


def _commit(c: gitrepo.Commit | None) -> str:
    return f"{c.day}（提交 {c.short}，{c.author}）" if c else "最早的提交"


def render(exp: Exposure) -> str:
    lines = [f"客户 {exp.client_id} 的数据暴露情况（据本仓库的 git 历史，离线可知的部分）", ""]
    lines.append(f"资料首次提交：{_commit(exp.first)}；最近一次改动：{_commit(exp.last)}。")
    if exp.deleted:
        lines.append(
            "资料已从当前版本删除，但旧提交里仍有加密副本，直到按 docs/privacy.md 改写历史。"
        )
    lines += ["", "能解密这位客户资料的成员（持有当时的记录密钥）："]
    for r in exp.readers:
        stint = r.membership
        left = f"，{stint.removed.day} 移除（之前的版本仍可解密）" if stint.removed else "，至今"
        lines.append(
            f"  - {stint.member}（{r.keys}）：{stint.added.day} 加入{left}；"
            f"能读到 {r.since.day if r.since else '最早'} 起的版本"
        )
    if not exp.readers:
        lines.append("  （历史里找不到成员密钥文件）")
    lines.append("  CI 成员的私钥存在托管平台的密钥设置里：能查看或修改 CI 配置的人也算在内。")
    lines += [
        "",
        f"公开站上的门户和日历订阅（{exp.branch} 分支上的提交；每次提交都可能触发一次发布）：",
    ]
    for p in exp.published:
        until = f"至 {_commit(p.until)} 停用" if p.until else "至今仍在"
        lines.append(
            f"  - {p.kind} {_mask(p.value)}：自 {_commit(p.since)} 起，{until}；"
            f"期间 {exp.branch} 上 {p.deploys} 个提交"
        )
    if not exp.published:
        lines.append("  （这位客户从未有过门户或日历订阅）")
    lines += ["", "附加的文档（随门户发布，文件名和密钥都由门户访问码派生，换访问码后随之更换）："]
    for d in exp.documents:
        until = f"至 {_commit(d.until)} 删除" if d.until else "至今仍在"
        lines.append(f"  - 文档 {d.name}：自 {_commit(d.since)} 起，{until}")
    if not exp.documents:
        lines.append(f"  （{exp.branch} 分支上这位客户没有过文档）")
    if exp.unreadable:
        lines.append(
            f"  另有 {exp.unreadable} 个版本你的密钥解不开（当时你还不是成员），无法判断。"
        )
    lines += ["", "离线无法得知："] + [f"  - {u}" for u in UNKNOWABLE]
    return "\n".join(lines)
