"""Readable colours from the firm's brand colours (records/firm.yaml brand): text on a brand
colour, and a brand colour as text, meeting WCAG AA (4.5:1) whatever the firm chose."""

from __future__ import annotations

AA = 4.5
INK = "#000000de"  # Material's dark text (87 % black)
DARK_INK = (0x24, 0x24, 0x24)  # INK over white, as seen
WHITE = (0xFF, 0xFF, 0xFF)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_on(background: str) -> str:
    """White or dark text, whichever reads better on ``background`` (#rrggbb)."""
    bg = _rgb(background)
    return "#ffffff" if contrast(WHITE, bg) >= contrast(DARK_INK, bg) else INK


def text_colour(colour: str, fallback: str) -> str:
    """``colour`` as text on white when it meets AA there, else ``fallback`` (#rrggbb both)."""
    return colour if contrast(_rgb(colour), WHITE) >= AA else fallback
