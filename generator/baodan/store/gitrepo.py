"""Read the firm's git history: changed files, file contents at a revision, commits.

Contents are read through one ``git cat-file --batch`` process into memory, never checked
out: old versions of encrypted records stay ciphertext until the caller decrypts them.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from baodan.core.childenv import child_env
from baodan.core.errors import BaodanError

WORKTREE = None  # the "revision" of files as they are on disk now


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run git in the firm folder; the caller reads its exit code and what it said."""
    if shutil.which("git") is None:
        raise BaodanError("找不到 git 命令", "请先安装 git（https://git-scm.com/）")
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
        env=child_env(**(env or {})),
    )


def git(root: Path, *args: str, check: bool = True) -> str:
    """Run git in the firm folder and return its output as text."""
    done = run(root, *args)
    if check and done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "未知错误"
        raise BaodanError(f"git {' '.join(args[:2])} 失败：{message}", _hint(message))
    return done.stdout


def _hint(message: str) -> str:
    if "not a git repository" in message:
        return "公司目录还不是 git 仓库：运行 git init，提交一次后再试"
    if "unknown revision" in message or "bad revision" in message:
        return "请检查版本写法，例如 HEAD~1、main..my-branch 或提交编号"
    return ""


def is_repo(root: Path) -> bool:
    return (
        shutil.which("git") is not None
        and subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--git-dir"],
            capture_output=True,
            check=False,
            env=child_env(),
        ).returncode
        == 0
    )


def is_shallow(root: Path) -> bool:
    """A shallow clone (git clone --depth) lacks the older commits."""
    return git(root, "rev-parse", "--is-shallow-repository", check=False).strip() == "true"


SHALLOW_HINT = "运行 git fetch --unshallow 取回完整历史后再试"


def resolve(root: Path, rev: str) -> str:
    """A full commit id for a revision name."""
    found = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    return found.strip() or _bad(rev)


def _bad(rev: str) -> str:
    raise BaodanError(
        f"找不到版本“{rev}”",
        "请检查版本写法，例如 HEAD~1、main..my-branch；新仓库请先提交一次",
    )


@dataclass(frozen=True)
class Range:
    """What a diff compares: ``old`` and ``new`` are commit ids, or WORKTREE for the disk."""

    old: str | None
    new: str | None
    label: str


def parse_range(root: Path, spec: str | None) -> Range:
    """``None`` → HEAD vs disk; ``A`` → A vs disk; ``A..B``; ``A...B`` (from their merge base)."""
    if not spec:
        return Range(resolve(root, "HEAD"), WORKTREE, "HEAD 与工作区")
    if "..." in spec:
        a, b = spec.split("...", 1)
        base = git(root, "merge-base", a or "HEAD", b or "HEAD").strip()
        return Range(base, resolve(root, b or "HEAD"), spec)
    if ".." in spec:
        a, b = spec.split("..", 1)
        return Range(resolve(root, a or "HEAD"), resolve(root, b or "HEAD"), spec)
    return Range(resolve(root, spec), WORKTREE, f"{spec} 与工作区")


def changed_files(root: Path, rng: Range, under: str = "records") -> list[str]:
    """Paths under ``under`` that differ between the two sides (renames as delete + add)."""
    args = ["diff", "--name-only", "--no-renames", "-z", rng.old]
    if rng.new is not WORKTREE:
        args.append(rng.new)
    paths = set(filter(None, git(root, *args, "--", under).split("\0")))
    if rng.new is WORKTREE:
        untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", under)
        paths |= set(filter(None, untracked.split("\0")))
    return sorted(paths)


class Blobs:
    """File contents at revisions, through one long-running ``git cat-file --batch``."""

    def __init__(self, root: Path):
        self.root = root
        self._proc: subprocess.Popen | None = None

    def read(self, rev: str | None, path: str) -> bytes | None:
        """The file at ``rev`` (WORKTREE: on disk now), or None where it does not exist."""
        if rev is WORKTREE:
            file = self.root / path
            return file.read_bytes() if file.is_file() else None
        return self.object(f"{rev}:{path}")

    def read_many(self, rev: str | None, paths: list[str]) -> list[bytes | None]:
        """Many files at one revision: requests are written by a thread while answers are
        read, so thousands of files cost one pipe, not thousands of round trips."""
        if rev is WORKTREE or len(paths) < 2:
            return [self.read(rev, p) for p in paths]
        self._start()
        feed = threading.Thread(
            target=self._request, args=([f"{rev}:{p}" for p in paths],), daemon=True
        )
        feed.start()
        found = [self._answer() for _ in paths]
        feed.join()
        return found

    def object(self, name: str) -> bytes | None:
        self._start()
        self._request([name])
        return self._answer()

    def _start(self) -> None:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "-C", str(self.root), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=child_env(),
            )

    def _request(self, names: list[str]) -> None:
        assert self._proc and self._proc.stdin
        self._proc.stdin.write("".join(f"{n}\n" for n in names).encode("utf-8"))
        self._proc.stdin.flush()

    def _answer(self) -> bytes | None:
        assert self._proc and self._proc.stdout
        header = self._proc.stdout.readline().split()
        if len(header) != 3:  # "<name> missing"
            return None
        data = self._proc.stdout.read(int(header[2]))
        self._proc.stdout.read(1)  # the newline after the contents
        return data

    def close(self) -> None:
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait()
            self._proc = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Commit:
    id: str
    author: str
    email: str
    date: str  # ISO 8601 with the committer's offset
    subject: str

    @property
    def short(self) -> str:
        return self.id[:8]

    @property
    def day(self) -> str:
        return self.date[:10]


SEP = "\x1f"
FORMAT = SEP.join(["%H", "%an", "%ae", "%aI", "%s"])


def _commit(line: str) -> Commit:
    return Commit(*line.split(SEP, 4))


def commits(root: Path, *args: str) -> list[Commit]:
    """``git log`` with the given arguments, newest first."""
    out = git(root, "log", f"--format={FORMAT}", *args)
    return [_commit(line) for line in out.splitlines() if line]


def commits_with_files(root: Path, *args: str) -> list[tuple[Commit, list[tuple[str, str]]]]:
    """``git log --name-status``: each commit with its (status letter, path) pairs."""
    out = git(root, "log", f"--format=\x1e{FORMAT}", "--name-status", "--no-renames", *args)
    result = []
    for chunk in out.split("\x1e")[1:]:
        head, _, rest = chunk.partition("\n")
        files = [
            (parts[0][0], parts[-1])
            for line in rest.splitlines()
            if line.strip() and len(parts := line.split("\t")) >= 2
        ]
        result.append((_commit(head), files))
    return result
