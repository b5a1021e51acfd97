"""The firm folder a command works on: find it, open its vault, locate records by id."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from baodan.core import yamlio
from baodan.core.errors import BaodanError, Problem, RecordError, Source, shown
from baodan.core.files import write_atomic
from baodan.core.layout import CLIENTS_DIR, RECORDS
from baodan.models.ids import (
    ANY_RECORD,
    CROCKFORD,
    REGISTRY_CODE_LENGTH,
    REGISTRY_EXAMPLE,
    checked_id,
    registry_no,
)
from baodan.models.kinds import BY_NAME, CLIENT_SLOTS
from baodan.models.recordformat import RECORD_FORMAT, newer_format
from baodan.store.identity import IdentitySource, find_identity
from baodan.store.keyguard import refuse_unless_allowed
from baodan.store.vault import Vault, open_vault

if TYPE_CHECKING:
    from baodan.models import Client

DEMO_WARNING = (
    "正在使用演示密钥（DEMO-IDENTITY.txt）：只能用于演示数据，真实客户资料绝不能用它加密。"
)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder, from ``start`` upwards, that holds records/firm.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RECORDS / "firm.yaml").is_file():
            return folder
    raise BaodanError(
        f"{here} 不是 baodan 公司目录（找不到 records/firm.yaml）",
        "请先 cd 到公司的仓库目录；新公司请运行 baodan init",
    )


def record_format(root: Path) -> int:
    """The record format firm.yaml declares (1 when it says none, or cannot be read: then
    `baodan check` says what is wrong with it)."""
    try:
        settings = yamlio.load((root / RECORDS / "firm.yaml").read_bytes())
    except (OSError, yamlio.YamlError):
        return 1
    version = settings.get("record_format", 1) if isinstance(settings, dict) else 1
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


@dataclass
class Workspace:
    root: Path
    identity: IdentitySource
    vault: Vault
    _allowed: bool = field(default=False, repr=False)  # keyguard said yes to this firm's keys

    @classmethod
    def open(cls, root: Path | None, identity: Path | None) -> Workspace:
        root = find_root(root)
        return cls.at(root, find_identity(root, identity))

    @classmethod
    def at(cls, root: Path, source: IdentitySource) -> Workspace:
        """The firm at ``root`` (no search upwards), opened with an identity already found;
        refused when its records are in a newer format than this baodan writes."""
        if (version := record_format(root)) > RECORD_FORMAT:
            problem = newer_format(version)
            raise BaodanError(
                RecordError(
                    Source(f"{RECORDS}/firm.yaml"), "record_format", problem.message, problem.hint
                )
            )
        return cls(root, source, open_vault(root, source))

    def read(self, path: Path) -> str:
        """A record's decrypted text, or a BaodanError saying why it cannot be read."""
        try:
            return self.vault.decrypt(path.read_bytes()).decode("utf-8")
        except ValueError as e:
            problem = Problem.of(e)
            raise BaodanError(f"{self.rel(path)}：{problem.message}", problem.hint) from None

    def write(self, path: Path, text: str) -> None:
        """The one way a record is written: encrypted to the current record key, atomically,
        and never to a key this firm may not use (the public demo key)."""
        self.refuse_unless_allowed()
        write_atomic(path, self.vault.encrypt(text.encode("utf-8")))

    def refuse_unless_allowed(self) -> None:
        """A BaodanError when this firm may not use its keys (store/keyguard.py): asked
        before every write, and by commands before the user starts typing."""
        if not self._allowed:
            refuse_unless_allowed(self.root, self.vault)
            self._allowed = True

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    @property
    def clients_dir(self) -> Path:
        return self.root / RECORDS / "clients"

    def locate(self, target: str) -> Path:
        """A record file from a path, a client id, a registry number or a claim id."""
        if looks_like_path(target):
            path = given_path(self.root, target)
            if (
                path.is_file()
                and path.suffix != ".age"
                and path.is_relative_to(self.root.resolve())
            ):
                raise BaodanError(
                    f"{shown(target)} 不是加密记录（.yaml.age），baodan 只打开加密的客户记录",
                    "公开记录（records/firm.yaml、staff、insurers 等）直接用编辑器修改；"
                    f"误放的明文客户资料请用 baodan encrypt {shown(target)} 加密",
                )
            path = inside_clients(self.root, path, target)
            if path.is_file():
                return path
        else:
            checked_id(target, "记录编号", *ANY_RECORD)
            client = self.clients_dir / target / "client.yaml.age"
            if client.is_file():
                return inside_clients(self.root, client, target)
            for slot in CLIENT_SLOTS:
                hits = sorted(self.clients_dir.glob(f"*/{slot}/{target}.yaml.age"))
                if hits:
                    return inside_clients(self.root, hits[0], target)
        raise BaodanError(
            f"找不到记录“{shown(target)}”",
            f"可以写文件路径、客户编号（如 c-1a2b3c4d）、保单登记号（如 {REGISTRY_EXAMPLE}）、"
            "理赔编号、任务编号或事件编号",
        )

    def client_dir(self, client_id: str) -> Path:
        """records/clients/<id>/ of a client id a person gave (command line, form)."""
        checked_id(client_id, "客户编号", BY_NAME["client"].id_pattern)
        return inside_clients(self.root, self.clients_dir / client_id, client_id)


