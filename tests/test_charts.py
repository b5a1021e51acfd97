"""Charts are valid SVG with one bar or point per value, drawn to scale, and carry no script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from baodan.web import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def test_bar_chart_has_a_bar_per_value_to_scale():
    svg = charts.bar_chart(
        ["9月", "10月", "11月", "12月"], [10, None, 20, 5], title="理赔时效", unit="天"
    )
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("svg:title", NS).text == "理赔时效"
    bars = root.findall(".//svg:rect[@class='bd-bar']", NS)
    assert len(bars) == 3  # no bar for the month without a value
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 2 * heights[0] == 4 * heights[2]
    assert [b.find("svg:title", NS).text for b in bars] == ["9月：10天", "11月：20天", "12月：5天"]
    labels = [t.text for t in root.findall(".//svg:g[@class='bd-xlabels']/svg:text", NS)]
    assert labels == ["9月", "10月", "11月", "12月"]
    assert "<script" not in svg and "http://" not in svg.replace(NS["svg"], "")


def test_line_chart_points_and_gaps():
    svg = charts.line_chart(
        ["1月", "2月", "3月", "4月"],
        [("满意度", [4.5, None, 4.0, 5]), ("NPS", [10, 20, 30, 40])],
        title="满意度",
        y_range=(0, 50),
    )
    root = ET.fromstring(svg)
    first, second = root.findall(".//svg:g[@class]", NS)[2:4]
    assert len(first.findall("svg:circle", NS)) == 3
    assert len(first.findall("svg:polyline", NS)) == 1  # 4.5 stands alone before the gap
    assert len(second.findall("svg:circle", NS)) == 4
    ys = [float(c.get("cy")) for c in second.findall("svg:circle", NS)]
    assert ys == sorted(ys, reverse=True)  # rising values are drawn higher up
    assert [t.text for t in root.findall(".//svg:text", NS) if t.text in ("满意度", "NPS")] == [
        "满意度",
        "NPS",
    ]  # the legend


def test_charts_are_byte_identical_between_builds():
    first, second = (charts.bar_chart(["1月"], [3], title="x") for _ in range(2))
    assert first == second


def test_a_month_not_over_is_drawn_pale_dashed_and_labelled_so():
    svg = charts.line_chart(
        ["10月", "11月", "12月"], [("新保单", [40, 42, 6])], title="新保单", partial=True
    )
    root = ET.fromstring(svg)
    points = root.findall(".//svg:circle", NS)
    assert [p.get("class") for p in points] == ["bd-point", "bd-point", "bd-point bd-partial"]
    assert points[-1].find("svg:title", NS).text.endswith("（至今）")
    lines = root.findall(".//svg:polyline", NS)
    assert [line.get("class") for line in lines] == ["bd-line", "bd-line bd-partial"]
    labels = [t.text for t in root.findall(".//svg:g[@class='bd-xlabels']/svg:text", NS)]
    assert labels == ["10月", "11月", "12月", "（至今）"]
    bars = ET.fromstring(charts.bar_chart(["11月", "12月"], [5, 1], title="x", partial=True))
    assert [b.get("class") for b in bars.findall(".//svg:rect", NS)] == [
        "bd-bar",
        "bd-bar bd-partial",
    ]


def test_the_satisfaction_report_shows_the_1_to_5_scale_and_this_month_as_partial():
    from datetime import date

    from baodan.web.context import TEMPLATES, SiteContext, make_env
    from baodan.web.report_pages import report_pages

    from . import factories as f

    ctx = SiteContext(
        f.firm(f.client_file(f.person())), date(2026, 12, 6), True, make_env(TEMPLATES)
    )
    page = next(p for p in report_pages(ctx) if p.uri == "staff/reports/index.md")
    start = page.content.rindex("<svg", 0, page.content.index("<title>满意度平均分"))
    svg = page.content[start : page.content.index("</svg>", start) + len("</svg>")]
    root = ET.fromstring(svg)
    ticks = [t.text for t in root.findall(".//svg:g[@class='bd-grid']/svg:text", NS)]
    assert ticks[:5] == ["1", "2", "3", "4", "5"]
    labels = [t.text for t in root.findall(".//svg:g[@class='bd-xlabels']/svg:text", NS)]
    assert labels[-2:] == ["12月", "（至今）"]
