"""records/retired.yaml: registry numbers that left the records, never to be used again.

Read by the loader; written only by ``retire`` (forget, renumber), each entry a ``Retired`` model,
so the file stays valid and its comments stay where they are.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.comments import CommentedSeq

from baodan.core import yamlio
from baodan.core.errors import RecordError, Source
from baodan.core.files import write_atomic
from baodan.core.layout import RETIRED_FILE
from baodan.core.parse import read_text, validate
from baodan.models import Retired

HEADER = "# 已注销的保单登记号：永不复用。只记登记号、注销日期和原因，不写姓名等个人信息。\n"


def read_retired(root: Path, errors: list) -> set[str]:
    """Registry numbers in the tombstone list (a bare number is accepted as well)."""
    path = root / RETIRED_FILE
    if not path.is_file():
        return set()
    text = read_text(path.read_bytes(), RETIRED_FILE, errors)
    try:
        data = yamlio.load(text) if text is not None else []
    except yamlio.YamlError as e:
        errors.append(RecordError(Source(RETIRED_FILE, e.line), "", str(e), e.hint))
        return set()
    if data is None:
        return set()
    if not isinstance(data, list):
        errors.append(
            RecordError(Source(RETIRED_FILE, 1), "", "应为列表", "每个注销的登记号一项，以 - 开头")
        )
        return set()
    numbers = set()
    for n, item in enumerate(data):
        if isinstance(item, str):
            numbers.add(item)
            continue
        record, errs = validate(Retired, item, RETIRED_FILE, text, (n,))
        errors.extend(errs)
        if record is not None:
            numbers.add(record.registry_no)
        elif isinstance(item, dict) and item.get("registry_no"):
            numbers.add(str(item["registry_no"]))  # a faulty entry still retires its number
    return numbers


def retire(root: Path, entries: list[Retired]) -> None:
    """Add tombstones to records/retired.yaml, skipping numbers already there."""
    path = root / RETIRED_FILE
    text = path.read_text("utf-8") if path.is_file() else ""
    data = yamlio.load_roundtrip(text, RETIRED_FILE) if text.strip() else None
    head = "" if data is not None else (text or HEADER)
    if data is None:
        data = CommentedSeq()
    known = {str(i["registry_no"]) if isinstance(i, dict) else str(i) for i in data}
    for entry in entries:
        if entry.registry_no not in known:
            data.append(entry.model_dump(mode="python", exclude_none=True))
    write_atomic(path, (head + yamlio.dump_roundtrip(data)).encode("utf-8"))
