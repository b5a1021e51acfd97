"""The version of the record format (firm.yaml's record_format), without pydantic: every
command compares it when it opens the firm."""

from __future__ import annotations

from baodan.core.errors import Problem

# The record format this baodan reads and writes. A release that changes how records are
# written raises it and adds a step to services/upgrade.MIGRATIONS; `baodan upgrade` moves a
# firm up, and an older baodan refuses a firm already moved (newer_format below).
RECORD_FORMAT = 1


def newer_format(version: int) -> Problem:
    """Why this baodan must not touch a firm written in a newer format."""
    return Problem(
        f"这家公司的记录是第 {version} 版格式，比这个 baodan 认识的（第 {RECORD_FORMAT} 版）新："
        "用旧版本修改会弄坏记录",
        "请升级 baodan（pip install -U baodan）；CI 里把 BAODAN_PACKAGE 改成同事们用的版本",
    )
