"""Rules a firm can tune, kept as YAML beside the code (data/*.yaml), read and validated once.

``rules(name, model)`` parses ``data/<name>.yaml`` with a pydantic model; a mistake in the file
stops the command with the file, the field and what to fix, like a record error would.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel

from baodan.core.errors import BaodanError

T = TypeVar("T", bound=BaseModel)


@cache
def rules(name: str, model: type[T]) -> T:
    from baodan.core.parse import parse_record

    rel = f"generator/baodan/data/{name}.yaml"
    text = resources.files("baodan").joinpath(f"data/{name}.yaml").read_text("utf-8")
    record, errors = parse_record(model, text, rel)
    if errors:
        raise BaodanError(errors)
    return record
