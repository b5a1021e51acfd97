"""`baodan publish-check`: the last look at a built public site before it is uploaded.

Refuses a site folder holding a staff page (or the staff site's own files), a resident ID or
mobile number (other than those the firm publishes), or a client portal that is not the
ciphertext shape baodan writes: one page per client at <portal_dir>/<id>/index.html (and the
folder's own empty page), the same page around every client's payload, the payload an AES-GCM
nonce and ciphertext, and beside it only documents' ciphertext files (<22 characters>.bin:
nonce, whole padded blocks, tag; never a PDF or picture).
`baodan build` runs it before a new public site replaces the old one; CI runs it again right
before the upload, whatever built the folder.
"""

from __future__ import annotations

import json
import os
import re
import string
from pathlib import Path

from baodan.core.errors import RecordError, Source
from baodan.core.filetypes import sniff
from baodan.core.personal_numbers import find_numbers, may_hold_numbers
from baodan.services.precommit import PUBLISHED_NUMBERS_IN, allowed_numbers
from baodan.store.portal_crypto import DOCUMENT_BLOCK
from baodan.web.config_guard import checked_config
from baodan.web.empty_folders import PAGE as EMPTY_FOLDER_PAGE

# Every page of the staff site loads these (web/staff_pages.staff_assets); no public page does.
STAFF_FILES = ("assets/baodan/staff.css", "assets/baodan/staff.js")
STAFF_MARK = b"assets/baodan/staff."
PAYLOAD = b'<script id="bd-payload"'
PORTAL_FIELDS = {"v", "id", "n", "c"}
NONCE_BYTES, TAG_BYTES = 12, 16
BASE64_ALPHABET = string.ascii_letters.encode("ascii") + string.digits.encode("ascii") + b"+/"
# A document's ciphertext beside its portal page (web/portal_documents.py).
DOCUMENT_FILE = re.compile(r"[A-Za-z0-9_-]{22}\.bin")


def check_site(root: Path, site: Path, shown: str = "site") -> list[RecordError]:
    """Everything in ``site`` that must not be published; ``shown`` names the folder in
    messages (a build checks its temp folder before it becomes site/)."""
    portal_dir = checked_config(root).baodan_option("portal_dir", "p")
    allowed = allowed_numbers(_published_records(root))
    errors: list[RecordError] = []
    shells: dict[bytes, str] = {}
    for rel, path in _files(site):
        where = Source(f"{shown}/{rel}")
        with open(path, "rb") as file:
            data = file.read()
        if rel in STAFF_FILES or STAFF_MARK in data:
            errors.append(_staff(where))
            continue
        if rel.startswith(f"{portal_dir}/"):
            refused, data = _portal(where, rel, data, portal_dir, shells)
            errors += refused
        if b"\0" not in data[:8192] and may_hold_numbers(data):
            text = data.decode("utf-8", "replace")
            errors += [
                RecordError(
                    Source(where.file, found.line),
                    "",
                    f"公开站里有像是{found.kind}的号码，不能发布",
                    "找出它来自哪份记录或哪个页面并删掉；公司公开的号码可写进 "
                    "records/firm.yaml 的 public_numbers",
                )
                for found in find_numbers(text, allowed)
            ]
    return sorted(errors)


def _files(site: Path) -> list[tuple[str, str]]:
    """Every file in the folder: its path inside it (with / as separator), and its path."""
    found = []
    top = os.path.join(site, "")
    for folder, _, names in os.walk(top):
        prefix = folder.removeprefix(top).replace(os.sep, "/")
        found += [
            (f"{prefix}/{name}" if prefix else name, os.path.join(folder, name)) for name in names
        ]
    return found


def _published_records(root: Path) -> list[bytes]:
    files = [root / PUBLISHED_NUMBERS_IN[0]]
    for folder in PUBLISHED_NUMBERS_IN[1:]:
        files += sorted((root / folder).glob("*.yaml"))
    return [f.read_bytes() for f in files if f.is_file()]


def _staff(where: Source) -> RecordError:
    return RecordError(
        where,
        "",
        "这是员工站的页面或文件（明文客户资料），绝不能发布",
        "公开站只用 baodan build 生成（不加 --staff-site），删掉这个网站文件夹后重新生成",
    )


def _portal(
    where: Source, rel: str, data: bytes, portal_dir: str, shells: dict[bytes, str]
) -> tuple[list[RecordError], bytes]:
    """A portal page's problems (its payload must have the ciphertext shape, and the page
    around it must be the same as around every other client's), and what of it is left to
    read for numbers: a page around a payload once (the payload is ciphertext), a page
    without the shape in full."""
    folder, _, name = rel.removeprefix(f"{portal_dir}/").partition("/")
    if folder == "index.html" and data == _empty_folder_page(portal_dir):
        return [], data  # the page that keeps a folder listing from naming every portal
    if DOCUMENT_FILE.fullmatch(name):
        if _sealed_document(data):
            return [], b""  # ciphertext: nothing to read for numbers
        problem = "客户文档不是加密的形式"
        return [
            RecordError(
                where,
                "",
                f"{problem}，可能是明文的保单或理赔文件，不能发布",
                "公开站只用 baodan build 生成；删掉这个网站文件夹后重新生成",
            )
        ], b""
    start = data.find(b">", data.find(PAYLOAD)) + 1
    end = data.find(b"</script>", start)
    shell = data[:start] + data[end:]
    if name != "index.html":
        problem = "客户页面文件夹里只应有 index.html 和加密的文档"
    elif data.count(PAYLOAD) != 1 or not _sealed(data[start:end], folder):
        problem = "客户页面不是加密的形式（应只有一段密文）"
    elif shell in shells:
        return [], b""
    else:
        shells[shell] = rel
        if len(shells) == 1:
            return [], shell
        problem = f"客户页面在密文之外的内容与 {next(iter(shells.values()))} 不同"
    return [
        RecordError(
            where,
            "",
            f"{problem}，可能含有明文客户资料，不能发布",
            "公开站只用 baodan build 生成；删掉这个网站文件夹后重新生成",
        )
    ], data


def _sealed_document(data: bytes) -> bool:
    """The shape encrypt_document writes: a nonce, whole padded blocks, the tag; and not a
    PDF or picture however it was named."""
    body = len(data) - NONCE_BYTES - TAG_BYTES
    return body > 0 and body % DOCUMENT_BLOCK == 0 and sniff(data) is None


def _empty_folder_page(folder: str) -> bytes:
    return EMPTY_FOLDER_PAGE.format(home="../" * (folder.count("/") + 1)).encode("utf-8")


def _sealed(payload: bytes, portal_id: str) -> bool:
    try:
        value = json.loads(payload)
    except ValueError:
        return False
    return (
        isinstance(value, dict)
        and set(value) == PORTAL_FIELDS
        and value["id"] == portal_id
        and _base64_size(value["n"]) == NONCE_BYTES
        and (_base64_size(value["c"]) or 0) > TAG_BYTES
    )


def _base64_size(text: object) -> int | None:
    """How many bytes ``text`` decodes to, if it is base64 as b64encode writes it (checked
    without decoding it: the ciphertext is most of the site)."""
    if not isinstance(text, str) or not text.isascii() or len(text) % 4:
        return None
    data = text.encode("ascii")
    body = data.rstrip(b"=")
    padding = len(data) - len(body)
    if padding > 2 or body.translate(None, BASE64_ALPHABET):
        return None
    return len(data) // 4 * 3 - padding
