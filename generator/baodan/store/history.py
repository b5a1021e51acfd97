"""The records' git history: when they last changed, and (for the staff site) the commits.

A build dates itself by the records' last commit (not the build's clock: web/build_date.py),
so unchanged records give identical files; the staff pages show who changed a client's
records, when and why. Listing a commit's files makes git compare the commit's trees with its
parent's, and the records/clients tree has an entry per client: a firm of 10,000 clients and
20,000 commits would spend 18 s of CPU listing its whole history. So the staff pages list the
year before the last change (WINDOW), and a public build reads only the last commit.
"""

from __future__ import annotations

import subprocess
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from baodan.core.childenv import child_env

WINDOW = timedelta(days=365)  # the staff pages' history: this long before the last change


@dataclass(frozen=True)
class Commit:
    when: datetime  # UTC
    author: str
    subject: str
    files: tuple[str, ...]  # paths relative to the firm folder


@dataclass(frozen=True)
class History:
    last: datetime | None = None  # UTC time of the newest commit touching the records
    shallow: bool = False  # a shallow clone knows only part of the history
    commits: tuple[Commit, ...] = ()  # newest first, WINDOW before `last` (when asked for)
    head: str = ""  # the commit this was read at


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
        return None  # not a git work tree, no commit yet, or no git: callers use record dates
    return done.stdout.decode("utf-8", "replace")


def parse_log(text: str) -> tuple[Commit, ...]:
    """Parse ``git log --format=%x1e%ct%x1f%an%x1f%s --name-only``: newest commit first."""
    commits = []
    for entry in text.split("\x1e")[1:]:
        head, *names = entry.splitlines()
        stamp, author, subject = (head.split("\x1f") + ["", ""])[:3]
        when = datetime.fromtimestamp(int(stamp), UTC)
        commits.append(Commit(when, author, subject, tuple(n for n in names if n)))
    return tuple(commits)


LOG_FORMAT = "--format=%x1e%ct%x1f%an%x1f%s"


class PendingHistory:
    """The history of ``folder``, started now and read with ``result()``: a build starts it
    before decrypting the records, so git lists the commits meanwhile. ``commits``: list the
    commits too (the staff site). ``previous``: a History to reuse if HEAD has not moved
    (`baodan serve` rebuilds on every saved file)."""

    def __init__(
        self,
        root: Path,
        folder: str = "records",
        *,
        commits: bool = False,
        previous: History | None = None,
    ):
        self._proc = None
        self._history = History()
        state = (_git(root, "rev-parse", "--is-shallow-repository", "HEAD") or "").split()
        if len(state) != 2:  # not a git work tree, or no commit yet
            return
        shallow, head = state[0] == "true", state[1]
        if previous and (previous.head, previous.shallow) == (head, shallow):
            self._history = previous
            return
        stamp = (_git(root, "log", "-1", "--format=%ct", head, "--", folder) or "").strip()
        last = datetime.fromtimestamp(int(stamp), UTC) if stamp else None
        self._history = History(last, shallow, (), head)
        if not (commits and last):
            return
        since = f"--since=@{int((last - WINDOW).timestamp())}"
        with suppress(OSError):  # git went away: the pages say there is no history
            self._proc = subprocess.Popen(
                ["git", "-c", "core.quotePath=false", "log", "--relative", "--name-only"]
                + ["--no-renames", since, LOG_FORMAT, head, "--", folder],
                cwd=root,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=child_env(),
            )

    def result(self) -> History:
        if self._proc is None:
            return self._history
        out, _ = self._proc.communicate()
        self._proc = None
        if out:
            commits = parse_log(out.decode("utf-8", "replace"))
            self._history = replace(self._history, commits=commits)
        return self._history
