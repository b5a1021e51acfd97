"""A value picked from a fixed list, typed as its code, its Chinese name or an everyday word
for it (已提交 → submitted, 车险 → auto, 国庆 → national_day): one way to accept it, the same
for a command's option, a question on the terminal and a form, and one message when it is none.

The everyday words are a rule file (data/everyday_words.yaml, which a firm may replace with
records/rules/everyday_words.yaml): word → the Chinese name it stands for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from baodan.core.errors import BaodanError, shown

if TYPE_CHECKING:
    from baodan.core.rules import Rules


def everyday_words(rules: Rules | None) -> dict[str, str]:
    """The firm's everyday words (none without its rules)."""
    if rules is None:
        return {}
    from baodan.core.everyday_words import EverydayWords  # pydantic: not at start-up

    return rules.get("everyday_words", EverydayWords).words


def code_of(value: str, choices: Mapping[str, str], rules: Rules | None = None) -> str | None:
    """The code ``value`` stands for among ``choices`` (code → Chinese name), or None."""
    if value in choices:
        return value
    text = value.strip()
    if text in choices:
        return text
    names = {name: code for code, name in choices.items() if name}
    if text in names:
        return names[text]
    meant = everyday_words(rules).get(text)
    return names.get(meant) if meant else None


def listing(choices: Mapping[str, str]) -> str:
    """The choices as a sentence: A、B 或 C (their Chinese names; a code only when nameless)."""
    words = [name or code for code, name in choices.items()]
    return words[0] if len(words) == 1 else "、".join(words[:-1]) + " 或 " + words[-1]


def pick(value: str, choices: Mapping[str, str], option: str, rules: Rules | None = None) -> str:
    """The code of ``value`` among ``choices`` (code → Chinese name); what is wrong otherwise."""
    code = code_of(value, choices, rules)
    if code is None:
        raise BaodanError(f"{option}：没有“{shown(value)}”这一项", f"只能是：{listing(choices)}")
    return code
