"""What `baodan find` and `baodan clients` look through: a short summary of every client
record and policy, kept between runs in one file encrypted to the record key.

Decrypting and validating the 12,000 records of a 2,000-client firm takes seconds; reading
the summaries takes a few hundredths. They are kept per client folder with the (mtime, inode)
of the folder and of its policies/ folder: baodan writes a record by renaming a new file into
place, and git checks a file out by deleting and creating it, so either changes the folder's
mtime and the client's records are read again (through the loader, validated as `check` reads
them). A record copied over by hand in place, which neither does, is seen after the client
is next changed. Stating 4,000 folders instead of 12,000 files is most of the speed.

The file lives in the firm folder (``.baodan-cache/``, never committed: .gitignore), is only
ever written encrypted, and carries a tag only the record key can make: a file encrypted to
the record key's public half by someone else (it is no secret) is not believed. `baodan
forget` deletes it with the other local copies.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from baodan.core.errors import RecordError
from baodan.core.files import write_atomic
from baodan.core.layout import CLIENTS_DIR, LOOKUP_CACHE_FILE
from baodan.store.vault import Vault, key_tag

if TYPE_CHECKING:
    from baodan.core.rules import Rules

LIMIT = 256 * 1024 * 1024  # the compressed summaries of a very large firm
SLOT = "policies"  # of a client's folder, the lookup reads client.yaml.age and its policies
HEADER = "baodan lookup"  # then the tag; a line "C id\tstamp…" per client, "R kind\twords\tjson"
FEW = 20  # stale clients listed folder by folder rather than by one walk over the firm


@dataclass(frozen=True)
class Row:
    """One record's summary: ``kind`` (client or policy), ``words``, the normalized text it
    is found by, and ``text``, its summary as JSON (parsed only for the rows shown)."""

    client_id: str
    kind: str
    words: str
    text: str

    @property
    def summary(self) -> dict:
        return json.loads(self.text)


# summarize(record, rules) -> (kind, words, summary): what a record is found by and shows
Summarize = Callable[[object, "Rules"], tuple[str, str, dict]]


def _stamp(path: str) -> list[int]:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return [0, 0]
    return [st.st_mtime_ns, st.st_ino]


def _client_folders(root: Path) -> dict[str, list[int]]:
    """Client id -> the stamp of its folder and policies/ folder; links are not followed
    (the loader reports them: `baodan check`)."""
    base = os.path.join(root, CLIENTS_DIR)
    if not os.path.isdir(base):
        return {}
    return {
        entry.name: _stamp(entry.path) + _stamp(os.path.join(entry.path, SLOT))
        for entry in os.scandir(base)
        if entry.is_dir(follow_symlinks=False)
    }


def _tag(vault: Vault, version: str) -> str:
    return key_tag(vault.current, f"lookup cache {version}").hex()


def _read_cache(path: Path, vault: Vault, tag: str) -> dict[str, list]:
    """Client id -> [folder stamp, rows]; empty when there is none yet, it was written with
    another key or version, or it is damaged: then every record is read again."""
    try:
        text = zlib.decompress(vault.decrypt(path.read_bytes(), LIMIT)).decode("utf-8")
    except (OSError, ValueError, zlib.error):
        return {}
    lines = text.split("\n")  # not splitlines(): JSON leaves U+2028 and the like as they are
    if lines[0] != f"{HEADER} {tag}":
        return {}
    clients: dict[str, list] = {}
    rows: list = []
    try:
        for line in lines[1:]:
            if line.startswith("C "):
                cid, *stamp = line[2:].split("\t")
                rows = []
                clients[cid] = [[int(n) for n in stamp], rows]
            elif line.startswith("R "):
                kind, words, summary = line[2:].split("\t")
                rows.append([kind, words, summary])
    except ValueError:
        return {}
    return clients


def _write_cache(path: Path, vault: Vault, tag: str, clients: dict[str, list]) -> None:
    lines = [f"{HEADER} {tag}"]
    for cid, (stamp, rows) in clients.items():
        lines.append("C " + "\t".join([cid, *map(str, stamp)]))
        lines += ["R " + "\t".join(row) for row in rows]
    data = zlib.compress("\n".join(lines).encode("utf-8"), 1)
    write_atomic(path, vault.encrypt(data))


def rows(
    root: Path, vault: Vault, today: date, summarize: Summarize, version: str
) -> tuple[list[Row], list[RecordError]]:
    """A row for every client record and policy, and the errors of records that could not
    be read (left out, and read again next time; `baodan check` says more). ``version`` names
    what ``summarize`` makes: a new version reads every record again."""
    root = Path(root)
    cache_path = root / LOOKUP_CACHE_FILE
    tag = _tag(vault, version)
    folders = _client_folders(root)
    cached = _read_cache(cache_path, vault, tag)
    kept = {cid: cached[cid] for cid, stamp in folders.items() if cached.get(cid, [0])[0] == stamp}
    stale = [cid for cid in folders if cid not in kept]
    errors: list[RecordError] = []
    if stale:
        errors = _read_clients(root, vault, today, summarize, stale, folders, kept)
    if stale or len(kept) != len(cached):
        _write_cache(cache_path, vault, tag, kept)
    found = [Row(cid, *row) for cid in sorted(kept) for row in kept[cid][1]]
    return found, errors


def _client_of(rel: str) -> str:
    """The client folder a records/clients/<id>/... path is in."""
    return rel.split("/")[2] if rel.count("/") >= 2 else ""


def _read_clients(root, vault, today, summarize, stale, folders, kept) -> list[RecordError]:
    """Read the stale clients' records through the loader; a client with a record that
    fails is not kept."""
    from baodan.core.rules import Rules
    from baodan.models.context import firm_context
    from baodan.store.loader import _classify, load_encrypted

    wanted = set(stale)
    found_errors: list[RecordError] = []
    if len(stale) <= FEW:  # after an edit: list only those folders
        files = [f for cid in stale for f in _classify(root, found_errors, cid, (SLOT,))]
    else:
        files = [f for f in _classify(root, found_errors, slots=(SLOT,)) if f.client_id in wanted]
    rules = Rules(root)
    loaded = load_encrypted(root, files, vault.identities, firm_context(today, rules))
    errors = [e for e in found_errors if _client_of(e.source.file) in wanted]
    failed = {_client_of(e.source.file) for e in errors}
    made: dict[str, list] = {cid: [] for cid in stale}
    for f, (record, errs) in zip(files, loaded):
        errors.extend(errs)
        if record is None or errs:
            failed.add(f.client_id)
            continue
        kind, words, summary = summarize(record, rules)
        made[f.client_id].append([kind, words, json.dumps(summary, ensure_ascii=False)])
    for cid, found in made.items():
        if cid not in failed and found:
            kept[cid] = [folders[cid], found]
    return errors


def drop(root: Path) -> None:
    """Delete the summaries (after `baodan forget`: they may name the forgotten client)."""
    (Path(root) / LOOKUP_CACHE_FILE).unlink(missing_ok=True)
