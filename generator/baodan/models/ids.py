"""The forms of the ids records carry, each defined once: the alphabet of random codes, the
registry number (登记号), the ids baodan makes and the names people give."""

from __future__ import annotations

import re

from baodan.core.errors import BaodanError, shown

# Crockford base32: no I, L, O or U, so a code read out or typed is not mistaken.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Registry numbers: BD-<year>-<5 Crockford characters>, unique and never reused.
REGISTRY_PREFIX = "BD"
REGISTRY_CODE_LENGTH = 5
REGISTRY_EXAMPLE = "BD-2026-7K3QX"
REGISTRY_NO = re.compile(rf"^{REGISTRY_PREFIX}-(\d{{4}})-[{CROCKFORD}]{{{REGISTRY_CODE_LENGTH}}}$")
REGISTRY_FORMAT_PROBLEM = (
    f"登记号格式应为 {REGISTRY_PREFIX}-年份-{REGISTRY_CODE_LENGTH}位编码，如 {REGISTRY_EXAMPLE}"
)


def registry_no(year: int, code: str) -> str:
    return f"{REGISTRY_PREFIX}-{year}-{code}"


def registry_year(number: str) -> int:
    """The year a registry number was given in."""
    match = REGISTRY_NO.match(number)
    if match is None:
        raise ValueError(f"{number} is not a registry number")
    return int(match.group(1))


# Ids baodan makes: a prefix and 8 random hex digits (no personal data in paths).
HEX_ID_DIGITS = 8


def made_id(prefix: str) -> re.Pattern:
    return re.compile(rf"^{prefix}-[0-9a-f]{{{HEX_ID_DIGITS}}}$")


# Names people give (staff, insurers, partners): lower-case letters, digits, - and _.
GIVEN_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# An interaction's file name: <date>-<n>, and since several staff record on branches,
# <date>-<n>-<4 hex digits> (store.workspace.next_interaction_path).
INTERACTION_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{1,4}(-[0-9a-f]{4})?$")
# Any record a command can be given by id: every id above is a GIVEN_NAME, or a registry number.
ANY_RECORD = (GIVEN_NAME, REGISTRY_NO)

ID_HINT = (
    f"编号只用小写字母、数字和连字符，如 c-1a2b3c4d、wang-fang；保单登记号如 {REGISTRY_EXAMPLE}"
)


def checked_id(value: str, what: str, *patterns: re.Pattern) -> str:
    """``value`` when it matches one of ``patterns`` (by default GIVEN_NAME), else a
    BaodanError naming ``what``. What a person types as an id (command line, form) is checked
    with this before any file is touched: "../x" or "a/b" never reaches a path."""
    if not any(p.fullmatch(value) for p in patterns or (GIVEN_NAME,)):
        raise BaodanError(f"“{shown(value)}”不是有效的{what}", ID_HINT + "；不要写文件路径")
    return value