def current_client(
    ws: Workspace, target: str, service: str, command: str, today: date
) -> tuple[Path, Client]:
    """The record of a client who is still a client ``today``, for a command that gives them
    ``service`` (专属页面, 日历订阅); an error when ``target`` is not a client, the client has
    left or withdrawn consent, or has not signed consent yet. ``command`` is what to run once they are back."""
    from baodan.core.parse import parse_record  # pydantic: not for every command
    from baodan.models.client import Client, has_left
    from baodan.models.context import record_context

    path = ws.locate(target)
    rel = ws.rel(path)
    if path.name != "client.yaml.age":
        raise BaodanError(f"{rel} 不是客户记录", "请写客户编号，如 c-1a2b3c4d")
    client, errors = parse_record(Client, ws.read(path), rel, record_context(today))
    if errors:
        raise BaodanError(errors)
    if has_left(client, today):
        raise BaodanError(
            RecordError(
                Source(rel),
                "left_on",
                f"客户 {client.id} 已终止服务或撤回了个人信息处理同意，不提供{service}",
                f"客户回来时先删掉 left_on（或重新签署同意书），再运行 {command}",
            )
        )
    if client.consent is None:
        raise BaodanError(
            RecordError(
                Source(rel),
                "consent",
                f"客户 {client.id} 还没有签署个人信息处理同意书，签署前不提供{service}",
                f"客户签署后，用 baodan edit {client.id} 在 consent 下填写签署日期、方式和目的，"
                f"再运行 {command}",
            )
        )
    return path, client


def model_for(rel: str):
    """The model a record file holds, from where it sits."""
    parts = rel.split("/")
    if parts[-1] == "client.yaml.age":
        return BY_NAME["client"].model
    slot = parts[-2] if len(parts) >= 2 else ""
    if slot in CLIENT_SLOTS:
        return CLIENT_SLOTS[slot].model
    raise BaodanError(f"{rel} 不在记录的位置上", "客户记录放在 records/clients/<客户编号>/ 下")


def used_registry_numbers(root: Path) -> set[str]:
    """Numbers in use or retired. File names carry the number, so nothing is decrypted."""
    used = {
        p.name.removesuffix(".yaml.age")
        for p in (root / RECORDS / "clients").glob("*/policies/*.yaml.age")
    }
    from baodan.store.retired import read_retired  # validates: pydantic, not for every command

    return used | read_retired(root, [])


def allocate_registry_no(root: Path, year: int, rng=secrets) -> str:
    """BD-<year>-<5 random Crockford base32 characters>: 33 million per year, so two staff
    registering at once on two branches practically never collide; `baodan check` in CI
    catches the rare collision, and retired numbers are never handed out again."""
    used = used_registry_numbers(root)
    while True:
        number = registry_no(
            year, "".join(rng.choice(CROCKFORD) for _ in range(REGISTRY_CODE_LENGTH))
        )
        if number not in used:
            return number


def new_token(nbytes: int = 16) -> str:
    return secrets.token_urlsafe(nbytes)


def new_client_id() -> str:
    return f"c-{secrets.token_hex(4)}"


def new_claim_id() -> str:
    return f"cl-{secrets.token_hex(4)}"


def new_task_id() -> str:
    return f"t-{secrets.token_hex(4)}"


def new_incident_id() -> str:
    return f"in-{secrets.token_hex(4)}"


def next_interaction_path(client_dir: Path, day) -> Path:
    """interactions/<date>-<n>-<tag>.yaml.age: n counts that day's records in this clone, and
    the random tag keeps apart what two staff members record for one client on one day on
    their own branches (both would be <date>-1, and git would merge two records into one)."""
    folder = client_dir / "interactions"
    n = 1 + len(list(folder.glob(f"{day.isoformat()}-*.yaml.age")))
    return folder / f"{day.isoformat()}-{n}-{secrets.token_hex(2)}.yaml.age"


# ---- Paths a person gives: checked here, before any file is touched ---------------------------
# (Ids are checked by models.ids.checked_id, with the patterns of models.ids and models.kinds.)


def looks_like_path(target: str) -> bool:
    """A command's record argument is a path when it has a folder part or a file suffix."""
    return any(c in target for c in "/\\") or target.endswith((".age", ".yaml", ".yml"))


def given_path(root: Path, target: str) -> Path:
    """The file ``target`` names, from the current folder, else from the firm folder; with
    links followed."""
    given = Path(target)
    here = given if given.is_absolute() else Path.cwd() / given
    return (here if here.exists() else root / given).resolve()


def record_path(root: Path, target: str) -> Path:
    """The file ``target`` names, when it lies under the firm's records/clients/ (links
    followed); else a BaodanError."""
    return inside_clients(root, given_path(root, target), target)


def inside_clients(root: Path, path: Path, target: str) -> Path:
    """``path`` if, with every link followed, it lies under the firm's records/clients/ (a
    linked folder or file must not lead a write or a delete out of the firm)."""
    if not path.resolve().is_relative_to((root / CLIENTS_DIR).resolve()):
        raise BaodanError(
            f"“{shown(target)}”不在本公司的客户记录目录（{CLIENTS_DIR}/）里，没有读写",
            "baodan 只处理本公司 records/clients/ 下的记录：请写客户编号、保单登记号，"
            "或这个目录里的文件路径（不能经由链接指到别处）",
        )
    return path
