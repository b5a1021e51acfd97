"""`baodan sync` and `baodan status`: git for staff who don't use git.

sync: check the records (refuse when the check fails), commit what changed under records/
with a Chinese message that names records and fields and never a value (from `baodan
diff`'s public form), bring in the latest main (the merge driver merges records by field),
check again, push the member's own branch (made on first use) and give the link that opens
a pull request. Every git failure becomes one Chinese sentence with the next step.
status: what this member changed and has not sent yet, without touching the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from baodan.checks import load_firm
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.layout import RECORDS
from baodan.core.today import today
from baodan.domain.fielddiff import describe_public
from baodan.domain.labels import Names
from baodan.services.merging import unmerged, unmerged_problems
from baodan.services.review import RecordChange, diff_range, names_of
from baodan.store import gitrepo
from baodan.store.workspace import Workspace

BRANCH_PREFIX = "staff/"
# Git's own words are parsed below: keep them in English whatever the PC's language.
ENGLISH = {"LC_ALL": "C", "LANGUAGE": "C"}


@dataclass
class SyncState:
    remote: str
    url: str
    main: str
    branch: str


def check_problems(ws: Workspace) -> list[RecordError]:
    """`baodan check`'s problems, unmerged files included."""
    _, errors = load_firm(ws.root, ws.vault, today())
    reported = {e.source.file for e in errors}
    return errors + [e for e in unmerged_problems(ws.root) if e.source.file not in reported]


def sync(ws: Workspace, say: Callable[[str], None], main: str | None = None) -> list[str]:
    """Send this member's work; returns the closing lines (what was done, the link)."""
    root = ws.root
    state = _prepare(root, main)
    pending = _operation(root)
    if pending in ("rebase", "cherry-pick", "revert"):
        raise BaodanError(
            f"git 正在进行 {pending}，还没结束",
            f"先运行 git {pending} --continue（冲突用 baodan edit 解决）或 git {pending} --abort",
        )
    problems = check_problems(ws)
    if problems:
        raise BaodanError(_refusal("检查没有通过，没有提交也没有发送：", problems))
    _to_own_branch(ws, state, say)
    done = []
    gitrepo.git(root, "add", "-A", "--", RECORDS)
    if pending == "merge":
        _commit(root, ["合并主分支的最新改动"])
        done.append("已完成上次没做完的合并。")
    elif message := _commit_message(ws):
        _commit(root, message)
        done.append(f"已提交：{message[0]}")
    say(f"正在从远程仓库 {state.remote} 取回最新改动……")
    _fetch(root, state.remote)
    if _merge_latest(ws, state, say):
        problems = check_problems(ws)
        if problems:
            raise BaodanError(
                _refusal("已合并主分支的最新改动，但合并后的记录检查没有通过，没有发送：", problems)
            )
        done.append(f"已合并 {state.main} 的最新改动。")
    say(f"正在发送分支 {state.branch}……")
    _push(root, state)
    done.append(f"已发送分支 {state.branch}。")
    done += _review_link(root, state)
    return done


def _refusal(head: str, problems: list[RecordError]) -> list[RecordError]:
    return [RecordError(Source("<baodan>"), "", head, "逐条改好后再运行 baodan sync"), *problems]


# -- where things are --------------------------------------------------------------------


def _prepare(root: Path, main: str | None) -> SyncState:
    if not gitrepo.is_repo(root):
        raise BaodanError(
            f"{root} 不是 git 仓库", "请在公司仓库的克隆里运行（git clone 仓库地址，再 cd 进去）"
        )
    remotes = gitrepo.git(root, "remote").split()
    if not remotes:
        raise BaodanError(
            "这个仓库没有远程仓库，无法发送",
            "请管理员给出公司仓库的地址，运行 git remote add origin 地址 后再 baodan sync",
        )
    remote = "origin" if "origin" in remotes else remotes[0]
    url = gitrepo.git(root, "remote", "get-url", remote).strip()
    main = main or _main_branch(root, remote)
    return SyncState(remote, url, main, _current_branch(root) or "")


