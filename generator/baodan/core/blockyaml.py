"""A line parser for the block YAML baodan writes, for ``yamlio.load``'s fast path.

Records are small block-style documents: mappings and lists by indentation, one-line plain
and quoted scalars, short flow lists (``[保单保管, 续保提醒]``), literal blocks (``|-``) and
comments. Parsing them line by line in Python costs about half of libyaml plus building values
from its nodes (a policy 110 -> 50 us, an interaction 20 -> 7 us): most lines recur across
records ("status: active"), and a line seen before is one dict lookup. Anything else (flow
mappings, anchors, tags, tabs, multi-line plain or quoted scalars, odd indentation, ``? ``
keys, document markers, errors) raises ``Declined`` and yamlio's libyaml path parses it, so
its values and errors stay the only ones. ``parse`` gets ``plain``, which turns a plain
scalar's text into its value (YAML 1.1 resolution, yamlio's) and may decline too.
"""

from __future__ import annotations

import re
from collections.abc import Callable


class Declined(Exception):
    """Not a document this parser is sure of."""


# Characters libyaml does not read as text (controls, tab, carriage return, NEL, LS, PS,
# BOM, U+FFFE/U+FFFF, surrogates): it refuses some and takes others for line breaks. (Two
# classes: as one, compiling it takes 17 ms.)
_ODD_CHAR = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]"
)
# A plain scalar or key cannot start with an indicator (a leading "-" is checked apart).
_INDICATORS = frozenset("?:,[]{}#&*!|>'\"%@`")
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*| *)$")
_DOUBLE = re.compile(r'"([^"\\]*(?:\\[nt"\\/][^"\\]*)*)"(?: +#.*| *)$')
_ESCAPES = {"\\n": "\n", "\\t": "\t", '\\"': '"', "\\\\": "\\", "\\/": "/"}
_ESCAPE = re.compile(r"\\.")
_FLOW = re.compile(r"\[([^\[\]{}#'\"]*)\](?: +#.*| *)$")
# A literal block's header: "key: |", "- |-", "- key: |" (a "#" would start a comment).
_LITERAL_HEAD = re.compile(r"((?:- +)*)([^#]*: +)?(\|-?)")
_LITERAL = "\0"  # never in a text parse() reads (_ODD_CHAR)
# A line holding a node (not blank, not a comment): its indentation and content.
_NODE_LINE = re.compile(r"^( *)([^ \n#].*)", re.MULTILINE)
_MAX_DEPTH = 64


def parse(text: str | bytes, plain: Callable[[str], object]):
    """The value of ``text``, a document of the block subset; raise Declined for anything
    else."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Declined from None
    if (
        _ODD_CHAR.search(text)
        or text.startswith(("---", "..."))
        or "\n---" in text
        or "\n..." in text
    ):
        raise Declined
    if "|" in text:
        lines, literals = _lines(text)
    else:
        lines, literals = _NODE_LINE.findall(text), []
    if not lines:
        return None
    parser = _Parser(lines, plain, iter(literals))
    value = parser.block(0, lines[0][0], 0)
    if parser.i != len(lines):
        raise Declined
    return value


def _lines(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``_NODE_LINE.findall(text)`` for a text with literal blocks, and the blocks' values: a
    block's header line ends in the mark ``_LITERAL`` instead of "|" or "|-", and its lines
    are gone."""
    lines, literals = [], []
    raw = text.split("\n")
    n = len(raw)
    i = 0
    while i < n:
        line = raw[i]
        i += 1
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            continue
        indent = len(line) - len(content)
        if (content[-1] == "|" or content[-1] == "-") and (m := _LITERAL_HEAD.fullmatch(content)):
            dashes, key = m.group(1), m.group(2)
            if key:
                owner = indent + len(dashes)
            elif dashes:
                owner = indent + dashes.rstrip(" ").rfind("-")
            else:
                raise Declined
            value, i = _literal(raw, i, owner, content[-1] == "-")
            literals.append(value)
            content = content[: m.start(3)] + _LITERAL
        lines.append((line[:indent], content))
    return lines, literals


def _literal(raw: list[str], i: int, owner: int, strip: bool):
    """The value of the literal block whose lines start at raw[i], more indented than
    ``owner``, and the index of the line after it."""
    n = len(raw)
    if i >= n:
        raise Declined
    first = raw[i]
    indent = len(first) - len(first.lstrip(" "))
    if indent <= owner or indent == len(first):  # empty, or leading blank lines
        raise Declined
    lines = []
    while i < n:
        line = raw[i]
        content = line.lstrip(" ")
        if content:
            if len(line) - len(content) < indent:
                break
            lines.append(line[indent:])
        elif len(line) > indent:
            raise Declined  # spaces beyond the indentation: content or not, libyaml knows
        else:
            lines.append("")
        i += 1
    if i == n and raw[-1]:  # no line break after the last line
        raise Declined
    while lines and not lines[-1]:
        lines.pop()
    value = "\n".join(lines)
    return (value if strip else value + "\n"), i


_MISS = object()
# Values of keys and of one-line scalars, by the text after "key: " or "- ": field names,
# choices and dates recur in every record. Only immutable values (never a flow list).
_KEYS: dict[str, object] = {}
_VALUES: dict[str, object] = {}
_PAIRS: dict[str, tuple] = {}  # the key and value of a whole line: "status: active"
_CACHE_SIZE = 30_000


def forget() -> None:
    """Drop the remembered values (the records parsed keep the ones they hold)."""
    for cache in (_KEYS, _VALUES, _PAIRS):
        cache.clear()


def _remember(cache: dict, text: str, value) -> None:
    """Keep a value; a full cache starts again, so what recurs is soon back and a large
    firm's one-off lines (names, numbers) take a bounded few MB."""
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[text] = value


