"""Find, decrypt, parse and validate the firm's records, once, into one Firm.

``read_firm`` is the only way a build or a command reads records (``checks.load_firm`` adds
the whole-firm checks). Problems are collected
as RecordError values (file, line, field, Chinese message, hint), never raised one by one.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from baodan.core import yamlio
from baodan.core.errors import RecordError, Source
from baodan.core.filetypes import NAMES, sniff
from baodan.core.layout import RECORDS
from baodan.core.parse import parse_record, read_text
from baodan.core.rules import Rules
from baodan.models import (
    Claim,
    Client,
    ClientFile,
    Firm,
    Interaction,
    Lecture,
    Policy,
    Settings,
)
from baodan.models.context import firm_context
from baodan.models.kinds import BY_NAME, CLIENT_SLOTS, Kind
from baodan.store.decrypting import decrypt_files, default_sigterm, read_file
from baodan.store.documents import SLOT as DOCUMENTS
from baodan.store.documents import is_content_name
from baodan.store.field_sets import compact
from baodan.store.retired import read_retired
from baodan.store.vault import Vault
from baodan.store.watched import WatchedPaths


def _name_matches(record, kind: Kind, expected: str, rel: str) -> list[RecordError]:
    problem = kind.file_name_problem(record, expected)
    if problem is None:
        return []
    return [RecordError(Source(rel, 1), kind.id_field, problem, "两者必须一致：改文件名或改字段")]


def _read_plain(root: Path, kind: Kind, errors: list, context: dict) -> list:
    out = []
    for path in sorted((root / RECORDS / kind.folder).glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            errors.append(_linked(rel))
            continue
        text = read_text(read_file(path, yamlio.MAX_BYTES), rel, errors)
        if text is None:
            continue
        record, errs = parse_record(kind.model, text, rel, context)
        errors.extend(errs)
        if record is not None:
            errors.extend(_name_matches(record, kind, path.stem, rel))
            out.append(record)
    return out


def split_front_matter(text: str) -> tuple[str, str] | None:
    if not text.startswith("---"):
        return None
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return None
    return parts[0].removeprefix("---"), parts[1].partition("\n")[2]


def _read_lectures(root: Path, errors: list, context: dict) -> list[Lecture]:
    lectures = []
    for path in sorted((root / RECORDS / "lectures").glob("*.md")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            errors.append(_linked(rel))
            continue
        text = read_text(read_file(path, yamlio.MAX_BYTES), rel, errors)
        if text is None:
            continue
        parts = split_front_matter(text)
        if parts is None:
            errors.append(
                RecordError(
                    Source(rel, 1),
                    "",
                    "讲座文件缺少开头的 --- 信息区",
                    "文件以 --- 开头，写标题、日期等，再以 --- 结束",
                )
            )
            continue
        record, errs = parse_record(Lecture, parts[0], rel, context)
        for e in errs:  # front matter starts on line 2 of the file
            errors.append(e._replace(source=Source(rel, e.source.line + 1 if e.source.line else 0)))
        if record is not None:
            record._body = parts[1]
            record._body_line = parts[0].count("\n") + 3  # after the closing ---
            lectures.append(record)
    return sorted(lectures, key=lambda lec: (lec.date, lec.start_time))


@dataclass(slots=True)  # 188,000 of them at 10,000 clients
class EncryptedFile:
    rel: str
    kind: Kind
    client_id: str


def _misplaced(rel: str) -> RecordError:
    return RecordError(
        Source(rel),
        "",
        "这里不该有这个文件",
        "客户文件夹里只能有 client.yaml.age，以及 "
        + "、".join(f"{s}/" for s in CLIENT_SLOTS)
        + " 下的 .yaml.age 文件",
    )


def _plaintext(rel: str) -> RecordError:
    return RecordError(
        Source(rel),
        "",
        "客户资料以明文存放，这违反数据保护要求",
        "请立即运行 baodan encrypt 该文件（会删除明文），不要提交到 git",
    )


def _classify(
    root: Path,
    errors: list,
    only: str | None = None,
    slots: Collection[str] | None = None,
    client_files=None,
) -> list[EncryptedFile]:
    """Every file under records/clients/ (or only one client's folder) must be an encrypted
    record in a known slot; with ``slots``, only those slots' folders are read. (os.scandir
    and plain strings: pathlib costs a second here for 34,000 files.) ``client_files``: what
    reads one client's folder (``_client_files``; RecordCache keeps its answers)."""
    base = root / RECORDS / "clients"
    if not base.is_dir():
        return []
    if not base.resolve().is_relative_to(Path(root).resolve()):
        errors.append(_linked(f"{RECORDS}/clients"))
        return []
    found = []
    prefix = f"{RECORDS}/clients"
    for client in sorted(os.scandir(base), key=lambda e: e.name):
        if only is not None and client.name != only:
            continue
        rel = f"{prefix}/{client.name}"
        if client.is_symlink():
            errors.append(_linked(rel))
            continue
        if not client.is_dir():
            if client.name != ".gitkeep":
                errors.append(_stray(root, rel))
            continue
        files, errs = (client_files or _client_files)(root, client, rel, slots)
        found.extend(files)
        errors.extend(errs)
    return found