def _main_branch(root: Path, remote: str) -> str:
    head = gitrepo.run(root, "symbolic-ref", "--short", f"refs/remotes/{remote}/HEAD").stdout
    if head.strip():
        return head.strip().removeprefix(f"{remote}/")
    for name in ("main", "master"):
        if _exists(root, f"refs/remotes/{remote}/{name}"):
            return name
    return "main"


def _current_branch(root: Path) -> str | None:
    name = gitrepo.run(root, "symbolic-ref", "--short", "-q", "HEAD").stdout.strip()
    return name or None


def _exists(root: Path, ref: str) -> bool:
    return gitrepo.run(root, "rev-parse", "--verify", "--quiet", ref).returncode == 0


def _operation(root: Path) -> str | None:
    """A merge, rebase, cherry-pick or revert git has begun and not finished."""
    git_dir = Path(gitrepo.git(root, "rev-parse", "--absolute-git-dir").strip())
    for name, marker in (
        ("rebase", "rebase-merge"),
        ("rebase", "rebase-apply"),
        ("merge", "MERGE_HEAD"),
        ("cherry-pick", "CHERRY_PICK_HEAD"),
        ("revert", "REVERT_HEAD"),
    ):
        if (git_dir / marker).exists():
            return name
    return None


def _to_own_branch(ws: Workspace, state: SyncState, say) -> None:
    """First use: the member's own branch (staff/<member>), carrying the uncommitted work."""
    if state.branch and state.branch != state.main:
        return
    branch = BRANCH_PREFIX + ws.vault.member
    exists = _exists(ws.root, f"refs/heads/{branch}")
    done = gitrepo.run(ws.root, "switch", *(() if exists else ("-c",)), branch, env=ENGLISH)
    if done.returncode != 0:
        raise BaodanError(
            f"无法切换到你的分支 {branch}：{_last_line(done.stderr)}",
            "改动还在工作区里，没有丢；请把这句话发给管理员",
        )
    say(f"已切换到你自己的分支 {branch}（主分支 {state.main} 只通过合并请求更新）。")
    state.branch = branch


# -- commit ------------------------------------------------------------------------------


def _commit_message(ws: Workspace) -> list[str] | None:
    """What the staged records change, in Chinese: records and fields, never a value."""
    if not gitrepo.git(ws.root, "diff", "--cached", "--name-only", "--", RECORDS).strip():
        return None
    _, changes = diff_range(ws, None)
    listed = [rc for rc in changes if rc.status != "仅重新加密"] or changes
    titles = "、".join(rc.title for rc in listed[:3])
    more = f" 等 {len(listed)} 份记录" if len(listed) > 3 else ""
    names = names_of(ws)
    return [f"更新记录：{titles}{more}", "\n".join(change_line(rc, names) for rc in listed)]


def change_line(rc: RecordChange, names: Names) -> str:
    fields = describe_public(rc.changes, names) if rc.status == "修改" else ""
    return f"- {rc.title}：{rc.status}" + (f" {fields}" if fields else "")


def _commit(root: Path, message: list[str]) -> None:
    args = ["commit", "--quiet"]
    for paragraph in message:
        args += ["-m", paragraph]
    done = gitrepo.run(root, *args, env=ENGLISH)
    if done.returncode == 0:
        return
    text = done.stderr + done.stdout
    if "tell me who you are" in text or "empty ident" in text:
        raise BaodanError(
            "git 还不知道你是谁，没有提交",
            '运行 git config --global user.name "你的名字" 和 git config --global user.email '
            "你的邮箱，再 baodan sync",
        )
    raise BaodanError(
        f"提交没有成功：{_last_line(text)}",
        "按上面的说明改好后再运行 baodan sync（改动还在工作区里，没有丢）",
    )


