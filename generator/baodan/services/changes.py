"""The one way a command changes encrypted records: decrypt, edit the YAML round-trip, check
each record as `baodan check` reads it and the whole firm as `baodan check` checks it, then
write all (encrypted, atomically) — a command that fails writes nothing.

Every writing command (new, edit, encrypt, intake, claim …, greet, survey, attend, task …,
incident …, renew, audit, verify, renumber, portal/feed rotate) goes through ``Changes``;
``Workspace.write`` is called nowhere else but re-encryption (tests/test_write_path.py).
A change is refused for the problems it brings, not for those the firm already had
(checks/change.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source
from baodan.core.today import today
from baodan.models.kinds import CLIENT_SLOTS
from baodan.store.workspace import Workspace, model_for

if TYPE_CHECKING:
    from baodan.models import Firm

T = TypeVar("T")
# What the whole-firm checks compare between clients, besides the client records.
CROSS_CLIENT = ("policies",)


def write_context(ws: Workspace) -> dict:
    """What a record this command writes in ``ws`` is validated with (models/context.py):
    today's date and the firm's taxonomy."""
    from baodan.core.rules import Rules
    from baodan.models.context import firm_context

    return firm_context(today(), Rules(ws.root))


def parse_text(text: str, rel: str, context: dict, expected_name: str | None = None):
    """A record's text as the loader reads it: (record or None, problems)."""
    # Validation imports the models: after the editor has opened, not before (start-up time).
    from baodan.core.parse import parse_record
    from baodan.models.kinds import BY_MODEL

    model = model_for(rel)
    record, errors = parse_record(model, text, rel, context)
    kind = BY_MODEL[model]
    if (
        record is not None
        and expected_name is not None
        and kind.file_name_problem(record, expected_name)
    ):
        errors.append(
            RecordError(
                Source(rel, 1),
                kind.id_field,
                f"{kind.id_field} 必须是“{expected_name}”（与文件名一致）",
                "不要改这个字段",
            )
        )
    if record is not None and not errors:
        record._client_id = rel.split("/")[2]
        return record, []
    return None, errors


def validate_text(
    text: str, rel: str, context: dict, expected_name: str | None = None
) -> list[RecordError]:
    return parse_text(text, rel, context, expected_name)[1]


def expected_name(rel: str) -> str | None:
    parts = rel.split("/")
    if parts[-1] == "client.yaml.age":
        return parts[-2]
    if len(parts) >= 2 and parts[-2] in CLIENT_SLOTS and CLIENT_SLOTS[parts[-2]].id_field:
        return parts[-1].removesuffix(".yaml.age")
    return None


def _blocks(value):
    """Multi-line text as a YAML block (|), as a person would write it."""
    if isinstance(value, str) and "\n" in value and not isinstance(value, LiteralScalarString):
        return LiteralScalarString(value)
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _blocks(value[key])
    elif isinstance(value, list):
        value[:] = [_blocks(v) for v in value]
    return value


def set_field(doc: CommentedMap, key: str, value, after: tuple[str, ...] = ()) -> None:
    """Set ``key``; a new key goes right after the last of ``after`` present, else at the end."""
    if key in doc:
        doc[key] = value
        return
    keys = list(doc)
    anchors = [keys.index(k) for k in after if k in doc]
    doc.insert(max(anchors) + 1 if anchors else len(keys), key, value)


