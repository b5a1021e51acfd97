"""Find, decrypt, parse and validate the firm's records, once, into one Firm.

``load_firm`` is the only way a build or a command reads records. Problems are collected
as RecordError values (file, line, field, Chinese message, hint), never raised one by one.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from . import yamlio
from .errors import RecordError, Source
from .models import (
    Claim,
    Client,
    ClientFile,
    Firm,
    Incident,
    Insurer,
    Interaction,
    Lecture,
    Partner,
    Policy,
    Retired,
    Settings,
    Staff,
    Task,
    Training,
)
from .vault import Vault, decrypt

RECORDS = "records"
RETIRED_FILE = "records/retired.yaml"

# Slots under a client folder: folder → (model, what the file name must equal).
CLIENT_SLOTS: dict[str, tuple[type[BaseModel], str | None]] = {
    "policies": (Policy, "registry_no"),
    "claims": (Claim, "id"),
    "interactions": (Interaction, None),
    "tasks": (Task, "id"),
    "incidents": (Incident, "id"),
}

# Pydantic error types in plain Chinese: (message, hint).
MESSAGES = {
    "missing": ("缺少必填字段", "请补上这个字段；运行 baodan schema 可查看每个字段的说明"),
    "extra_forbidden": (
        "不认识的字段（可能拼错了，或放错了层级）",
        "请检查拼写和缩进；运行 baodan schema 可查看可用字段",
    ),
    "string_type": ("应为文字", "纯数字的编号或电话请加引号，例如 '95518'"),
    "int_type": ("应为整数", "例如 3"),
    "int_parsing": ("应为整数", "例如 3"),
    "int_from_float": ("应为整数", "不要写小数"),
    "bool_type": ("应为 true 或 false", ""),
    "bool_parsing": ("应为 true 或 false", ""),
    "date_type": ("应为日期", "写成 2026-03-01 这样的格式"),
    "date_parsing": ("应为日期", "写成 2026-03-01 这样的格式"),
    "date_from_datetime_parsing": ("应为日期", "写成 2026-03-01 这样的格式"),
    "date_from_datetime_inexact": ("应为日期（不带时间）", "写成 2026-03-01 这样的格式"),
    "list_type": ("应为列表", "每一项另起一行，以 - 开头"),
    "model_type": ("应为一组字段", "下一行缩进两格，写 字段: 值"),
    "model_attributes_type": ("应为一组字段", "下一行缩进两格，写 字段: 值"),
    "dict_type": ("应为一组字段", "下一行缩进两格，写 字段: 值"),
    "decimal_type": ("应为数字", ""),
    "decimal_parsing": ("应为数字", ""),
    "url_parsing": ("网址格式不对", "写成 https://… 的完整网址"),
    "url_scheme": ("网址格式不对", "写成 https://… 的完整网址"),
    "string_pattern_mismatch": ("格式不对", "请对照字段说明（baodan schema）"),
    "too_short": ("项数太少", ""),
}


def _translate(err: dict) -> tuple[str, str]:
    kind = err["type"]
    if kind == "value_error":
        text = str(err["ctx"]["error"])
        message, _, hint = text.partition("|")
        return message, hint
    if kind == "literal_error":
        return f"不是可选值（现在是 {err['input']!r}）", f"只能是：{err['ctx']['expected']}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(err["ctx"].values()))
        sign = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        return f"数值应 {sign} {limit}（现在是 {err['input']}）", ""
    message, hint = MESSAGES.get(kind, (err["msg"], ""))
    if kind == "too_short":
        message = f"至少需要 {err['ctx'].get('min_length', 1)} 项"
    return message, hint


def _field(loc: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")


def parse_record(model: type[BaseModel], text: str, rel: str):
    """Parse and validate one record's YAML. Returns (record or None, errors)."""
    try:
        data = yamlio.load(text)
    except yamlio.YamlError as e:
        return None, [
            RecordError(
                Source(rel, e.line),
                "",
                str(e),
                "检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否成对",
            )
        ]
    return validate(model, data, rel, text)


def validate(model: type[BaseModel], data, rel: str, text: str, at: tuple = ()):
    """Validate parsed YAML (found at ``at`` within ``text``). Returns (record or None, errors)."""
    if not isinstance(data, dict):
        return None, [
            RecordError(
                Source(rel, yamlio.line_of(text, at) or 1),
                _field(at),
                "记录应是一组 字段: 值",
                "参考 baodan new 生成的模板",
            )
        ]
    try:
        record = model.model_validate(data)
    except ValidationError as e:
        errors = []
        for err in e.errors(include_url=False):
            loc = at + tuple(err["loc"])
            message, hint = _translate(err)
            errors.append(
                RecordError(Source(rel, yamlio.line_of(text, loc)), _field(loc), message, hint)
            )
        return None, errors
    record._path = rel
    return record, []