def _client_files(
    root: Path, client: os.DirEntry, rel: str, slots: Collection[str] | None
) -> tuple[list[EncryptedFile], list[RecordError]]:
    """_classify of one client's folder: its encrypted records, and what is wrong there."""
    found, errors = [], []
    for entry in sorted(os.scandir(client.path), key=lambda e: e.name):
        name, here = entry.name, f"{rel}/{entry.name}"
        if entry.is_symlink():
            errors.append(_linked(here))
        elif entry.is_dir() and name in CLIENT_SLOTS:
            if slots is not None and name not in slots:
                continue
            kind = CLIENT_SLOTS[name]
            for item in sorted(os.scandir(entry.path), key=lambda e: e.name):
                path = f"{here}/{item.name}"
                if item.name == ".gitkeep":
                    continue
                if item.is_symlink():
                    errors.append(_linked(path))
                elif item.is_file() and item.name.endswith(".yaml.age"):
                    found.append(EncryptedFile(path, kind, client.name))
                elif name == DOCUMENTS and item.is_file() and is_content_name(item.name):
                    continue  # a document's file: checks/documents.py reads it
                else:
                    errors.extend(_stray(root, p) for p in _files_at(root, path))
        elif name == "client.yaml.age":
            found.append(EncryptedFile(here, BY_NAME["client"], client.name))
        else:
            errors.extend(_stray(root, p) for p in _files_at(root, here))
    return found, errors


def _linked(rel: str) -> RecordError:
    """A link could bring a file from outside the firm into its records and its site."""
    return RecordError(
        Source(rel),
        "",
        "这是一个链接（符号链接），不是文件夹或文件：baodan 不经由链接读写记录",
        "把真正的记录放在这里，删去链接（链接会把公司目录以外的文件当成记录）",
    )


def _stray(root: Path, rel: str) -> RecordError:
    if rel.endswith((".yaml", ".yml")):
        return _plaintext(rel)
    try:
        with open(os.path.join(root, rel), "rb") as f:
            kind = sniff(f.read(16))
    except OSError:
        kind = None
    if kind is not None:  # a scanned policy saved into the folder by hand
        return RecordError(
            Source(rel),
            "",
            f"这是一份未加密的文档（{NAMES[kind]}），违反数据保护要求",
            "删除这个明文文件（不要提交到 git）；要保存的文档请用 baodan attach 登记号 文件 加密附加",
        )
    return _misplaced(rel)


def _files_at(root: Path, rel: str) -> list[str]:
    """The file ``rel``, or the files under the folder ``rel``; .gitkeep does not count."""
    path = root / rel
    found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return sorted(p.relative_to(root).as_posix() for p in found if p.name != ".gitkeep")


Loaded = tuple[BaseModel | None, list[RecordError]]  # a record or None, and its errors


def _load_encrypted(
    root: str, files: list[EncryptedFile], identities: list, context: dict
) -> list[Loaded]:
    """Read, decrypt, parse and validate each file (with the validation ``context``,
    models/context.py): (record or None, its errors). Each step is done for a batch of files
    before the next: going from the file system to OpenSSL to libyaml and pydantic and back
    for every file costs a quarter more (measured: the CPU's caches)."""
    out = []
    for start in range(0, len(files), CHUNK):
        batch = files[start : start + CHUNK]
        plains = decrypt_files(root, [f.rel for f in batch], identities)
        out.extend(_parse_file(f, plain, context) for f, plain in zip(batch, plains))
    return out


