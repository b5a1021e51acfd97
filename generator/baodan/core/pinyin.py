"""How Chinese names sort for people: by their pinyin (李 li before 王 wang before 袁 yuan),
not by the code points of their characters (王 < 袁 < 李)."""

from __future__ import annotations

from functools import cache


# Kept for the process: `baodan serve` sorts every client's name again on each rebuild.
@cache
def pinyin_key(name: str) -> str:
    """A sort key: the name's pinyin, then the name itself (two names read alike stay apart)."""
    from pypinyin import lazy_pinyin  # its dictionary: a fifth of a second, only when sorting

    return " ".join(lazy_pinyin(name)).lower() + "\0" + name
