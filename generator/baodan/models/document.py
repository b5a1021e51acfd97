"""records/clients/<id>/documents/<document-id>.yaml.age: what one attached file is.

The file itself sits beside it, encrypted as it came (``<document-id>.age``, a binary age
file: see store/documents.py); this record says what it is, whose policy or claim it
belongs to, and the size and SHA-256 the file must have (`baodan check` compares them).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from baodan.core.filetypes import MAX_BYTES, SUFFIXES
from baodan.models.base import Record
from baodan.models.vocab import DOCUMENT_KINDS


class Document(Record):
    id: str = Field(description="文档编号，与文件名相同，如 d-1a2b3c4d")
    kind: Literal[DOCUMENT_KINDS] = Field(description="文档类别：" + " / ".join(DOCUMENT_KINDS))
    policy: str = Field(description="所属保单登记号")
    claim: str | None = Field(None, description="所属理赔编号（理赔材料、理赔决定书）")
    media_type: Literal[tuple(SUFFIXES)] = Field(description="文件类型（按内容识别）")
    pages: int = Field(ge=1, description="页数（图片为 1）")
    size: int = Field(ge=1, le=MAX_BYTES, description="原文件大小（字节）")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="原文件的 SHA-256")
    added_on: dt.date = Field(description="添加日期")
    added_by: str = Field(description="添加的员工编号")
    note: str | None = Field(None, description="备注，如 原件由客户保管")
