"""Open one policy for a command that changes it: its file, its client's records, the firm's
public records (insurers, staff), and the policy's YAML ready to edit round-trip."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from baodan.checks import load_firm
from baodan.core.errors import BaodanError
from baodan.core.layout import RECORDS
from baodan.core.today import today
from baodan.models import ClientFile, Firm, Policy
from baodan.models.ids import REGISTRY_NO, checked_id
from baodan.models.kinds import BY_NAME
from baodan.services.changes import Changes
from baodan.store.loader import load_client
from baodan.store.workspace import Workspace, looks_like_path, record_path


def policy_files(ws: Workspace, registry_no: str) -> list[Path]:
    """Every file holding this registry number (two, after a collision between branches)."""
    return sorted(ws.clients_dir.glob(f"*/policies/{registry_no}.yaml.age"))


def policy_path(ws: Workspace, target: str) -> Path:
    """A policy file from a registry number or a path; a duplicated number needs the path."""
    if looks_like_path(target):
        path = record_path(ws.root, target)
        if path.suffix == ".age" and path.is_file():
            return path
    else:
        checked_id(target, "保单登记号", REGISTRY_NO)
    hits = policy_files(ws, target)
    if not hits:
        raise BaodanError(
            f"找不到登记号为“{target}”的保单",
            "登记号形如 BD-2026-7K3QX；可在员工站“保单登记簿”里查，或写保单文件的路径",
        )
    if len(hits) > 1:
        raise BaodanError(
            f"登记号 {target} 有 {len(hits)} 张保单：" + "、".join(ws.rel(h) for h in hits),
            "请写要处理的那张保单的文件路径",
        )
    return hits[0]


def public_firm(ws: Workspace) -> Firm:
    """Firm settings, insurers and staff, without decrypting any client."""
    firm, errors = load_firm(ws.root, None, today())
    if firm is None:
        raise BaodanError(errors)
    return firm


def require_staff(firm: Firm, staff: str | None, option: str = "--staff") -> str:
    if not staff:
        raise BaodanError(
            f"请用 {option} 写明经办员工编号",
            "例如 --staff wang-fang；也可以设置环境变量 BAODAN_STAFF=你的员工编号",
        )
    if staff not in firm.staff:
        known = "、".join(sorted(firm.staff)) or "（还没有员工记录）"
        raise BaodanError(f"没有员工“{staff}”", f"可选：{known}")
    return staff


def acting_staff(firm: Firm, staff: str | None, member: str) -> str:
    """The staff member doing what a command records: --staff (or BAODAN_STAFF), else the
    firm member whose key opened the records, when that member is on the staff."""
    return require_staff(firm, staff or member_on_staff(firm, member))


def member_on_staff(firm: Firm, member: str) -> str | None:
    """The member whose key opened the records, when their member id is a staff id."""
    return member if member in firm.staff else None


@dataclass
class OpenPolicy:
    ws: Workspace
    path: Path
    firm: Firm  # public records plus this one client
    client: ClientFile
    policy: Policy
    changes: Changes  # what the command will write, checked before any of it is
    doc: CommentedMap  # the policy's YAML, to change and put back

    @property
    def client_dir(self) -> Path:
        return self.path.parent.parent

    def actor(self, staff: str | None) -> str:
        """Who is doing this: see acting_staff."""
        return acting_staff(self.firm, staff, self.ws.vault.member)


def _firm_with_client(ws: Workspace, client_id: str) -> tuple[Firm, ClientFile]:
    firm = public_firm(ws)
    cf, errors = load_client(ws.root, ws.vault, client_id, today())
    if errors:
        raise BaodanError(errors)
    if cf is None:
        raise BaodanError(
            f"找不到客户“{client_id}”（{RECORDS}/clients/{client_id}/client.yaml.age）",
            "客户编号形如 c-1a2b3c4d",
        )
    firm.clients = {client_id: cf}
    return firm, cf


def open_policy(ws: Workspace, target: str) -> OpenPolicy:
    path = policy_path(ws, target)
    rel = ws.rel(path)
    firm, cf = _firm_with_client(ws, rel.split("/")[2])
    policy = next(p for p in cf.policies if p.path == rel)
    changes = Changes(ws)
    return OpenPolicy(ws, path, firm, cf, policy, changes, changes.edit(path))


def open_client(ws: Workspace, target: str) -> tuple[Firm, ClientFile, str | None]:
    """A client by id, or the client of a policy by registry number: (firm, client, number)."""
    if (
        BY_NAME["client"].id_pattern.fullmatch(target)
        and (ws.client_dir(target) / "client.yaml.age").is_file()
    ):
        return (*_firm_with_client(ws, target), None)
    path = policy_path(ws, target)
    return (*_firm_with_client(ws, ws.rel(path).split("/")[2]), path.name.removesuffix(".yaml.age"))