def _parse_file(f: EncryptedFile, plain: bytes | RecordError, context: dict) -> Loaded:
    if isinstance(plain, RecordError):
        return None, [plain]
    errors: list[RecordError] = []
    text = read_text(plain, f.rel, errors)
    if text is None:
        return None, errors
    kind = f.kind
    record, errors = parse_record(kind.model, text, f.rel, context)
    if record is not None:
        if kind.id_field:
            expected = (
                f.client_id
                if not kind.client_slot
                else f.rel.rpartition("/")[2].removesuffix(".yaml.age")
            )
            errors.extend(_name_matches(record, kind, expected, f.rel))
        record._client_id = f.client_id
        compact(record)
    return record, errors


def _load_in_worker(args: tuple[str, list[EncryptedFile], list[str], dict]) -> list[Loaded]:
    """_load_encrypted in a worker process: identities do not pickle, so they come as text."""
    from pyrage import x25519

    root, files, texts, context = args
    return _load_encrypted(root, files, [x25519.Identity.from_str(t) for t in texts], context)


# How dear a loaded record is to send back from a worker process (pickling: measured order;
# a policy ~35 + ~21 µs, an interaction ~7 µs). Sending plaintext instead, for this process
# to parse, was measured too: 4 % more CPU, as this process then waits on nothing but
# parses what the worker decrypted ahead.
SEND_COST = {Interaction: 0, Client: 1, Policy: 2, Claim: 3}
PARALLEL_FROM = 2000  # files; below this a worker process costs more than it saves
CHUNK = 500


def load_encrypted(
    root: Path, files: list[EncryptedFile], identities: list, context: dict
) -> list[Loaded]:
    """_load_encrypted for many files, on every core: decryption (pyrage) and libyaml
    hold the GIL, so the work is shared with worker processes. The files are cut into chunks;
    workers take chunks from the front while this process takes them from the back. Results
    come in the order of ``files``."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    texts = [str(i) for i in identities]  # record keys: age X25519, which rebuild from text
    if (
        len(files) < PARALLEL_FROM
        or (cores or 1) < 2
        or not all(t.startswith("AGE-SECRET-KEY-") for t in texts)
    ):
        return _load_encrypted(str(root), files, identities, context)
    # A record a worker loads comes back pickled, which for a policy or claim (many nested
    # models) costs about as much as parsing it; an interaction is flat and cheap to send.
    # So the queue, which workers take from the front, goes from cheap to dear to send.
    order = sorted(range(len(files)), key=lambda i: SEND_COST.get(files[i].kind.model, 1))
    queue = [files[i] for i in order]
    chunks = [queue[i : i + CHUNK] for i in range(0, len(queue), CHUNK)]
    done: dict[int, list[Loaded]] = {}
    try:
        with ProcessPoolExecutor(cores - 1, initializer=default_sigterm) as pool:
            futures = [pool.submit(_load_in_worker, (str(root), c, texts, context)) for c in chunks]
            for i in reversed(range(len(chunks))):
                if futures[i].cancel():  # not started by a worker yet: do it here
                    done[i] = _load_encrypted(str(root), chunks[i], identities, context)
            for i, future in enumerate(futures):
                if i not in done:
                    done[i] = future.result()
                    for record, _ in done[i]:
                        if record is not None:
                            compact(record)  # unpickling made its dicts and sets anew
    except (OSError, BrokenProcessPool):  # no worker processes here, or one was killed
        return _load_encrypted(str(root), files, identities, context)
    in_order: list = [None] * len(files)
    loaded = (result for k in range(len(chunks)) for result in done[k])
    for i, result in zip(order, loaded):
        in_order[i] = result
    return in_order


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Loading allocates millions of objects and frees none; the cyclic garbage collector
    would walk all of them again and again (a fifth of the load time), to find nothing.
    Afterwards they are frozen (left out of later collections): the first allocation after
    re-enabling would otherwise start a full collection over all of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


class RecordCache:
    """Loaded encrypted records kept between the rebuilds of one `baodan serve` process, so a
    rebuild decrypts only the files that changed. Plaintext stays in this process's memory:
    nothing is written anywhere. Records are shared between builds: builders must not
    change them. Once the preview's file watcher has started (``changes``), a rebuild lists
    and stats only the client folders it reported changed, not every record file."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple, Loaded]] = {}
        self._context: dict | None = None
        self._keys: list[str] = []
        # _client_files of each client folder, as read for (root, slots) = _where
        self._folders: dict[str, tuple[list[EncryptedFile], list[RecordError]]] = {}
        self._where: tuple[str, tuple[str, ...] | None] | None = None
        self._dirty: set[str] | None = None  # the client folders this build reads (None: all)
        self._before: list[str] = []  # the files those folders held
        self._loading = False  # between classify and load: a build that fails there
        self.changes = WatchedPaths(self._catch_up)

    def classify(
        self, root: Path, errors: list, slots: Collection[str] | None
    ) -> list[EncryptedFile]:
        """_classify, reading again only the client folders the watcher reported changed."""
        paths = self.changes.take()
        where = (str(root), tuple(slots) if slots is not None else None)
        dirty = None
        if paths is not None and where == self._where and not self._loading:
            dirty = _client_folders(where[0], paths)
        if dirty is None:
            self._folders = {}
        # the files the folders read again held before (load forgets those now gone)
        self._before = [f.rel for name in dirty or () for f in self._folders.pop(name, ((),))[0]]
        known, seen = self._folders, {}

        def client_files(root, client, rel, slots):
            if client.name not in known:
                known[client.name] = _client_files(root, client, rel, slots)
            seen[client.name] = known[client.name]
            return seen[client.name]

        self._where, self._dirty, self._loading = where, dirty, True
        files = _classify(root, errors, slots=slots, client_files=client_files)
        self._folders = seen  # a folder no longer there is forgotten
        return files

    def load(
        self, root: Path, files: list[EncryptedFile], identities: list, context: dict
    ) -> list[Loaded]:
        """load_encrypted, reusing each file whose (mtime, size, inode) and key are unchanged,
        while the validation context is (a new day validates every record again). After
        ``classify``, only the files of the client folders it read again are looked at."""
        keys = [str(i) for i in identities]
        if context != self._context or keys != self._keys:
            self._entries, self._context, self._keys = {}, context, keys
            self._dirty = None
        entries, dirty = self._entries, self._dirty
        if dirty is None:
            look = files
        else:
            look = [f for f in files if f.client_id in dirty or f.rel not in entries]
        stamps = [_stamp(root, f, keys) for f in look]
        stale = [i for i, f in enumerate(look) if entries.get(f.rel, ((),))[0] != stamps[i]]
        fresh = dict(
            zip(stale, load_encrypted(root, [look[i] for i in stale], identities, context))
        )
        looked = {
            f.rel: (stamps[i], fresh[i] if i in fresh else entries[f.rel][1])
            for i, f in enumerate(look)
        }
        if dirty is None:
            self._entries = entries = looked
        else:  # the files of the other folders are as they were
            for rel in self._before:
                entries.pop(rel, None)
            entries.update(looked)
        self._loading = False
        return [entries[f.rel][1] for f in files]

    def _catch_up(self) -> list[str] | None:
        """The client folders that changed since the last build read them: called once, when
        the watcher has started (the first build ran before it did)."""
        if self._where is None or self._loading:
            return None
        root, slots = self._where
        folders: dict[str, tuple] = {}

        def client_files(root, client, rel, slots):
            folders[client.name] = _client_files(root, client, rel, slots)
            return folders[client.name]

        _classify(Path(root), [], slots=slots, client_files=client_files)
        changed = folders.keys() ^ self._folders.keys()
        changed |= {name for name, read in folders.items() if read != self._folders.get(name)}
        for name, (files, _) in folders.items():
            if any(
                _stamp(root, f, self._keys) != self._entries.get(f.rel, ((),))[0] for f in files
            ):
                changed.add(name)
        return [os.path.join(root, RECORDS, "clients", name) for name in changed]


