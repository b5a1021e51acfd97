"""Rules a firm can tune: package defaults (data/<name>.yaml) that a firm replaces with its own
records/rules/<name>.yaml, each read and validated once per firm.

``Rules(root)`` is the rules of the firm at ``root`` (``Rules()``: the package defaults only);
the loaded Firm carries it (``firm.rules``). ``rules.get(name, model)`` parses the firm's file
when it has one, else the default, with a pydantic model; a mistake in the firm's file stops the
command with the file, the line, the field and what to fix, like a record error would. The rule
files and their models are listed in checks/rules.py (``RULE_FILES``), which `baodan check`
validates and `baodan schema` exports.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from baodan.core.errors import BaodanError, RecordError
from baodan.core.layout import RECORDS

T = TypeVar("T", bound=BaseModel)
RULES_DIR = f"{RECORDS}/rules"


@cache
def default_text(name: str) -> str:
    return resources.files("baodan").joinpath(f"data/{name}.yaml").read_text("utf-8")


@cache
def _default(name: str, model: type[T]) -> T:
    record, errors = _parse(model, default_text(name), f"generator/baodan/data/{name}.yaml")
    if errors:
        raise BaodanError(errors)
    return record


def _parse(model, text: str, rel: str, context: dict | None = None):
    """``context``: the validation context (models/context.py): a firm's rule file is read
    with the firm's rules (its cross-sell rules name its own categories)."""
    from baodan.core.parse import parse_record

    return parse_record(model, text, rel, context)


class Rules:
    """The rules one firm works by."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self._loaded: dict[str, BaseModel] = {}

    def override(self, name: str) -> Path | None:
        """The firm's own file for the rules ``name``, if it has one."""
        if self.root is None:
            return None
        path = self.root / RULES_DIR / f"{name}.yaml"
        return path if path.is_file() else None

    def overrides(self) -> list[str]:
        """The names of the rule files the firm has."""
        if self.root is None or not (self.root / RULES_DIR).is_dir():
            return []
        return sorted(p.stem for p in (self.root / RULES_DIR).glob("*.yaml"))

    def own_files(self) -> tuple[tuple[str, bytes], ...]:
        """The firm's rule files, (name, bytes): what its rules are made of besides
        baodan's own (`baodan serve` compares them from rebuild to rebuild)."""
        return tuple((name, self.override(name).read_bytes()) for name in self.overrides())

    def problems(self, name: str, model: type[BaseModel]) -> list[RecordError]:
        """What is wrong with the firm's file for ``name`` (none: it has none, or it is fine)."""
        path = self.override(name)
        if path is None:
            return []
        rel = f"{RULES_DIR}/{name}.yaml"
        record, errors = _parse(model, path.read_text("utf-8"), rel, {"rules": self})
        if record is not None:
            self._loaded[name] = record
        return errors

    def get(self, name: str, model: type[T]) -> T:
        """The rules ``name``, read once: pages and feeds ask for them per client, and
        looking for the firm's file each time cost a file-system call per ask."""
        if name not in self._loaded:
            if self.override(name) is None:
                self._loaded[name] = _default(name, model)
            else:
                errors = self.problems(name, model)
                if errors:
                    raise BaodanError(errors)
        return self._loaded[name]
