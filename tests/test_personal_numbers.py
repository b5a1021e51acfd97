"""find_numbers looks for ID and mobile numbers only inside runs of digits (fast); it must find
exactly what a scan of the whole text finds, wherever the numbers sit."""

from __future__ import annotations

import random

import pytest
from baodan.core.personal_numbers import (
    DIGIT_RUN,
    ID,
    ID_LIKE,
    MOBILE,
    MOBILE_LIKE,
    Found,
    digits,
    find_numbers,
    is_resident_id,
    may_hold_numbers,
)

AN_ID = "11010519491231002X"
A_MOBILE = "13912345678"


def whole_text_scan(text: str, allowed: frozenset[str] = frozenset()) -> list[Found]:
    """The plain scan: both patterns over the whole text."""
    found = []
    for pattern, kind in ((ID_LIKE, ID), (MOBILE_LIKE, MOBILE)):
        for m in pattern.finditer(text):
            if (kind is MOBILE or is_resident_id(m[0])) and digits(m[0]) not in allowed:
                found.append(Found(kind, text.count("\n", 0, m.start()) + 1, m[0]))
    return sorted(found, key=lambda f: f.line)


@pytest.mark.parametrize(
    "text",
    [
        f"证件 {AN_ID} 电话 {A_MOBILE}",
        f"{AN_ID}{A_MOBILE}",  # one run of digits: neither stands alone
        f"{AN_ID[:-1]}x",
        f"{AN_ID}a",
        f"a{A_MOBILE}",
        f"{A_MOBILE}\n{A_MOBILE}\n{AN_ID}",
        f"tel:{A_MOBILE}X",
        f"{A_MOBILE[:-1]}Ｘ{AN_ID}",
        f"１３９１２３４５６７８ {A_MOBILE}",  # full-width digits are digits too
        "1３９１２３４５６７８",
        "13９12345678",  # ASCII 13, then any digits
        f"٣{A_MOBILE}",  # an Arabic-Indic digit before it: not a letter or ASCII digit
        f"{AN_ID[:17]}X{A_MOBILE}",
        f"{AN_ID[:17]}XX",
        "".join([AN_ID] * 3),
        "1" * 40,
    ],
)
def test_crafted_texts(text):
    assert find_numbers(text) == whole_text_scan(text)


def test_random_texts_find_what_the_whole_text_scan_finds():
    rng = random.Random(18)
    pieces = [
        *"0123456789",
        "1",
        "13",
        "Xx",
        "a",
        "13９",
        "\n",
        " ",
        "１",
        "٣",
        "中",
        AN_ID,
        A_MOBILE,
    ]
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        allowed = frozenset({A_MOBILE}) if rng.random() < 0.2 else frozenset()
        expected = whole_text_scan(text, allowed)
        assert find_numbers(text, allowed) == expected, text
        found += len(expected)
    assert found > 300  # the texts do hold numbers


def test_allowed_numbers_are_not_found():
    assert find_numbers(f"热线 {A_MOBILE}", frozenset({A_MOBILE})) == []
    assert find_numbers(f"热线 {A_MOBILE}") == [Found(MOBILE, 1, A_MOBILE)]


def test_a_text_that_may_not_hold_numbers_holds_none():
    """may_hold_numbers (the publish check's look at a file's bytes) is False only for bytes
    in which, decoded, find_numbers finds nothing; it says True for any digit not ASCII."""
    for code in range(0x80, 0x110000):
        char = chr(code)
        if char.isdecimal():
            assert may_hold_numbers(char.encode("utf-8")), hex(code)
    rng = random.Random(18)
    pieces = [
        *(p.encode("utf-8") for p in ["0", "1", "13", "9", "中", "·", "，", "\n", "Ｘ"]),
        *(p.encode("utf-8") for p in ["１", "٣", "\U0001d7d9", A_MOBILE, AN_ID]),
        b"\xef\xbc",  # cut short: decodes to U+FFFD
        b"\x91",
    ]
    said = {True: 0, False: 0}
    for _ in range(4000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30)))
        may = may_hold_numbers(data)
        said[may] += 1
        if not may:
            text = data.decode("utf-8", "replace")
            assert not DIGIT_RUN.search(text) and find_numbers(text) == [], data
    assert said[True] > 500 and said[False] > 200
    assert not may_hold_numbers("电话 0571-8888 6666，·第二条 20261127T090000Z".encode())
    assert may_hold_numbers("年份２０２６".encode()) and may_hold_numbers(b"tel:057188886666")