def _stamp(root, f: EncryptedFile, keys: list[str]) -> tuple:
    st = os.stat(os.path.join(root, f.rel))
    return (st.st_mtime_ns, st.st_size, st.st_ino, *keys)


def _client_folders(root: str, paths: Collection[str]) -> set[str] | None:
    """The names of the client folders ``paths`` are in; paths in the other record folders
    do not count (they are read on every build). None for a path anywhere else (records/clients
    itself, say, or outside the records): then every folder is read again."""
    records = {
        os.path.join(r, RECORDS) + os.sep for r in (os.path.abspath(root), os.path.realpath(root))
    }
    names = set()
    for path in paths:
        inside = next((path[len(r) :] for r in records if path.startswith(r)), None)
        if inside is None:
            return None
        parts = inside.split(os.sep)
        if parts[0] != "clients":
            continue
        if len(parts) < 2 or not parts[1]:
            return None
        names.add(parts[1])
    return names


def read_firm(
    root: Path,
    vault: Vault | None,
    today: date,
    cache: RecordCache | None = None,
    slots: Collection[str] | None = None,
) -> tuple[Firm | None, list[RecordError]]:
    """Read every record and validate each with its model, as of ``today`` (whole-firm checks
    are ``checks.load_firm``'s). Without a vault only the public records are read; with
    ``slots``, of each client's folder only client.yaml.age and those slots."""
    rules = Rules(Path(root))
    with _no_cycle_collection():
        try:
            return _read_firm(root, vault, rules, firm_context(today, rules), cache, slots)
        finally:
            yamlio.forget()


