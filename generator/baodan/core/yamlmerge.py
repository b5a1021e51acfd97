"""Three-way merge of a YAML record by field, over ruamel round-trip data.

Git merges text line by line; a record is a tree of fields. Here a field either side changed
takes that side's value; a field both sides changed to the same value is no conflict; a
field both changed differently is a conflict: "ours" is kept and the three values are noted.
Lists of mappings are matched by what identifies an item (a family member by name and
relation, a claim stage by stage and date: ``list_keys``, from the models), not by position,
so items added on both sides are all kept. Lists of plain values merge as sets.

The result is "ours" changed in place, so its comments, key order and quoting stay. A
conflict note goes into the record itself under ``CONFLICTS_KEY``: inside the encryption,
where `baodan check` finds it and `baodan edit` shows it (core.parse refuses a record that
still has one).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from baodan.core import yamlio

CONFLICTS_KEY = "_merge_conflicts"
WHOLE_RECORD = "（整份记录）"


class _Missing:
    """A side where the field (or list item, or file) does not exist."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass
class Conflict:
    """A field both sides changed differently: its path (``family[1].mobile``) and values.
    ``problem`` says why there is no value to offer (a side that could not be read)."""

    field: str
    base: Any = MISSING
    ours: Any = MISSING
    theirs: Any = MISSING
    problem: str = ""

    def as_note(self) -> dict:
        note: dict[str, Any] = {"field": self.field}
        for side in ("base", "ours", "theirs"):
            value = getattr(self, side)
            if value is not MISSING:
                note[side] = detached(value)
        if self.problem:
            note["problem"] = self.problem
        return note


ListKeys = Mapping[str, tuple[str, ...]]  # list field path (names only, "audit.items") → keys


def merge(base: Any, ours: Any, theirs: Any, list_keys: ListKeys) -> tuple[Any, list[Conflict]]:
    """Theirs' changes since ``base`` applied to ``ours`` (MISSING base: both sides added the
    record). Returns the merged data (``ours`` changed in place) and the conflicts."""
    merger = _Merger(list_keys)
    merged = merger.value(base, ours, theirs, ())
    # Paths are named once the lists have their final order (items inserted, deleted).
    return merged, [Conflict(field_path(path), *sides) for path, *sides in merger.conflicts]


def plain(value: Any) -> Any:
    """Comparable Python values: ruamel's commented maps, lists and scalar subclasses as plain."""
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return plain(a) == plain(b)


def detached(value: Any) -> Any:
    """A copy without the comments of the tree it came from (scalars keep their style)."""
    if isinstance(value, Mapping):
        return {k: detached(v) for k, v in value.items()}
    if isinstance(value, list):
        return [detached(v) for v in value]
    return copy.copy(value)


@dataclass
class _At:
    """A list item in a path, found by its identity in the merged list (or, when the merge
    dropped it, at its place in ``theirs``)."""

    items: list
    key: Any
    ident: Any
    theirs_index: int

    def index(self) -> int:
        found = [n for n, item in enumerate(self.items) if self.ident(item) == self.key]
        return found[0] if found else self.theirs_index


def field_path(path: tuple) -> str:
    """("family", 1, "mobile") → family[1].mobile"""
    text = ""
    for part in path:
        if isinstance(part, _At):
            part = part.index()
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or WHOLE_RECORD


