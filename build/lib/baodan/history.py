"""The records' git history: when each record file last changed, and in how many commits.

Read with one ``git log`` over records/ per build, so feeds can stamp an event with the time
its record last changed (not the build's clock) and unchanged records give identical files,
and the staff pages can show who changed a client's records, when, and why (the commits).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Change:
    last: datetime  # UTC commit time of the newest commit touching the file
    commits: int


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

    def of(self, path: str) -> Change | None:
        return self.files.get(path)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            check=True,
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
            seen = files.get(name)
            files[name] = Change(seen.last if seen else when, (seen.commits if seen else 0) + 1)
    return files, tuple(commits)


def record_history(root: Path, folder: str = "records") -> History:
    """Every file under ``folder`` that git knows, with its last change and commit count."""
    log = _git(
        Path(root),
        "log",
        "--relative",
        "--name-only",
        "--no-renames",
        "--format=%x1e%ct%x1f%an%x1f%s",
        "--",
        folder,
    )
    if log is None:
        return History({})
    shallow = (_git(Path(root), "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    files, commits = parse_log(log)
    return History(files, shallow, commits)