def _read_firm(
    root: Path,
    vault: Vault | None,
    rules: Rules,
    context: dict,
    cache: RecordCache | None,
    slots: Collection[str] | None,
) -> tuple[Firm | None, list[RecordError]]:
    root = Path(root)
    errors: list[RecordError] = []
    firm_path = root / RECORDS / "firm.yaml"
    if not firm_path.is_file():
        return None, [
            RecordError(
                Source("records/firm.yaml"),
                "",
                "找不到公司设置文件",
                "在公司目录里运行；新公司请先 baodan init",
            )
        ]
    settings = None
    text = read_text(read_file(firm_path, yamlio.MAX_BYTES), "records/firm.yaml", errors)
    if text is not None:
        settings, errs = parse_record(Settings, text, "records/firm.yaml", context)
        errors.extend(errs)
    firm = Firm(settings=settings) if settings else None
    insurers = _read_plain(root, BY_NAME["insurer"], errors, context)
    staff = _read_plain(root, BY_NAME["staff"], errors, context)
    lectures = _read_lectures(root, errors, context)
    training = _read_plain(root, BY_NAME["training"], errors, context)
    partners = _read_plain(root, BY_NAME["partner"], errors, context)
    retired = read_retired(root, errors)
    clients: dict[str, ClientFile] = {}
    if vault is not None:
        clients = _read_clients(root, vault, context, errors, cache, slots=slots)
    if firm is None:
        return None, errors
    firm.insurers = {i.code: i for i in insurers}
    firm.staff = {s.id: s for s in staff}
    firm.lectures = lectures
    firm.training = sorted(training, key=lambda t: (t.date, t.path))
    firm.partners = {p.code: p for p in partners}
    firm.clients = clients
    firm.retired_registry_nos = retired
    firm.rules = rules
    # Files that failed to load are reported once; checks must not call them missing too.
    firm.unreadable = {e.source.file for e in errors}
    return firm, errors


def load_client(
    root: Path, vault: Vault, client_id: str, today: date
) -> tuple[ClientFile | None, list[RecordError]]:
    """One client's folder, for a command that changes that client's records."""
    errors: list[RecordError] = []
    context = firm_context(today, Rules(Path(root)))
    clients = _read_clients(Path(root), vault, context, errors, None, only=client_id)
    return clients.get(client_id), errors


def _read_clients(
    root: Path,
    vault: Vault,
    context: dict,
    errors: list,
    cache: RecordCache | None,
    only: str | None = None,
    slots: Collection[str] | None = None,
) -> dict[str, ClientFile]:
    if cache is not None:
        files = cache.classify(root, errors, slots)
    else:
        files = _classify(root, errors, only, slots)
    load = cache.load if cache is not None else load_encrypted
    loaded = load(root, files, vault.identities, context)
    clients: dict[str, ClientFile] = {}
    for f, (record, errs) in zip(files, loaded):
        errors.extend(errs)
        if isinstance(record, Client):
            clients[f.client_id] = ClientFile(record)
    slot_of = {kind.model: slot for slot, kind in CLIENT_SLOTS.items()}
    for f, (record, _) in zip(files, loaded):
        if record is None or isinstance(record, Client):
            continue
        cf = clients.get(f.client_id)
        if cf is None:
            errors.append(
                RecordError(
                    Source(f.rel),
                    "",
                    f"客户文件夹 {f.client_id} 里缺少 client.yaml.age",
                    "先建客户（baodan new client），或把文件移到正确的客户文件夹",
                )
            )
            continue
        getattr(cf, slot_of[type(record)]).append(record)
    for cf in clients.values():
        sort_records(cf)
    return dict(sorted(clients.items()))


def sort_records(cf: ClientFile) -> None:
    """A client's records in the order every reader expects (by date, then name)."""
    cf.policies.sort(key=lambda p: (p.effective, p.registry_no))
    cf.claims.sort(key=lambda c: (c.reported_on, c.id))
    cf.interactions.sort(key=lambda i: (i.date, i.path))
    cf.tasks.sort(key=lambda t: (t.created, t.id))
    cf.incidents.sort(key=lambda i: (i.opened, i.id))
    cf.documents.sort(key=lambda d: (d.added_on, d.id))
