"""Change encrypted records from a command: decrypt, edit the YAML round-trip, validate all,
then write all (encrypted, atomically) — a command that fails writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

from baodan.core import yamlio
from baodan.core.errors import BaodanError
from baodan.services.editing import expected_name, validate_text, write_context
from baodan.store.workspace import Workspace


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
    """Files a command will write and delete, checked before anything touches the disk."""

    ws: Workspace
    writes: dict[Path, str] = field(default_factory=dict)
    deletes: list[Path] = field(default_factory=list)
    originals: dict[Path, str] = field(default_factory=dict)

    def edit(self, path: Path) -> CommentedMap:
        """A record as an ordered, comment-keeping mapping, to change and ``put`` back."""
        self.originals[path] = self.ws.read(path)
        return yamlio.load_roundtrip(self.originals[path], self.ws.rel(path))

    def put(self, path: Path, doc, like: Path | None = None) -> None:
        """Validate a record's new text now; raise BaodanError naming its file and field.
        A record read with ``edit`` (from ``like``, when it moves) keeps its list style, so
        only what changed shows in a diff."""
        original = self.originals.get(like or path)
        text = yamlio.dump_roundtrip(_blocks(doc), like=original)
        rel = self.ws.rel(path)
        errors = validate_text(text, rel, write_context(self.ws), expected_name(rel))
        if errors:
            raise BaodanError(errors)
        self.writes[path] = text

    def delete(self, path: Path) -> None:
        self.deletes.append(path)

    def commit(self) -> list[str]:
        """Write every file, then delete; returns the paths changed, relative to the firm."""
        for path, text in self.writes.items():
            self.ws.write(path, text)
        for path in self.deletes:
            path.unlink(missing_ok=True)
        return [self.ws.rel(p) for p in [*self.writes, *self.deletes]]
