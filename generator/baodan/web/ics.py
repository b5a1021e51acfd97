"""Write iCalendar events as the bytes icalendar's ``to_ical()`` gives, fast enough for a build
of thousands of feeds.

icalendar builds an object for every event and property, re-types a value on every ``add``
and folds long lines one character at a time, which made feeds the costliest part of a
build. Here an event is written straight from its content lines: a value many events share
(a date, the DTSTAMP, a reminder's time) is typed by icalendar and written once, an event's
own text (its UID, summary, description) is escaped as icalendar's ``vText`` escapes it,
the lines go in the order icalendar sorts a component's properties in, and they are folded
on their UTF-8 bytes. The output is the same, byte for byte (tests/test_ics.py compares it with the
events built with icalendar and written by ``to_ical()``; tests/test_feeds.py parses every
built feed with icalendar and writes it again).
"""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Component
from icalendar.caselessdict import canonsort_keys

FOLD = 74  # icalendar cuts a long line into pieces of at most 74 octets


def fold(data: bytes) -> bytes:
    """A UTF-8 content line folded as icalendar folds it (RFC 5545): pieces of at most 74
    octets, cut between characters, and never right after a backslash or caret (so escapes
    stay whole)."""
    if len(data) <= FOLD:
        return data
    pieces = []
    start = 0
    while len(data) - start > FOLD:
        end = start + FOLD
        while data[end] & 0xC0 == 0x80:  # inside a multi-byte character: cut before it
            end -= 1
        if end - 1 > start and data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def text_line(name: str, text: str) -> bytes:
    """The content line of the TEXT property ``name``, what ``add(name, vText(text))``
    writes: for text of one event only."""
    return fold(f"{name}:{escape_text(text)}".encode()) + b"\r\n"


def escape_text(text: str) -> str:
    """A TEXT value escaped as icalendar's ``vText`` escapes it (RFC 5545 3.3.11), without
    making a vText (and its parameters) for it: backslash, semicolon, comma and each line
    break, after reading a literal \\N as a line break."""
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


class Writer:
    """Writes the components of one build; remembers the lines it has typed, so use one per
    build, not one per program."""

    def __init__(self) -> None:
        self._lines: dict[tuple, bytes] = {}  # (name, value, tzinfo) -> its content line
        self._orders: dict[tuple, list[str]] = {}  # (component, names) -> icalendar's order

    def line(self, name: str, value) -> bytes:
        """The content line ``component.add(name, value)`` writes, for a value many
        components carry: icalendar types it, and it is written, once."""
        key = (name, value, getattr(value, "tzinfo", None))
        line = self._lines.get(key)
        if line is None:
            probe = Component()
            probe.add(name, value)
            line = self._lines[key] = _line(name, probe[name])
        return line

    def component(
        self, kind: type[Component], lines: dict[str, bytes], subs: Iterable[bytes] = ()
    ) -> bytes:
        """What ``to_ical()`` writes for a ``kind`` (Event, Alarm …) with one content line
        per property name in ``lines`` and the components ``subs`` (written)."""
        names = tuple(lines)
        order = self._orders.get((kind, names))
        if order is None:
            order = self._orders[kind, names] = canonsort_keys(names, kind.canonical_order)
        return b"".join(
            [
                f"BEGIN:{kind.name}\r\n".encode(),
                *(lines[name] for name in order),
                *subs,
                f"END:{kind.name}\r\n".encode(),
            ]
        )


def _line(name: str, value) -> bytes:
    """The content line ``Contentline.from_parts`` makes, folded, as bytes (so the text is
    not decoded and encoded again)."""
    params = _bytes(value.params.to_ical()) if getattr(value, "params", None) else b""
    head = f"{name};".encode() + params if params else name.encode()
    return fold(head + b":" + _bytes(value.to_ical())) + b"\r\n"


def _bytes(text: str | bytes) -> bytes:
    """Some icalendar types write str, most bytes."""
    return text.encode() if isinstance(text, str) else text
