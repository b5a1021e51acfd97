"""Git for tests: a firm folder as a repository with a fixed author, and commits in it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

AUTHOR = {
    "GIT_AUTHOR_NAME": "王芳",
    "GIT_AUTHOR_EMAIL": "wang-fang@example.com",
    "GIT_COMMITTER_NAME": "王芳",
    "GIT_COMMITTER_EMAIL": "wang-fang@example.com",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def init(root: Path, monkeypatch, date: str | None = None) -> None:
    """A repository holding everything in ``root`` as its first commit on main."""
    for key, value in AUTHOR.items():
        monkeypatch.setenv(key, value)
    git(root, "init", "-q", "-b", "main")
    commit(root, "初始记录", date=date)


def commit(root: Path, message: str, date: str | None = None) -> None:
    """Commit everything; ``date`` (ISO 8601) sets when, for histories with a timeline."""
    git(root, "add", "-A")
    env = {} if date is None else {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "-C", str(root), "commit", "-q", "--allow-empty", "-m", message],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
