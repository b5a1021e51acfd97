"""Resident ID numbers and mainland mobile numbers in plain text: what must never be committed
unencrypted or published, wherever it turns up (records, notes, forms, built pages).

An ID number counts only with a valid GB 11643 check digit (python-stdnum's ``cn.ric``), so
policy numbers and dates that happen to be 18 digits long are not flagged. Numbers the firm
publishes on purpose (its hotline, staff work phones) are allowed by value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from stdnum.cn import ric

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
# Both have at least 11 digits in a row: each match lies in such a run (an ID number's final
# X just after it), so they are looked for only there. The leading single \d lets the regex
# engine skip ahead to the next digit (a pattern starting with a repeat tries every position).
DIGIT_RUN = re.compile(r"\d\d{10,}")
ID = "身份证号"
MOBILE = "手机号"


class Found(NamedTuple):
    kind: str  # ID or MOBILE
    line: int  # 1-based
    number: str


def is_resident_id(text: str) -> bool:
    value = text.upper()
    try:
        return ric.calc_check_digit(value) == value[-1]
    except Exception:  # stdnum raises its own errors for dates that do not exist and the like
        return False


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def find_numbers(text: str, allowed: frozenset[str] = frozenset()) -> list[Found]:
    """ID and mobile numbers in ``text`` in the order of their lines, except those whose
    digits are in ``allowed`` (as published_numbers gives them)."""
    found: list[Found] = []
    runs = [m.span() for m in DIGIT_RUN.finditer(text)]
    for pattern, kind in ((ID_LIKE, ID), (MOBILE_LIKE, MOBILE)):
        for start, end in runs:
            # As in the whole text: the lookbehind sees before ``start``; the lookahead of a
            # match ending at end + 1 (an ID's X) sees the character after it.
            for m in pattern.finditer(text, start, end + 2):
                if (kind is MOBILE or is_resident_id(m[0])) and digits(m[0]) not in allowed:
                    found.append(Found(kind, text.count("\n", 0, m.start()) + 1, m[0]))
    return sorted(found, key=lambda f: f.line)


def may_hold_numbers(data: bytes) -> bool:
    """False only when the UTF-8 text ``data`` (however it decodes) holds no run of 11
    digits, so neither number: no 11 ASCII digits in a row, and no other decimal digit (a
    full-width one …) at all. Much faster than decoding and looking (the publish check reads
    every calendar of the site)."""
    table, full_width = _digit_finders()
    marked = data.translate(table)
    return b"0" * 11 in marked or b"!" in marked or full_width.search(data) is not None


@cache
def _digit_finders() -> tuple[bytes, re.Pattern[bytes]]:
    """What finds, in UTF-8, every decimal digit (what ``\\d`` matches, as this Python's
    Unicode data has them): a table turning ASCII digits into "0", the first byte of the
    others and of every character beyond U+FFFF into "!", and any other byte into "."; but
    for the digits whose first byte is full-width punctuation's (0xEF: ，：（）), a pattern."""
    bmp = "".join(map(chr, range(0x80, 0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    marks = {byte: b"." for byte in range(256)}
    marks.update({byte: b"0" for byte in b"0123456789"})
    marks.update({byte: b"!" for byte in range(0xF0, 0xF5)})
    full_width = []
    for digit in re.findall(r"\d", bmp):
        encoded = digit.encode("utf-8")  # bytes 0x80 and up: nothing to escape
        if encoded[0] == 0xEF:
            full_width.append(encoded)
        else:
            marks[encoded[0]] = b"!"
    return b"".join(marks[byte] for byte in range(256)), re.compile(b"|".join(full_width))


def published_numbers(documents: Iterable[object], fields: Iterable[str]) -> set[str]:
    """The digits of every value (or list of values) of ``fields`` in parsed YAML documents
    (firm.yaml, staff and insurer records): the numbers a firm publishes on purpose."""
    wanted = set(fields)
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in wanted:
                    items = item if isinstance(item, list) else [item]
                    found.update(digits(str(i)) for i in items if isinstance(i, str | int))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for document in documents:
        walk(document)
    return {d for d in found if d}
