"""Small SVG charts for the staff reports, drawn at build time: bars and lines, no JavaScript.

Hand-written with xml.etree rather than a charting library: the output is byte-identical from
one build to the next (pygal, for one, stamps every chart with a random uuid4 and links its
tooltip script from a CDN), it is styled by the site's CSS (classes ``bd-*``, Material's colour
variables, dark mode included), and a month-by-month bar or line chart needs no more than this.
Every bar and point carries a <title> with its exact value, which browsers show on hover.
A period not over yet (``partial``: the current month, the last label) is drawn pale, reached
by a dashed line and labelled 至今, so a month of ten days does not read as a collapse.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup

Number = int | float | Decimal
W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 34
PARTIAL = "（至今）"  # under the label and in the tooltip of a period not over yet


def _partial_class(name: str, i: int, n: int, partial: bool) -> str:
    return f"{name} bd-partial" if partial and i == n - 1 else name


def _nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum ≥ value and a tick step from 1, 2, 5 × 10^k, with 3–5 ticks."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


def _svg(title: str, css_class: str) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {W} {H}",
            "width": str(W),
            "height": str(H),
            "class": f"bd-chart {css_class}",
            "role": "img",
            "font-size": "11",
        },
    )
    ET.SubElement(svg, "title").text = title
    return svg


def _axes(
    svg: ET.Element,
    labels: Sequence[str],
    lo: float,
    hi: float,
    step: float,
    unit: str,
    partial: bool = False,
) -> Callable[[float], float]:
    """Grid lines, y ticks and x labels; returns the value → y coordinate function."""
    plot_h = H - TOP - BOTTOM

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    grid = ET.SubElement(svg, "g", {"class": "bd-grid"})
    v = lo
    while v <= hi + step / 1000:
        y = round(y_of(v), 1)
        ET.SubElement(
            grid, "line", {"x1": str(LEFT), "x2": str(W - RIGHT), "y1": str(y), "y2": str(y)}
        )
        ET.SubElement(
            grid, "text", {"x": str(LEFT - 6), "y": str(y + 4), "text-anchor": "end"}
        ).text = _fmt(v)
        v += step
    if unit:
        ET.SubElement(
            grid, "text", {"x": str(LEFT - 6), "y": str(TOP - 12), "text-anchor": "end"}
        ).text = unit
    xs = ET.SubElement(svg, "g", {"class": "bd-xlabels"})
    for i, label in enumerate(labels):
        ET.SubElement(
            xs,
            "text",
            {
                "x": str(round(_x_center(i, len(labels)), 1)),
                "y": str(H - 12),
                "text-anchor": "middle",
            },
        ).text = label
    if partial and labels:  # a second line under the last label
        ET.SubElement(
            xs,
            "text",
            {
                "x": str(round(_x_center(len(labels) - 1, len(labels)), 1)),
                "y": str(H - 1),
                "text-anchor": "middle",
            },
        ).text = PARTIAL
    return y_of


def _x_center(i: int, n: int) -> float:
    slot = (W - LEFT - RIGHT) / max(n, 1)
    return LEFT + slot * (i + 0.5)


def _to_svg(svg: ET.Element) -> Markup:
    # ElementTree escapes every text and attribute: the chart is markup a template writes as is.
    return Markup(ET.tostring(svg, encoding="unicode", short_empty_elements=True))


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    title: str,
    unit: str = "",
    tooltip: Callable[[str, Number], str] | None = None,
    partial: bool = False,
) -> Markup:
    """One bar per label; None draws no bar. Returns an <svg> element as text."""
    present = [float(v) for v in values if v is not None]
    hi, step = _nice_ceiling(max(present, default=0))
    svg = _svg(title, "bd-bar-chart")
    y_of = _axes(svg, labels, 0, hi, step, unit, partial)
    slot = (W - LEFT - RIGHT) / max(len(labels), 1)
    bars = ET.SubElement(svg, "g", {"class": "bd-bars"})
    for i, (label, v) in enumerate(zip(labels, values)):
        if v is None:
            continue
        top = round(y_of(float(v)), 1)
        rect = ET.SubElement(
            bars,
            "rect",
            {
                "class": _partial_class("bd-bar", i, len(labels), partial),
                "x": str(round(_x_center(i, len(labels)) - slot * 0.3, 1)),
                "y": str(top),
                "width": str(round(slot * 0.6, 1)),
                "height": str(round(H - BOTTOM - top, 1)),
            },
        )
        ET.SubElement(rect, "title").text = (
            tooltip(label, v) if tooltip else f"{label}：{_fmt(float(v))}{unit}"
        ) + (PARTIAL if partial and i == len(labels) - 1 else "")
    return _to_svg(svg)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    *,
    title: str,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    partial: bool = False,
) -> Markup:
    """One line per series, a point per value; None breaks the line. Returns <svg> text.
    ``y_range`` fixes the axis (a 1–5 score shows 1 to 5)."""
    present = [float(v) for _, values in series for v in values if v is not None]
    if y_range:
        lo, hi = y_range
        step = _nice_ceiling(hi - lo)[1]
    else:
        lo = min(0.0, min(present, default=0))
        top, step = _nice_ceiling(max(present, default=0) - lo)
        hi = lo + top
    svg = _svg(title, "bd-line-chart")
    y_of = _axes(svg, labels, lo, hi, step, unit, partial)
    for n, (name, values) in enumerate(series):
        g = ET.SubElement(svg, "g", {"class": f"bd-series bd-series-{n}"})
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            x, y = round(_x_center(i, len(labels)), 1), round(y_of(float(v)), 1)
            runs[-1].append(f"{x},{y}")
        last = None  # the segment into a partial period's point, drawn dashed on its own
        if partial and values and values[-1] is not None and len(runs[-1]) > 1:
            last = runs[-1][-2:]
            runs[-1] = runs[-1][:-1]
        for run in runs:
            if len(run) > 1:
                ET.SubElement(g, "polyline", {"class": "bd-line", "points": " ".join(run)})
        if last:
            ET.SubElement(g, "polyline", {"class": "bd-line bd-partial", "points": " ".join(last)})
        for i, v in enumerate(values):
            if v is None:
                continue
            point = ET.SubElement(
                g,
                "circle",
                {
                    "class": _partial_class("bd-point", i, len(values), partial),
                    "cx": str(round(_x_center(i, len(labels)), 1)),
                    "cy": str(round(y_of(float(v)), 1)),
                    "r": "3.5",
                },
            )
            ET.SubElement(point, "title").text = f"{name} {labels[i]}：{_fmt(float(v))}{unit}" + (
                PARTIAL if partial and i == len(values) - 1 else ""
            )
        if len(series) > 1:
            x = LEFT + 8 + n * 120
            ET.SubElement(
                g,
                "rect",
                {"class": "bd-swatch", "x": str(x), "y": "6", "width": "10", "height": "10"},
            )
            ET.SubElement(g, "text", {"x": str(x + 14), "y": "15"}).text = name
    return _to_svg(svg)
