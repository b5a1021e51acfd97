"""`baodan export CLIENT`: everything the firm holds on one client (PIPL right of access and
portability): each record as the YAML it is stored as, plus one printable Chinese HTML page.

Built in memory; written only where the user asks (a folder or one zip), files 0600,
all or nothing.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jinja2

from baodan.checks import load_firm
from baodan.core import yamlio
from baodan.core.childenv import child_env
from baodan.core.errors import BaodanError
from baodan.core.files import write_atomic
from baodan.core.filetypes import SUFFIXES, sniff
from baodan.core.interrupts import like_ctrl_c
from baodan.core.privatefiles import open_new
from baodan.core.rules import Rules
from baodan.core.today import today
from baodan.domain.labels import Names, record_title
from baodan.services.documents import decrypted
from baodan.store import gitrepo
from baodan.store.documents import content_files
from baodan.store.workspace import Workspace
from baodan.web.context import TEMPLATES

# Fields whose values are codes of other records: shown with the name they stand for.
REFERENCES = {
    "insurer": "insurers",
    "manager": "staff",
    "received_by": "staff",
    "handler": "staff",
    "staff": "staff",
    "owner": "staff",
}
SECTIONS = [
    ("client.yaml", "基本信息"),
    ("policies/", "保单"),
    ("claims/", "理赔"),
    ("interactions/", "服务记录（咨询、回访、问候、调查）"),
    ("tasks/", "内部工作任务"),
    ("documents/", "文档（文件本身在 documents/ 文件夹里）"),
]


@dataclass
class Row:
    """One line of the printable page: a label and a text, or nested rows, or several items."""

    label: str
    text: str = ""
    rows: list[Row] | None = None
    items: list[list[Row]] | None = None


def rows_of(
    data: dict, refs: dict[str, dict[str, str]], names: Names, path: tuple = ()
) -> list[Row]:
    """A record as rows, in the firm's ``names``; insurers and staff by name (``refs``)."""
    rows = []
    for key, value in data.items():
        here = (*path, key)
        if isinstance(value, dict):
            rows.append(Row(names.label(key), rows=rows_of(value, refs, names, here)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items = [rows_of(v, refs, names, here) for v in value]
            rows.append(Row(names.label(key), items=items))
        else:
            text = names.show(here, value, full=True)
            if key in REFERENCES and isinstance(value, str):
                name = refs.get(REFERENCES[key], {}).get(value)
                text = f"{name}（{value}）" if name else text
            rows.append(Row(names.label(key), text))
    return rows


@dataclass
class Record:
    rel: str  # path inside the export, e.g. policies/BD-2026-7K3QX.yaml
    title: str
    rows: list[Row]


def _client_dir(ws: Workspace, client_id: str) -> Path:
    folder = ws.client_dir(client_id)
    if not (folder / "client.yaml.age").is_file():
        raise BaodanError(
            f"找不到客户“{client_id}”",
            "请写客户编号（如 c-1a2b3c4d）；客户名单在员工站 staff/clients/",
        )
    return folder


def collect(ws: Workspace, client_id: str) -> tuple[dict[str, bytes], list[Record], dict]:
    """The client's records decrypted in memory: (export files, page sections, client data)."""
    folder = _client_dir(ws, client_id)
    firm, _ = load_firm(ws.root, None, today())  # public records only: insurer and staff names
    refs = {
        "insurers": {c: i.short_name for c, i in firm.insurers.items()} if firm else {},
        "staff": {c: s.name for c, s in firm.staff.items()} if firm else {},
    }
    names = Names.of(firm.rules if firm else Rules(ws.root))
    files: dict[str, bytes] = {}
    records: list[Record] = []
    for path in sorted(folder.rglob("*.yaml.age")):
        rel = path.relative_to(folder).as_posix().removesuffix(".age")
        text = ws.read(path)
        files[rel] = text.encode("utf-8")
        try:
            data = yamlio.load(text)
        except yamlio.YamlError:
            data = None
        title = record_title(ws.rel(path)).split("（客户")[0]
        rows = (
            rows_of(data, refs, names) if isinstance(data, dict) else [Row("内容", "（无法解析）")]
        )
        records.append(Record(rel, title, rows))
    for path in content_files(ws.root, folder.name):
        data = decrypted(ws, path)
        files[
            f"documents/{path.name.removesuffix('.age')}{SUFFIXES.get(sniff(data), ('',))[0]}"
        ] = data
    client = yamlio.load(files["client.yaml"].decode("utf-8")) or {}
    return files, records, client


def render_page(
    ws: Workspace, client_id: str, records: list[Record], client: dict, files: list[str]
) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "export")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    firm, _ = load_firm(ws.root, None, today())
    sections = [
        (heading, [r for r in records if r.rel == prefix or r.rel.startswith(prefix)])
        for prefix, heading in SECTIONS
    ]
    return env.get_template("client.html.j2").render(
        client_id=client_id,
        client=client,
        settings=firm.settings if firm else None,
        sections=[(h, rs) for h, rs in sections if rs],
        files=sorted(files),
        today=today(),
    )


def export_client(
    ws: Workspace, client_id: str, dest: Path | None = None, *, as_zip: bool = False
) -> Path:
    """Write the export; return where it went. Refuses to overwrite an earlier export (or to
    write through a link). All or nothing: it is written beside ``dest`` under a temporary
    name, readable by the user only, and renamed when complete; a failure, Ctrl-C, `kill`
    or a closed terminal leaves nothing behind."""
    files, records, client = collect(ws, client_id)
    files["index.html"] = render_page(ws, client_id, records, client, list(files)).encode("utf-8")
    dest = (dest or default_destination(ws, client_id, as_zip)).absolute()
    if os.path.lexists(dest):
        raise BaodanError(f"{dest} 已存在", "先删除上一次的导出（交付后本就应删除），或换一个路径")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with like_ctrl_c():
        if as_zip:
            write_atomic(dest, _zipped(client_id, files), mode=0o600)
            return dest
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))  # 0700
        try:
            for rel, data in files.items():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                with open_new(tmp / rel) as f:
                    f.write(data)
            tmp.rename(dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return dest


def default_destination(ws: Workspace, client_id: str, as_zip: bool) -> Path:
    """export/<client id>/ (or .zip) in the firm folder, which git ignores."""
    return ws.root / "export" / (client_id + (".zip" if as_zip else ""))


def _zipped(client_id: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    stamp = (*today().timetuple()[:3], 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{client_id}/{rel}", stamp)
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def unignored(ws: Workspace, path: Path) -> bool:
    """True when an export landed inside the repository where git would pick it up."""
    try:
        rel = path.resolve().relative_to(ws.root)
    except ValueError:
        return False
    if not gitrepo.is_repo(ws.root):
        return False
    done = subprocess.run(
        ["git", "-C", str(ws.root), "check-ignore", "-q", rel.as_posix()],
        check=False,
        capture_output=True,
        env=child_env(),
    )
    return done.returncode == 1