# -- fetch, merge, push ------------------------------------------------------------------


def _fetch(root: Path, remote: str) -> None:
    done = gitrepo.run(root, "fetch", "--quiet", remote, env=ENGLISH)
    if done.returncode != 0:
        raise BaodanError(_network_problem(done.stderr, "取回最新改动"))


def _merge_latest(ws: Workspace, state: SyncState, say) -> bool:
    """Merge the remote's main and this branch's copy on the remote; True when anything came
    in. The merge driver needs the member's key: it is told which file holds it."""
    env = dict(ENGLISH)
    origin = Path(ws.identity.origin)
    if origin.is_file():
        env["BAODAN_IDENTITY"] = str(origin.resolve())
    merged = False
    for ref in (f"{state.remote}/{state.main}", f"{state.remote}/{state.branch}"):
        if not _exists(ws.root, f"refs/remotes/{ref}") or _contains(ws.root, ref):
            continue
        say(f"正在合并 {ref} 的最新改动（加密记录按字段合并）……")
        done = gitrepo.run(
            ws.root, "merge", "--no-edit", "-m", f"合并 {ref} 的最新改动", ref, env=env
        )
        if done.returncode != 0:
            raise BaodanError(_merge_problem(ws, ref, done))
        merged = True
    return merged


def _contains(root: Path, ref: str) -> bool:
    return gitrepo.run(root, "merge-base", "--is-ancestor", ref, "HEAD").returncode == 0


def _merge_problem(ws: Workspace, ref: str, done) -> list[RecordError]:
    if not unmerged(ws.root):
        return [
            RecordError(
                Source("<baodan>"),
                "",
                f"合并 {ref} 没有成功：{_last_line(done.stderr + done.stdout)}",
                "你的改动已提交在本机，没有丢；请把这句话发给管理员",
            )
        ]
    return _refusal(
        f"合并 {ref} 时，有的记录两边改得不一样；能自动合并的已经合并了。"
        "请用 baodan edit 逐个选定取值（保存即解决），再运行 baodan sync 完成合并并发送：",
        check_problems(ws),
    )


def _push(root: Path, state: SyncState) -> None:
    done = gitrepo.run(
        root, "push", "--quiet", "-u", state.remote, f"HEAD:refs/heads/{state.branch}", env=ENGLISH
    )
    if done.returncode == 0:
        return
    text = done.stderr
    if "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text:
        raise BaodanError(
            f"推送被拒绝：远程的分支 {state.branch} 上有你本机没有的新提交",
            "再运行一次 baodan sync：它会先合并这些提交再发送",
        )
    if "[remote rejected]" in text or "declined" in text or "protected" in text:
        raise BaodanError(
            f"推送被拒绝：远程仓库不允许推送分支 {state.branch}（{_last_line(text)}）",
            "请管理员检查仓库设置：员工应能推送自己的分支；你的改动已提交在本机，没有丢",
        )
    raise BaodanError(_network_problem(text, "发送"))


def _network_problem(text: str, doing: str) -> RecordError:
    lowered = text.lower()
    if any(w in lowered for w in ("authentication", "permission denied", "403", "401")):
        message = f"{doing}失败：远程仓库不认你的账号（没有权限，或密码、令牌、SSH 密钥不对）"
        hint = "请管理员确认你有这个仓库的权限；你的改动已提交在本机，没有丢"
    else:
        message = f"{doing}失败：连不上远程仓库（网络不通，或仓库地址不对）"
        hint = "检查网络后再运行 baodan sync；你的改动已提交在本机，没有丢"
    return RecordError(Source("<baodan>"), "", f"{message}。git 说：{_last_line(text)}", hint)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "（没有说明）"


# -- the pull request link -----------------------------------------------------------------


