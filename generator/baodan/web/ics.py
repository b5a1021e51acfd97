"""Write icalendar components as the bytes ``Component.to_ical()`` gives, fast enough for a
build of thousands of feeds.

The components are icalendar's, built with its ``add``; only the writing differs. icalendar
re-types a property on every ``add`` and folds long lines one character at a time, which made
feeds the costliest part of a build. Here a value many events share (a date, a DTSTAMP, a
summary) is typed once and its content line written once, a component many events share (a
reminder) is written once, and lines are folded on their UTF-8 bytes. The output is the same,
byte for byte (tests/test_ics.py and tests/test_feeds.py compare it with ``to_ical()``).
"""

from __future__ import annotations

from icalendar import Component

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


class Writer:
    """Writes components for one build; remembers what it has typed and written, so use one
    per build, not one per program."""

    def __init__(self) -> None:
        self._values: dict[tuple, object] = {}  # (name, value, tzinfo) -> icalendar value
        self._lines: dict[tuple[str, int], bytes] = {}  # (name, id of a shared value) -> line
        self._written: dict[int, bytes] = {}  # id of a shared component -> its text
        self._kept: list[Component] = []  # shared components stay alive, so their ids do

    def add(self, component: Component, name: str, value) -> None:
        """``component.add(name, value)`` for a value many components carry: icalendar types
        it, and writes its line, once."""
        key = (name, value, getattr(value, "tzinfo", None))
        typed = self._values.get(key)
        if typed is None:
            probe = Component()
            probe.add(name, value)
            typed = self._values[key] = probe[name]
            self._lines[name, id(typed)] = _line(name, typed)
        component.add(name, typed)

    def share(self, component: Component) -> Component:
        """A component several others contain (``add_component``), or whose property values
        copies share (``Calendar(shell)``): written once."""
        self._kept.append(component)
        for name, value in component.items():
            if not isinstance(value, list) and (name, id(value)) not in self._lines:
                self._lines[name, id(value)] = _line(name, value)
        self._written[id(component)] = self.write(component)
        return component

    def write(self, component: Component) -> bytes:
        """``component.to_ical()``"""
        done = self._written.get(id(component))
        if done is not None:
            return done
        out = [f"BEGIN:{component.name}\r\n".encode()]
        for name in component.sorted_keys():
            values = component[name]
            for value in values if isinstance(values, list) else (values,):
                out.append(self._lines.get((name, id(value))) or _line(name, value))
        out.extend(self.write(sub) for sub in component.subcomponents)
        out.append(f"END:{component.name}\r\n".encode())
        return b"".join(out)


def _line(name: str, value) -> bytes:
    """The content line ``Contentline.from_parts`` makes, folded, as bytes (so the text is
    not decoded and encoded again)."""
    params = _bytes(value.params.to_ical()) if getattr(value, "params", None) else b""
    head = f"{name};".encode() + params if params else name.encode()
    return fold(head + b":" + _bytes(value.to_ical())) + b"\r\n"


def _bytes(text: str | bytes) -> bytes:
    """Some icalendar types write str, most bytes."""
    return text.encode() if isinstance(text, str) else text
