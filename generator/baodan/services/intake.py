"""Intake (接收登记): register a policy from the uniform form, give it a registry number,
encrypt and write it. A bad form gives every problem (form file, line, field) and writes nothing.

The form is the policy record without what the system fills in (registry number, status,
audit, discrepancies), plus ``client``: the same fields whatever the category, and the extra
ones a category needs (data/taxonomy.yaml ``needs``). Blank fields count as not filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from baodan.core import yamlio
from baodan.core.errors import BaodanError, RecordError, Source, shown
from baodan.core.parse import load_yaml, validate
from baodan.models import Firm, Policy
from baodan.models.ids import REGISTRY_NO
from baodan.models.kinds import BY_NAME
from baodan.services.changes import NOTHING_WRITTEN, Changes, write_context
from baodan.store.workspace import Workspace, allocate_registry_no

# Fields the system fills in, and who fills them.
NOT_ON_FORM = {
    "registry_no": "登记号由系统分配",
    "status": "新登记的保单都是有效（active）；暂缓由初审决定",
    "hold_reason": "暂缓原因由初审（baodan audit）写入",
    "audit": "初审结果由 baodan audit 写入",
    "discrepancies": "核对差异由 baodan verify 写入",
}
PLACEHOLDER = "BD-0000-00000"
# A form is read whole even when a paste made it larger than a record may be, so that the
# field too long is named (models/base.py); past this it is no form.
FORM_BYTES = 16 * 1024 * 1024


def blank_form() -> str:
    return resources.files("baodan").joinpath("data/templates/intake_form.yaml").read_text("utf-8")


def prune(value):
    """Drop blank fields (None, '', empty mappings) so a half-filled template reads cleanly."""
    if isinstance(value, dict):
        kept = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", {})}
    if isinstance(value, list):
        return [v for v in (prune(v) for v in value) if v not in (None, "", {})]
    return value


@dataclass
class Form:
    client: str
    policy: Policy
    data: dict
    rel: str  # the form file, as messages name it
    text: str


def check_form(ws: Workspace, firm: Firm, data: dict, text: str, rel: str) -> Form:
    """Validate a filled-in form against the model and the firm's records; raise every problem."""
    errors: list[RecordError] = []

    def problem(field: str, message: str, hint: str) -> None:
        errors.append(
            RecordError(Source(rel, yamlio.line_of(text, (field,))), field, message, hint)
        )

    data = prune(data)
    for key in NOT_ON_FORM.keys() & data.keys():
        problem(key, "登记表里不填这一项", NOT_ON_FORM[key] + "；请删去这一行")
    client = str(data.pop("client", "") or "")
    if not client:
        problem("client", "缺少客户编号", "填客户编号，如 c-1a2b3c4d（员工站客户列表里有）")
    elif not BY_NAME["client"].id_pattern.fullmatch(client):
        problem(
            "client",
            f"“{shown(client)}”不是客户编号",
            "客户编号形如 c-1a2b3c4d（员工站客户列表里有）",
        )
    elif not (ws.client_dir(client) / "client.yaml.age").is_file():
        problem(
            "client",
            f"没有客户“{shown(client)}”",
            "先建客户：baodan new client；或检查编号是否抄错",
        )
    fields = {k: v for k, v in data.items() if k not in NOT_ON_FORM}
    policy, errs = validate(
        Policy, {"registry_no": PLACEHOLDER, **fields}, rel, text, context=write_context(ws)
    )
    errors.extend(errs)
    errors.extend(_references(ws, firm, fields, rel, text))  # also when the rest is wrong
    if errors:
        raise BaodanError(errors)
    return Form(client, policy, fields, rel, text)


def _references(ws: Workspace, firm: Firm, fields: dict, rel: str, text: str) -> list[RecordError]:
    """The insurer, the staff member and the renewed policy a form names, when it names them
    as text (the model says what else is wrong with them)."""

    def err(loc: tuple, message: str, hint: str) -> RecordError:
        field = ".".join(loc)
        return RecordError(Source(rel, yamlio.line_of(text, loc)), field, message, hint)

    def named(value) -> str | None:
        return value.strip() if isinstance(value, str) else None

    intake = fields.get("intake")
    insurer = named(fields.get("insurer"))
    received_by = named(intake.get("received_by")) if isinstance(intake, dict) else None
    renewal_of = named(fields.get("renewal_of"))
    found = []
    if insurer and insurer not in firm.insurers:
        known = "、".join(f"{c}（{i.short_name}）" for c, i in sorted(firm.insurers.items()))
        found.append(err(("insurer",), f"没有保险公司“{shown(insurer)}”", f"可选：{known}"))
    if received_by and received_by not in firm.staff:
        found.append(
            err(
                ("intake", "received_by"),
                f"没有员工“{shown(received_by)}”",
                "可选：" + "、".join(sorted(firm.staff)),
            )
        )
    if (
        renewal_of
        and REGISTRY_NO.fullmatch(renewal_of)  # a number, not a pattern, before it is a path
        and not list(ws.clients_dir.glob(f"*/policies/{renewal_of}.yaml.age"))
    ):
        found.append(
            err(
                ("renewal_of",),
                f"没有登记号为 {shown(renewal_of)} 的保单",
                "填被续保的原保单登记号",
            )
        )
    return found


def register(ws: Workspace, firm: Firm, form: Form) -> tuple[str, Path]:
    """Allocate the number and write the encrypted policy. Returns (registry number, path)."""
    number = allocate_registry_no(ws.root, form.policy.intake.received_on.year)
    record = CommentedMap(registry_no=number)
    record.update(form.data)
    path = ws.clients_dir / form.client / "policies" / f"{number}.yaml.age"
    changes = Changes(ws)
    changes.put(path, record)
    rel = ws.rel(path)
    if problems := changes.problems():  # what the new policy brings: shown on the form
        problems = [_on_form(e, form) if e.source.file == rel else e for e in problems]
        raise BaodanError([*problems, NOTHING_WRITTEN])
    changes.commit()
    return number, path


def _on_form(e: RecordError, form: Form) -> RecordError:
    line = yamlio.line_of(form.text, tuple(e.field.split("."))) if form.text else 0
    return e._replace(source=Source(form.rel, line))


def intake_from_file(ws: Workspace, firm: Firm, form_path: Path) -> tuple[str, Path]:
    rel = str(form_path)
    try:
        text = form_path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BaodanError(
            RecordError(
                Source(rel), "", f"读不了登记表（{e}）", "检查文件路径，文件应为 UTF-8 文本"
            )
        ) from None
    data, errors = load_yaml(text, rel, FORM_BYTES)
    if not errors and not isinstance(data, dict):
        errors = validate(Policy, data, rel, text)[1]  # says what a form should look like
    if errors:
        raise BaodanError(errors)
    return register(ws, firm, check_form(ws, firm, data, text, rel))
