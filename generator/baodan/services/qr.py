"""QR codes (segno), for subscribe and portal links shown on pages or saved to files."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TextIO

import segno

from baodan.core.errors import BaodanError
from baodan.core.privatefiles import open_new


def _make(text: str) -> segno.QRCode:
    # Error correction M (15 %) keeps a printed code readable with a smudge. A fixed mask
    # skips segno's scoring of all eight patterns (5 ms → 1 ms a code, which matters with a
    # code printed per client): every mask is valid QR, the scoring only picks the prettiest.
    return segno.make(text, error="m", mask=0, micro=False)


def qr_svg(text: str, *, scale: int = 4, title: str | None = None) -> str:
    """A standalone SVG of the QR code for ``text``: embed it in HTML as is, or save it as .svg.
    The same text gives the same bytes, so rebuilding a page changes nothing."""
    buffer = io.BytesIO()
    _make(text).save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, title=title, svgclass="qr"
    )
    return buffer.getvalue().decode("utf-8")


KINDS = {".png": "png", ".svg": "svg"}


def write_qr(text: str, path: Path, *, overwrite: bool = False) -> Path:
    """Save the QR code for ``text`` where the user asked, as the file's extension names
    (.png or .svg), readable by its owner only: codes of private links carry their secret.
    Never through a symbolic link, never over a file unless ``overwrite``; a failed write
    leaves no file."""
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise BaodanError(
            f"二维码文件名要以 .png 或 .svg 结尾：{path}",
            "例如 --qr 二维码.png（图片，微信可直接发送）或 --qr 二维码.svg（打印更清晰）",
        )
    path = path.absolute()  # not resolve(): that would follow a link
    with open_new(path, overwrite=overwrite) as f:
        try:
            _make(text).save(f, kind=kind, scale=8, border=4)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return path


def print_qr(text: str, out: TextIO) -> None:
    """The QR code in the terminal. Unicode half blocks make it half as tall, but a Chinese
    Windows console draws them twice as wide (CJK fonts), which no phone reads: there segno
    colours the console's cells through the Windows API instead, two spaces a module."""
    if sys.platform == "win32":
        out.flush()
        _make(text).terminal()  # to the console itself (sys.stdout)
    else:
        _make(text).terminal(out=out, compact=True)


def qr_png_data_uri(text: str) -> str:
    """A PNG data: URI of the QR code for ``text``, for a page that must stand alone (the
    emergency kit); error correction Q (25 %) so a printed, folded sheet still scans."""
    return segno.make(text, error="q", micro=False).png_data_uri(scale=8, border=4)