class _Parser:
    """Lines are (indentation, content); an indentation is compared as a string of spaces,
    so a longer one is greater."""

    __slots__ = ("lines", "plain", "literals", "i", "n")

    def __init__(self, lines: list[tuple[str, str]], plain: Callable[[str], object], literals):
        self.lines, self.plain, self.literals, self.i, self.n = (
            lines,
            plain,
            literals,
            0,
            len(lines),
        )

    def block(self, i: int, col: str, depth: int):
        """The node whose first line is lines[i], starting at column ``col``."""
        if depth > _MAX_DEPTH:
            raise Declined
        content = self.lines[i][1]
        if content[0] == "-" and (len(content) == 1 or content[1] == " "):
            return self.sequence(i, col, depth)
        return self.mapping(i, col, depth)

    def sequence(self, i: int, col: str, depth: int) -> list:
        lines, n = self.lines, self.n
        out = []
        while i < n:
            indent, content = lines[i]
            if indent != col:
                if indent > col:  # a plain scalar going on over lines, or an error
                    raise Declined
                break
            if content[0] != "-" or len(content) > 1 and content[1] != " ":
                break  # a key after an indentless list; anywhere else the caller declines
            rest = content[1:].lstrip(" ")
            if not rest:
                i += 1
                if i < n and lines[i][0] > col:
                    out.append(self.block(i, lines[i][0], depth + 1))
                    i = self.i
                else:
                    out.append(None)
                continue
            if (
                rest[0] != "'"
                and rest[0] != '"'
                and (": " in rest or rest[-1] == ":")
                or rest[0] == "-"
                and (len(rest) == 1 or rest[1] == " ")
            ):
                # The item starts on the dash's line: read that line as if it began after
                # the dash, at the column where the item's first key (or dash) stands.
                lines[i] = (indent + " " * (len(content) - len(rest)), rest)
                out.append(self.block(i, lines[i][0], depth + 1))
                i = self.i
                continue
            value = _VALUES.get(rest, _MISS)
            out.append(self.scalar(rest) if value is _MISS else value)
            i += 1
        self.i = i
        return out

    def mapping(self, i: int, col: str, depth: int) -> dict:
        lines, n = self.lines, self.n
        out = {}
        while i < n:
            indent, content = lines[i]
            if indent != col:
                if indent > col:  # a plain scalar going on over lines, or an error
                    raise Declined
                break
            pair = _PAIRS.get(content)
            if pair is not None:  # a line seen before: "status: active"
                key, value = pair
                if key in out:
                    raise Declined
                out[key] = value
                i += 1
                continue
            p = content.find(": ")
            if p < 0:
                if content[-1] != ":":
                    raise Declined
                text = content[:-1]
                rest = ""
            else:
                text = content[:p]
                rest = content[p + 2 :].lstrip(" ")
            key = _KEYS.get(text, _MISS)
            if key is _MISS:
                key = self.key(text)
            if key in out:
                raise Declined
            i += 1
            if rest and rest[0] != "#":
                value = _VALUES.get(rest, _MISS)
                if value is _MISS:
                    value = self.scalar(rest)
                out[key] = value
                if rest[0] != "[" and rest[0] != _LITERAL:
                    _remember(_PAIRS, content, (key, value))
            elif i < n and lines[i][0] > col:
                out[key] = self.block(i, lines[i][0], depth + 1)
                i = self.i
            elif (
                i < n
                and lines[i][0] == col
                and (following := lines[i][1])[0] == "-"
                and (len(following) == 1 or following[1] == " ")
            ):
                out[key] = self.sequence(i, col, depth + 1)
                i = self.i
            else:
                out[key] = None
        self.i = i
        return out

    def key(self, text: str):
        first = text[:1]
        if (
            not first
            or first in _INDICATORS
            or first == "-"
            and (len(text) == 1 or text[1] == " ")
            or text[-1] == " "
            or " #" in text
            or len(text) > 200  # libyaml's limit is 1,024 bytes
        ):
            raise Declined
        key = self.plain(text)
        _remember(_KEYS, text, key)
        return key

    def scalar(self, text: str):
        """A value written on one line after "key: " or "- " (``text``, without the
        spaces before it)."""
        first = text[0]
        if first == _LITERAL:
            return next(self.literals)
        if first == "[":
            return self.flow(text)
        if first == "'":
            m = _SINGLE.match(text)
            if m is None:
                raise Declined
            value = m.group(1).replace("''", "'")
        elif first == '"':
            m = _DOUBLE.match(text)
            if m is None:
                raise Declined
            value = m.group(1)
            if "\\" in value:
                value = _ESCAPE.sub(_unescape, value)
        else:
            if first in _INDICATORS or first == "-" and (len(text) == 1 or text[1] == " "):
                raise Declined
            p = text.find(" #")
            plain = (text if p < 0 else text[:p]).rstrip(" ")
            if ": " in plain or plain[-1] == ":":
                raise Declined
            value = self.plain(plain)
        _remember(_VALUES, text, value)
        return value

    def flow(self, text: str) -> list:
        m = _FLOW.match(text)
        if m is None:
            raise Declined
        inner = m.group(1).strip(" ")
        if not inner:
            return []
        out = []
        for item in inner.split(","):
            item = item.strip(" ")
            if (
                not item
                or item[0] in _INDICATORS
                or item[0] == "-"
                and (len(item) == 1 or item[1] == " ")
            ):
                raise Declined
            if ":" in item:
                raise Declined
            value = _VALUES.get(item, _MISS)
            if value is _MISS:
                value = self.plain(item)
                _remember(_VALUES, item, value)
            out.append(value)
        return out


def _unescape(m: re.Match) -> str:
    return _ESCAPES[m.group(0)]
