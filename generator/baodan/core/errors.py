"""Problems as values: every check returns these; commands print all of them at once."""

from __future__ import annotations

import re
from typing import NamedTuple

# Characters a terminal or an editor may obey rather than show: C0 and C1 controls, DEL,
# zero-width and direction marks, line and paragraph separators, the byte-order mark.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match[0]
    return _ESCAPES.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def shown(value: object, limit: int = 40) -> str:
    """A value from a record, a form or the command line as a message shows it: cut to
    ``limit`` characters and with control characters escaped (never ``repr()``, which
    neither bounds nor reads well in Chinese)."""
    text = str(value)
    cut = len(text) > limit
    text = _CONTROL.sub(_escape, text[:limit] if cut else text)
    return text + "…" if cut else text


def _bounded(text: str, limit: int) -> str:
    """A whole message, once more: a value some message forgot to pass through ``shown``
    still cannot flood the screen or steer the terminal. Line breaks stay."""
    lines = text[:limit].split("\n")
    return "\n".join(_CONTROL.sub(_escape, line) for line in lines) + (
        "…" if len(text) > limit else ""
    )


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
        file = shown(self.source.file, 300)
        where = f"{file}:{self.source.line}" if self.source.line else file
        where = "" if where.startswith("<") else f"{where}: "
        field = f"字段 {shown(self.field, 120)}: " if self.field else ""
        hint = f"\n    处理办法：{_bounded(self.hint, 2000)}" if self.hint else ""
        return f"{where}{field}{_bounded(self.message, 1000)}{hint}"


class Problem(ValueError):
    """What is wrong (Chinese) and what to do about it, raised where the problem is found.

    A ValueError, so pydantic keeps one raised in a validator as the error's ``ctx["error"]``
    and parse.translate_error reads both parts back; the store raises it for a file it cannot
    open. ``str()`` is the message alone."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    @classmethod
    def of(cls, error: Exception) -> Problem:
        """``error`` as a Problem: itself, or its text with no hint (a library's ValueError)."""
        return error if isinstance(error, Problem) else cls(str(error))


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
