"""A long git history for a benchmark firm, written by one ``git fast-import``.

The firm adopted baodan ``years`` ago: the first commit imports every file as it is today;
each later commit, on a working day in office hours, is a staff member saving one to three
records of one client. An edited record's earlier versions are the same plaintext encrypted
again: the build reads who changed which files when, not what changed. The last version of
every file is the bytes on disk, so the work tree is clean afterwards.
"""

from __future__ import annotations

import subprocess
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from baodan.core.workdays import is_workday
from baodan.demo.tables import STAFF
from baodan.domain.labels import record_title

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLIENTS = "records/clients/"
# Kept out of git: the benchmark's own files and what a build writes.
IGNORED = ("/bench.json", "/BENCH-IDENTITY.txt", "/site/", "/site-staff/", "/.site*-*-*/")


def plan(folder: Path, commits: int, today: date, years: int, seed: int) -> tuple[datetime, list]:
    """When the first commit is made, and (when, staff member, paths) of each later commit,
    oldest first."""
    rng = Random(seed)
    by_client: dict[str, list[str]] = defaultdict(list)
    for path in sorted((folder / CLIENTS).rglob("*.yaml.age")):  # documents never change
        rel = path.relative_to(folder).as_posix()
        by_client[rel.split("/")[2]].append(rel)
    clients = sorted(by_client)
    first = today.replace(year=today.year - years)
    days = [first + timedelta(n) for n in range((today - first).days)]
    days = [day for day in days if is_workday(day)]
    moments = sorted(
        datetime.combine(rng.choice(days), time(9), SHANGHAI)
        + timedelta(seconds=rng.randrange(9 * 3600))
        for _ in range(commits - 1)
    )
    edits = []
    for when in moments:
        files = by_client[rng.choice(clients)]
        edits.append(
            (when, rng.choice(STAFF), rng.sample(files, min(len(files), rng.randint(1, 3))))
        )
    return datetime.combine(days[0], time(8, 30), SHANGHAI), edits


def _commit(when: datetime, who: dict, subject: str) -> bytes:
    stamp = f"{int(when.timestamp())} +0800"
    ident = f"{who['name']} <{who['email']}> {stamp}"
    message = subject.encode("utf-8")
    return (
        (
            f"commit refs/heads/main\nauthor {ident}\ncommitter {ident}\ndata {len(message)}\n"
        ).encode()
        + message
        + b"\n"
    )


def _file(path: str, data: bytes) -> bytes:
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def write_history(
    folder: Path,
    plaintext: dict[str, str],
    vault,
    commits: int,
    today: date,
    years: int = 5,
    seed: int = 2026,
) -> int:
    """Make ``folder`` a git repository whose main branch has ``commits`` commits over
    ``years`` years before ``today``, ending in the files on disk. Returns the commits made."""
    folder = Path(folder)
    (folder / ".gitignore").write_text("\n".join(IGNORED) + "\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z", "--others", "--exclude-standard"],
            cwd=folder,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    tracked = sorted(filter(None, tracked))
    start, edits = plan(folder, max(1, commits), today, years, seed)
    later = Counter(path for _, _, paths in edits for path in paths)

    def version(path: str) -> bytes:
        """The file's bytes on disk for its last version, else a new encryption of them."""
        if later[path]:
            later[path] -= 1
            return vault.encrypt(plaintext[path].encode("utf-8"))
        return (folder / path).read_bytes()

    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=folder, stdin=subprocess.PIPE
    )
    stream = importer.stdin
    stream.write(_commit(start, STAFF[0], "导入公司现有的全部记录"))
    for path in tracked:
        stream.write(_file(path, version(path)))
    for when, who, paths in edits:
        titles = "、".join(record_title(p) for p in paths)
        stream.write(_commit(when, who, f"更新记录：{titles}"))
        for path in paths:
            stream.write(_file(path, version(path)))
    stream.write(b"done\n")
    stream.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "reset", "-q"], cwd=folder, check=True)  # the index: HEAD's files
    return len(edits) + 1
