"""Field-level differences between two versions of a record, in words people read.

Pure functions over parsed YAML (dicts, lists, scalars). ``describe`` shows values (for a
reviewer who holds the key; ID and mobile numbers masked); ``describe_public`` names only
the fields and counts, never a value, so it can be posted on a pull request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from baodan.domain.labels import Names

# Keys that name an item in a list of mappings (a beneficiary by name, a stage by stage+date).
ITEM_KEYS = (("name",), ("item",), ("stage", "date"), ("registry_no",), ("title",))


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` holds field names (str) and list items (Item)."""

    path: tuple
    kind: Literal["changed", "item_added", "item_removed"]
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class Item:
    """A list element in a path: its position and, when it has one, what names it."""

    index: int
    name: str = ""

    def __str__(self) -> str:
        return self.name or f"第 {self.index + 1} 项"


def diff(old: Any, new: Any, path: tuple = ()) -> list[Change]:
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(new) + [k for k in old if k not in new]
        return [c for k in keys for c in diff(old.get(k), new.get(k), (*path, k))]
    if isinstance(old, dict) and new is None:
        return diff(old, {}, path)
    if old is None and isinstance(new, dict):
        return diff({}, new, path)
    if isinstance(old, list) and isinstance(new, list) and _all_mappings(old + new):
        return _diff_items(old, new, path)
    if (old is None or old == []) and isinstance(new, list) and _all_mappings(new):
        return _diff_items([], new, path)
    if isinstance(old, list) and (new is None or new == []) and _all_mappings(old):
        return _diff_items(old, [], path)
    return [Change(path, "changed", old, new)]


def _all_mappings(items: list) -> bool:
    return bool(items) and all(isinstance(i, dict) for i in items)


def _item_name(item: dict) -> str:
    for keys in ITEM_KEYS:
        if all(item.get(k) not in (None, "") for k in keys):
            return " ".join(str(item[k]) for k in keys)
    return ""


def _diff_items(old: list[dict], new: list[dict], path: tuple) -> list[Change]:
    """Match list items by what names them (else by position), then compare the pairs."""
    old_names = [_item_name(i) for i in old]
    new_names = [_item_name(i) for i in new]
    by_name = all(old_names + new_names) and len(set(old_names)) == len(old_names)
    by_name = by_name and len(set(new_names)) == len(new_names)
    changes: list[Change] = []
    if by_name:
        old_at = {n: i for i, n in enumerate(old_names)}
        for j, item in enumerate(new):
            here = (*path, Item(j, new_names[j]))
            if new_names[j] in old_at:
                changes += diff(old[old_at[new_names[j]]], item, here)
            else:
                changes.append(Change(here, "item_added", None, item))
        for i, item in enumerate(old):
            if old_names[i] not in set(new_names):
                changes.append(Change((*path, Item(i, old_names[i])), "item_removed", item, None))
        return changes
    for i in range(max(len(old), len(new))):
        if i >= len(old):
            changes.append(Change((*path, Item(i, new_names[i])), "item_added", None, new[i]))
        elif i >= len(new):
            changes.append(Change((*path, Item(i, old_names[i])), "item_removed", old[i], None))
        else:
            changes += diff(old[i], new[i], (*path, Item(i, new_names[i] or old_names[i])))
    return changes


def _fields(path: tuple) -> tuple:
    return tuple(p for p in path if isinstance(p, str))


def _where(path: tuple, names: Names) -> str:
    """A path for display, list items by name (for the reviewer)."""
    parts = []
    for p in path:
        if isinstance(p, Item):
            parts[-1] = f"{parts[-1]} {p}" if parts else str(p)
        else:
            parts.append(names.label(p))
    return " › ".join(parts)


def describe(changes: list[Change], names: Names, *, full: bool = False) -> list[str]:
    """One line per change, with values (masked ID and mobile numbers unless ``full``), in
    the firm's ``names``."""
    lines = []
    for c in changes:
        where = _where(c.path, names)
        if c.kind == "item_added":
            lines.append(f"新增{where}")
        elif c.kind == "item_removed":
            lines.append(f"删除{where}")
        else:
            fields = _fields(c.path)
            old, new = names.show(fields, c.old, full=full), names.show(fields, c.new, full=full)
            lines.append(f"{where}：{old} → {new}")
    return lines


def describe_public(changes: list[Change], names: Names) -> str:
    """Which fields changed and how many list items came and went: no value, no name."""
    seen: dict[str, None] = {}
    counts: Counter = Counter()
    for c in changes:
        where = names.path_label(_fields(c.path))
        if c.kind == "changed":
            seen.setdefault(where)
        else:
            counts[(where, "新增" if c.kind == "item_added" else "删除")] += 1
            seen.setdefault(where)
    parts = []
    for where in seen:
        moved = "，".join(f"{verb} {counts[(w, verb)]}" for w, verb in counts if w == where)
        parts.append(f"{where}（{moved}）" if moved else where)
    return "、".join(parts)