def _review_link(root: Path, state: SyncState) -> list[str]:
    forge = gitrepo.git(root, "config", "--get", "baodan.forge", check=False).strip()
    link = pull_request_link(state.url, state.branch, state.main, forge or None)
    if link is None:
        return [
            f"远程仓库是 {state.url}，没有网页地址：请在 git 托管网站上为分支 {state.branch} 新建合并请求。"
        ]
    return [f"在浏览器打开下面的链接，新建合并请求（请同事审阅后合入 {state.main}）：", link]


def web_address(url: str) -> tuple[str, str] | None:
    """(host, https address of the repository) from a remote URL, without any credentials;
    None for a folder on this computer."""
    url = url.strip()
    ssh = re.fullmatch(r"(?:[\w.-]+@)?([\w.-]+):(?!/)(.+?)(?:\.git)?/?", url)
    if ssh and "://" not in url:
        return ssh[1], f"https://{ssh[1]}/{ssh[2]}"
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ssh", "git") and parts.hostname:
        path = parts.path.strip("/").removesuffix(".git")
        scheme = "http" if parts.scheme == "http" else "https"
        return parts.hostname, f"{scheme}://{parts.hostname}/{path}"
    return None


def pull_request_link(url: str, branch: str, main: str, forge: str | None = None) -> str | None:
    """The page that opens a pull request of ``branch`` into ``main``: GitHub, GitLab, or
    Gitea and Forgejo (any other host; `git config baodan.forge gitlab` names a GitLab
    on a host of its own)."""
    found = web_address(url)
    if found is None:
        return None
    host, web = found
    forge = forge or ("github" if host == "github.com" else "gitlab" if "gitlab" in host else "")
    if forge == "gitlab":
        return (
            f"{web}/-/merge_requests/new?merge_request%5Bsource_branch%5D={quote(branch, safe='')}"
            f"&merge_request%5Btarget_branch%5D={quote(main, safe='')}"
        )
    suffix = "?expand=1" if forge == "github" else ""
    return f"{web}/compare/{quote(main)}...{quote(branch)}{suffix}"


# -- status ------------------------------------------------------------------------------


def status(ws: Workspace) -> list[str]:
    """What this member changed and has not sent: uncommitted records, commits not pushed,
    merges left half done. Compared with the remote as of the last sync (no network)."""
    root = ws.root
    if not gitrepo.is_repo(root):
        raise BaodanError(f"{root} 不是 git 仓库", "请在公司仓库的克隆里运行")
    branch = _current_branch(root) or "（没有在任何分支上）"
    lines = [f"当前分支：{branch}"]
    merging = unmerged(root), _operation(root)
    # Mid-merge, the work tree differs from HEAD by what came in: that is not this member's.
    _, changes = (None, []) if any(merging) else diff_range(ws, None)
    changes = [rc for rc in changes if rc.status != "仅重新加密"]
    if changes:
        lines.append(f"还没提交的改动（{len(changes)} 份记录）：")
        names = names_of(ws)
        lines += [f"  {change_line(rc, names)}" for rc in changes]
    if not gitrepo.git(root, "remote").split():
        return [*lines, "这个仓库没有远程仓库：改动只在本机，无法发送（请管理员设置 git remote）。"]
    if unsent := _unsent(root):
        lines.append(f"已提交、还没发送的提交（{len(unsent)} 个）：")
        lines += [f"  - {c.day} {c.subject}" for c in unsent]
    conflicts = merging[0]
    if any(merging):
        lines.append(
            f"有一次合并还没完成（{len(conflicts)} 个文件有冲突）：运行 baodan check 查看，"
            "用 baodan edit 解决后运行 baodan sync"
        )
    if len(lines) == 1:
        return [*lines, "没有未发送的改动。"]
    return [*lines, "运行 baodan sync 提交并发送。"]


def _unsent(root: Path) -> list[gitrepo.Commit]:
    """Commits on this branch that no branch of the remote has (as of the last fetch)."""
    if not _exists(root, "HEAD"):
        return []
    return gitrepo.commits(root, "HEAD", "--not", "--remotes", "--no-merges")
