"""The records' git history: when each record file last changed, and the commits.

Read with one ``git log`` over records/ per build, so the build can date itself by the records'
last change (not the build's clock: web/build_date.py) and unchanged records give identical
files, and the staff pages can show who changed a client's records, when, and why.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from baodan.core.childenv import child_env


@dataclass(frozen=True)
class Change:
    last: datetime  # UTC commit time of the newest commit touching the file


@dataclass(frozen=True)
class Commit:
    when: datetime  # UTC
    author: str
    subject: str
    files: tuple[str, ...]  # paths relative to the firm folder


@dataclass(frozen=True)
class History:
    """Changes by file path relative to the firm folder (records/clients/…/client.yaml.age)."""

    files: dict[str, Change]
    shallow: bool = False  # a shallow clone knows only part of the history
    commits: tuple[Commit, ...] = ()  # newest first


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            check=True,
            env=child_env(),
        )
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git work tree, or no git: callers fall back to record dates
    return done.stdout.decode("utf-8", "replace")


def parse_log(text: str) -> tuple[dict[str, Change], tuple[Commit, ...]]:
    """Parse ``git log --format=%x1e%ct%x1f%an%x1f%s --name-only``: newest commit first."""
    files: dict[str, Change] = {}
    commits = []
    for entry in text.split("\x1e")[1:]:
        head, *names = entry.splitlines()
        stamp, author, subject = (head.split("\x1f") + ["", ""])[:3]
        when = datetime.fromtimestamp(int(stamp), UTC)
        names = [n for n in names if n]
        commits.append(Commit(when, author, subject, tuple(names)))
        for name in names:
            files.setdefault(name, Change(when))  # newest first: the first seen is the last
    return files, tuple(commits)


LOG_FORMAT = "--format=%x1e%ct%x1f%an%x1f%s"


class PendingHistory:
    """``git log`` over ``folder``, started now and read with ``result()``: a build starts it
    before decrypting the records, so git walks the history meanwhile."""

    def __init__(self, root: Path, folder: str = "records"):
        self.root = Path(root)
        try:
            self._proc = subprocess.Popen(
                ["git", "-c", "core.quotePath=false", "log", "--relative", "--name-only"]
                + ["--no-renames", LOG_FORMAT, "--", folder],
                cwd=self.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=child_env(),
            )
        except OSError:  # no git: callers fall back to record dates
            self._proc = None

    def result(self) -> History:
        if self._proc is None:
            return History({})
        out, _ = self._proc.communicate()
        if self._proc.returncode != 0:  # not a git work tree
            return History({})
        shallow = (_git(self.root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
        files, commits = parse_log(out.decode("utf-8", "replace"))
        return History(files, shallow, commits)