def read_text(data: bytes, rel: str, errors: list) -> str | None:
    """A record's bytes as text; a file saved in another encoding is an error, not a crash."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        errors.append(
            RecordError(
                Source(rel),
                "",
                f"文件不是 UTF-8 编码的文字（第 {e.start + 1} 个字节无法识别）",
                "用支持 UTF-8 的编辑器（如 VS Code）另存为 UTF-8；加密记录请用 baodan edit 修改",
            )
        )
        return None


def _name_matches(record, attr: str, expected: str, rel: str) -> list[RecordError]:
    value = getattr(record, attr)
    if value != expected:
        return [
            RecordError(
                Source(rel, 1),
                attr,
                f"{attr} 是“{value}”，但文件名是“{expected}”",
                "两者必须一致：改文件名或改字段",
            )
        ]
    return []


def _read_plain(root: Path, folder: str, model, name_attr: str | None, errors: list) -> list:
    out = []
    for path in sorted((root / RECORDS / folder).glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        text = read_text(path.read_bytes(), rel, errors)
        if text is None:
            continue
        record, errs = parse_record(model, text, rel)
        errors.extend(errs)
        if record is not None:
            if name_attr:
                errs = _name_matches(record, name_attr, path.stem, rel)
                errors.extend(errs)
            out.append(record)
    return out


def split_front_matter(text: str) -> tuple[str, str] | None:
    if not text.startswith("---"):
        return None
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return None
    return parts[0].removeprefix("---"), parts[1].partition("\n")[2]


def _read_lectures(root: Path, errors: list) -> list[Lecture]:
    lectures = []
    for path in sorted((root / RECORDS / "lectures").glob("*.md")):
        rel = path.relative_to(root).as_posix()
        text = read_text(path.read_bytes(), rel, errors)
        if text is None:
            continue
        parts = split_front_matter(text)
        if parts is None:
            errors.append(
                RecordError(
                    Source(rel, 1),
                    "",
                    "讲座文件缺少开头的 --- 信息区",
                    "文件以 --- 开头，写标题、日期等，再以 --- 结束",
                )
            )
            continue
        record, errs = parse_record(Lecture, parts[0], rel)
        for e in errs:  # front matter starts on line 2 of the file
            errors.append(e._replace(source=Source(rel, e.source.line + 1 if e.source.line else 0)))
        if record is not None:
            record._body = parts[1]
            lectures.append(record)
    return sorted(lectures, key=lambda lec: (lec.date, lec.start_time))


@dataclass
class EncryptedFile:
    rel: str
    model: type[BaseModel]
    name_attr: str | None
    client_id: str


def _classify(root: Path, errors: list) -> list[EncryptedFile]:
    """Every file under records/clients/ must be an encrypted record in a known slot."""
    base = root / RECORDS / "clients"
    found = []
    if not base.is_dir():
        return found
    for dirpath, _dirs, files in os.walk(base):
        here = Path(dirpath)
        for name in sorted(files):
            if name == ".gitkeep":
                continue
            rel = (here / name).relative_to(root).as_posix()
            parts = (here / name).relative_to(base).parts
            if name.endswith((".yaml", ".yml")):
                errors.append(
                    RecordError(
                        Source(rel),
                        "",
                        "客户资料以明文存放，这违反数据保护要求",
                        "请立即运行 baodan encrypt 该文件（会删除明文），不要提交到 git",
                    )
                )
                continue
            if len(parts) == 2 and name == "client.yaml.age":
                found.append(EncryptedFile(rel, Client, "id", parts[0]))
            elif len(parts) == 3 and parts[1] in CLIENT_SLOTS and name.endswith(".yaml.age"):
                model, attr = CLIENT_SLOTS[parts[1]]
                found.append(EncryptedFile(rel, model, attr, parts[0]))
            else:
                errors.append(
                    RecordError(
                        Source(rel),
                        "",
                        "这里不该有这个文件",
                        "客户文件夹里只能有 client.yaml.age，以及 "
                        + "、".join(f"{s}/" for s in CLIENT_SLOTS)
                        + " 下的 .yaml.age 文件",
                    )
                )
    return found


def _decrypt_batch(args: tuple[list[bytes], list]) -> list[bytes | str]:
    blobs, identities = args
    out: list[bytes | str] = []
    for blob in blobs:
        try:
            out.append(decrypt(blob, identities))
        except ValueError as e:
            out.append(str(e))
    return out


def decrypt_all(blobs: list[bytes], identities: list) -> list[bytes | str]:
    """Decrypt many files; large batches use a second process (pyrage holds the GIL)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(blobs) < 2000 or workers < 2:
        return _decrypt_batch((blobs, identities))
    # Identities do not pickle: pass their text and rebuild them in the worker.
    texts = [str(i) for i in identities]
    size = -(-len(blobs) // workers)
    chunks = [(blobs[i : i + size], texts) for i in range(0, len(blobs), size)]
    with ProcessPoolExecutor(workers) as pool:
        return [r for part in pool.map(_decrypt_texts, chunks) for r in part]


def _decrypt_texts(args: tuple[list[bytes], list[str]]) -> list[bytes | str]:
    from pyrage import x25519

    blobs, texts = args
    return _decrypt_batch((blobs, [x25519.Identity.from_str(t) for t in texts]))


def load_firm(root: Path, vault: Vault | None) -> tuple[Firm | None, list[RecordError]]:
    """Load and validate the whole firm. Without a vault only the public records are read."""
    from .checks import VALIDATIONS

    root = Path(root)
    errors: list[RecordError] = []
    firm_path = root / RECORDS / "firm.yaml"
    if not firm_path.is_file():
        return None, [
            RecordError(
                Source("records/firm.yaml"),
                "",
                "找不到公司设置文件",
                "在公司目录里运行；新公司请先 baodan init",
            )
        ]
    settings = None
    text = read_text(firm_path.read_bytes(), "records/firm.yaml", errors)
    if text is not None:
        settings, errs = parse_record(Settings, text, "records/firm.yaml")
        errors.extend(errs)
    firm = Firm(settings=settings) if settings else None
    insurers = _read_plain(root, "insurers", Insurer, "code", errors)
    staff = _read_plain(root, "staff", Staff, "id", errors)
    lectures = _read_lectures(root, errors)
    training = _read_plain(root, "training", Training, None, errors)
    partners = _read_plain(root, "partners", Partner, "code", errors)
    retired = read_retired(root, errors)
    clients: dict[str, ClientFile] = {}
    if vault is not None:
        clients = _read_clients(root, vault, errors)
    if firm is None:
        return None, errors
    firm.insurers = {i.code: i for i in insurers}
    firm.staff = {s.id: s for s in staff}
    firm.lectures = lectures
    firm.training = sorted(training, key=lambda t: (t.date, t.path))
    firm.partners = {p.code: p for p in partners}
    firm.clients = clients
    firm.retired_registry_nos = retired
    for validate in VALIDATIONS:
        errors.extend(validate(firm))
    return firm, errors


def read_retired(root: Path, errors: list) -> set[str]:
    """Registry numbers in the tombstone list (a bare number is accepted as well)."""
    path = root / RETIRED_FILE
    if not path.is_file():
        return set()
    text = read_text(path.read_bytes(), RETIRED_FILE, errors)
    try:
        data = yamlio.load(text) if text is not None else []
    except yamlio.YamlError as e:
        errors.append(RecordError(Source(RETIRED_FILE, e.line), "", str(e), ""))
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
    return numbers


def _read_clients(root: Path, vault: Vault, errors: list) -> dict[str, ClientFile]:
    files = _classify(root, errors)
    plaintexts = decrypt_all([(root / f.rel).read_bytes() for f in files], vault.identities)
    clients: dict[str, ClientFile] = {}
    pending: list[tuple[EncryptedFile, BaseModel]] = []
    for f, plain in zip(files, plaintexts):
        if isinstance(plain, str):
            message, _, hint = plain.partition("|")
            errors.append(RecordError(Source(f.rel), "", message, hint))
            continue
        text = read_text(plain, f.rel, errors)
        if text is None:
            continue
        record, errs = parse_record(f.model, text, f.rel)
        errors.extend(errs)
        if record is None:
            continue
        if f.name_attr:
            expected = (
                f.client_id if f.model is Client else Path(f.rel).name.removesuffix(".yaml.age")
            )
            errors.extend(_name_matches(record, f.name_attr, expected, f.rel))
        record._client_id = f.client_id
        if isinstance(record, Client):
            clients[f.client_id] = ClientFile(record)
        else:
            pending.append((f, record))
    slot_of = {model: slot for slot, (model, _) in CLIENT_SLOTS.items()}
    for f, record in pending:
        cf = clients.get(f.client_id)
        if cf is None:
            errors.append(
                RecordError(
                    Source(f.rel),
                    "",
                    f"客户文件夹 {f.client_id} 里缺少 client.yaml.age",
                    "先建客户（baodan new client），或把文件移到正确的客户文件夹",
                )
            )
            continue
        getattr(cf, slot_of[type(record)]).append(record)
    for cf in clients.values():
        cf.policies.sort(key=lambda p: (p.effective, p.registry_no))
        cf.claims.sort(key=lambda c: (c.reported_on, c.id))
        cf.interactions.sort(key=lambda i: (i.date, i.path))
        cf.tasks.sort(key=lambda t: (t.created, t.id))
        cf.incidents.sort(key=lambda i: (i.opened, i.id))
    return dict(sorted(clients.items()))
