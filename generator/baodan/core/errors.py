"""Problems as values: every check returns these; commands print all of them at once."""

from __future__ import annotations

from typing import NamedTuple


class Source(NamedTuple):
    """Where a problem is: a file relative to the firm folder, and a line when known (else 0)."""

    file: str
    line: int = 0


class RecordError(NamedTuple):
    """One problem with a record: where, which field, what is wrong (Chinese), what to do."""

    source: Source
    field: str
    message: str
    hint: str = ""

    def render(self) -> str:
        where = f"{self.source.file}:{self.source.line}" if self.source.line else self.source.file
        where = "" if where.startswith("<") else f"{where}: "
        field = f"字段 {self.field}: " if self.field else ""
        hint = f"\n    处理办法：{self.hint}" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class BaodanError(Exception):
    """A failure that stops a command; carries the problems to print."""

    def __init__(self, errors: list[RecordError] | RecordError | str, hint: str = ""):
        if isinstance(errors, str):
            errors = [RecordError(Source("<baodan>"), "", errors, hint)]
        elif isinstance(errors, RecordError):
            errors = [errors]
        self.errors = list(errors)
        super().__init__("\n".join(e.render() for e in self.errors))


def render_errors(errors: list[RecordError]) -> str:
    """All problems, sorted by file and line, one block each."""
    return "\n".join(e.render() for e in sorted(errors, key=lambda e: (e.source, e.field)))