@dataclass
class Changes:
    """Files a command will write and delete, checked before anything touches the disk.
    ``firm``: the firm as the command loaded it (every client), else it is loaded to check."""

    ws: Workspace
    firm: Firm | None = None
    writes: dict[Path, str] = field(default_factory=dict)
    deletes: list[Path] = field(default_factory=list)
    originals: dict[Path, str] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)  # by file: the validated records
    moved: dict[str, str] = field(default_factory=dict)  # new file -> old file

    def edit(self, path: Path) -> CommentedMap:
        """A record as an ordered, comment-keeping mapping, to change and ``put`` back."""
        self.originals[path] = self.ws.read(path)
        return yamlio.load_roundtrip(self.originals[path], self.ws.rel(path))

    def put(self, path: Path, doc, like: Path | None = None) -> None:
        """Validate a record's new text now; raise BaodanError naming its file and field.
        A record read with ``edit`` (from ``like``, when it moves) keeps its list style, so
        only what changed shows in a diff."""
        original = self.originals.get(like or path)
        self.put_text(path, yamlio.dump_roundtrip(_blocks(doc), like=original), like)

    def put_text(self, path: Path, text: str, like: Path | None = None) -> None:
        """``put`` for a record's whole text (from the editor, a plaintext file)."""
        rel = self.ws.rel(path)
        record, errors = parse_text(text, rel, write_context(self.ws), expected_name(rel))
        if errors:
            raise BaodanError(errors)
        self.writes[path] = text
        self.records[rel] = record
        if like is not None and like != path:
            self.moved[rel] = self.ws.rel(like)

    def delete(self, path: Path) -> None:
        self.deletes.append(path)

    def problems(self) -> list[RecordError]:
        """What `baodan check` would find after this change and not before it (a record
        this change writes is named with the line of the field)."""
        from baodan.checks.change import new_problems
        from baodan.checks.rules import check_rule_files

        firm = self._firm()
        if errors := check_rule_files(firm.rules):
            return errors  # the checks read the rules: fix those first
        removed = {self.ws.rel(p) for p in self.deletes}
        found = new_problems(firm, self.records, removed, today(), self.moved)
        texts = {self.ws.rel(p): t for p, t in self.writes.items()}
        return [_with_line(e, texts.get(e.source.file)) for e in found]

    def _firm(self) -> Firm:
        """The firm as the checks need it around this change: every client with their
        policies (what checks compare across clients: numbers, portals, references), and
        whole folders for the clients changed (a third of the records of a typical firm)."""
        if self.firm is None:
            from baodan.store.loader import load_client, read_firm

            root, vault, day = self.ws.root, self.ws.vault, today()
            firm, errors = read_firm(root, vault, day, slots=CROSS_CLIENT)
            if firm is None:
                raise BaodanError(errors)
            changed = {self.ws.rel(p).split("/")[2] for p in [*self.writes, *self.deletes]}
            for cid in changed & set(firm.clients):
                cf, _ = load_client(root, vault, cid, day)  # its problems are check's to say
                if cf is not None:
                    firm.clients[cid] = cf
            self.firm = firm
        return self.firm

    def commit(self) -> list[str]:
        """Check the firm as it will be, then write every file and delete; returns the paths
        changed, relative to the firm."""
        if errors := self.problems():
            raise BaodanError([*errors, NOTHING_WRITTEN])
        for path, text in self.writes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            self.ws.write(path, text)
        for path in self.deletes:
            path.unlink(missing_ok=True)
        return [self.ws.rel(p) for p in [*self.writes, *self.deletes]]


NOTHING_WRITTEN = RecordError(
    Source("<baodan>"), "", "上面的问题改好之前，什么都没有保存", "按提示改好后重新运行刚才的命令"
)


def _with_line(e: RecordError, text: str | None) -> RecordError:
    if text is None or e.source.line or not e.field:
        return e
    return e._replace(source=Source(e.source.file, yamlio.line_of(text, tuple(e.field.split(".")))))


def update_record(ws: Workspace, path: Path, change: Callable[[Any], T], firm=None) -> T:
    """Change an encrypted record from code, as a person would in the editor: ``change``
    edits the ruamel round-trip data in place, so comments, key order and quoting stay; the
    result is checked (``Changes``) before it is encrypted and written. Returns what
    ``change`` returned. ``firm``: see ``Changes``."""
    changes = Changes(ws, firm)
    data = changes.edit(path)
    result = change(data)
    changes.put(path, data)
    changes.commit()
    return result


def create_record(ws: Workspace, path: Path, data: dict, firm=None) -> None:
    """Write a new record from code (checked, encrypted); refuses to overwrite one."""
    if path.exists():
        raise BaodanError(f"{ws.rel(path)} 已经存在", "换一个编号，或用 baodan edit 修改它")
    changes = Changes(ws, firm)
    changes.put(path, data)
    changes.commit()
