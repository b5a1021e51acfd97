"""The recovery member's emergency kit: one printable page with the key as text and as a QR
code (site_templates/kit/), written where the user says, or shown in the browser and removed.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from baodan.core.errors import BaodanError
from baodan.core.files import write_atomic
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


def refuse_inside(path: Path, firm_root: Path) -> None:
    """A kit inside the firm's folder is one `git add -A` from being committed."""
    target = path.resolve()
    if target.is_relative_to(firm_root.resolve()):
        raise BaodanError(
            f"应急包不能放在公司目录里（{path}）：一次 git add -A 就会把它提交进仓库",
            "换一个公司目录以外的位置，例如 U 盘或桌面，打印后删除",
        )


def write_kit(path: Path, page: str) -> Path:
    """The kit where the user asked for it, readable by its owner only."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, page.encode("utf-8"), mode=0o600)
    return path


def remove_kit(path: Path) -> None:
    """Overwrite, then delete: the page holds the key."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as f:
            f.write(b"\0" * size)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)
