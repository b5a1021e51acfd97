"""What kind of file an attached document is, from its bytes (never its name), and how many
pages it has. PDF, JPEG and PNG only: what insurers send and phones photograph."""

from __future__ import annotations

import hashlib
import io
import warnings

from baodan.core.errors import Problem

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
# The suffixes a file of each type may be given under; the first is what a copy is saved as.
SUFFIXES = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
NAMES = {PDF: "PDF", JPEG: "JPEG 图片", PNG: "PNG 图片"}
# The largest document staff may attach: a scanned policy of some pages fits, a video not.
MAX_BYTES = 10 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The media type the first bytes say (PDF, JPEG or PNG), or None."""
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def describe(data: bytes) -> str | None:
    """One line saying what a document is (for `git diff`, which would show its bytes);
    None when ``data`` is not a document."""
    kind = sniff(data)
    if kind is None:
        return None
    digest = hashlib.sha256(data).hexdigest()
    return f"（文档：{NAMES[kind]}，{len(data):,} 字节，SHA-256 {digest}）\n"


def inspect(data: bytes) -> tuple[str, int]:
    """(media type, pages) of a document whose whole content has been read as its type
    says; a Problem otherwise."""
    kind = sniff(data)
    if kind is None:
        raise Problem(
            "文件内容不是 PDF、JPEG 或 PNG",
            "只能附加 PDF 文件或 JPEG、PNG 图片；其他格式请先另存为 PDF",
        )
    return kind, (_pdf_pages(data) if kind == PDF else _image_pages(data))


def _pdf_pages(data: bytes) -> int:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            count = PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"]
    except (PdfError, KeyError, TypeError, ValueError, OSError):
        count = None
    if not isinstance(count, int) or count < 1:
        raise Problem("文件以 PDF 开头，但读不出页面：文件不完整或已损坏", "请重新下载或重新扫描")
    return int(count)  # pyHanko gives its own integer type


def _image_pages(data: bytes) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise Problem("图片文件不完整或已损坏，打不开", "请重新拍照或重新导出") from None
    return 1
