"""A client's documents on their portal: each published as its own ciphertext file beside the
page (p/<portal id>/<name>.bin), listed under its policy or claim inside the encrypted page,
and fetched and decrypted by the browser (site_templates/assets/documents.js) only when the
client taps it.

Large pictures are made smaller for phones here, at build time (the original stays in the
records for staff). A PDF's digital signatures are checked as the audit checks them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from baodan.core.filetypes import SUFFIXES
from baodan.core.pdfsignature import SignatureCheck, check_pdf, may_be_signed
from baodan.models import ClientFile
from baodan.models.client import Portal
from baodan.models.document import Document
from baodan.store.portal_crypto import document_name, encrypt_document
from baodan.web.context import GeneratedPage, SiteContext

# A picture's longest side on the portal: sharp on any phone, a fraction of a camera's bytes.
# Only pictures over SMALL_ENOUGH bytes are resized (about a second each, every build).
MAX_SIDE = 2000
SMALL_ENOUGH = 1024 * 1024
JPEG_QUALITY = 85
# Characters no file name may hold on Windows, macOS or a phone.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class DocumentView:
    """One document as the portal lists it."""

    kind: str  # 电子保单 …
    href: str  # the ciphertext file, relative to the portal page
    file_name: str  # what the client's copy is saved as
    media_type: str
    summary: str  # PDF · 2 页 · 120 KB
    signature: SignatureCheck | None  # PDFs with signatures


def portal_documents(
    ctx: SiteContext, cf: ClientFile, portal: Portal, portal_dir: str
) -> tuple[dict[str, list[DocumentView]], list[GeneratedPage]]:
    """(documents by the policy number or claim id they belong to, their ciphertext files)."""
    if not cf.documents or ctx.documents is None:
        return {}, []
    products = {p.registry_no: p.product for p in cf.policies}
    by_owner: dict[str, list[DocumentView]] = {}
    files = []
    taken: set[str] = set()
    for d in cf.documents:
        data, media_type = for_phones(ctx.documents.content(d.path), d.media_type)
        name = document_name(portal.key, portal.id, d.id, d.sha256)
        files.append(
            GeneratedPage(
                f"{portal_dir}/{portal.id}/{name}.bin",
                encrypt_document(portal.key, portal.id, name, data),
            )
        )
        signature = None
        if d.media_type == "application/pdf" and may_be_signed(data):
            check = check_pdf(data)
            signature = check if check.signed else None
        by_owner.setdefault(d.claim or d.policy, []).append(
            DocumentView(
                kind=d.kind,
                href=f"{name}.bin",
                file_name=_file_name(d, products.get(d.policy, d.policy), media_type, taken),
                media_type=media_type,
                summary=_summary(d, len(data)),
                signature=signature,
            )
        )
    return by_owner, files


def for_phones(data: bytes, media_type: str) -> tuple[bytes, str]:
    """A picture over SMALL_ENOUGH bytes whose longest side is over MAX_SIDE, made that size
    when that makes it smaller (same type, the same bytes every build); else as it is."""
    if media_type == "application/pdf" or len(data) <= SMALL_ENOUGH:
        return data, media_type
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= MAX_SIDE:
            return data, media_type
        # A JPEG decodes straight at a half, quarter … of its size: a tenth of the time.
        scale = MAX_SIDE / max(image.size)
        image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
        image = ImageOps.exif_transpose(image)  # a phone photo's rotation, before it is lost
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if media_type == "image/jpeg":
            image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
        else:
            image.save(out, "PNG")
    smaller = out.getvalue()
    return (smaller if len(smaller) < len(data) else data), media_type


def _file_name(d: Document, product: str, media_type: str, taken: set[str]) -> str:
    """电子保单_<product>_<date>.pdf; a second of the same name gets _2, and so on."""
    stem = _UNSAFE.sub("", f"{d.kind}_{product}_{d.added_on.isoformat()}")[:80]
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}_{n}"
    taken.add(name)
    return name + SUFFIXES[media_type][0]


def _summary(d: Document, size: int) -> str:
    kind = "PDF" if d.media_type == "application/pdf" else "图片"
    pages = f" · {d.pages} 页" if d.media_type == "application/pdf" else ""
    shown = f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"
    return f"{kind}{pages} · {shown}"
