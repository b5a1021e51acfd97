"""QR codes as SVG text (segno), for subscribe and portal links shown on pages or saved to files."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str, *, scale: int = 4, title: str | None = None) -> str:
    """A standalone SVG of the QR code for ``text``: embed it in HTML as is, or save it as .svg.

    Error correction M (15 %) keeps a printed code readable with a smudge; the result is the
    same for the same text, so rebuilding a page changes no byte."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, title=title, svgclass="qr"
    )
    return buffer.getvalue().decode("utf-8")