class _Merger:
    def __init__(self, list_keys: ListKeys):
        self.list_keys = list_keys
        self.conflicts: list[tuple] = []  # (path, base, ours, theirs)

    def value(self, b: Any, o: Any, t: Any, path: tuple) -> Any:
        if same(o, t) or same(b, t):
            return o
        if same(b, o):
            return t
        if isinstance(o, Mapping) and isinstance(t, Mapping) and _map_or_missing(b):
            return self.mapping({} if b is MISSING else b, o, t, path)
        if isinstance(o, list) and isinstance(t, list) and (b is MISSING or isinstance(b, list)):
            merged = self.sequence([] if b is MISSING else b, o, t, path)
            if merged is not None:
                return merged
        self.conflicts.append((path, b, o, t))
        return o

    def mapping(self, b: Mapping, o: Any, t: Mapping, path: tuple) -> Any:
        for key in list(o):
            merged = self.value(b.get(key, MISSING), o[key], t.get(key, MISSING), (*path, key))
            if merged is MISSING:
                del o[key]
            elif merged is not o[key]:
                o[key] = merged
        theirs_keys = list(t)
        for n, key in enumerate(theirs_keys):
            if key in o:
                continue
            merged = self.value(b.get(key, MISSING), MISSING, t[key], (*path, key))
            if merged is MISSING:
                continue
            before = [k for k in theirs_keys[:n] if k in o]
            at = list(o).index(before[-1]) + 1 if before else 0
            _insert(o, at, key, merged)
        return o

    def sequence(self, b: list, o: list, t: list, path: tuple) -> list | None:
        """Lists matched item by item by their identity; None when items have none (then the
        whole list is one value)."""
        ident = self._identity(b + o + t, path)
        if ident is None:
            return None
        sides = []
        for items in (b, o, t):
            keys = [ident(i) for i in items]
            if len(set(keys)) != len(keys):
                return None  # two items alike: cannot tell which is which
            sides.append(dict(zip(keys, items)))
        bm, _, tm = sides
        theirs_ids = [ident(i) for i in t]
        for n in reversed(range(len(o))):  # backwards: deleting keeps earlier indexes
            key = ident(o[n])
            at = _At(o, key, ident, theirs_ids.index(key) if key in tm else n)
            merged = self.value(bm.get(key, MISSING), o[n], tm.get(key, MISSING), (*path, at))
            if merged is MISSING:
                del o[n]
            elif merged is not o[n]:
                o[n] = merged
        placed = [ident(i) for i in o]
        for n, key in enumerate(theirs_ids):
            if key in placed:
                continue
            at = _At(o, key, ident, n)
            merged = self.value(bm.get(key, MISSING), MISSING, t[n], (*path, at))
            if merged is MISSING:
                continue
            before = [k for k in theirs_ids[:n] if k in placed]
            at = placed.index(before[-1]) + 1 if before else 0
            while at < len(placed) and placed[at] not in bm and placed[at] not in tm:
                at += 1  # after what ours added there too: both additions, in that order
            o.insert(at, merged)
            placed.insert(at, key)
        return o

    def _identity(self, items: list, path: tuple):
        if all(not isinstance(i, (Mapping, list)) for i in items):
            return plain  # a list of plain values: a set
        if not all(isinstance(i, Mapping) for i in items):
            return None
        shape = ".".join(p for p in path if isinstance(p, str))
        keys = self.list_keys.get(shape) or (("id",) if all("id" in i for i in items) else None)
        if keys is None:
            return None
        return lambda item: tuple(plain(item.get(k)) for k in keys)


def _map_or_missing(value: Any) -> bool:
    return value is MISSING or isinstance(value, Mapping)


def _insert(target: Any, at: int, key: Any, value: Any) -> None:
    if isinstance(target, CommentedMap):
        target.insert(at, key, value)
    else:
        items = list(target.items())
        items.insert(at, (key, value))
        target.clear()
        target.update(items)


# -- the conflict note inside a record ---------------------------------------------------


def add_note(data: CommentedMap, conflicts: list[Conflict]) -> None:
    """Put the conflicts at the top of the record, where `baodan show` and `edit` see them."""
    note = CommentedSeq([c.as_note() for c in conflicts])
    data.pop(CONFLICTS_KEY, None)
    data.insert(0, CONFLICTS_KEY, note)


def split_note(text: str) -> tuple[str, list[dict]]:
    """A record's text without its conflict note, and the note's entries ([] when none)."""
    if CONFLICTS_KEY not in text:  # most records: no parse needed
        return text, []
    data = yamlio.load_roundtrip(text)
    if not isinstance(data, CommentedMap) or CONFLICTS_KEY not in data:
        return text, []
    note = data.pop(CONFLICTS_KEY)
    entries = [plain(e) for e in note] if isinstance(note, list) else []
    return yamlio.dump_roundtrip(data, like=text), [e for e in entries if isinstance(e, dict)]


def noted_fields(note: Any) -> list[str]:
    """The field paths a conflict note names (safe to print: names and indexes, no values)."""
    entries = note if isinstance(note, list) else []
    return [str(e.get("field") or WHOLE_RECORD) for e in entries if isinstance(e, Mapping)]
