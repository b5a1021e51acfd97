"""Each client's history from git: one `git log` over records/clients per build.

Commit messages and authors are what staff wrote; paths carry only opaque ids, so nothing
here is decrypted. A folder that is not a git repository (or no git) has no history.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SEP, END = "\x1f", "\x1e"


@dataclass(frozen=True)
class Commit:
    sha: str
    day: date
    author: str
    subject: str
    files: tuple[str, ...]  # what changed in the client's folder: "policies/BD-….yaml.age"


def client_history(root: Path | None, limit: int = 30) -> dict[str, list[Commit]]:
    """Newest first, at most ``limit`` commits per client."""
    git = shutil.which("git")
    if root is None or git is None:
        return {}
    try:
        run = subprocess.run(
            [
                git,
                "-C",
                str(root),
                "log",
                "--no-renames",
                "--date=short",
                f"--format={END}%H{SEP}%ad{SEP}%an{SEP}%s",
                "--name-only",
                "--",
                "records/clients",
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        )
    except (subprocess.CalledProcessError, OSError):
        return {}
    return parse_log(run.stdout, limit)


def parse_log(text: str, limit: int) -> dict[str, list[Commit]]:
    history: dict[str, list[Commit]] = {}
    for block in text.split(END):
        head, _, names = block.partition("\n")
        if not head.strip():
            continue
        sha, day, author, subject = head.split(SEP, 3)
        by_client: dict[str, list[str]] = {}
        for name in names.split():
            parts = name.split("/", 3)  # records/clients/<id>/<rest>
            if len(parts) == 4:
                by_client.setdefault(parts[2], []).append(parts[3])
        for client_id, files in by_client.items():
            commits = history.setdefault(client_id, [])
            if len(commits) < limit:
                commits.append(
                    Commit(sha[:8], date.fromisoformat(day), author, subject, tuple(files))
                )
    return history
