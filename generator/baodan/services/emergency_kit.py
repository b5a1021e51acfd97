"""The recovery member's emergency kit: one printable page with the key as text and as a QR
code (site_templates/kit/), written where the user says, or shown in the browser from a
private folder (core.privatefiles) that is removed once it is printed.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from baodan.core.errors import BaodanError
from baodan.core.privatefiles import open_new
from baodan.core.today import today
from baodan.services.qr import qr_png_data_uri
from baodan.store.members import RECOVERY, fingerprint
from baodan.web.context import TEMPLATES


def kit_page(firm_name: str, identity) -> str:
    secret = str(identity)
    head, body = secret[:16], secret[16:]  # AGE-SECRET-KEY-1, then 58 characters to copy
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "kit")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("emergency_kit.html.j2").render(
        firm_name=firm_name,
        day=today().isoformat(),
        member=RECOVERY,
        groups=[head, *(body[i : i + 5] for i in range(0, len(body), 5))],
        qr_data_uri=qr_png_data_uri(secret),
        public_fingerprint=fingerprint(str(identity.to_public())),
    )


def check_kit_path(path: Path, firm_root: Path) -> None:
    """Before anything is made: a kit inside the firm's folder is one `git add -A` from being
    committed, and a file already there is not overwritten."""
    if path.resolve().is_relative_to(firm_root.resolve()):
        raise BaodanError(
            f"应急包不能放在公司目录里（{path}）：一次 git add -A 就会把它提交进仓库",
            "换一个公司目录以外的位置，例如 U 盘或桌面，打印后删除",
        )
    if path.exists() or path.is_symlink():
        raise BaodanError(f"{path} 已经存在，没有覆盖", "换一个文件名")


def write_kit(path: Path, page: str) -> Path:
    """The kit where the user asked for it (a new file, readable by its owner only)."""
    with open_new(path) as f:
        f.write(page.encode("utf-8"))
    return path.resolve()
