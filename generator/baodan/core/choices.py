"""A value picked from a fixed list, typed as its code or its Chinese name (已提交 → submitted):
one way to accept it and one message when it is neither."""

from __future__ import annotations

from collections.abc import Mapping

from baodan.core.errors import BaodanError, shown


def pick(value: str, choices: Mapping[str, str], option: str) -> str:
    """The code of ``value`` among ``choices`` (code → Chinese name); what is wrong otherwise."""
    if value in choices:
        return value
    code = next((c for c, name in choices.items() if name and name == value.strip()), None)
    if code is None:
        listing = "、".join(f"{c}（{name}）" if name else c for c, name in choices.items())
        raise BaodanError(
            f"{option}：“{shown(value)}”不在可选项里", f"可选（写编号或中文都可以）：{listing}"
        )
    return code
