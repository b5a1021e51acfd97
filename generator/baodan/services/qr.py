"""QR codes (segno), for subscribe and portal links shown on pages or saved to files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import segno


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


def write_qr(text: str, path: Path) -> Path:
    """Save the QR code for ``text`` as PNG (or SVG when ``path`` ends in .svg), readable by
    its owner only: codes of private links carry their secret."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = "svg" if path.suffix.lower() == ".svg" else "png"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was there before
    with os.fdopen(fd, "wb") as f:
        _make(text).save(f, kind=kind, scale=8, border=4)
    return path


def qr_png_data_uri(text: str) -> str:
    """A PNG data: URI of the QR code for ``text``, for a page that must stand alone (the
    emergency kit); error correction Q (25 %) so a printed, folded sheet still scans."""
    return segno.make(text, error="q", micro=False).png_data_uri(scale=8, border=4)
